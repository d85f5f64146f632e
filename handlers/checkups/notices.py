"""Checkup messages to drivers outside their own updates, the Telegram side: each notice the
rules (bot/services/checkups/notices.py) claimed is rendered in its recipient's language as an
outbox message (the outbox sender delivers it). Used after a commit by handlers and, through
`runner`, by the scheduled jobs."""

from __future__ import annotations

import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.outbox.models import MessageKind
from bot.services.checkups.bookings import Offer
from bot.services.checkups.browse import OfferView
from bot.services.checkups.notices import ClosureNotice, Notice, OfferNotice
from bot.services.outbox.doorbell import Doorbell
from bot.services.outbox.messages import OutMessage
from handlers.checkups.callbacks import OfferCb
from handlers.checkups.texts import closed_text, nav_kb, offer_text, reminder_text
from handlers.outbox.buttons import from_markup
from scheduler.jobs.checkups import NoticeRunner


def offer_kb(waitlist_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=_("✅ Book it"), callback_data=OfferCb(a="y", w=waitlist_id))
    kb.button(text=_("✖ No, thanks"), callback_data=OfferCb(a="n", w=waitlist_id))
    return kb.as_markup()


def render_offer(offer: OfferView, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup]:
    assert offer.expires_at is not None
    text = offer_text(offer.service, offer.provider, offer.slot, offer.expires_at, tz)
    return text, offer_kb(offer.waitlist_id)


class NoticeComposer:
    """Renders notices in their recipient's language."""

    def __init__(self, i18n: I18n, tz: ZoneInfo, help_phone: str) -> None:
        self.i18n, self.tz, self.help_phone = i18n, tz, help_phone

    def compose(self, notice: Notice) -> OutMessage:
        to = notice.to
        with self.i18n.context(), self.i18n.use_locale(to.language):
            if isinstance(notice, OfferNotice):
                text, markup = render_offer(notice.offer, self.tz)
                # Claimed once per offer (notified_at); a driver who declined may wait and be
                # offered the same place again, a new message: the key only has to be new.
                key = f"offer:{notice.offer.waitlist_id}:{secrets.token_hex(6)}"
                kind = MessageKind.OFFER
                ref: str | None = str(notice.offer.waitlist_id)
            elif isinstance(notice, ClosureNotice):
                text = closed_text(notice.booking, self.tz, notice.booking.note)
                markup, ref = None, None
                key, kind = f"closure:{notice.booking_id}", MessageKind.CLOSURE
            else:
                text = reminder_text(notice.booking, notice.kind, notice.now, self.tz,
                                     self.help_phone)  # fmt: skip
                markup, ref = nav_kb(notice.booking.provider), None
                # A move re-arms the same reminder for the new time: a new message.
                key = f"reminder:{notice.reminder_id}:{notice.booking.slot.starts_at:%Y%m%d%H%M}"
                kind = MessageKind.REMINDER
        return OutMessage(
            chat_id=to.telegram_id, user_id=to.user_id, kind=kind, dedupe_key=key, text=text,
            buttons=from_markup(markup), ref=ref,
        )  # fmt: skip


class CheckupNotifier:
    """The checkup feature's notices: what handlers call after a commit, and the runner the
    scheduled jobs use."""

    def __init__(
        self,
        i18n: I18n,
        session_factory: async_sessionmaker[AsyncSession],
        tz: ZoneInfo,
        doorbell: Doorbell,
        help_phone: str = "",
    ) -> None:
        # help_phone: whom to call when a checkup is too near to cancel
        self.composer = NoticeComposer(i18n, tz, help_phone)
        self.runner = NoticeRunner(session_factory, tz, self.composer, doorbell)

    async def offers(self, offers: list[Offer], now: datetime) -> int:
        """Queue the offer to each driver a seat is held for (right after the commit)."""
        return await self.runner.offers(offers, now)

    async def day_closed(self, booking_ids: list[int], now: datetime) -> int:
        return await self.runner.day_closed(booking_ids, now)

    async def queue_notices(self, now: datetime) -> int:
        return await self.runner.queue_notices(now)

    async def queue_due_reminders(self, now: datetime) -> int:
        return await self.runner.queue_due_reminders(now)

    async def pass_on(self, waitlist_id: int, now: datetime) -> int:
        return await self.runner.pass_on(waitlist_id, now)
