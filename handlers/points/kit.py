"""The points feature's process-wide part and its services for one update."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.feature import BaseKit, Core
from bot.services.outbox.service import Outbox
from bot.services.points.ledger import Ledger, PointsRules


@dataclass(frozen=True, slots=True)
class PointsServices:
    """What points handlers get for one update (injected as `points`)."""

    ledger: Ledger
    rules: PointsRules
    outbox: Outbox


def rules_of(core: Core) -> PointsRules:
    s = core.settings
    return PointsRules(s.points_per_report, s.points_first_report_bonus, s.points_monthly_cap)


class PointsKit(BaseKit):
    def __init__(self, core: Core) -> None:
        self.core = core
        self.rules = rules_of(core)

    async def queue_month_summary(self) -> int:
        """The job's work: last month's summary for the admins' group, once."""
        from handlers.points.summary import queue_month_summary

        return await queue_month_summary(self.core, self.core.clock())

    def for_update(self, session: AsyncSession) -> PointsServices:
        return PointsServices(
            Ledger(session, self.core.settings.tz, self.rules),
            self.rules,
            Outbox(session, self.core.doorbell),
        )
