"""A broadcast's status message: rendered from a `StatusView` in its author's language and
edited in place, never with what it already shows (a digest of the last edit is kept on
the broadcast, so a restart does not repeat it either). Used by the handlers after a tap
and, through the kit, by the scheduler's progress job."""

from __future__ import annotations

import hashlib
import json
import logging
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.db.broadcasts.models import BroadcastStatus
from bot.services.broadcasts.model import Broadcast
from bot.services.broadcasts.progress import Counts, Shown, StatusView
from handlers.broadcasts.callbacks import ControlCb
from handlers.broadcasts.texts import short_when, status_word, target_text, when_text
from handlers.common.editing import GONE, NOT_MODIFIED

log = logging.getLogger(__name__)
S = BroadcastStatus
BAR = 10


def bar(done: int, total: int) -> str:
    share = done / total if total else 1.0
    filled = round(share * BAR)
    return "▓" * filled + "░" * (BAR - filled) + f" {round(share * 100)}%"


def duration(seconds: float) -> str:
    seconds = max(round(seconds), 1)
    if seconds < 60:
        return _("{n} s").format(n=seconds)
    if seconds < 3600:
        return _("{n} min").format(n=round(seconds / 60))
    return _("{h} h {m} min").format(h=seconds // 3600, m=seconds % 3600 // 60)


def counts_line(c: Counts) -> str:
    return _("✅ Sent {sent} · ⚠️ Failed {failed} · 🚫 Blocked {blocked} · ⏳ Left {left}").format(
        sent=c.sent, failed=c.failed, blocked=c.blocked, left=c.left
    )


def status_text(view: StatusView, tz: ZoneInfo) -> str:
    b, c = view.broadcast, view.counts
    lines = [
        _("📣 <b>Notice #{id}</b> · {status}").format(id=b.id, status=status_word(b.status)),
        _("To: {target}").format(target=target_text(b.target)),
    ]
    if b.status is S.SCHEDULED or (b.status is S.CANCELLED and b.started_at is None):
        lines.append(_("⏰ Starts: {when}").format(when=when_text(b.scheduled_at, tz)))
    else:
        lines += [bar(c.settled, c.total), counts_line(c)]
        if c.cancelled:
            lines.append(_("✖ Not sent, cancelled: {n}").format(n=c.cancelled))
        if b.status is S.RUNNING:
            rate = "—" if view.rate is None else f"{view.rate:.1f}"
            left = view.seconds_left
            lines.append(
                _("⚡ {rate} messages/s · time left: {left}").format(
                    rate=rate, left="—" if left is None else duration(left)
                )
            )
        if b.finished_at is not None:
            lines.append(_("🏁 Ended: {when}").format(when=when_text(b.finished_at, tz)))
    if view.asking_cancel:
        lines += ["", _("❓ <b>Cancel this notice?</b> Messages already sent stay sent.")]
    return "\n".join(lines)


def status_kb(view: StatusView) -> InlineKeyboardMarkup | None:
    b = view.broadcast

    def button(text: str, action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(text=text, callback_data=ControlCb(a=action, b=b.id).pack())  # type: ignore[arg-type]

    if b.status not in (S.SCHEDULED, S.RUNNING, S.PAUSED):
        return None
    if view.asking_cancel:
        row = [button(_("✅ Yes, cancel"), "yes"), button(_("↩️ No, go on"), "no")]
    elif b.status is S.RUNNING:
        row = [button(_("⏸ Pause"), "pause"), button(_("✖ Cancel"), "cancel")]
    elif b.status is S.PAUSED:
        row = [button(_("▶ Resume"), "resume"), button(_("✖ Cancel"), "cancel")]
    else:
        row = [button(_("✖ Cancel"), "cancel")]
    return InlineKeyboardMarkup(inline_keyboard=[row])


def digest(text: str, kb: InlineKeyboardMarkup | None) -> str:
    markup = kb.model_dump(exclude_none=True) if kb is not None else None
    raw = json.dumps([text, markup], ensure_ascii=False, sort_keys=True)
    return hashlib.sha1(raw.encode()).hexdigest()


def list_line(b: Broadcast, c: Counts, tz: ZoneInfo) -> str:
    line = f"#{b.id} {short_when(b.scheduled_at, tz)} {status_word(b.status)}"
    return line if b.started_at is None else f"{line} {c.sent}/{c.total}"


class Board:
    """Draws status messages through one bot."""

    def __init__(self, bot: Bot, i18n: I18n, tz: ZoneInfo) -> None:
        self.bot, self.i18n, self.tz = bot, i18n, tz

    def render(self, view: StatusView) -> tuple[str, InlineKeyboardMarkup | None]:
        with self.i18n.context(), self.i18n.use_locale(view.language):
            return status_text(view, self.tz), status_kb(view)

    async def show(self, view: StatusView) -> Shown | None:
        """The status message shows the view (sent anew if it is gone); None when
        Telegram could not be reached (the next look tries again)."""
        b = view.broadcast
        if b.status_chat_id is None or b.status_message_id is None:
            return None
        text, kb = self.render(view)
        shown = Shown(b.status_message_id, digest(text, kb))
        if shown.digest == b.status_shown:
            return shown
        try:
            await self.bot.edit_message_text(
                text=text, chat_id=b.status_chat_id, message_id=b.status_message_id,
                reply_markup=kb,
            )  # fmt: skip
        except TelegramBadRequest as exc:
            if NOT_MODIFIED in exc.message:
                return shown
            if not any(reason in exc.message for reason in GONE):
                log.warning("status of broadcast %s not shown: %s", b.id, exc.message)
                return None
            return await self._send_anew(b.status_chat_id, text, kb, shown.digest)
        except TelegramAPIError as exc:
            log.info("status of broadcast %s not shown now: %s", b.id, exc)
            return None
        return shown

    async def _send_anew(
        self, chat_id: int, text: str, kb: InlineKeyboardMarkup | None, digest_: str
    ) -> Shown | None:
        try:
            sent = await self.bot.send_message(chat_id, text, reply_markup=kb)
        except TelegramAPIError as exc:
            log.info("status message not sent anew: %s", exc)
            return None
        return Shown(sent.message_id, digest_)

    def report_caption(self, b: Broadcast, c: Counts, language: str) -> str:
        with self.i18n.context(), self.i18n.use_locale(language):
            lines = [
                _("🏁 <b>Notice #{id}</b> · {status}").format(
                    id=b.id, status=status_word(b.status)
                ),
                counts_line(c),
            ]
            if c.cancelled:
                lines.append(_("✖ Not sent, cancelled: {n}").format(n=c.cancelled))
            failures = c.failed + c.blocked
            lines.append(
                _("The file lists the {n} drivers it did not reach, by user id.").format(n=failures)
                if failures
                else _("It reached every driver it was sent to.")
            )
            return "\n".join(lines)
