"""/broadcast: the whole form in zh and en, its refusals, and one broadcast per confirm."""

from __future__ import annotations

from bot.db.broadcasts.models import BroadcastStatus
from bot.db.outbox.models import MessageKind, OutboxStatus
from bot.db.users.models import Role
from bot.sandbox import TgUser, specs
from tests.broadcasts.helpers import add_driver, broadcasts, compose, outbox
from tests.harness import (
    ADMIN,
    DRIVER,
    TOKEN,
    App,
    Clock,
    answers,
    button_rows,
    last_with_buttons,
    local,
    press_again,
    tap,
    texts,
)
from tests.harness.phone import too_wide

EN_ADMIN = TgUser(900002, "Ada", language_code="en")


def _bold_name(text: str) -> dict[str, object]:
    """The admin's message with {name} in bold, as Telegram sends formatting: entities."""
    return specs.text(ADMIN, text, entities=[{"type": "bold", "offset": 0, "length": 6}])


async def test_compose_preview_and_send_now_in_chinese(app: App) -> None:
    zh = await add_driver(app, 2001, "王<师傅>")
    en = await add_driver(app, 2002, "Sam", language="en")
    await add_driver(app, 2003, "不想收", notifications=False)
    await app.text(ADMIN, "/broadcast")
    await app.feed(_bold_name("{name}，明天施工。"))
    await app.text(ADMIN, "路况 | https://example.com/road")
    await tap(app, ADMIN, "英文版")
    audience = await app.feed(_bold_name("{name}, roadworks tomorrow."))
    assert "将有 2 位司机收到" in texts(audience)[-1]
    for label in ("按职业", "返回", "按角色", "返回", "按语言", "返回", "按城市", "返回"):
        picker = await tap(app, ADMIN, label)
        assert not too_wide(button_rows(picker[-1])), button_rows(picker[-1])
    preview = await tap(app, ADMIN, "预览")
    shown = [r for r in preview if r["method"] == "sendMessage"]
    assert [r["plain_text"] for r in shown[:2]] == [
        "管理员，明天施工。",
        "管理员, roadworks tomorrow.",
    ]
    assert [b["text"] for row in shown[0]["reply_markup"]["inline_keyboard"] for b in row] == [
        "路况", "🔕 不再接收此类通知",
    ]  # fmt: skip
    assert (
        shown[1]["reply_markup"]["inline_keyboard"][-1][0]["text"] == "🔕 No more notices like this"
    )
    confirm = await tap(app, ADMIN, "立即发送")
    assert "确认发送" in texts(confirm)[-1] and "目前 2 位司机" in texts(confirm)[-1]
    await tap(app, ADMIN, "立即发送")
    (row,) = await broadcasts(app)
    assert row.status is BroadcastStatus.RUNNING and row.recipients == 2
    rows = {r.user_id: r for r in await outbox(app, row.id)}
    assert set(rows) == {zh, en}
    assert rows[zh].text == "<b>王&lt;师傅&gt;</b>，明天施工。"
    assert rows[en].text == "<b>Sam</b>, roadworks tomorrow."
    assert rows[zh].kind is MessageKind.BROADCAST and rows[zh].status is OutboxStatus.PENDING
    assert rows[zh].dedupe_key == f"broadcast:{row.id}:u{zh}"
    assert rows[zh].buttons == [
        [{"text": "路况", "url": "https://example.com/road"}],
        [{"text": "🔕 不再接收此类通知", "callback_data": "unsub:notices"}],
    ]
    assert rows[en].buttons[-1][0]["text"] == "🔕 No more notices like this"
    for message in app.server.chat_messages(TOKEN, ADMIN.id):
        assert not too_wide(button_rows(message))
    # The form's message is now the status message.
    status = last_with_buttons(app, ADMIN.id)
    assert status["message_id"] == row.status_message_id
    assert "发送中" in status["text"] and "待发 2" in status["text"]


async def test_english_admin_schedules_for_a_typed_time(app: App, clock: Clock) -> None:
    await add_driver(app, 2001)
    async with app.session_factory() as session:
        from bot.db.users.models import User

        session.add(User(telegram_id=EN_ADMIN.id, language="en", role=Role.ADMIN,
                         display_name="Ada"))  # fmt: skip
        await session.commit()
    await app.text(EN_ADMIN, "/broadcast")
    await app.text(EN_ADMIN, "Roads are icy tonight.")
    await tap(app, EN_ADMIN, "No buttons")
    await tap(app, EN_ADMIN, "One text for everyone")
    await tap(app, EN_ADMIN, "Preview")
    past = await app.text(EN_ADMIN, "11:00")
    assert "That time has passed" in texts(past)[-1]
    sent = await app.text(EN_ADMIN, "2026-11-23 18:30")
    assert "Ready?" in texts(sent)[-1] and "2026-11-23 18:30" in texts(sent)[-1]
    await tap(app, EN_ADMIN, "Schedule it")
    (row,) = await broadcasts(app)
    assert row.status is BroadcastStatus.SCHEDULED
    assert row.scheduled_at == local(23, 18, 30)
    assert await outbox(app) == []
    status = last_with_buttons(app, EN_ADMIN.id)
    assert "Scheduled" in status["text"] and "Starts: 2026-11-23 18:30" in status["text"]


async def test_a_double_confirm_makes_one_broadcast(app: App) -> None:
    await add_driver(app, 2001)
    await compose(app)
    message_id, data = app.find_button(ADMIN.id, "立即发送")
    await tap(app, ADMIN, "立即发送")
    again = await press_again(app, ADMIN, message_id, data)
    assert len(await broadcasts(app)) == 1
    assert len(await outbox(app)) == 1
    assert answers(again) == ["这条通知已经确认过了：见 /broadcasts。"]


async def test_non_admins_and_groups_are_refused(app: App) -> None:
    await app.onboard(DRIVER)
    refused = await app.text(DRIVER, "/broadcast")
    assert texts(refused) == ["抱歉，此命令仅限管理员使用。"]
    listed = await app.text(DRIVER, "/broadcasts")
    assert texts(listed) == ["抱歉，此命令仅限管理员使用。"]
    group = await app.feed(specs.text(ADMIN, "/broadcast", chat_id=-100777))
    assert texts(group) == ["请在与我的私聊中发送 /broadcast。"]
    assert await broadcasts(app) == []


async def test_too_long_texts_and_bad_links_are_refused_and_nothing_stored(app: App) -> None:
    await app.text(ADMIN, "/broadcast")
    long = await app.text(ADMIN, "路" * 4097)
    assert "4097 个字符" in texts(long)[-1] and "4096" in texts(long)[-1]
    assert await broadcasts(app) == []
    unknown = await app.text(ADMIN, "你好 {姓名}")
    assert "{姓名} 不是可用的占位符" in texts(unknown)[-1]
    assert await broadcasts(app) == []
    await app.text(ADMIN, "正常的通知")
    bad = await app.text(ADMIN, "好 | https://ok.example\n坏 | javascript:alert(1)")
    assert "第 2 行的链接" in texts(bad)[-1]
    no_bar = await app.text(ADMIN, "只有文字")
    assert "第 1 行不是按钮" in texts(no_bar)[-1]
    (row,) = await broadcasts(app)
    assert row.links == [] and row.text_zh == "正常的通知"
