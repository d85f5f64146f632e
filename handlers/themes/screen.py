"""📅 This month: the month's theme and activities on one message, ◀ ▶ to other months, and
a sign-up (or cancel) button for each activity with seats that has not started."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.db.after_commit import after_commit
from bot.db.types import Clock
from bot.services.themes.attendance import SignupOutcome
from bot.services.users.profiles import UserProfile
from handlers.common.editing import edit_in_place
from handlers.common.filters import N_, private_only
from handlers.themes.callbacks import MonthCb, SeatCb
from handlers.themes.kit import ThemeServices
from handlers.themes.texts import screen_kb, screen_text
from knowledge.months import is_month, month_key

SEAT_ANSWERS = {
    SignupOutcome.SIGNED_UP: N_("✅ You are signed up. We will remind you before it starts."),
    SignupOutcome.ALREADY: N_("You are signed up for this already."),
    SignupOutcome.FULL: N_("Sorry, this activity is full."),
    SignupOutcome.STARTED: N_("This activity has started: sign-up is closed."),
    SignupOutcome.UNAVAILABLE: N_("This activity takes no sign-ups (any more)."),
    SignupOutcome.CANCELLED: N_("Your seat is cancelled."),
    SignupOutcome.NOT_SIGNED_UP: N_("You were not signed up for this."),
}


async def show_this_month(
    message: Message, state: FSMContext, user: UserProfile, themes: ThemeServices, clock: Clock
) -> None:
    """The menu button and /month."""
    await state.clear()  # a menu tap leaves any flow
    now = clock()
    month = month_key(now.astimezone(themes.tz).date())
    screen = await themes.browser.month(month, month, user.city, now, user.id)
    await message.answer(screen_text(screen, user.city), reply_markup=screen_kb(screen))


async def _month_message(query: CallbackQuery, month: str) -> Message | None:
    """The month screen's message to edit; None, the tap answered, for a stale button."""
    if isinstance(query.message, Message) and is_month(month):
        return query.message
    await query.answer(_("This button is no longer valid."))
    return None


async def turn(
    query: CallbackQuery,
    callback_data: MonthCb,
    user: UserProfile,
    themes: ThemeServices,
    clock: Clock,
) -> None:
    """◀ ▶, back to this month, and a notice's 📅 button: the month shown in place."""
    message = await _month_message(query, callback_data.m)
    if message is None:
        return
    now = clock()
    current = month_key(now.astimezone(themes.tz).date())
    screen = await themes.browser.month(callback_data.m, current, user.city, now, user.id)
    await query.answer()
    await edit_in_place(message, screen_text(screen, user.city), screen_kb(screen))


async def seat(
    query: CallbackQuery,
    callback_data: SeatCb,
    user: UserProfile,
    themes: ThemeServices,
    clock: Clock,
) -> None:
    """✍️ Sign up / ✖ Cancel: the answer and the redrawn screen once the seat is stored."""
    message = await _month_message(query, callback_data.m)
    if message is None:
        return
    now = clock()
    if callback_data.a == "in":
        outcome = await themes.attendance.sign_up(callback_data.id, user.id, now)
    else:
        outcome = await themes.attendance.cancel(callback_data.id, user.id, now)
    current = month_key(now.astimezone(themes.tz).date())
    screen = await themes.browser.month(callback_data.m, current, user.city, now, user.id)
    answer, text, kb = _(SEAT_ANSWERS[outcome]), screen_text(screen, user.city), screen_kb(screen)
    alert = outcome in {SignupOutcome.FULL, SignupOutcome.STARTED}

    async def show() -> None:  # only once the seat is stored (or nothing changed)
        await query.answer(answer, show_alert=alert)
        await edit_in_place(message, text, kb)

    after_commit(themes.session, show)


def create_router() -> Router:
    router = Router(name="themes")
    private_only(router)
    router.message.register(show_this_month, Command("month"))
    router.callback_query.register(turn, MonthCb.filter())
    router.callback_query.register(seat, SeatCb.filter())
    return router
