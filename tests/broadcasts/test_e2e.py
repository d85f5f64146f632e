"""End to end: a notice composed in the admin's chat arrives in the drivers' chats on the
local Bot API server through the real outbox sender, and the status message ends with the
right counts; the report arrives with its CSV."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.broadcasts.models import BroadcastStatus
from bot.sandbox import BotApiServer, TgUser
from scheduler.jobs.broadcasts import show_broadcast_progress
from tests.broadcasts.conftest import deliver
from tests.broadcasts.helpers import broadcasts, compose, context
from tests.harness import (
    ADMIN,
    DRIVER,
    EN_DRIVER,
    TOKEN,
    App,
    Clock,
    button_rows,
    running_app,
    shown,
    tap,
)
from tests.outbox.helpers import add_drivers, delivered, open_chats

GONE = TgUser(1009, "李师傅")


async def test_a_notice_reaches_the_drivers_and_the_status_ends_right(app: App) -> None:
    for user in (DRIVER, EN_DRIVER, GONE):
        await app.onboard(user)
    app.server.set_blocked(TOKEN, GONE.id)  # blocked the bot since
    await compose(app, "{name}，今晚有雨，注意安全。", links="天气 | https://weather.example.cn",
                  english="{name}, rain tonight: drive safely.")  # fmt: skip
    await tap(app, ADMIN, "立即发送")
    assert await deliver(app) == 2
    zh = app.server.chat_messages(TOKEN, DRIVER.id)[-1]
    assert zh["text"] == "张师傅，今晚有雨，注意安全。"
    assert button_rows(zh) == [["天气"], ["🔕 不再接收此类通知"]]
    en = app.server.chat_messages(TOKEN, EN_DRIVER.id)[-1]
    assert en["text"] == "Sam, rain tonight: drive safely."
    assert button_rows(en) == [["天气"], ["🔕 No more notices like this"]]
    await show_broadcast_progress(context(app))
    (row,) = await broadcasts(app)
    assert row.status is BroadcastStatus.DONE
    status = shown(app, ADMIN.id, row.status_message_id)
    assert "✅ 已发送 2 · ⚠️ 失败 0 · 🚫 已屏蔽 1 · ⏳ 待发 0" in status["text"]
    assert "100%" in status["text"] and button_rows(status) == []
    assert await deliver(app) == 1  # the report
    report = app.server.chat_messages(TOKEN, ADMIN.id)[-1]
    assert report["document"]["file_name"] == f"broadcast-{row.id}-failures.csv"
    assert "已屏蔽 1" in report["caption"]
    stored = app.server.bot(TOKEN).files[report["document"]["file_id"]]
    assert stored.content is not None
    content = stored.content.decode("utf-8-sig")
    gone = await app.user_row(GONE.id)
    assert gone is not None
    assert list(csv.reader(io.StringIO(content)))[1:] == [
        [str(gone.id), "blocked", "Forbidden: bot was blocked by the user"]
    ]
    # A driver taps the unsubscribe button: no more notices for them.
    await tap(app, DRIVER, "不再接收")
    driver = await app.user_row(DRIVER.id)
    assert driver is not None and driver.notifications is False


async def test_a_broadcast_to_two_thousand_drivers_through_faults_ends_with_the_right_counts(
    server: BotApiServer, engine: AsyncEngine, db_url: str, clock: Clock, tmp_path: Path
) -> None:
    """Telegram answers 429s (with retry_after), 5xx and, for drivers who blocked the bot,
    403: every driver who can be reached gets the notice once, and the status message and
    the report count the rest as blocked."""
    async with running_app(server, engine, db_url, clock, data_dir=tmp_path,
                           outbox_rate=5000.0, outbox_concurrency=16,
                           outbox_batch=200) as app:  # fmt: skip
        drivers = await add_drivers(app.session_factory, 2000)
        open_chats(server, drivers)
        blocked = {tid for _uid, tid in drivers[::50]}  # 40 of them blocked the bot
        for chat_id in blocked:
            server.set_blocked(TOKEN, chat_id)
        await compose(app, "{name}，明天高速施工，请绕行。")
        app.server.add_fault(TOKEN, 429, method="sendMessage", retry_after=1, count=3)
        app.server.add_fault(TOKEN, 502, method="sendMessage", count=30)
        app.server.add_fault(TOKEN, 500, method="sendMessage", count=10, kind="html")
        await tap(app, ADMIN, "立即发送")  # the harness lets the sender run after each update
        clock.now += timedelta(minutes=10)  # what met a 5xx three times waits for its backoff
        await app.drain()
        got = Counter(r["chat_id"] for r in delivered(server) if r["chat_id"] != ADMIN.id)
        assert set(got) == {tid for _u, tid in drivers} - blocked and set(got.values()) == {1}
        await show_broadcast_progress(context(app))
        (row,) = await broadcasts(app)
        assert row.status is BroadcastStatus.DONE and row.recipients == 2000
        status = shown(app, ADMIN.id, row.status_message_id)
        assert "✅ 已发送 1960 · ⚠️ 失败 0 · 🚫 已屏蔽 40 · ⏳ 待发 0" in status["text"]
