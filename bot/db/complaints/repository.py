"""Complaints' SQL: cases and their trail, offices, routes, deadlines, handlers, alerts.
Repositories add, update and flush; whoever opened the transaction commits.

A case changes only through `change()`: a conditional UPDATE on the version the caller read
(`card_version`, which also tells the card job what to redraw). Two handlers pressing at once,
or a job beside a handler: the second finds the version moved and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.complaints.models import (
    AlertRow,
    CalendarDayRow,
    CaseRow,
    DeadlineRow,
    EventRow,
    EvidenceRow,
    ExtensionRow,
    HandlerRow,
    OfficeRow,
    RouteRow,
)
from bot.db.complaints.statuses import OPEN_STATUSES, CaseStatus, Deadline, ExtensionStatus
from bot.db.upsert import insert_ignore, rows_changed
from bot.db.users.models import User


class CaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- cases -------------------------------------------------------------------------------
    async def add(self, values: dict[str, Any]) -> CaseRow | None:
        """A new case, or None when its filing key was used (the same confirm pressed twice)."""
        added = await insert_ignore(
            self.session,
            CaseRow.__table__,  # type: ignore[arg-type]
            {**values, "number": "SQ-" + values["filing_key"][:16]},
            ["filing_key"],
        )
        case = await self.by_filing_key(values["filing_key"])
        if not added or case is None:
            return None
        # The number follows the id: unique and in filing order, with no counter to contend on.
        year = values["created_at"].year
        case.number = f"SQ-{year}-{case.id:06d}"
        await self.session.flush()
        return case

    async def by_filing_key(self, key: str) -> CaseRow | None:
        return await self.session.scalar(select(CaseRow).where(CaseRow.filing_key == key))

    async def get(self, case_id: int) -> CaseRow | None:
        return await self.session.get(CaseRow, case_id, populate_existing=True)

    async def by_number(self, number: str) -> CaseRow | None:
        return await self.session.scalar(select(CaseRow).where(CaseRow.number == number))

    async def change(self, case: CaseRow, values: dict[str, Any]) -> bool:
        """Apply `values` if nobody changed the case since it was read; the row is re-read."""
        result = await self.session.execute(
            update(CaseRow)
            .where(CaseRow.id == case.id, CaseRow.card_version == case.card_version)
            .values(**values, card_version=CaseRow.card_version + 1)
        )
        await self.session.refresh(case)
        return rows_changed(result)

    async def of_user(self, user_id: int, limit: int, offset: int = 0) -> list[CaseRow]:
        rows = await self.session.scalars(
            select(CaseRow)
            .where(CaseRow.user_id == user_id)
            .order_by(CaseRow.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return list(rows)

    async def count_of_user(self, user_id: int) -> int:
        total = await self.session.scalar(
            select(func.count()).select_from(CaseRow).where(CaseRow.user_id == user_id)
        )
        return int(total or 0)

    async def open_of_user(self, user_id: int) -> list[CaseRow]:
        rows = await self.session.scalars(
            select(CaseRow).where(
                CaseRow.user_id == user_id,
                CaseRow.status.in_([*OPEN_STATUSES, CaseStatus.RESOLVED]),
            )
        )
        return list(rows)

    def _handler_cases(self, user_id: int, office_id: str | None) -> Any:
        mine = (CaseRow.owner_id == user_id) | (CaseRow.assignee_id == user_id)
        cond = mine
        if office_id is not None:
            cond = mine | and_(CaseRow.office_id == office_id, CaseRow.status == CaseStatus.NEW)
        return and_(CaseRow.status.in_(OPEN_STATUSES), cond)

    async def for_handler(
        self, user_id: int, office_id: str | None, limit: int | None = None
    ) -> list[CaseRow]:
        """A handler's open cases: theirs (owned or assigned) and their office's unaccepted,
        the nearest resolve deadline first."""
        query = (
            select(CaseRow)
            .where(self._handler_cases(user_id, office_id))
            .order_by(CaseRow.resolve_due, CaseRow.id)
        )
        if limit is not None:
            query = query.limit(limit)
        return list(await self.session.scalars(query))

    async def count_for_handler(self, user_id: int, office_id: str | None) -> int:
        total = await self.session.scalar(
            select(func.count()).select_from(CaseRow).where(self._handler_cases(user_id, office_id))
        )
        return int(total or 0)

    async def open_due_before(self, moment: datetime) -> list[CaseRow]:
        """Open cases with a running clock at or before `moment` (the alert job's candidates)."""
        rows = await self.session.scalars(
            select(CaseRow)
            .where(
                CaseRow.status.in_(OPEN_STATUSES),
                (CaseRow.resolve_due <= moment)
                | (CaseRow.respond_due <= moment)
                | (CaseRow.accept_due <= moment),
            )
            .order_by(CaseRow.id)
        )
        return list(rows)

    async def resolved_before(self, moment: datetime) -> list[CaseRow]:
        rows = await self.session.scalars(
            select(CaseRow).where(
                CaseRow.status == CaseStatus.RESOLVED, CaseRow.resolved_at <= moment
            )
        )
        return list(rows)

    async def created_between(self, start: datetime, end: datetime) -> list[CaseRow]:
        rows = await self.session.scalars(
            select(CaseRow)
            .where(CaseRow.created_at >= start, CaseRow.created_at < end)
            .order_by(CaseRow.id)
        )
        return list(rows)

    # --- the trail ---------------------------------------------------------------------------
    async def add_event(self, values: dict[str, Any]) -> EventRow:
        event = EventRow(**values)
        self.session.add(event)
        await self.session.flush()
        return event

    async def events(self, case_id: int) -> list[EventRow]:
        rows = await self.session.scalars(
            select(EventRow).where(EventRow.complaint_id == case_id).order_by(EventRow.id)
        )
        return list(rows)

    async def add_evidence(self, rows: Sequence[dict[str, Any]]) -> None:
        for values in rows:
            self.session.add(EvidenceRow(**values))
        await self.session.flush()

    async def evidence(self, case_id: int) -> list[EvidenceRow]:
        rows = await self.session.scalars(
            select(EvidenceRow).where(EvidenceRow.complaint_id == case_id).order_by(EvidenceRow.id)
        )
        return list(rows)

    async def evidence_count(self, case_id: int) -> int:
        total = await self.session.scalar(
            select(func.count()).select_from(EvidenceRow).where(EvidenceRow.complaint_id == case_id)
        )
        return int(total or 0)

    # --- extensions --------------------------------------------------------------------------
    async def add_extension(self, values: dict[str, Any]) -> ExtensionRow:
        row = ExtensionRow(**values)
        self.session.add(row)
        await self.session.flush()
        return row

    async def extension(self, ext_id: int) -> ExtensionRow | None:
        return await self.session.get(ExtensionRow, ext_id, populate_existing=True)

    async def pending_extension(self, case_id: int) -> ExtensionRow | None:
        return await self.session.scalar(
            select(ExtensionRow).where(
                ExtensionRow.complaint_id == case_id,
                ExtensionRow.status == ExtensionStatus.PENDING,
            )
        )

    async def extensions_by(self, user_id: int) -> list[tuple[ExtensionRow, str]]:
        rows = await self.session.execute(
            select(ExtensionRow, CaseRow.number)
            .join(CaseRow, CaseRow.id == ExtensionRow.complaint_id)
            .where(ExtensionRow.requested_by == user_id)
            .order_by(ExtensionRow.id)
        )
        return [(e, n) for e, n in rows.all()]

    async def decide_extension(
        self, ext_id: int, status: ExtensionStatus, by: int, now: datetime
    ) -> bool:
        result = await self.session.execute(
            update(ExtensionRow)
            .where(ExtensionRow.id == ext_id, ExtensionRow.status == ExtensionStatus.PENDING)
            .values(status=status, decided_by=by, decided_at=now)
        )
        return rows_changed(result)

    # --- alerts ------------------------------------------------------------------------------
    async def claim_alert(
        self, case_id: int, kind: str, deadline: Deadline, due_at: datetime, now: datetime
    ) -> bool:
        """True the first time only: each alert of a deadline goes once."""
        return await insert_ignore(
            self.session,
            AlertRow.__table__,  # type: ignore[arg-type]
            {
                "complaint_id": case_id,
                "kind": kind,
                "deadline": deadline,
                "due_at": due_at,
                "sent_at": now,
            },
            ["complaint_id", "kind", "deadline", "due_at"],
        )

    # --- erasure -----------------------------------------------------------------------------
    async def erase_user(self, user_id: int) -> int:
        """The driver's words, phone, place and files go; the case's facts stay for the
        office's statistics."""
        ids = list(await self.session.scalars(select(CaseRow.id).where(CaseRow.user_id == user_id)))
        if not ids:
            return 0
        await self.session.execute(delete(EvidenceRow).where(EvidenceRow.complaint_id.in_(ids)))
        await self.session.execute(
            update(EventRow)
            .where(EventRow.complaint_id.in_(ids), EventRow.actor_id == user_id)
            .values(note=None)
        )
        await self.session.execute(
            update(CaseRow)
            .where(CaseRow.id.in_(ids))
            .values(
                description="",
                other_party=None,
                happened=None,
                lat=None,
                lon=None,
                contact_phone=None,
                erased=True,
                card_version=CaseRow.card_version + 1,
            )
        )
        return len(ids)


class OfficeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def offices(self, active_only: bool = True) -> list[OfficeRow]:
        query = select(OfficeRow).order_by(OfficeRow.position, OfficeRow.id)
        if active_only:
            query = query.where(OfficeRow.active.is_(True))
        return list(await self.session.scalars(query))

    async def office(self, office_id: str) -> OfficeRow | None:
        return await self.session.get(OfficeRow, office_id)

    async def routes(self) -> list[RouteRow]:
        return list(await self.session.scalars(select(RouteRow).order_by(RouteRow.id)))

    async def deadlines(self) -> list[DeadlineRow]:
        return list(await self.session.scalars(select(DeadlineRow)))

    async def calendar_days(self) -> list[CalendarDayRow]:
        return list(await self.session.scalars(select(CalendarDayRow)))

    async def replace(
        self,
        offices: Sequence[dict[str, Any]],
        routes: Sequence[dict[str, Any]],
        deadlines: Sequence[dict[str, Any]],
        days: Sequence[dict[str, Any]],
    ) -> None:
        """The offices file, stored: offices upserted (one no longer listed is kept inactive:
        its cases point at it), routes, deadlines and calendar days replaced."""
        known = {o.id: o for o in await self.offices(active_only=False)}
        listed = {values["id"] for values in offices}
        for position, values in enumerate(offices):
            row = known.get(values["id"])
            if row is None:
                self.session.add(OfficeRow(**values, active=True, position=position))
            else:
                for key, value in values.items():
                    setattr(row, key, value)
                row.active, row.position = True, position
        for office_id, row in known.items():
            if office_id not in listed:
                row.active = False
        await self.session.flush()
        await self.session.execute(delete(RouteRow))
        await self.session.execute(delete(DeadlineRow))
        await self.session.execute(delete(CalendarDayRow))
        self.session.add_all([RouteRow(**r) for r in routes])
        self.session.add_all([DeadlineRow(**d) for d in deadlines])
        self.session.add_all([CalendarDayRow(**d) for d in days])
        await self.session.flush()

    # --- handlers ----------------------------------------------------------------------------
    async def handler_office(self, user_id: int) -> str | None:
        return await self.session.scalar(
            select(HandlerRow.office_id).where(HandlerRow.user_id == user_id)
        )

    async def set_handler(self, user_id: int, office_id: str | None, now: datetime) -> None:
        await self.session.execute(delete(HandlerRow).where(HandlerRow.user_id == user_id))
        if office_id is not None:
            self.session.add(HandlerRow(user_id=user_id, office_id=office_id, added_at=now))
        await self.session.flush()

    async def handlers(self, office_id: str | None = None) -> list[tuple[HandlerRow, User]]:
        query = (
            select(HandlerRow, User)
            .join(User, User.id == HandlerRow.user_id)
            .where(User.erased_at.is_(None), User.telegram_id.is_not(None))
            .order_by(HandlerRow.office_id, User.id)
        )
        if office_id is not None:
            query = query.where(HandlerRow.office_id == office_id)
        return [(h, u) for h, u in (await self.session.execute(query)).all()]

    async def erase_user(self, user_id: int) -> int:
        result = await self.session.execute(delete(HandlerRow).where(HandlerRow.user_id == user_id))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


__all__ = ["CaseRepository", "OfficeRepository"]
