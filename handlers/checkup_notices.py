"""Checkup messages to drivers outside their own updates: reminders, waitlist offers, closed
days. Used after a commit by handlers and by scheduled jobs; each message is rendered in the
recipient's language and sent under a rate limit (Telegram allows about 30 messages/s)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiolimiter import AsyncLimiter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.bookings import SOON_REMINDER, BookingService, Offer, quiet_hours_end
from bot.services.checkup_browse import CheckupBrowser, OfferView, Recipient
from bot.services.profile_cache import ProfileCache
from bot.services.users import mark_blocked
from handlers.checkup_callbacks import OfferCb
from handlers.checkup_texts import closed_text, nav_kb, offer_text, reminder_text

log = logging.getLogger(__name__)

Rendered = tuple[str, InlineKeyboardMarkup | None]


def offer_kb(waitlist_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=_("✅ Book it"), callback_data=OfferCb(a="y", w=waitlist_id))
    kb.button(text=_("✖ No, thanks"), callback_data=OfferCb(a="n", w=waitlist_id))
    return kb.as_markup()


def render_offer(offer: OfferView, tz: ZoneInfo) -> Rendered:
    assert offer.expires_at is not None
    text = offer_text(offer.service, offer.provider, offer.slot, offer.expires_at, tz)
    return text, offer_kb(offer.waitlist_id)


class CheckupNotifier:
    def __init__(
        self,
        i18n: I18n,
        session_factory: async_sessionmaker[AsyncSession],
        tz: ZoneInfo,
        profiles: ProfileCache | None = None,
        rate_per_second: float = 25,
    ) -> None:
        self.i18n, self.session_factory, self.tz, self.profiles = (
            i18n,
            session_factory,
            tz,
            profiles,
        )
        self.limiter = AsyncLimiter(rate_per_second, 1)

    async def _send(self, bot: Bot, to: Recipient, render: Callable[[], Rendered]) -> bool:
        with self.i18n.context(), self.i18n.use_locale(to.language):
            text, markup = render()
        async with self.limiter:
            try:
                await bot.send_message(to.telegram_id, text, reply_markup=markup)
            except TelegramForbiddenError:
                await mark_blocked(self.session_factory, self.profiles, to.telegram_id)
                return False
        return True

    # --- waitlist offers ---------------------------------------------------------------------
    async def offers(self, bot: Bot, offers: list[Offer], now: datetime) -> int:
        """Tell each driver a seat is held for them. A driver who cannot be reached passes
        the seat on at once instead of holding it for nothing."""
        sent, queue = 0, list(offers)
        while queue:
            offer = queue.pop(0)
            async with self.session_factory() as session:
                browser = CheckupBrowser(session, self.tz)
                view = await browser.offer(offer.waitlist_id)
                to = (await browser.recipients([offer.user_id])).get(offer.user_id)
                if view is None or view.status != "offered":
                    continue
                if to is None or to.blocked:
                    nxt = await BookingService(session, self.tz).decline_offer(
                        offer.user_id, offer.waitlist_id, now
                    )
                    await session.commit()
                    queue += [nxt] if nxt else []
                    continue
            try:
                if await self._send(bot, to, lambda v=view: render_offer(v, self.tz)):
                    sent += 1
            except TelegramAPIError as exc:  # the offer stands; /mybookings is not needed
                log.warning("waitlist offer %s not delivered: %s", offer.waitlist_id, exc)
        return sent

    async def expire_offers(self, bot: Bot, now: datetime) -> int:
        """Scheduled: lapsed offers go to the next driver waiting."""
        async with self.session_factory() as session:
            offers = await BookingService(session, self.tz).expire_offers(now)
            await session.commit()
        return await self.offers(bot, offers, now)

    # --- closed days ---------------------------------------------------------------------------
    async def day_closed(self, bot: Bot, booking_ids: list[int], reason: str) -> int:
        async with self.session_factory() as session:
            browser = CheckupBrowser(session, self.tz)
            views = await browser.bookings_by_id(booking_ids)
            people = await browser.recipients([v.user_id for v in views.values()])
        sent = 0
        for view in views.values():
            to = people.get(view.user_id)
            if to is None or to.blocked:
                continue
            try:
                render = lambda v=view: (closed_text(v, self.tz, reason), None)  # noqa: E731
                sent += await self._send(bot, to, render)
            except TelegramAPIError as exc:
                log.warning("closed-day notice for booking %s not delivered: %s", view.code, exc)
        return sent

    # --- reminders ---------------------------------------------------------------------------
    async def send_due_reminders(self, bot: Bot, now: datetime) -> int:
        """Scheduled: every due reminder is claimed (status "sent") in one transaction before
        it is sent, so two schedulers never send it twice; a send that fails for a passing
        reason puts it back for the next run."""
        claimed = []
        async with self.session_factory() as session:
            service = BookingService(session, self.tz)
            due = await service.due_reminders(now)
            if not due:
                return 0
            browser = CheckupBrowser(session, self.tz)
            views = await browser.bookings_by_id([r.booking_id for r in due])
            people = await browser.recipients([v.user_id for v in views.values()])
            for reminder in due:
                view = views.get(reminder.booking_id)
                to = people.get(view.user_id) if view else None
                if view is None or view.status != "active" or view.slot.starts_at <= now:
                    await service.drop_reminder(reminder.id, "skipped")
                    continue
                if to is None or to.blocked:
                    await service.drop_reminder(reminder.id, "failed")
                    continue
                if reminder.kind == "evening":
                    until = quiet_hours_end(now, to.quiet_start, to.quiet_end, self.tz)
                    if until >= view.slot.starts_at - SOON_REMINDER:
                        await service.drop_reminder(reminder.id, "skipped")  # the 2-hour one comes
                        continue
                    if until > now:
                        await service.postpone_reminder(reminder.id, until)
                        continue
                if await service.mark_sent(reminder.id, now):
                    claimed.append((reminder.id, reminder.kind, view, to))
            await session.commit()
        sent = 0
        for reminder_id, kind, view, to in claimed:
            try:
                render = lambda v=view, k=kind: (  # noqa: E731
                    reminder_text(v, k, now, self.tz),
                    nav_kb(v.provider),
                )
                sent += await self._send(bot, to, render)
            except TelegramAPIError as exc:
                log.warning("reminder %s not delivered, will retry: %s", reminder_id, exc)
                async with self.session_factory() as session:
                    await BookingService(session, self.tz).release_reminder(reminder_id)
                    await session.commit()
        return sent
