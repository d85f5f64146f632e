"""The complaint feature's part of /mydata and /deleteme (see bot/services/personal_data.py).

Erasure withdraws the driver's open cases (nobody could answer them) and removes what they
wrote, their phone, place and files; the cases' facts (category, dates, office, rating) stay
for the offices' statistics, pointing only at the anonymised user row, with their deadline
alerts (times only). A handler stops being one; the reasons they gave for more time stay on
the cases, which are the office's records."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.complaints.models import CaseRow
from bot.db.complaints.repository import CaseRepository, OfficeRepository
from bot.db.complaints.statuses import OPEN_STATUSES, CaseAction, CaseStatus
from bot.services.personal_data import Part

# What the office said to the driver; other notes (a reassignment's reason, a review) are
# the office's own working notes about the case, not data about the driver.
_TO_THE_DRIVER = frozenset({CaseAction.NOTE, CaseAction.ASKED, CaseAction.RESOLVED})


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def export(session: AsyncSession, user_id: int, tz: ZoneInfo) -> dict[str, Any]:
    repo = CaseRepository(session)
    cases = []
    for case in await repo.of_user(user_id, limit=10_000):
        events = await repo.events(case.id)
        files = await repo.evidence(case.id)
        cases.append({
            "number": case.number, "category": case.category.value, "status": case.status.value,
            "description": case.description, "amount_fen": case.amount_fen,
            "other_party": case.other_party, "happened": case.happened, "city": case.city,
            "lat": case.lat, "lon": case.lon, "contact_phone": case.contact_phone,
            "anonymous": case.anonymous, "filed_at": _iso(case.created_at),
            "closed_at": _iso(case.closed_at), "resolution": case.resolution,
            "rating": case.rating, "solved": case.solved,
            "timeline": [
                {"at": _iso(e.at), "action": e.action.value,
                 "note": e.note if e.actor_id == user_id or e.action in _TO_THE_DRIVER else None}
                for e in events
            ],
            "files": [{"kind": f.kind.value, "name": f.file_name} for f in files],
        })  # fmt: skip
    office = await OfficeRepository(session).handler_office(user_id)
    asked = [
        {"case": number, "days": e.days, "reason": e.reason, "status": e.status.value,
         "asked_at": _iso(e.created_at)}
        for e, number in await repo.extensions_by(user_id)
    ]  # fmt: skip
    return {"cases": cases, "handler_of_office": office, "extensions_asked": asked}


async def erase(session: AsyncSession, user_id: int, now: datetime, tz: ZoneInfo) -> None:
    repo = CaseRepository(session)
    for case in await repo.open_of_user(user_id):
        if case.status in OPEN_STATUSES:
            await repo.add_event(
                {"complaint_id": case.id, "at": now, "actor_id": None,
                 "action": CaseAction.WITHDRAWN, "from_status": case.status,
                 "to_status": CaseStatus.WITHDRAWN, "note": None}
            )  # fmt: skip
    await session.execute(
        update(CaseRow)
        .where(CaseRow.user_id == user_id, CaseRow.status.in_(OPEN_STATUSES))
        .values(status=CaseStatus.WITHDRAWN, closed_at=now)
    )
    await repo.erase_user(user_id)
    await OfficeRepository(session).erase_user(user_id)


PART = Part(
    "complaints",
    frozenset(
        {
            "complaints",
            "complaint_events",
            "complaint_evidence",
            "complaint_handlers",
            "complaint_extensions",
            "complaint_alerts",
        }
    ),
    export,
    erase,
)
