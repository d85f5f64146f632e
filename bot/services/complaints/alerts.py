"""Which deadline alerts are due: a reminder on the morning of a deadline's last day, an
overdue notice the morning after it passed, an escalation after more working days overdue.
Each is claimed once per deadline (complaint_alerts), in the transaction that queues it.
Also: a resolved case the driver never rated is filed away after a week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.complaints.repository import CaseRepository
from bot.db.complaints.statuses import CaseAction, Deadline
from bot.services.complaints.cases import CaseService
from bot.services.complaints.chain import CaseError
from bot.services.complaints.views import CaseView, Change

REMIND_BEFORE = timedelta(hours=15)  # 09:00 local on the last day of a deadline at midnight
MORNING_AFTER = timedelta(hours=9)  # 09:00 local the day after
ESCALATE_AFTER_DAYS = 2  # working days overdue before the admins are called in
UNRATED_CLOSE_AFTER = timedelta(days=7)


class AlertKind(StrEnum):
    REMIND = "remind"
    OVERDUE = "overdue"
    ESCALATE = "escalate"


@dataclass(frozen=True, slots=True)
class Alert:
    kind: AlertKind
    deadline: Deadline
    due: datetime
    case: CaseView
    change: Change | None  # the audit event of an overdue notice or an escalation


async def due_alerts(session: AsyncSession, now: datetime, tz: ZoneInfo) -> list[Alert]:
    """Claim every alert due at `now` and record its event; the caller queues the messages
    and commits."""
    repo, cases = CaseRepository(session), CaseService(session, tz)
    calendar = (await cases.book()).calendar()
    alerts: list[Alert] = []
    for row in await repo.open_due_before(now + REMIND_BEFORE):
        view = CaseView.of(row)
        for deadline, due in view.clocks:
            escalate_at = calendar.extend(due, ESCALATE_AFTER_DAYS, tz) + MORNING_AFTER
            if now >= escalate_at:
                kind = AlertKind.ESCALATE
            elif now >= due + MORNING_AFTER:
                kind = AlertKind.OVERDUE
            elif now >= due - REMIND_BEFORE and now < due:
                kind = AlertKind.REMIND
            else:
                continue
            if not await repo.claim_alert(row.id, kind.value, deadline, due, now):
                continue
            change = None
            if kind is not AlertKind.REMIND:
                action = CaseAction.ESCALATED if kind is AlertKind.ESCALATE else CaseAction.OVERDUE
                try:
                    change = await cases.mark_overdue(row.id, action, now, deadline.value)
                except CaseError:  # changed meanwhile: the alert stays claimed, told anyway
                    change = None
                view = change.case if change is not None else view
            alerts.append(Alert(kind, deadline, due, view, change))
    return alerts


async def close_unrated(session: AsyncSession, now: datetime, tz: ZoneInfo) -> list[Change]:
    cases = CaseService(session, tz)
    closed = []
    for row in await CaseRepository(session).resolved_before(now - UNRATED_CLOSE_AFTER):
        try:
            closed.append(await cases.close_unrated(row.id, now))
        except CaseError:
            continue
    return closed
