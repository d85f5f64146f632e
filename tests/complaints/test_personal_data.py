"""/mydata and /deleteme for complaints: the driver's cases exported; erasure withdraws the
open ones and keeps only the facts."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.complaints.models import EvidenceRow
from bot.db.complaints.statuses import CaseAction, CaseStatus, EvidenceKind
from bot.services.complaints.cases import Draft
from bot.services.complaints.personal_data import PART
from bot.services.complaints.views import Evidence
from knowledge.complaints.categories import Category
from tests.complaints.helpers import TZ, World, local

NOW = local("2026-11-16 10:00")


async def test_export_then_erase(session: AsyncSession) -> None:
    w = await World(session).build(NOW)
    photo = Evidence(EvidenceKind.PHOTO, "p", "u", None)
    draft = Draft(Category.TOLLS, "ETC 重复扣费 45 元", (photo,), contact_phone="13900001111")
    open_case = (await w.cases.file(w.driver, draft, "a", NOW)).case
    closed = await w.file(NOW, key="b")
    handler = await w.actor(w.handler)
    await w.cases.accept(closed, handler, NOW)
    await w.cases.ask(closed, handler, "哪一天？", NOW)
    await w.cases.answer(closed, w.driver, "11月3日", [], NOW)
    await w.cases.resolve(closed, handler, "已退费", False, NOW)
    await w.cases.rate(closed, w.driver, 4, True, NOW)

    data = await PART.export(session, w.driver, TZ)
    by_number = {c["number"]: c for c in data["cases"]}
    assert by_number[open_case.number]["contact_phone"] == "13900001111"
    assert by_number[open_case.number]["files"] == [{"kind": "photo", "name": None}]
    notes = [e["note"] for e in by_number[f"SQ-2026-{closed:06d}"]["timeline"]]
    assert "哪一天？" in notes and "11月3日" in notes and "已退费" in notes
    assert (await PART.export(session, w.handler, TZ))["handler_of_office"] == "transport"

    await PART.erase(session, w.driver, NOW, TZ)
    erased = await w.cases.case(open_case.id)
    assert erased.status is CaseStatus.WITHDRAWN and erased.erased
    assert erased.contact_phone is None and erased.description == ""
    assert (await w.cases.timeline(open_case.id))[-1].action is CaseAction.WITHDRAWN
    kept = await w.cases.case(closed)
    assert kept.status is CaseStatus.CLOSED and kept.rating == 4  # the facts stay
    answers = [e.note for e in await w.cases.timeline(closed) if e.actor_id == w.driver]
    assert answers == [None, None, None]  # filed, answered, rated: the driver's words gone
    assert await session.scalar(select(func.count()).select_from(EvidenceRow)) == 0
    await PART.erase(session, w.handler, NOW, TZ)
    assert (await w.actor(w.handler)).office_id is None
