"""A broadcast under way: pause / resume / cancel move its outbox rows, the status message
shows the outbox's counts (and is never edited with what it shows), the end brings a report
with a CSV of failures, and /broadcasts lists them."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import update

from bot.db.broadcasts.models import BroadcastStatus
from bot.db.outbox.models import MessageKind, OutboxRow, OutboxStatus, Priority
from scheduler.jobs.broadcasts import show_broadcast_progress
from tests.broadcasts.helpers import add_driver, broadcasts, compose, context, outbox
from tests.harness import (
    ADMIN,
    TOKEN,
    App,
    Clock,
    button_rows,
    local,
    press_again,
    shown,
    tap,
)
from tests.harness.phone import too_wide


async def _running(app: App, drivers: int = 3) -> tuple[int, list[int]]:
    users = [await add_driver(app, 2000 + i, f"司机{i}") for i in range(drivers)]
    await compose(app)
    await tap(app, ADMIN, "立即发送")
    (row,) = await broadcasts(app)
    return row.id, users


async def _settle(
    app: App, broadcast_id: int, status: OutboxStatus, n: int, error: str = ""
) -> None:
    """What the sender would do: `n` pending rows of the broadcast end as `status`."""
    rows = [r for r in await outbox(app, broadcast_id) if r.status is OutboxStatus.PENDING][:n]
    async with app.session_factory() as session:
        await session.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_([r.id for r in rows]))
            .values(status=status, last_error=error or None)
        )
        await session.commit()


def _status(app: App, broadcast_id: int, message_id: int) -> dict[str, Any]:
    return shown(app, ADMIN.id, message_id)


async def test_pause_resume_and_cancel_move_the_outbox_rows(app: App, clock: Clock) -> None:
    bid, _users = await _running(app)
    await _settle(app, bid, OutboxStatus.SENT, 1)
    await tap(app, ADMIN, "暂停")
    statuses = sorted(r.status for r in await outbox(app, bid))
    assert statuses == [OutboxStatus.HELD, OutboxStatus.HELD, OutboxStatus.SENT]
    (row,) = await broadcasts(app)
    assert row.status is BroadcastStatus.PAUSED
    assert button_rows(_status(app, bid, row.status_message_id)) == [["▶ 继续", "✖ 取消"]]
    await tap(app, ADMIN, "继续")
    assert sorted(r.status for r in await outbox(app, bid)) == [
        OutboxStatus.PENDING, OutboxStatus.PENDING, OutboxStatus.SENT,
    ]  # fmt: skip
    # ✖ asks first; "no" keeps it going.
    asked = await tap(app, ADMIN, "✖ 取消")
    assert "取消这条通知吗" in asked[-1]["plain_text"]
    assert not too_wide(button_rows(asked[-1]))
    await tap(app, ADMIN, "不取消")
    assert (await broadcasts(app))[0].status is BroadcastStatus.RUNNING
    await tap(app, ADMIN, "✖ 取消")
    await tap(app, ADMIN, "确定取消")
    (row,) = await broadcasts(app)
    assert row.status is BroadcastStatus.CANCELLED
    assert sorted(r.status.value for r in await outbox(app, bid)) == [
        "cancelled",
        "cancelled",
        "sent",
    ]
    status = _status(app, bid, row.status_message_id)
    assert button_rows(status) == [] and "已取消" in status["text"]


async def test_resuming_at_night_waits_for_quiet_hours(app: App, clock: Clock) -> None:
    bid, _users = await _running(app, drivers=2)
    await tap(app, ADMIN, "暂停")
    clock.now = local(23, 23)
    await tap(app, ADMIN, "继续")
    rows = await outbox(app, bid)
    assert {r.status for r in rows} == {OutboxStatus.PENDING}
    assert {r.not_before for r in rows} == {local(24, 7)}


async def test_status_message_counts_rate_and_the_report(app: App, clock: Clock) -> None:
    bid, users = await _running(app, drivers=4)
    ctx = context(app)
    await show_broadcast_progress(ctx)  # the first look: no rate yet
    await _settle(app, bid, OutboxStatus.SENT, 2)
    clock.now += timedelta(seconds=4)
    await show_broadcast_progress(ctx)
    (row,) = await broadcasts(app)
    text = _status(app, bid, row.status_message_id)["text"]
    assert "已发送 2 · ⚠️ 失败 0 · 🚫 已屏蔽 0 · ⏳ 待发 2" in text
    assert "每秒 0.5 条 · 预计剩余：4 秒" in text and "▓▓▓▓▓░░░░░ 50%" in text
    # Nothing changed: no edit at all (never "message is not modified").
    before = app.last_seq()
    await show_broadcast_progress(ctx)
    assert [r["method"] for r in app.server.sent(TOKEN, after=before)] == []
    await _settle(app, bid, OutboxStatus.FAILED, 1, "Bad Request: chat not found")
    await _settle(app, bid, OutboxStatus.BLOCKED, 1, "Forbidden: bot was blocked by the user")
    clock.now += timedelta(seconds=5)
    await show_broadcast_progress(ctx)
    (row,) = await broadcasts(app)
    assert row.status is BroadcastStatus.DONE and row.finished_at == clock.now
    status = _status(app, bid, row.status_message_id)
    assert "已完成" in status["text"] and "已发送 2 · ⚠️ 失败 1 · 🚫 已屏蔽 1" in status["text"]
    assert button_rows(status) == []
    reports = [r for r in await outbox(app) if r.kind is MessageKind.REPORT]
    (report,) = reports
    assert report.chat_id == ADMIN.id and report.priority == Priority.PERSONAL
    assert "失败 1" in report.text and report.document_name == f"broadcast-{bid}-failures.csv"
    assert report.document is not None
    content = await asyncio.to_thread(Path(report.document).read_text, encoding="utf-8-sig")
    lines = list(csv.reader(io.StringIO(content)))
    assert lines[0] == ["user_id", "status", "last_error"]
    failed = {int(line[0]): (line[1], line[2]) for line in lines[1:]}
    assert set(failed) <= set(users) and len(failed) == 2
    assert sorted(failed.values()) == [
        ("blocked", "Forbidden: bot was blocked by the user"),
        ("failed", "Bad Request: chat not found"),
    ]
    assert "司机" not in content  # ids only, never names
    # Ending twice queues one report.
    await show_broadcast_progress(ctx)
    assert len([r for r in await outbox(app) if r.kind is MessageKind.REPORT]) == 1


async def test_broadcasts_lists_them_and_opens_one(app: App, clock: Clock) -> None:
    bid, _users = await _running(app, drivers=1)
    await compose(app, "第二条", when="1 小时后")
    await tap(app, ADMIN, "定时发送")
    listed = await app.text(ADMIN, "/broadcasts")
    text = listed[-1]["plain_text"]
    assert f"#{bid + 1} 11-23 13:00 已定时\n" in text
    assert f"#{bid} 11-23 12:00 发送中 0/1" in text
    (first, second) = await broadcasts(app)
    old = first.status_message_id
    opened = await tap(app, ADMIN, f"#{bid}")
    (first, _second) = await broadcasts(app)
    assert first.status_message_id != old
    (new,) = [r for r in opened if r["method"] == "sendMessage"]
    assert new["message_id"] == first.status_message_id and f"通知 #{bid}" in new["plain_text"]
    assert button_rows(_status(app, bid, old)) == []
    assert button_rows(_status(app, bid, first.status_message_id)) == [["⏸ 暂停", "✖ 取消"]]
    # The scheduled one cancelled from its status message: over at once, nothing queued.
    message_id, data = app.find_button(ADMIN.id, f"#{bid + 1}")
    await press_again(app, ADMIN, message_id, data)
    await tap(app, ADMIN, "✖ 取消")
    await tap(app, ADMIN, "确定取消")
    (_first, second) = await broadcasts(app)
    assert second.status is BroadcastStatus.CANCELLED and second.finished_at == clock.now
    assert await outbox(app, second.id) == []
    message_id, data = app.find_button(ADMIN.id, "刷新")
    relisted = await press_again(app, ADMIN, message_id, data)
    assert f"#{second.id} 11-23 13:00 已取消" in relisted[-1]["plain_text"]


async def test_an_unanswered_cancel_question_goes_away(app: App, clock: Clock) -> None:
    bid, _users = await _running(app, drivers=1)
    await tap(app, ADMIN, "✖ 取消")
    ctx = context(app)
    await show_broadcast_progress(ctx)  # the job keeps the question while it is fresh
    (row,) = await broadcasts(app)
    assert button_rows(_status(app, bid, row.status_message_id)) == [
        ["✅ 确定取消", "↩️ 不取消，继续"]
    ]
    clock.now += timedelta(seconds=61)
    await show_broadcast_progress(ctx)
    status = _status(app, bid, row.status_message_id)
    assert button_rows(status) == [["⏸ 暂停", "✖ 取消"]] and "取消这条通知吗" not in status["text"]
    assert (await broadcasts(app))[0].status is BroadcastStatus.RUNNING
