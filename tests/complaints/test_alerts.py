"""Deadline alerts: a reminder on the last day, an overdue notice the morning after, an
escalation after two more working days; each sent once, however often the job runs."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.complaints.models import CaseRow, EventRow
from bot.db.complaints.statuses import CaseAction
from bot.db.outbox.models import OutboxRow
from bot.feature import JobContext
from scheduler.jobs.complaints import deadline_alerts
from tests.complaints.conftest import GROUP
from tests.complaints.helpers import local
from tests.complaints.test_app_chain import HANDLER, file_with_photo, make_handler
from tests.harness.app import ADMIN, App


async def _rows(app: App, model: type) -> list:  # type: ignore[type-arg]
    async with app.session_factory() as session:
        return list(await session.scalars(select(model)))


async def test_overdue_and_escalation_go_once_each(app: App) -> None:
    await make_handler(app)
    await app.onboard(ADMIN)
    case = await file_with_photo(app)  # filed Monday Nov 23 12:00: accept by the end of Tue
    ctx = JobContext(app.dp["core"], app.bot, app.kits)
    assert case.accept_due.isoformat() == "2026-11-24T16:00:00+00:00"  # midnight local

    async def run_at(moment: str) -> int:
        queued = 0
        for _ in range(3):  # the job runs every few minutes: nothing doubles
            queued += await deadline_alerts(ctx, now=local(moment))
        await app.drain(local(moment))
        return queued

    assert await run_at("2026-11-23 13:00") == 0  # nothing due yet
    assert await run_at("2026-11-24 09:30") > 0  # the last day: reminders to the office
    texts_before = len(await _rows(app, OutboxRow))
    assert await run_at("2026-11-24 10:30") == 0
    assert len(await _rows(app, OutboxRow)) == texts_before
    await run_at("2026-11-25 09:30")  # the morning after: overdue
    await run_at("2026-11-27 09:30")  # two working days later: escalated
    await run_at("2026-11-27 12:00")

    events = [e.action for e in await _rows(app, EventRow)]
    assert events.count(CaseAction.OVERDUE) == 2  # the accept and the respond deadlines
    assert events.count(CaseAction.ESCALATED) == 1  # the accept deadline (respond: on Monday)
    keys = [r.dedupe_key for r in await _rows(app, OutboxRow)]
    group_overdue = [k for k in keys if k.startswith("case-alert:") and "overdue" in k
                     and k.endswith(":group")]  # fmt: skip
    assert len(group_overdue) == 2
    escalations = [k for k in keys if "escalate" in k]
    admin = await app.user_row(ADMIN.id)
    handler = await app.user_row(HANDLER.id)
    assert admin is not None and handler is not None
    assert any(k.endswith(f":u{admin.id}") for k in escalations)
    assert any(k.endswith(":group") for k in escalations)
    rows = await _rows(app, CaseRow)
    assert rows[0].overdue
    sent_to_group = [r for r in await _rows(app, OutboxRow) if r.chat_id == GROUP]
    assert all("张师傅" not in r.text for r in sent_to_group)
