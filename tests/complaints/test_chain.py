"""The chain 受理 → 分办 → 办理 → 办结 → 回访 → 归档 through the service, on both databases:
every step, its audit event, who may take it and when it is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.complaints.models import CaseRow, EvidenceRow
from bot.db.complaints.statuses import CaseAction, CaseStatus, EvidenceKind
from bot.db.users.models import Role, User
from bot.services.complaints.cases import Draft
from bot.services.complaints.chain import CaseError, CaseErrorCode
from bot.services.complaints.views import Evidence
from knowledge.complaints.categories import Category
from tests.complaints.helpers import World, local

NOW = local("2026-11-16 10:00")  # a Monday


async def world(session: AsyncSession) -> World:
    return await World(session).build(NOW)


async def test_the_whole_chain_with_a_reopening(session: AsyncSession) -> None:
    w = await world(session)
    cases = w.cases
    photo = Evidence(EvidenceKind.PHOTO, "photo-file-id", "uniq-1")
    filed = await cases.file(
        w.driver,
        Draft(Category.FREIGHT, "运费被扣 860 元", (photo,), amount_fen=86_000,
              other_party="某物流公司", city="温州", anonymous=True),
        "filing-1", NOW,
    )  # fmt: skip
    case = filed.case
    assert filed.new and case.status is CaseStatus.NEW and case.office_id == "transport"
    assert case.number == f"SQ-2026-{case.id:06d}"
    handler = await w.actor(w.handler)
    t = NOW
    steps = [
        await cases.accept(case.id, handler, t + timedelta(hours=1)),
        await cases.ask(case.id, handler, "请提供运单照片", t + timedelta(hours=2)),
        await cases.answer(
            case.id,
            w.driver,
            "运单在这里",
            [Evidence(EvidenceKind.DOCUMENT, "doc-id", "uniq-2", "运单.pdf")],
            t + timedelta(hours=3),
        ),
        await cases.resolve(
            case.id, handler, "已与货主协调，运费本周内补发。", False, t + timedelta(hours=4)
        ),
        await cases.rate(case.id, w.driver, 2, False, t + timedelta(hours=5)),
        await cases.resolve(
            case.id, handler, "货主已补发全部运费。", False, t + timedelta(hours=6)
        ),
        await cases.rate(case.id, w.driver, 5, True, t + timedelta(hours=7)),
    ]
    last = steps[-1].case
    assert last.status is CaseStatus.CLOSED and last.rating == 5 and last.solved is True
    assert last.owner_id == w.handler and last.reopened == 1 and last.review_needed
    assert last.first_response_at == t + timedelta(hours=2)  # the question answered first

    events = await cases.timeline(case.id)
    assert [(e.action, e.from_status, e.to_status, e.actor_id) for e in events] == [
        (CaseAction.FILED, None, CaseStatus.NEW, w.driver),
        (CaseAction.ACCEPTED, CaseStatus.NEW, CaseStatus.ACCEPTED, w.handler),
        (CaseAction.ASKED, CaseStatus.ACCEPTED, CaseStatus.WAITING_DRIVER, w.handler),
        (CaseAction.ANSWERED, CaseStatus.WAITING_DRIVER, CaseStatus.IN_PROGRESS, w.driver),
        (CaseAction.RESOLVED, CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED, w.handler),
        (CaseAction.REOPENED, CaseStatus.RESOLVED, CaseStatus.IN_PROGRESS, w.driver),
        (CaseAction.RESOLVED, CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED, w.handler),
        (CaseAction.RATED, CaseStatus.RESOLVED, CaseStatus.CLOSED, w.driver),
    ]
    assert [e.at for e in events] == [NOW] + [t + timedelta(hours=h) for h in range(1, 8)]
    assert events[2].note == "请提供运单照片" and events[3].note == "运单在这里"
    files = await cases.evidence(case.id)
    assert [(f.kind, f.file_id) for f in files] == [
        (EvidenceKind.PHOTO, "photo-file-id"), (EvidenceKind.DOCUMENT, "doc-id"),
    ]  # fmt: skip

    reviewed = await cases.review(
        case.id, handler, "经过：……原因：……改进：……", t + timedelta(days=1)
    )
    assert reviewed.case.review and reviewed.event.action is CaseAction.REVIEWED


async def test_assign_then_start_and_reassign_needs_a_reason(session: AsyncSession) -> None:
    w = await world(session)
    case_id = await w.file(NOW)
    handler, colleague = await w.actor(w.handler), await w.actor(w.colleague)
    await w.cases.accept(case_id, handler, NOW)
    assigned = await w.cases.assign(case_id, handler, "transport", w.colleague, NOW)
    assert assigned.case.status is CaseStatus.ASSIGNED and assigned.case.assignee_id == w.colleague
    started = await w.cases.start(case_id, colleague, NOW)
    assert started.case.status is CaseStatus.IN_PROGRESS
    with pytest.raises(CaseError) as refused:
        await w.cases.assign(case_id, handler, "union", None, NOW)
    assert refused.value.code is CaseErrorCode.TEXT_EMPTY
    moved = await w.cases.assign(case_id, handler, "union", w.union_handler, NOW, "欠薪归工会")
    assert moved.event.action is CaseAction.REASSIGNED and moved.event.note == "欠薪归工会"
    assert moved.case.owner_id == w.handler  # first-handler responsibility: still the owner
    assert moved.case.status is CaseStatus.IN_PROGRESS
    with pytest.raises(CaseError) as refused:
        await w.cases.assign(case_id, handler, "union", w.colleague, NOW, "x")
    assert refused.value.code is CaseErrorCode.HANDLER_UNKNOWN  # not a union handler
    with pytest.raises(CaseError) as refused:
        await w.cases.assign(case_id, handler, "nowhere", None, NOW, "x")
    assert refused.value.code is CaseErrorCode.OFFICE_UNKNOWN


@pytest.mark.parametrize(
    ("setup", "action", "status"),
    [
        ([], "resolve", CaseStatus.NEW),
        ([], "start", CaseStatus.NEW),
        (["accept"], "accept", CaseStatus.ACCEPTED),
        (["accept", "resolve"], "ask", CaseStatus.RESOLVED),
        (["accept", "resolve"], "note", CaseStatus.RESOLVED),
    ],
)
async def test_illegal_steps_are_refused_and_change_nothing(
    session: AsyncSession, setup: list[str], action: str, status: CaseStatus
) -> None:
    w = await world(session)
    case_id = await w.file(NOW)
    h = await w.actor(w.handler)
    calls = {
        "accept": lambda: w.cases.accept(case_id, h, NOW),
        "start": lambda: w.cases.start(case_id, h, NOW),
        "ask": lambda: w.cases.ask(case_id, h, "?", NOW),
        "note": lambda: w.cases.note(case_id, h, "n", NOW),
        "resolve": lambda: w.cases.resolve(case_id, h, "done", False, NOW),
    }
    for step in setup:
        await calls[step]()
    before = await w.cases.case(case_id)
    events = len(await w.cases.timeline(case_id))
    with pytest.raises(CaseError) as refused:
        await calls[action]()
    assert refused.value.code is CaseErrorCode.ILLEGAL and refused.value.status is status
    assert await w.cases.case(case_id) == before
    assert len(await w.cases.timeline(case_id)) == events


async def test_the_driver_cannot_rate_an_open_case_or_rate_out_of_range(
    session: AsyncSession,
) -> None:
    w = await world(session)
    case_id = await w.file(NOW)
    with pytest.raises(CaseError) as refused:
        await w.cases.rate(case_id, w.driver, 5, True, NOW)
    assert refused.value.code is CaseErrorCode.ILLEGAL
    await w.cases.accept(case_id, await w.actor(w.handler), NOW)
    await w.cases.resolve(case_id, await w.actor(w.handler), "ok", True, NOW)
    for rating in (0, 6, -1):
        with pytest.raises(CaseError) as refused:
            await w.cases.rate(case_id, w.driver, rating, True, NOW)
        assert refused.value.code is CaseErrorCode.RATING_INVALID


async def test_only_handlers_of_the_office_and_admins_work_a_case(session: AsyncSession) -> None:
    w = await world(session)
    case_id = await w.file(NOW)
    for user_id, code in ((w.driver, CaseErrorCode.NOT_HANDLER),
                          (w.union_handler, CaseErrorCode.OTHER_OFFICE)):  # fmt: skip
        with pytest.raises(CaseError) as refused:
            await w.cases.accept(case_id, await w.actor(user_id), NOW)
        assert refused.value.code is code
    assert (await w.cases.case(case_id)).status is CaseStatus.NEW
    taken = await w.cases.accept(case_id, await w.actor(w.admin), NOW)
    assert taken.case.owner_id == w.admin


async def test_a_stale_card_changes_nothing(session: AsyncSession) -> None:
    w = await world(session)
    case_id = await w.file(NOW)
    card = await w.cases.case(case_id)
    handler, colleague = await w.actor(w.handler), await w.actor(w.colleague)
    await w.cases.accept(case_id, handler, NOW, version=card.version)
    with pytest.raises(CaseError) as refused:  # the colleague's card showed the old version
        await w.cases.accept(case_id, colleague, NOW, version=card.version)
    assert refused.value.code is CaseErrorCode.CHANGED
    assert (await w.cases.case(case_id)).owner_id == w.handler


async def test_another_drivers_case_is_not_found(session: AsyncSession) -> None:
    w = await world(session)
    case_id = await w.file(NOW)
    other = w.other_driver
    calls = [
        w.cases.own_case(case_id, other),
        w.cases.answer(case_id, other, "hi", [], NOW),
        w.cases.withdraw(case_id, other, NOW),
        w.cases.rate(case_id, other, 5, True, NOW),
    ]
    for call in calls:
        with pytest.raises(CaseError) as refused:
            await call
        assert refused.value.code is CaseErrorCode.NOT_FOUND
    with pytest.raises(CaseError):  # nor may a driver file under another's filing key
        await w.cases.file(other, Draft(Category.OTHER, "x"), "k1", NOW)


async def test_the_same_confirm_twice_files_one_case(session: AsyncSession) -> None:
    w = await world(session)
    draft = Draft(Category.TOLLS, "ETC 重复扣费")
    first = await w.cases.file(w.driver, draft, "same-key", NOW)
    again = await w.cases.file(w.driver, draft, "same-key", NOW)
    assert first.new and not again.new and again.case.id == first.case.id
    assert await session.scalar(select(func.count()).select_from(CaseRow)) == 1


async def test_filing_checks_its_input(session: AsyncSession) -> None:
    w = await world(session)
    empty = Draft(Category.OTHER, "   \u200b ")
    with pytest.raises(CaseError) as refused:
        await w.cases.file(w.driver, empty, "e", NOW)
    assert refused.value.code is CaseErrorCode.TEXT_EMPTY
    photos = tuple(Evidence(EvidenceKind.PHOTO, f"p{i}", f"u{i}") for i in range(6))
    with pytest.raises(CaseError) as refused:
        await w.cases.file(w.driver, Draft(Category.OTHER, "x", photos), "p", NOW)
    assert refused.value.code is CaseErrorCode.TOO_MANY_FILES
    voice_only = Draft(Category.OTHER, "", (Evidence(EvidenceKind.VOICE, "v", "uv"),))
    filed = await w.cases.file(w.driver, voice_only, "v", NOW)  # a voice note is enough
    assert filed.new and filed.case.description == ""


async def test_routing_follows_the_category(session: AsyncSession) -> None:
    w = await world(session)
    union = await w.file(NOW, Category.UNPAID_PAY, key="u")
    transport = await w.file(NOW, Category.TOLLS, key="t")
    assert (await w.cases.case(union)).office_id == "union"
    assert (await w.cases.case(transport)).office_id == "transport"


async def test_withdrawn_by_the_driver(session: AsyncSession) -> None:
    w = await world(session)
    case_id = await w.file(NOW)
    change = await w.cases.withdraw(case_id, w.driver, NOW)
    assert change.case.status is CaseStatus.WITHDRAWN and change.case.closed_at == NOW
    with pytest.raises(CaseError) as refused:
        await w.cases.accept(case_id, await w.actor(w.handler), NOW)
    assert refused.value.code is CaseErrorCode.ILLEGAL


async def test_handlers_get_their_role_and_lose_it(session: AsyncSession) -> None:
    from bot.services.complaints.offices import set_handler

    w = await world(session)
    user = await session.get(User, w.handler)
    assert user is not None and user.role is Role.HANDLER
    await set_handler(session, w.handler, None, NOW)
    await session.refresh(user)
    assert user.role is Role.DRIVER
    assert (await w.actor(w.handler)).works_cases is False
    await set_handler(session, w.admin, "union", NOW)  # an admin keeps the admin role
    admin = await session.get(User, w.admin)
    assert admin is not None and admin.role is Role.ADMIN
    with pytest.raises(CaseError) as refused:
        await set_handler(session, w.driver, "nowhere", NOW)
    assert refused.value.code is CaseErrorCode.OFFICE_UNKNOWN


async def test_erasure_keeps_the_facts_and_drops_the_words(session: AsyncSession) -> None:
    from bot.db.complaints.repository import CaseRepository

    w = await world(session)
    photo = Evidence(EvidenceKind.PHOTO, "p", "u")
    filed = await w.cases.file(
        w.driver, Draft(Category.FREIGHT, "私人细节", (photo,), contact_phone="13800000000",
                        lat=30.0, lon=120.0), "x", NOW)  # fmt: skip
    assert await CaseRepository(session).erase_user(w.driver) == 1
    case = await w.cases.case(filed.case.id)
    assert case.description == "" and case.contact_phone is None and case.lat is None
    assert case.erased and case.category is Category.FREIGHT
    assert await session.scalar(select(func.count()).select_from(EvidenceRow)) == 0
