"""The complaint feature's process-wide part and its services for one update."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.feature import BaseKit, Core
from bot.services.complaints.cases import CaseService
from handlers.complaints.notices import CaseNotifier, Notices


@dataclass(frozen=True, slots=True)
class ComplaintServices:
    """What complaint handlers get for one update (injected as `complaints`).

    After every change of a case (a `Change` from `cases`), call
    `await complaints.notices.after(change, now, bot)`: it queues what the driver, the
    handlers and the admins' group must hear in this transaction, and redraws the case's
    card after the commit."""

    cases: CaseService
    notices: Notices
    tz: ZoneInfo
    admin_chat_id: int | None


class ComplaintsKit(BaseKit):
    def __init__(self, core: Core) -> None:
        self.core = core
        self.notifier = CaseNotifier(core)

    def for_update(self, session: AsyncSession) -> ComplaintServices:
        settings = self.core.settings
        cases = CaseService(session, settings.tz)
        return ComplaintServices(
            cases, self.notifier.for_session(session, cases), settings.tz, settings.admin_chat_id
        )
