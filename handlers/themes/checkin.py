"""A driver checks in at an activity: `/attend CODE`, the QR code's link (`/start
ci<activity>_<code>`, reached through the /start router's hook), or the six digits sent on
their own outside any flow. The answer goes out once the check-in is stored."""

from __future__ import annotations

import re
from typing import Any

from aiogram import Router
from aiogram.filters import Command, CommandObject, Filter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.db.after_commit import after_commit
from bot.db.types import Clock
from bot.services.themes.attendance import Attended, CheckinOutcome
from bot.services.users.profiles import UserProfile
from handlers.common.filters import private_only
from handlers.common.texts import q
from handlers.themes.kit import ThemeServices
from handlers.themes.texts import title
from knowledge.themes import codes

# The QR code's deep-link payload (Telegram allows [A-Za-z0-9_-], at most 64 characters).
LINK_PAYLOAD = re.compile(r"^ci(\d{1,12})_(\d{6})$")


def link_payload(activity_id: int, code: str) -> str:
    return f"ci{activity_id}_{code}"


class CheckinLink(Filter):
    """/start with a check-in payload from someone onboarded (anyone else gets the usual
    /start: the privacy notice or onboarding first)."""

    async def __call__(
        self, message: Message, user: UserProfile | None = None
    ) -> bool | dict[str, Any]:
        text = message.text or ""
        if user is None or not user.onboarded or not text.startswith("/start "):
            return False
        match = LINK_PAYLOAD.match(text.split(maxsplit=1)[1].strip())
        if match is None:
            return False
        return {"checkin": (int(match.group(1)), match.group(2))}


class BareCode(Filter):
    """Six digits sent on their own ("123456", "123 456")."""

    async def __call__(self, message: Message) -> bool | dict[str, Any]:
        code = codes.normalise(message.text or "")
        return False if code is None else {"code": code}


def result_text(result: Attended, tz: Any) -> str:
    name = q(title(result.activity)) if result.activity is not None else ""
    outcome = result.outcome
    if outcome is CheckinOutcome.CHECKED_IN:
        if result.points:
            return _("✅ Checked in: {title}. You earned ⭐ {n} points.").format(
                title=name, n=result.points
            )
        return _("✅ Checked in: {title}. Thank you for coming!").format(title=name)
    if outcome is CheckinOutcome.ALREADY:
        return _("You have already checked in at {title}.").format(title=name)
    if outcome is CheckinOutcome.EXPIRED:
        return _("This code has expired. Send the code the organiser shows now.")
    if outcome is CheckinOutcome.TOO_EARLY:
        assert result.opens is not None
        opens = result.opens.astimezone(tz)
        return _("Check-in for {title} opens at {time}.").format(
            title=name, time=opens.strftime("%H:%M")
        )
    if outcome is CheckinOutcome.OVER:
        return _("Check-in for {title} is over.").format(title=name)
    return _(
        "This code is not right. Check the six digits the organiser shows and send them again."
    )


async def _check_in(
    message: Message,
    user: UserProfile,
    themes: ThemeServices,
    clock: Clock,
    code: str,
    activity_id: int | None = None,
) -> None:
    result = await themes.attendance.check_in(user.id, code, clock(), activity_id)
    text = result_text(result, themes.tz)  # rendered now: no language after the commit

    async def reply() -> None:
        await message.answer(text)

    after_commit(themes.session, reply)


async def attend_command(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    user: UserProfile,
    themes: ThemeServices,
    clock: Clock,
) -> None:
    await state.clear()  # a command leaves any flow
    code = codes.normalise(command.args or "")
    if code is None:
        await message.answer(
            _("Send /attend and the six digits the organiser shows, e.g. /attend 123456.")
        )
        return
    await _check_in(message, user, themes, clock, code)


async def checkin_link(
    message: Message,
    checkin: tuple[int, str],
    state: FSMContext,
    user: UserProfile,
    themes: ThemeServices,
    clock: Clock,
) -> None:
    """The QR code opened the bot: the code is for that activity only."""
    await state.clear()
    activity_id, code = checkin
    await _check_in(message, user, themes, clock, code, activity_id)


async def bare_code(
    message: Message, code: str, user: UserProfile, themes: ThemeServices, clock: Clock
) -> None:
    await _check_in(message, user, themes, clock, code)


def create_router() -> Router:
    router = Router(name="themes_checkin")
    private_only(router)
    router.message.register(attend_command, Command("attend"))
    return router


def create_code_router() -> Router:
    """Six digits with no flow open: tried just before the fallback, so any flow waiting for
    text (a phone number, a note) gets it first."""
    router = Router(name="themes_bare_code")
    private_only(router)
    router.message.register(bare_code, StateFilter(None), BareCode())
    return router
