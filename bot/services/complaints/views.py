"""What handlers see of cases: snapshots, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db.complaints.models import CaseRow, EventRow, EvidenceRow
from bot.db.complaints.statuses import CaseAction, CaseStatus, Deadline, EvidenceKind
from bot.services.complaints.chain import running_clocks
from knowledge.complaints.categories import Category


@dataclass(frozen=True, slots=True)
class CaseView:
    id: int
    number: str
    user_id: int
    category: Category
    description: str
    amount_fen: int | None
    other_party: str | None
    happened: str | None
    city: str | None
    lat: float | None
    lon: float | None
    contact_phone: str | None
    anonymous: bool
    status: CaseStatus
    office_id: str | None
    owner_id: int | None
    assignee_id: int | None
    created_at: datetime
    accepted_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    accept_due: datetime
    respond_due: datetime
    resolve_due: datetime
    resolution: str | None
    no_fault: bool
    rating: int | None
    solved: bool | None
    reopened: int
    overdue: bool
    review_needed: bool
    review: str | None
    card_chat_id: int | None
    card_message_id: int | None
    version: int
    erased: bool

    @classmethod
    def of(cls, row: CaseRow) -> CaseView:
        return cls(
            row.id, row.number, row.user_id, row.category, row.description, row.amount_fen,
            row.other_party, row.happened, row.city, row.lat, row.lon, row.contact_phone,
            row.anonymous, row.status, row.office_id, row.owner_id, row.assignee_id,
            row.created_at, row.accepted_at, row.first_response_at, row.resolved_at,
            row.closed_at, row.accept_due, row.respond_due, row.resolve_due, row.resolution,
            row.no_fault, row.rating, row.solved, row.reopened, row.overdue, row.review_needed,
            row.review, row.card_chat_id, row.card_message_id, row.card_version, row.erased,
        )  # fmt: skip

    @property
    def clocks(self) -> list[tuple[Deadline, datetime]]:
        return running_clocks(
            self.status, self.first_response_at, self.accept_due, self.respond_due,
            self.resolve_due,
        )  # fmt: skip

    @property
    def next_deadline(self) -> tuple[Deadline, datetime] | None:
        clocks = self.clocks
        return clocks[0] if clocks else None


@dataclass(frozen=True, slots=True)
class EventView:
    id: int
    at: datetime
    actor_id: int | None
    action: CaseAction
    from_status: CaseStatus | None
    to_status: CaseStatus | None
    note: str | None
    office_id: str | None
    assignee_id: int | None

    @classmethod
    def of(cls, row: EventRow) -> EventView:
        return cls(
            row.id, row.at, row.actor_id, row.action, row.from_status, row.to_status, row.note,
            row.office_id, row.assignee_id,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Evidence:
    kind: EvidenceKind
    file_id: str
    file_unique_id: str
    file_name: str | None = None

    @classmethod
    def of(cls, row: EvidenceRow) -> Evidence:
        return cls(row.kind, row.file_id, row.file_unique_id, row.file_name)


@dataclass(frozen=True, slots=True)
class Change:
    """What one action did: the case after it, and its audit event."""

    case: CaseView
    event: EventView
    before: CaseStatus
