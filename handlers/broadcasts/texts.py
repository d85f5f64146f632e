"""The broadcast feature's words: statuses, audiences and refusals, rendered in the
current locale."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _

from bot.db.broadcasts.models import BroadcastStatus
from bot.db.users.models import Occupation, Role
from bot.services.broadcasts.compose import (
    CAPTION_LIMIT,
    MAX_LINKS,
    TEXT_LIMIT,
    ComposeError,
    ComposeErrorCode,
)
from bot.services.broadcasts.model import Target, TargetKind
from bot.services.broadcasts.service import BroadcastErrorCode
from handlers.common.filters import N_
from handlers.common.texts import city_label, occupation_label, q, role_label

STATUS_WORDS: dict[BroadcastStatus, str] = {
    BroadcastStatus.DRAFT: N_("Draft"),
    BroadcastStatus.SCHEDULED: N_("Scheduled"),
    BroadcastStatus.RUNNING: N_("Sending"),
    BroadcastStatus.PAUSED: N_("Paused"),
    BroadcastStatus.CANCELLED: N_("Cancelled"),
    BroadcastStatus.DONE: N_("Done"),
}
LANGUAGE_NAMES = {"zh": N_("Chinese"), "en": N_("English")}
FORM_CLOSED = N_("This notice form is closed. Send /broadcast to write a new one.")


def status_word(status: BroadcastStatus) -> str:
    return _(STATUS_WORDS[status])


def target_text(target: Target) -> str:
    value = target.value or ""
    if target.kind is TargetKind.CITY:
        return _("drivers in {city}").format(city=q(city_label(value)))
    if target.kind is TargetKind.OCCUPATION:
        return occupation_label(Occupation(value))
    if target.kind is TargetKind.ROLE:
        return _("role: {role}").format(role=role_label(Role(value)))
    if target.kind is TargetKind.LANGUAGE:
        return _("language: {language}").format(language=_(LANGUAGE_NAMES[value]))
    return _("everyone")


def when_text(at: datetime | None, tz: ZoneInfo) -> str:
    return _("now") if at is None else f"{at.astimezone(tz):%Y-%m-%d %H:%M}"


def short_when(at: datetime | None, tz: ZoneInfo) -> str:
    return "—" if at is None else f"{at.astimezone(tz):%m-%d %H:%M}"


def compose_error(exc: ComposeError) -> str:
    code = exc.code
    if code is ComposeErrorCode.EMPTY:
        return _("The notice has no text. Please send the text (a photo needs a caption).")
    if code is ComposeErrorCode.TOO_LONG:
        if exc.limit == CAPTION_LIMIT:
            text = _(
                "This text is {length} characters long, but a photo's caption may have at "
                "most {limit} (a text without a photo: {text_limit}). Shorten it and send "
                "it again."
            )
        else:
            text = _(
                "This text is {length} characters long; Telegram allows at most {limit} in "
                "one message. Shorten it and send it again."
            )
        return text.format(length=exc.length, limit=exc.limit, text_limit=TEXT_LIMIT)
    if code is ComposeErrorCode.PLACEHOLDER:
        return _(
            "{placeholder} is not a placeholder I know: only {name} (the driver's name) is "
            "filled in. Fix it and send the text again."
        ).format(placeholder=q(exc.detail), name="{name}")
    if code is ComposeErrorCode.LINK_FORMAT:
        return _(
            "Line {line} is not a button. Write one button a line as "
            "<code>label | https://…</code>, or tap “No buttons”."
        ).format(line=exc.line)
    if code is ComposeErrorCode.LINK_LABEL:
        return _("The label on line {line} is empty or longer than {limit} characters.").format(
            line=exc.line, limit=exc.limit
        )
    if code is ComposeErrorCode.LINK_URL:
        return _(
            "The link on line {line} ({url}) is not a web address: it must start with "
            "https:// or http:// and name a site."
        ).format(line=exc.line, url=q(exc.detail) or "—")
    if code is ComposeErrorCode.TOO_MANY_LINKS:
        return _("At most {limit} buttons, please.").format(limit=MAX_LINKS)
    if code is ComposeErrorCode.TIME_PAST:
        return _(
            "That time has passed. Type a later one, e.g. <code>21:30</code> or "
            "<code>2026-12-24 09:00</code>."
        )
    if code is ComposeErrorCode.TIME_FAR:
        return _("That is more than 30 days ahead. Please pick a nearer time.")
    return _(
        "I could not read that time. Type <code>HH:MM</code> (today) or "
        "<code>YYYY-MM-DD HH:MM</code>, or tap a button."
    )


def broadcast_error(code: BroadcastErrorCode) -> str:
    if code is BroadcastErrorCode.NOT_ADMIN:
        return _("Only admins can do this.")
    if code is BroadcastErrorCode.CONFIRMED:
        return _("This notice is already confirmed: see /broadcasts.")
    if code is BroadcastErrorCode.NOBODY:
        return _("Nobody would get this notice now. Please choose another audience.")
    return _("This notice has changed meanwhile; the message shows it as it is now.")


def limit_hint(photo: bool) -> str:
    limit = CAPTION_LIMIT if photo else TEXT_LIMIT
    return _("At most {limit} characters.").format(limit=limit)
