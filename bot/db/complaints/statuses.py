"""The codes of a case's life: its status, what happened to it, who acted."""

from __future__ import annotations

import enum


class CaseStatus(enum.StrEnum):
    NEW = "new"  # filed, waiting for a handler to accept it (受理)
    ACCEPTED = "accepted"  # 受理: a handler took it and owns it to the end (首办负责)
    ASSIGNED = "assigned"  # 分办: given to an office / handler to work
    IN_PROGRESS = "in_progress"  # 办理
    WAITING_DRIVER = "waiting_driver"  # 办理, waiting for the driver's answer
    RESOLVED = "resolved"  # 办结: waiting for the driver's follow-up (回访)
    CLOSED = "closed"  # 归档
    WITHDRAWN = "withdrawn"  # the driver took it back


OPEN_STATUSES = frozenset(
    {
        CaseStatus.NEW,
        CaseStatus.ACCEPTED,
        CaseStatus.ASSIGNED,
        CaseStatus.IN_PROGRESS,
        CaseStatus.WAITING_DRIVER,
    }
)
FINAL_STATUSES = frozenset({CaseStatus.CLOSED, CaseStatus.WITHDRAWN})


class CaseAction(enum.StrEnum):
    """An audit event's kind: every change of a case is one."""

    FILED = "filed"
    ACCEPTED = "accepted"
    ASSIGNED = "assigned"
    REASSIGNED = "reassigned"
    STARTED = "started"
    NOTE = "note"  # a handler's progress note (shown to the driver)
    ASKED = "asked"  # a question to the driver
    ANSWERED = "answered"  # the driver's answer
    ADDED = "added"  # the driver added information unasked
    RESOLVED = "resolved"
    RATED = "rated"  # the driver's follow-up: a rating, solved or not
    REOPENED = "reopened"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"
    EXTENSION_ASKED = "ext_asked"
    EXTENSION_APPROVED = "ext_approved"
    EXTENSION_REFUSED = "ext_refused"
    OVERDUE = "overdue"  # a deadline passed (the system)
    ESCALATED = "escalated"  # long overdue: raised to the admins (the system)
    REVIEWED = "reviewed"  # 复盘


class EvidenceKind(enum.StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"
    VOICE = "voice"


class ExtensionStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class Deadline(enum.StrEnum):
    """The three clocks a case runs against."""

    ACCEPT = "accept"
    RESPOND = "respond"
    RESOLVE = "resolve"
