"""Checkup messages to drivers outside their own updates, the Telegram side: each notice the
rules (bot/services/checkups/notices.py) claimed is rendered in its recipient's language and
sent under a rate limit (Telegram allows about 30 messages/s). Used after a commit by
handlers and, through `courier(bot)`, by the scheduled jobs."""

from __future__ import annotations

import logging
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

from bot.services.checkups.bookings import Offer
from bot.services.checkups.browse import OfferView
from bot.services.checkups.notices import (
    ClosureNotice,
    Delivery,
    Notice,
    OfferNotice,
)
from bot.services.users.profile_cache import ProfileCache
from bot.short_transactions import mark_blocked
from handlers.checkups.callbacks import OfferCb
from handlers.checkups.texts import closed_text, nav_kb, offer_text, reminder_text
from scheduler.jobs.checkups import NoticeRunner

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


class TelegramCourier:
    """Delivers notices through one bot; the limiter is the process's, shared by all."""

    def __init__(self, bot: Bot, notifier: CheckupNotifier) -> None:
        self.bot, self.notifier = bot, notifier

    def _render(self, notice: Notice) -> Rendered:
        tz = self.notifier.tz
        if isinstance(notice, OfferNotice):
            return render_offer(notice.offer, tz)
        if isinstance(notice, ClosureNotice):
            return closed_text(notice.booking, tz, notice.booking.note), None
        text = reminder_text(notice.booking, notice.kind, notice.now, tz, self.notifier.help_phone)
        return text, nav_kb(notice.booking.provider)

    async def deliver(self, notice: Notice) -> Delivery:
        to, n = notice.to, self.notifier
        with n.i18n.context(), n.i18n.use_locale(to.language):
            text, markup = self._render(notice)
        try:
            async with n.limiter:
                await self.bot.send_message(to.telegram_id, text, reply_markup=markup)
        except TelegramForbiddenError:
            await mark_blocked(n.session_factory, n.profiles, to.telegram_id)
            return Delivery.GONE
        except TelegramBadRequest as exc:
            log.warning("message to %s refused for good: %s", to.telegram_id, exc)
            return Delivery.GONE
        except TelegramAPIError as exc:
            log.warning("message to %s not delivered, will retry: %s", to.telegram_id, exc)
            return Delivery.RETRY
        return Delivery.SENT


class CheckupNotifier:
    """The checkup feature's process-wide sender: what handlers call after a commit, and
    what gives the scheduled jobs a courier."""

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
        self.runner = NoticeRunner(session_factory, tz)

    def courier(self, bot: Bot) -> TelegramCourier:
        return TelegramCourier(bot, self)

    async def offers(self, bot: Bot, offers: list[Offer], now: datetime) -> int:
        """Tell each driver a seat is held for them (right after the commit that offered it)."""
        return await self.runner.offers(self.courier(bot), offers, now)

    async def day_closed(self, bot: Bot, booking_ids: list[int], now: datetime) -> int:
        return await self.runner.day_closed(self.courier(bot), booking_ids, now)

    async def send_notices(self, bot: Bot, now: datetime) -> int:
        return await self.runner.send_notices(self.courier(bot), now)

    async def send_due_reminders(self, bot: Bot, now: datetime) -> int:
        return await self.runner.send_due_reminders(self.courier(bot), now)
