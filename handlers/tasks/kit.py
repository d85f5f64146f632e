"""The tasks feature's process-wide part (the notifier) and its services for one update."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from aiogram import Bot
from sqlalchemy.ext.asyncio import AsyncSession

from bot.feature import BaseKit, Core
from bot.services.points.ledger import Ledger
from bot.services.tasks.reminders import claim_due
from bot.services.tasks.service import TaskService
from handlers.points.kit import rules_of
from handlers.tasks.notices import TaskNotifier


@dataclass(frozen=True, slots=True)
class TaskServices:
    """What task handlers get for one update (injected as `tasks`)."""

    service: TaskService
    notifier: TaskNotifier
    session: AsyncSession
    tz: ZoneInfo


class TasksKit(BaseKit):
    def __init__(self, core: Core) -> None:
        self.core = core
        self.rules = rules_of(core)
        self.notifier = TaskNotifier(core)

    def service(self, session: AsyncSession) -> TaskService:
        tz = self.core.settings.tz
        return TaskService(session, tz, Ledger(session, tz, self.rules))

    async def redraw_cards(self, bot: Bot) -> int:
        return await self.notifier.redraw_due(bot)

    async def remind(self) -> int:
        """Claim the reminders due and queue them, in one transaction."""
        now = self.core.clock()
        async with self.core.session_factory() as session:
            queued = 0
            for reminder in await claim_due(session, now):
                queued += await self.notifier.remind(session, reminder, now)
            await session.commit()
        if queued:
            self.core.doorbell.ring()
        return queued

    def for_update(self, session: AsyncSession) -> TaskServices:
        return TaskServices(self.service(session), self.notifier, session, self.core.settings.tz)
