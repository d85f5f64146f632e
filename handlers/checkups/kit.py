"""The checkup feature's process-wide part (the notifier) and its services for one update."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram import Bot
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.outbox.models import MessageKind
from bot.feature import BaseKit, Core
from bot.services.checkups.bookings import BookingService
from bot.services.checkups.browse import CheckupBrowser
from bot.services.checkups.form import BookingForm
from handlers.checkups.notices import CheckupNotifier


@dataclass(frozen=True, slots=True)
class CheckupServices:
    """What checkup handlers get for one update (injected as `checkups`)."""

    bookings: BookingService
    browser: CheckupBrowser
    form: BookingForm  # the booking form's screens
    notifier: CheckupNotifier
    tz: ZoneInfo


class CheckupsKit(BaseKit):
    def __init__(self, core: Core) -> None:
        self.core = core
        settings = core.settings
        self.notifier = CheckupNotifier(
            core.i18n, core.session_factory, settings.tz, core.doorbell,
            help_phone=settings.booking_help_phone,
        )  # fmt: skip

    def for_update(self, session: AsyncSession) -> CheckupServices:
        tz = self.core.settings.tz
        bookings, browser = BookingService(session, tz), CheckupBrowser(session, tz)
        return CheckupServices(bookings, browser, BookingForm(browser, bookings), self.notifier, tz)

    async def deliver_owed(self, bot: Bot) -> None:
        await self.notifier.queue_notices(self.core.clock())

    async def undeliverable(
        self, kind: MessageKind, ref: str | None, user_id: int | None, now: datetime
    ) -> None:
        """An offer its driver never got holds its seat for nobody: it passes on."""
        if kind is MessageKind.OFFER and ref is not None:
            await self.notifier.pass_on(int(ref), now)
