"""The month's notice reaches the driver's chat through the outbox sender, and its buttons
work there: 📅 opens the month in place, 🔕 stops the reminders."""

from __future__ import annotations

from bot.db.outbox.models import MessageKind, OutboxStatus
from tests.harness import DRIVER, TOKEN, App, Clock, button_rows, shown, tap
from tests.themes.helpers import announce, at, onboard_in, outbox, remind, store


async def test_a_queued_notice_arrives_in_the_drivers_chat(app: App, clock: Clock) -> None:
    await onboard_in(app, DRIVER, "自贡")
    await store(app)
    clock.now = at(2027, 3, 1, 9)
    rings: list[int] = []
    app.dp["core"].doorbell.subscribe(lambda: rings.append(1))
    before = app.last_seq()
    assert await announce(app) == 1
    assert rings == [1]  # the sender in this process is told after the commit
    assert await app.drain() == 1
    [sent] = [r for r in app.server.sent(TOKEN, chat_id=DRIVER.id, after=before) if r["ok"]]
    assert sent["method"] == "sendMessage"
    assert "平安行车月" in sent["plain_text"] and "应急救援实操课" in sent["plain_text"]
    assert button_rows(sent) == [["📅 查看全部活动"], ["🔕 不再接收每月主题"]]
    [row] = await outbox(app, MessageKind.THEME)
    assert row.status is OutboxStatus.SENT and row.message_id == sent["result"]["message_id"]
    assert await app.drain() == 0  # sent once

    # 📅 turns the notice into the month's screen, in place.
    await tap(app, DRIVER, "📅 查看全部活动")
    screen = shown(app, DRIVER.id, row.message_id)
    assert "道路隐患随手拍" in screen["text"] and button_rows(screen) == [["2027年4月 ▶"]]


async def test_the_unsubscribe_on_a_notice_stops_the_reminders(app: App, clock: Clock) -> None:
    await onboard_in(app, DRIVER, "自贡")
    await store(app)
    clock.now = at(2027, 3, 1, 9)
    await announce(app)
    await app.drain()
    await tap(app, DRIVER, "🔕")
    clock.now = at(2027, 3, 12, 10)  # the day before 自贡's first aid class
    assert await remind(app) == 0
    assert [r.kind for r in await outbox(app)] == [MessageKind.THEME]
