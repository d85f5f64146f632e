"""Checkup messages to drivers outside their own updates: reminders, waitlist offers, closed
days. Used after a commit by handlers and by scheduled jobs; each message is rendered in the
recipient's language and sent under a rate limit (Telegram allows about 30 messages/s)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiolimiter import AsyncLimiter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.checkups.bookings import (
    SOON_REMINDER,
    BookingService,
    Offer,
    quiet_hours_end,
)
from bot.services.checkups.browse import CheckupBrowser, OfferView, Recipient
from bot.db.checkups.outbox import BookingOutbox
from bot.services.users.profile_cache import ProfileCache
from bot.short_transactions import mark_blocked
from handlers.checkups.callbacks import OfferCb
from handlers.checkups.texts import closed_text, nav_kb, offer_text, reminder_text

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
        help_phone: str = "",
    ) -> None:
        self.i18n, self.session_factory, self.tz, self.profiles = (
            i18n,
            session_factory,
            tz,
            profiles,
        )
        self.help_phone = help_phone  # whom to call when a checkup is too near to cancel
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

    async def _deliver(self, bot: Bot, to: Recipient, render: Callable[[], Rendered]) -> str:
        """ "sent", "gone" (blocked, or a request Telegram will never accept: do not retry)
        or "retry" (a passing failure: the claim is released for the next run)."""
        try:
            return "sent" if await self._send(bot, to, render) else "gone"
        except TelegramBadRequest as exc:
            log.warning("message to %s refused for good: %s", to.telegram_id, exc)
            return "gone"
        except TelegramAPIError as exc:
            log.warning("message to %s not delivered, will retry: %s", to.telegram_id, exc)
            return "retry"

    async def _release(
        self, release: Callable[[BookingOutbox, int], Awaitable[None]], row_id: int
    ) -> None:
        """Give a claim back after a passing failure, so the next run sends it."""
        async with self.session_factory() as session:
            await release(BookingOutbox(session), row_id)
            await session.commit()

    # --- waitlist offers ---------------------------------------------------------------------
    async def offers(self, bot: Bot, offers: list[Offer], now: datetime) -> int:
        """Tell each driver a seat is held for them (right after the commit that offered it)."""
        return await self._send_offers(bot, [o.waitlist_id for o in offers], now)

    async def _send_offers(self, bot: Bot, waitlist_ids: list[int], now: datetime) -> int:
        """A driver who cannot be reached passes the seat on at once instead of holding it
        for nobody: known to have blocked the bot, or found so by this very send."""
        sent, queue = 0, list(waitlist_ids)
        while queue:
            waitlist_id = queue.pop(0)
            async with self.session_factory() as session:
                browser = CheckupBrowser(session, self.tz)
                view = await browser.offer(waitlist_id)
                if view is None or view.status != "offered":
                    continue
                to = (await browser.recipients([view.user_id])).get(view.user_id)
                if to is None or to.blocked:
                    queue += await self._pass_on(waitlist_id, now)
                    continue
                if not await BookingOutbox(session).claim_offer(waitlist_id, now):
                    continue  # another process is sending it
                await session.commit()
            outcome = await self._deliver(bot, to, lambda v=view: render_offer(v, self.tz))
            sent += outcome == "sent"
            if outcome == "retry":
                await self._release(BookingOutbox.release_offer, waitlist_id)
            elif outcome == "gone":
                queue += await self._pass_on(waitlist_id, now)
        return sent

    async def _pass_on(self, waitlist_id: int, now: datetime) -> list[int]:
        """The offer's driver cannot be told: the next one waiting gets the seat (returned)."""
        async with self.session_factory() as session:
            nxt = await BookingService(session, self.tz).skip_offer(waitlist_id, now)
            await session.commit()
        return [nxt.waitlist_id] if nxt else []

    async def send_notices(self, bot: Bot, now: datetime) -> int:
        """Scheduled: lapsed offers pass on, then every offer and closed-day notice still
        unsent goes out (also those a crash or a Telegram error kept from going out)."""
        async with self.session_factory() as session:
            await BookingService(session, self.tz).expire_offers(now)
            await session.commit()
        async with self.session_factory() as session:
            outbox = BookingOutbox(session)
            offers, closures = await outbox.unsent_offers(now), await outbox.unsent_closures()
        return await self._send_offers(bot, offers, now) + await self.day_closed(bot, closures, now)

    # --- closed days ---------------------------------------------------------------------------
    async def day_closed(self, bot: Bot, booking_ids: list[int], now: datetime) -> int:
        sent = 0
        for booking_id in booking_ids:
            async with self.session_factory() as session:
                browser = CheckupBrowser(session, self.tz)
                view = (await browser.bookings_by_id([booking_id])).get(booking_id)
                if view is None:
                    continue
                to = (await browser.recipients([view.user_id])).get(view.user_id)
                claimed = await BookingOutbox(session).claim_closure(booking_id, now)
                await session.commit()
            if not claimed or to is None or to.blocked:
                continue
            render = lambda v=view: (closed_text(v, self.tz, v.note), None)  # noqa: E731
            outcome = await self._deliver(bot, to, render)
            sent += outcome == "sent"
            if outcome == "retry":
                await self._release(BookingOutbox.release_closure, booking_id)
        return sent

    # --- reminders ---------------------------------------------------------------------------
    async def send_due_reminders(self, bot: Bot, now: datetime) -> int:
        """Scheduled: each due reminder is claimed (status "sent") in one transaction before
        it is sent, so two schedulers never send it twice."""
        claimed = []
        async with self.session_factory() as session:
            outbox = BookingOutbox(session)
            due = await outbox.due_reminders(now)
            if not due:
                return 0
            browser = CheckupBrowser(session, self.tz)
            views = await browser.bookings_by_id([r.booking_id for r in due])
            people = await browser.recipients([v.user_id for v in views.values()])
            for reminder in due:
                view = views.get(reminder.booking_id)
                to = people.get(view.user_id) if view else None
                if view is None or view.status != "active" or view.slot.starts_at <= now:
                    slot_id = view.slot.id if view is not None else None
                    await outbox.drop_reminder(reminder, "skipped", slot_id)
                    continue
                if to is None or to.blocked:
                    await outbox.drop_reminder(reminder, "failed", view.slot.id)
                    continue
                if reminder.kind == "evening":
                    until = quiet_hours_end(now, to.quiet_start, to.quiet_end, self.tz)
                    if until >= view.slot.starts_at - SOON_REMINDER:  # the 2-hour one comes
                        await outbox.drop_reminder(reminder, "skipped", view.slot.id)
                        continue
                    if until > now:
                        await outbox.postpone_reminder(reminder, view.slot.id, until)
                        continue
                if await outbox.mark_sent(reminder, view.slot.id, now):
                    claimed.append((reminder.id, reminder.kind, view, to))
            await session.commit()
        sent = 0
        for reminder_id, kind, view, to in claimed:
            render = lambda v=view, k=kind: (  # noqa: E731
                reminder_text(v, k, now, self.tz, self.help_phone),
                nav_kb(v.provider),
            )
            outcome = await self._deliver(bot, to, render)
            sent += outcome == "sent"
            if outcome == "retry":
                await self._release(BookingOutbox.release_reminder, reminder_id)
        return sent
