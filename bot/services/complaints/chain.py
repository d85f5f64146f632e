"""The chain 受理 → 分办 → 办理 → 办结 → 回访 → 归档 as data: which action may happen in which
status, and where it leads. Pure: the service checks every request against it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.db.complaints.statuses import OPEN_STATUSES, CaseAction, CaseStatus, Deadline

S = CaseStatus
_WORKING = frozenset({S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS, S.WAITING_DRIVER})


@dataclass(frozen=True, slots=True)
class Step:
    allowed_from: frozenset[CaseStatus]
    to: CaseStatus | None  # None: the status stays


STEPS: dict[CaseAction, Step] = {
    CaseAction.ACCEPTED: Step(frozenset({S.NEW}), S.ACCEPTED),
    CaseAction.ASSIGNED: Step(frozenset({S.ACCEPTED}), S.ASSIGNED),
    CaseAction.REASSIGNED: Step(frozenset({S.ASSIGNED, S.IN_PROGRESS, S.WAITING_DRIVER}), None),
    CaseAction.STARTED: Step(frozenset({S.ACCEPTED, S.ASSIGNED}), S.IN_PROGRESS),
    CaseAction.NOTE: Step(_WORKING, None),
    CaseAction.ASKED: Step(frozenset({S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS}), S.WAITING_DRIVER),
    CaseAction.ANSWERED: Step(frozenset({S.WAITING_DRIVER}), S.IN_PROGRESS),
    CaseAction.ADDED: Step(frozenset({S.NEW, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS}), None),
    CaseAction.RESOLVED: Step(_WORKING, S.RESOLVED),
    CaseAction.RATED: Step(frozenset({S.RESOLVED}), S.CLOSED),
    CaseAction.REOPENED: Step(frozenset({S.RESOLVED}), S.IN_PROGRESS),
    CaseAction.CLOSED: Step(frozenset({S.RESOLVED}), S.CLOSED),
    CaseAction.WITHDRAWN: Step(frozenset(OPEN_STATUSES), S.WITHDRAWN),
    CaseAction.EXTENSION_ASKED: Step(_WORKING, None),
    CaseAction.EXTENSION_APPROVED: Step(_WORKING, None),
    CaseAction.EXTENSION_REFUSED: Step(frozenset(CaseStatus), None),
    CaseAction.REVIEWED: Step(frozenset({S.CLOSED, S.WITHDRAWN}), None),
    CaseAction.OVERDUE: Step(frozenset(OPEN_STATUSES), None),
    CaseAction.ESCALATED: Step(frozenset(OPEN_STATUSES), None),
}
# Actions that count as the office's first response to the driver.
RESPONSES = frozenset({CaseAction.NOTE, CaseAction.ASKED, CaseAction.RESOLVED})
# The driver's own actions; every other one is a handler's (or the system's).
DRIVER_ACTIONS = frozenset(
    {CaseAction.ANSWERED, CaseAction.ADDED, CaseAction.RATED, CaseAction.REOPENED,
     CaseAction.WITHDRAWN}
)  # fmt: skip


def allowed(action: CaseAction, status: CaseStatus) -> bool:
    return status in STEPS[action].allowed_from


def next_status(action: CaseAction, status: CaseStatus) -> CaseStatus:
    return STEPS[action].to or status


class CaseErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    NOT_HANDLER = "not_handler"  # only handlers and admins work cases
    OTHER_OFFICE = "other_office"  # a handler of another office
    ILLEGAL = "illegal"  # not in this status
    CHANGED = "changed"  # someone changed the case meanwhile
    NOT_DRIVER = "not_driver"  # not this driver's case
    TEXT_EMPTY = "text_empty"
    TEXT_TOO_LONG = "text_too_long"
    RATING_INVALID = "rating_invalid"
    OFFICE_UNKNOWN = "office_unknown"
    HANDLER_UNKNOWN = "handler_unknown"
    EXTENSION_PENDING = "extension_pending"
    EXTENSION_DECIDED = "extension_decided"
    DAYS_INVALID = "days_invalid"
    TOO_MANY_FILES = "too_many_files"
    NO_OFFICES = "no_offices"  # the offices file was never imported
    ADMIN_ONLY = "admin_only"


class CaseError(ValueError):
    def __init__(self, code: CaseErrorCode, status: CaseStatus | None = None) -> None:
        super().__init__(code)
        self.code, self.status = code, status


def running_clocks(
    status: CaseStatus,
    first_response_at: datetime | None,
    accept_due: datetime,
    respond_due: datetime,
    resolve_due: datetime,
) -> list[tuple[Deadline, datetime]]:
    """The deadlines a case still runs against, earliest first."""
    if status not in OPEN_STATUSES:
        return []
    clocks = [(Deadline.RESOLVE, resolve_due)]
    if first_response_at is None:
        clocks.append((Deadline.RESPOND, respond_due))
    if status is CaseStatus.NEW:
        clocks.append((Deadline.ACCEPT, accept_due))
    return sorted(clocks, key=lambda c: c[1])
