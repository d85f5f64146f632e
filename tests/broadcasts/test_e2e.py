"""End to end: a notice composed in the admin's chat arrives in the drivers' chats on the
local Bot API server through the real outbox sender, and the status message ends with the
right counts; the report arrives with its CSV."""

from __future__ import annotations

import csv
import io

from bot.db.broadcasts.models import BroadcastStatus
from bot.sandbox import TgUser
from scheduler.jobs.broadcasts import show_broadcast_progress
from tests.broadcasts.conftest import deliver
from tests.broadcasts.helpers import broadcasts, compose, context
from tests.harness import ADMIN, DRIVER, EN_DRIVER, TOKEN, App, button_rows, shown, tap

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
