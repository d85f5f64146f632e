"""Deadlines in working days on China's calendar, extensions approved by an admin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.complaints.statuses import CaseAction, CaseStatus, Deadline
from bot.services.complaints.chain import CaseError, CaseErrorCode, running_clocks
from knowledge.complaints.categories import Category
from tests.complaints.helpers import World, local


async def test_deadlines_skip_national_day_and_count_its_make_up_saturday(
    session: AsyncSession,
) -> None:
    # 2026: Oct 1-7 are the National Day holiday, Saturday Oct 10 is a make-up working day.
    filed_at = local("2026-10-09 10:00")  # a Friday
    w = await World(session).build(filed_at)
    case = await w.cases.case(await w.file(filed_at))
    assert case.accept_due == local("2026-10-11 00:00")  # the end of Saturday Oct 10
    assert case.respond_due == local("2026-10-13 00:00")  # Oct 10, Oct 12
    assert case.resolve_due == local("2026-10-16 00:00")  # Oct 10, 12, 13, 14, 15


async def test_a_case_filed_before_the_holiday_waits_for_its_end(session: AsyncSession) -> None:
    filed_at = local("2026-09-30 18:00")  # the Wednesday before the holiday
    w = await World(session).build(filed_at)
    case = await w.cases.case(await w.file(filed_at))
    assert case.accept_due == local("2026-10-09 00:00")  # Thursday Oct 8, the first one back
    insurance = await w.cases.case(await w.file(filed_at, Category.INSURANCE, key="i"))
    # Ten working days for insurance cases: Oct 8, 9, 10, 12-16, 19, 20.
    assert insurance.resolve_due == local("2026-10-21 00:00")


async def test_the_running_clocks_follow_the_status(session: AsyncSession) -> None:
    now = local("2026-11-16 10:00")
    w = await World(session).build(now)
    case = await w.cases.case(await w.file(now))
    assert [c for c, _ in case.clocks] == [Deadline.ACCEPT, Deadline.RESPOND, Deadline.RESOLVE]
    handler = await w.actor(w.handler)
    accepted = (await w.cases.accept(case.id, handler, now)).case
    assert [c for c, _ in accepted.clocks] == [Deadline.RESPOND, Deadline.RESOLVE]
    asked = (await w.cases.ask(case.id, handler, "?", now)).case
    assert [c for c, _ in asked.clocks] == [Deadline.RESOLVE]
    resolved = (await w.cases.resolve(case.id, handler, "ok", False, now)).case
    assert resolved.clocks == []
    assert running_clocks(CaseStatus.CLOSED, None, now, now, now) == []


async def test_an_extension_moves_the_deadline_once_approved(session: AsyncSession) -> None:
    now = local("2026-11-16 10:00")  # Monday; resolve by the end of Monday Nov 23
    w = await World(session).build(now)
    case_id = await w.file(now)
    handler = await w.actor(w.handler)
    await w.cases.accept(case_id, handler, now)
    await w.cases.start(case_id, handler, now)
    before = await w.cases.case(case_id)
    assert before.resolve_due == local("2026-11-24 00:00")
    with pytest.raises(CaseError) as refused:
        await w.cases.ask_extension(case_id, handler, 0, "需要调取监控", now)
    assert refused.value.code is CaseErrorCode.DAYS_INVALID
    _change, ext_id = await w.cases.ask_extension(case_id, handler, 3, "需要调取监控", now)
    with pytest.raises(CaseError) as refused:
        await w.cases.ask_extension(case_id, handler, 2, "again", now)
    assert refused.value.code is CaseErrorCode.EXTENSION_PENDING
    with pytest.raises(CaseError) as refused:  # a handler may not approve it
        await w.cases.decide_extension(ext_id, handler, True, now)
    assert refused.value.code is CaseErrorCode.ADMIN_ONLY
    approved = await w.cases.decide_extension(ext_id, await w.actor(w.admin), True, now)
    assert approved.event.action is CaseAction.EXTENSION_APPROVED
    assert approved.case.resolve_due == local("2026-11-27 00:00")  # +3 working days
    with pytest.raises(CaseError) as refused:  # decided once
        await w.cases.decide_extension(ext_id, await w.actor(w.admin), False, now)
    assert refused.value.code is CaseErrorCode.EXTENSION_DECIDED


async def test_a_reopened_case_gets_a_new_resolve_deadline(session: AsyncSession) -> None:
    now = local("2026-11-16 10:00")
    w = await World(session).build(now)
    case_id = await w.file(now)
    handler = await w.actor(w.handler)
    await w.cases.accept(case_id, handler, now)
    await w.cases.resolve(case_id, handler, "ok", False, now)
    later = now + timedelta(days=3)  # Thursday Nov 19
    reopened = (await w.cases.rate(case_id, w.driver, 1, False, later)).case
    assert reopened.status is CaseStatus.IN_PROGRESS and reopened.resolved_at is None
    assert reopened.resolve_due == local("2026-11-27 00:00")  # five working days from Nov 19
    assert reopened.assignee_id == w.handler
