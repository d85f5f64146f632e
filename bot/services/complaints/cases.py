"""The complaint chain's rules: filing, every step of a case, who may take it, deadlines.
No Telegram here; whoever calls renders and sends (handlers/complaints/notices.py).

First-handler responsibility (首办负责): the handler who accepts a case owns it to the end;
assigning it to another office or handler moves the work, not the ownership. Every change is
an audit event (who, when, from, to, note) and a conditional update on the case's version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.complaints.repository import CaseRepository, OfficeRepository
from bot.db.complaints.statuses import (
    OPEN_STATUSES,
    CaseAction,
    CaseStatus,
    EvidenceKind,
    ExtensionStatus,
)
from bot.services.complaints.chain import (
    DRIVER_ACTIONS,
    RESPONSES,
    CaseError,
    CaseErrorCode,
    allowed,
    next_status,
)
from bot.services.complaints.offices import Actor, load_book
from bot.services.complaints.views import CaseView, Change, EventView, Evidence
from knowledge.complaints.categories import Category
from knowledge.complaints.offices import OfficeBook
from knowledge.text_rules import clean_text

MAX_FILES = 5  # evidence at filing
MAX_TEXT = 2000
MAX_EXTENSION_DAYS = 20
LOW_RATING = 2  # a rating this low or lower marks the case for review (复盘)


@dataclass(frozen=True, slots=True)
class Draft:
    """A case as the driver composed it."""

    category: Category
    description: str
    evidence: tuple[Evidence, ...] = ()  # photos, documents, the voice note
    amount_fen: int | None = None
    other_party: str | None = None
    happened: str | None = None
    city: str | None = None
    lat: float | None = None
    lon: float | None = None
    contact_phone: str | None = None
    anonymous: bool = False


@dataclass(frozen=True, slots=True)
class Filed:
    case: CaseView
    new: bool  # False: this filing key had filed it already (a second confirm)
    change: Change | None = None  # the filing, when new: hand it to the notices


def _text(value: str | None, required: bool = True) -> str | None:
    cleaned = clean_text(value or "").strip()
    if not cleaned:
        if required:
            raise CaseError(CaseErrorCode.TEXT_EMPTY)
        return None
    if len(cleaned) > MAX_TEXT:
        raise CaseError(CaseErrorCode.TEXT_TOO_LONG)
    return cleaned


class CaseService:
    def __init__(self, session: AsyncSession, tz: ZoneInfo) -> None:
        self.session, self.tz = session, tz
        self.repo = CaseRepository(session)
        self.offices = OfficeRepository(session)
        self._book: OfficeBook | None = None

    async def book(self) -> OfficeBook:
        if self._book is None:
            self._book = await load_book(self.session)
        return self._book

    async def actor(self, user_id: int, admin: bool) -> Actor:
        return Actor(user_id, admin, await self.offices.handler_office(user_id))

    # --- reading -----------------------------------------------------------------------------
    async def case(self, case_id: int) -> CaseView:
        row = await self.repo.get(case_id)
        if row is None:
            raise CaseError(CaseErrorCode.NOT_FOUND)
        return CaseView.of(row)

    async def by_number(self, number: str) -> CaseView | None:
        row = await self.repo.by_number(number.strip().upper())
        return None if row is None else CaseView.of(row)

    async def own_case(self, case_id: int, user_id: int) -> CaseView:
        """A driver's own case; another driver's is "not found", never shown."""
        row = await self.repo.get(case_id)
        if row is None or row.user_id != user_id:
            raise CaseError(CaseErrorCode.NOT_FOUND)
        return CaseView.of(row)

    async def of_user(self, user_id: int, limit: int, offset: int = 0) -> list[CaseView]:
        return [CaseView.of(r) for r in await self.repo.of_user(user_id, limit, offset)]

    async def count_of_user(self, user_id: int) -> int:
        return await self.repo.count_of_user(user_id)

    async def timeline(self, case_id: int) -> list[EventView]:
        return [EventView.of(e) for e in await self.repo.events(case_id)]

    async def evidence(self, case_id: int) -> list[Evidence]:
        return [Evidence.of(e) for e in await self.repo.evidence(case_id)]

    async def for_handler(self, actor: Actor, limit: int | None = None) -> list[CaseView]:
        rows = await self.repo.for_handler(actor.user_id, actor.office_id, limit)
        return [CaseView.of(r) for r in rows]

    async def count_for_handler(self, actor: Actor) -> int:
        return await self.repo.count_for_handler(actor.user_id, actor.office_id)

    def may_see(self, actor: Actor, case: CaseView) -> bool:
        return actor.admin or (actor.office_id is not None and self._works(actor, case))

    # --- filing ------------------------------------------------------------------------------
    async def file(self, user_id: int, draft: Draft, filing_key: str, now: datetime) -> Filed:
        existing = await self.repo.by_filing_key(filing_key)
        if existing is not None:
            if existing.user_id != user_id:
                raise CaseError(CaseErrorCode.NOT_FOUND)
            return Filed(CaseView.of(existing), new=False)
        if len([e for e in draft.evidence if e.kind is not EvidenceKind.VOICE]) > MAX_FILES:
            raise CaseError(CaseErrorCode.TOO_MANY_FILES)
        description = _text(draft.description, required=not draft.evidence) or ""
        book = await self.book()
        if not book.offices:
            raise CaseError(CaseErrorCode.NO_OFFICES)
        office = book.route(draft.category, draft.city)
        limits, calendar = book.deadlines_for(draft.category), book.calendar()
        values: dict[str, Any] = {
            "user_id": user_id,
            "filing_key": filing_key,
            "category": draft.category,
            "description": description,
            "amount_fen": draft.amount_fen,
            "other_party": draft.other_party,
            "happened": draft.happened,
            "city": draft.city,
            "lat": draft.lat,
            "lon": draft.lon,
            "contact_phone": draft.contact_phone,
            "anonymous": draft.anonymous,
            "status": CaseStatus.NEW,
            "office_id": office.id,
            "created_at": now,
            "accept_due": calendar.deadline(now, limits.accept, self.tz),
            "respond_due": calendar.deadline(now, limits.respond, self.tz),
            "resolve_due": calendar.deadline(now, limits.resolve, self.tz),
            "no_fault": False,
            "reopened": 0,
            "overdue": False,
            "review_needed": False,
            "card_version": 1,
            "card_shown": 0,
        }
        row = await self.repo.add(values)
        if row is None:  # the same key filed meanwhile (a second tap in flight)
            row = await self.repo.by_filing_key(filing_key)
            if row is None or row.user_id != user_id:
                raise CaseError(CaseErrorCode.NOT_FOUND)
            return Filed(CaseView.of(row), new=False)
        event = await self.repo.add_event(
            {"complaint_id": row.id, "at": now, "actor_id": user_id, "action": CaseAction.FILED,
             "from_status": None, "to_status": CaseStatus.NEW, "office_id": office.id}
        )  # fmt: skip
        await self._attach(row.id, event.id, draft.evidence, now)
        view = CaseView.of(row)
        return Filed(view, True, Change(view, EventView.of(event), CaseStatus.NEW))

    async def _attach(
        self, case_id: int, event_id: int, files: Sequence[Evidence], now: datetime
    ) -> None:
        await self.repo.add_evidence(
            [{"complaint_id": case_id, "event_id": event_id, "kind": f.kind, "file_id": f.file_id,
              "file_unique_id": f.file_unique_id, "file_name": f.file_name, "created_at": now}
             for f in files]
        )  # fmt: skip

    # --- the chain ---------------------------------------------------------------------------
    def _works(self, actor: Actor, case: CaseView) -> bool:
        return (
            actor.admin
            or actor.user_id in (case.owner_id, case.assignee_id)
            or (actor.office_id is not None and actor.office_id == case.office_id)
        )

    async def _load(self, case_id: int, version: int | None) -> Any:
        row = await self.repo.get(case_id)
        if row is None:
            raise CaseError(CaseErrorCode.NOT_FOUND)
        if version is not None and row.card_version != version:
            raise CaseError(CaseErrorCode.CHANGED, row.status)
        return row

    async def _step(
        self,
        case_id: int,
        action: CaseAction,
        actor: Actor | None,
        now: datetime,
        *,
        values: dict[str, Any] | None = None,
        note: str | None = None,
        version: int | None = None,
        driver_id: int | None = None,
        office_id: str | None = None,
        assignee_id: int | None = None,
    ) -> Change:
        """One step: checks who and when, updates the case, records the event. `actor` None
        with `driver_id` is the case's driver; both None is the system (a job)."""
        row = await self._load(case_id, version)
        before = row.status
        if driver_id is not None:
            if row.user_id != driver_id or action not in DRIVER_ACTIONS:
                raise CaseError(CaseErrorCode.NOT_FOUND)
        elif actor is not None:
            if not actor.works_cases:
                raise CaseError(CaseErrorCode.NOT_HANDLER)
            if not self._works(actor, CaseView.of(row)):
                raise CaseError(CaseErrorCode.OTHER_OFFICE)
        if not allowed(action, before):
            raise CaseError(CaseErrorCode.ILLEGAL, before)
        changes = dict(values or {})
        changes["status"] = next_status(action, before)
        if action in RESPONSES and row.first_response_at is None:
            changes["first_response_at"] = now
        if not await self.repo.change(row, changes):
            raise CaseError(CaseErrorCode.CHANGED, row.status)
        who = driver_id if driver_id is not None else (actor.user_id if actor else None)
        event = await self.repo.add_event(
            {"complaint_id": row.id, "at": now, "actor_id": who, "action": action,
             "from_status": before, "to_status": row.status, "note": note,
             "office_id": office_id, "assignee_id": assignee_id}
        )  # fmt: skip
        return Change(CaseView.of(row), EventView.of(event), before)

    async def accept(self, case_id: int, actor: Actor, now: datetime, version: int | None = None
                     ) -> Change:  # fmt: skip
        """受理: the first handler who takes it owns it (首办负责)."""
        return await self._step(
            case_id, CaseAction.ACCEPTED, actor, now, version=version,
            values={"owner_id": actor.user_id, "accepted_at": now},
        )  # fmt: skip

    async def assign(
        self,
        case_id: int,
        actor: Actor,
        office_id: str,
        assignee_id: int | None,
        now: datetime,
        reason: str | None = None,
        version: int | None = None,
    ) -> Change:
        """分办 to an office (and one of its handlers); once assigned, a reassignment needs a
        reason."""
        office = await self.offices.office(office_id)
        if office is None or not office.active:
            raise CaseError(CaseErrorCode.OFFICE_UNKNOWN)
        if assignee_id is not None:
            handlers = {h.user_id for h, _u in await self.offices.handlers(office_id)}
            if assignee_id not in handlers:
                raise CaseError(CaseErrorCode.HANDLER_UNKNOWN)
        current = await self.case(case_id)
        action = CaseAction.ASSIGNED if current.status is CaseStatus.ACCEPTED else (
            CaseAction.REASSIGNED)  # fmt: skip
        note = _text(reason, required=action is CaseAction.REASSIGNED)
        return await self._step(
            case_id, action, actor, now, version=version, note=note,
            values={"office_id": office_id, "assignee_id": assignee_id},
            office_id=office_id, assignee_id=assignee_id,
        )  # fmt: skip

    async def start(self, case_id: int, actor: Actor, now: datetime, version: int | None = None
                    ) -> Change:  # fmt: skip
        """办理. Started straight from 受理, the owner works it themselves."""
        current = await self.case(case_id)
        values = {}
        if current.assignee_id is None:
            values["assignee_id"] = actor.user_id
        return await self._step(case_id, CaseAction.STARTED, actor, now, version=version,
                                values=values)  # fmt: skip

    async def note(self, case_id: int, actor: Actor, text: str, now: datetime) -> Change:
        return await self._step(case_id, CaseAction.NOTE, actor, now, note=_text(text))

    async def ask(self, case_id: int, actor: Actor, question: str, now: datetime) -> Change:
        """A request for more information: it goes to the driver, whose answer lands here."""
        return await self._step(case_id, CaseAction.ASKED, actor, now, note=_text(question))

    async def resolve(
        self, case_id: int, actor: Actor, resolution: str, no_fault: bool, now: datetime
    ) -> Change:
        """办结, with the resolution (and whether it is a no-fault statement, 无责说明)."""
        text = _text(resolution)
        return await self._step(
            case_id, CaseAction.RESOLVED, actor, now, note=text,
            values={"resolution": text, "no_fault": no_fault, "resolved_at": now},
        )  # fmt: skip

    async def review(self, case_id: int, actor: Actor, text: str, now: datetime) -> Change:
        """复盘: a review of a closed case."""
        body = _text(text)
        return await self._step(case_id, CaseAction.REVIEWED, actor, now, note=body,
                                values={"review": body})  # fmt: skip

    # --- the driver's side -------------------------------------------------------------------
    async def answer(
        self,
        case_id: int,
        driver_id: int,
        text: str | None,
        files: Sequence[Evidence],
        now: datetime,
    ) -> Change:
        """The driver's words (and files) for the case: an answer when the office asked,
        else an addition."""
        current = await self.own_case(case_id, driver_id)
        action = (
            CaseAction.ANSWERED if current.status is CaseStatus.WAITING_DRIVER else CaseAction.ADDED
        )
        note = _text(text, required=not files)
        if len(files) + await self.repo.evidence_count(case_id) > MAX_FILES * 4:
            raise CaseError(CaseErrorCode.TOO_MANY_FILES)
        change = await self._step(case_id, action, None, now, driver_id=driver_id, note=note)
        await self._attach(case_id, change.event.id, files, now)
        return change

    async def withdraw(self, case_id: int, driver_id: int, now: datetime) -> Change:
        return await self._step(
            case_id, CaseAction.WITHDRAWN, None, now, driver_id=driver_id,
            values={"closed_at": now},
        )  # fmt: skip

    async def rate(
        self, case_id: int, driver_id: int, rating: int, solved: bool, now: datetime
    ) -> Change:
        """回访: solved closes the case (归档); not solved reopens it to its owner with a new
        resolve deadline. A low rating, a missed deadline or a reopening marks it for review."""
        if not 1 <= rating <= 5:
            raise CaseError(CaseErrorCode.RATING_INVALID)
        current = await self.own_case(case_id, driver_id)
        if solved:
            review = current.overdue or current.reopened > 0 or rating <= LOW_RATING
            return await self._step(
                case_id, CaseAction.RATED, None, now, driver_id=driver_id,
                note=str(rating),
                values={"rating": rating, "solved": True, "closed_at": now,
                        "review_needed": review},
            )  # fmt: skip
        book = await self.book()
        limits = book.deadlines_for(current.category)
        due = book.calendar().deadline(now, limits.resolve, self.tz)
        return await self._step(
            case_id, CaseAction.REOPENED, None, now, driver_id=driver_id, note=str(rating),
            values={"rating": rating, "solved": False, "reopened": current.reopened + 1,
                    "resolved_at": None, "resolve_due": due, "review_needed": True,
                    "assignee_id": current.assignee_id or current.owner_id},
        )  # fmt: skip

    async def close_unrated(self, case_id: int, now: datetime) -> Change:
        """No follow-up answer in time: the case is filed away as it is."""
        return await self._step(case_id, CaseAction.CLOSED, None, now, values={"closed_at": now})

    # --- deadlines ---------------------------------------------------------------------------
    async def ask_extension(
        self, case_id: int, actor: Actor, days: int, reason: str, now: datetime
    ) -> tuple[Change, int]:
        """A handler asks for more working days; an admin decides. Returns the request's id."""
        if not 1 <= days <= MAX_EXTENSION_DAYS:
            raise CaseError(CaseErrorCode.DAYS_INVALID)
        if await self.repo.pending_extension(case_id) is not None:
            raise CaseError(CaseErrorCode.EXTENSION_PENDING)
        text = _text(reason)
        assert text is not None
        change = await self._step(case_id, CaseAction.EXTENSION_ASKED, actor, now,
                                  note=f"+{days}: {text}")  # fmt: skip
        ext = await self.repo.add_extension(
            {"complaint_id": case_id, "requested_by": actor.user_id, "days": days,
             "reason": text, "status": ExtensionStatus.PENDING, "created_at": now}
        )  # fmt: skip
        return change, ext.id

    async def decide_extension(
        self, ext_id: int, actor: Actor, approve: bool, now: datetime
    ) -> Change:
        if not actor.admin:
            raise CaseError(CaseErrorCode.ADMIN_ONLY)
        ext = await self.repo.extension(ext_id)
        if ext is None:
            raise CaseError(CaseErrorCode.NOT_FOUND)
        status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
        if not await self.repo.decide_extension(ext_id, status, actor.user_id, now):
            raise CaseError(CaseErrorCode.EXTENSION_DECIDED)
        current = await self.case(ext.complaint_id)
        if not approve or current.status not in OPEN_STATUSES:
            return await self._step(ext.complaint_id, CaseAction.EXTENSION_REFUSED, actor, now,
                                    note=ext.reason)  # fmt: skip
        book = await self.book()
        due = book.calendar().extend(current.resolve_due, ext.days, self.tz)
        return await self._step(
            ext.complaint_id, CaseAction.EXTENSION_APPROVED, actor, now,
            note=f"+{ext.days}", values={"resolve_due": due},
        )  # fmt: skip

    async def record_extension_post(self, ext_id: int, chat_id: int, message_id: int) -> None:
        ext = await self.repo.extension(ext_id)
        if ext is not None:
            ext.chat_id, ext.message_id = chat_id, message_id
            await self.session.flush()

    async def mark_overdue(self, case_id: int, action: CaseAction, now: datetime,
                           note: str) -> Change:  # fmt: skip
        """The alert job: a deadline passed (OVERDUE) or long passed (ESCALATED)."""
        return await self._step(case_id, action, None, now, note=note,
                                values={"overdue": True})  # fmt: skip
