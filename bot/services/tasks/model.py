"""What the tasks service hands out: small frozen views (never ORM rows), its error codes,
and the change each action made (for the notices and the card)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from bot.db.tasks.models import TakerRow, TaskRow
from bot.db.tasks.statuses import DisputeReason, TakerStatus, TaskAudience, TaskStatus


class TaskErrorCode(enum.StrEnum):
    NOT_FOUND = "not_found"  # no such task (a forged or very old button)
    CANCELLED = "cancelled"
    STARTED = "started"  # too late to take a place
    ENDED = "ended"  # too late to cancel
    FULL = "full"
    ALREADY = "already"  # holds a place already (a double tap)
    VOLUNTEERS_ONLY = "volunteers_only"
    NOT_TAKEN = "not_taken"  # has no place on it to withdraw or report done
    TOO_LATE = "too_late"  # past the withdrawal cut-off
    NOT_STARTED = "not_started"  # too early to report done
    REPORTED = "reported"  # reported done already
    NOT_ALLOWED = "not_allowed"  # only the publisher or an admin decides
    NOT_REPORTED = "not_reported"  # nothing to decide on (a stale card button)
    CONFIRMED = "confirmed"  # confirmed already: points paid, nothing more to decide
    DISPUTED = "disputed"  # disputed already


class TaskError(Exception):
    def __init__(self, code: TaskErrorCode) -> None:
        super().__init__(code.value)
        self.code = code


@dataclass(frozen=True, slots=True)
class Draft:
    """A task as the form collected it."""

    title: str
    description: str
    place: str
    city: str | None
    starts_at: datetime
    ends_at: datetime
    places: int
    points: int
    audience: TaskAudience


@dataclass(frozen=True, slots=True)
class TaskView:
    id: int
    title: str
    description: str
    place: str
    city: str | None
    starts_at: datetime
    ends_at: datetime
    places: int
    taken: int
    points: int
    audience: TaskAudience
    status: TaskStatus
    publisher_id: int | None
    version: int

    @property
    def left(self) -> int:
        return self.places - self.taken

    @classmethod
    def of(cls, row: TaskRow) -> TaskView:
        return cls(
            row.id,
            row.title,
            row.description,
            row.place,
            row.city,
            row.starts_at,
            row.ends_at,
            row.places,
            row.taken,
            row.points,
            row.audience,
            row.status,
            row.publisher_id,
            row.card_version,
        )


@dataclass(frozen=True, slots=True)
class TakerView:
    id: int
    task_id: int
    user_id: int | None
    status: TakerStatus
    n: int  # the place's number on the task (1, 2...): how the group's card names it
    photo_file_id: str | None
    dispute_reason: DisputeReason | None
    dispute_note: str | None

    @classmethod
    def of(cls, row: TakerRow, n: int = 0) -> TakerView:
        return cls(
            row.id,
            row.task_id,
            row.user_id,
            row.status,
            n,
            row.photo_file_id,
            row.dispute_reason,
            row.dispute_note,
        )


class Action(enum.StrEnum):
    PUBLISHED = "published"
    TAKEN = "taken"
    WITHDRAWN = "withdrawn"
    DONE = "done"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Change:
    action: Action
    task: TaskView
    taker: TakerView | None = None
    told: tuple[int, ...] = ()  # user ids to tell of it (a cancelled task's takers)
    paid: int = 0  # points the confirm paid (0: none, or paid before)
    new: bool = True  # False: the same publish repeated, nothing changed


@dataclass(frozen=True, slots=True)
class Mine:
    task: TaskView
    status: TakerStatus


@dataclass(frozen=True, slots=True)
class Screen:
    """/tasks: a page of open tasks near the person, their own tasks, and the opt-in."""

    open: tuple[TaskView, ...]
    total_open: int
    page: int
    mine: tuple[Mine, ...]
    subscribed: bool
    city: str | None


@dataclass(frozen=True, slots=True)
class Detail:
    task: TaskView
    mine: TakerStatus | None  # the person's place on it, if any
    may_withdraw: bool
    may_report: bool
    may_take: bool


@dataclass(frozen=True, slots=True)
class RosterLine:
    n: int
    name: str | None  # None: erased
    phone: str | None
    status: TakerStatus
    photo_file_id: str | None
