"""The form's edges: a photo notice, English screens without Chinese, buttons of a form
that is over, a forged control button, and /broadcasts on a phone screen."""

from __future__ import annotations

import re

from sqlalchemy import delete

from bot.db.broadcasts.models import BroadcastRow
from bot.db.users.models import Role, User
from bot.sandbox import TgUser, specs
from bot.services.broadcasts.service import BroadcastService
from tests.broadcasts.helpers import add_driver, admin_id, broadcasts, outbox
from tests.harness import (
    ADMIN,
    DRIVER,
    App,
    Clock,
    alerts,
    answers,
    button_rows,
    press_again,
    tap,
    texts,
)  # fmt: skip
from tests.harness.phone import SCREEN_LINES, too_wide, wrapped_lines
from tests.harness.process import png

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


async def test_a_photo_notice_keeps_its_photo_and_the_caption_limit(app: App) -> None:
    await add_driver(app, 2001)
    await app.text(ADMIN, "/broadcast")
    long = await app.feed(specs.photo(ADMIN, png(20, 20), caption="雨" * 1025))
    assert "图片说明最多 1024 个" in texts(long)[-1]
    assert await broadcasts(app) == []
    await app.feed(specs.photo(ADMIN, png(20, 20), caption="{name}，服务区今天有热水。"))
    await tap(app, ADMIN, "不加按钮")
    await tap(app, ADMIN, "同一文本")
    preview = await tap(app, ADMIN, "预览")
    (photo,) = [r for r in preview if r["method"] == "sendPhoto"]
    assert photo["plain_text"] == "管理员，服务区今天有热水。"
    await tap(app, ADMIN, "立即发送")
    await tap(app, ADMIN, "立即发送")
    (row,) = await broadcasts(app)
    (queued,) = await outbox(app, row.id)
    assert row.photo and queued.photo == row.photo
    assert queued.text == "张师傅，服务区今天有热水。"


async def test_english_screens_have_no_chinese_of_the_bots_own(app: App) -> None:
    admin = TgUser(900002, "Ada", language_code="en")
    await add_driver(app, 2001)
    async with app.session_factory() as session:
        session.add(User(telegram_id=admin.id, language="en", role=Role.ADMIN))
        await session.commit()
    records = await app.text(admin, "/broadcast")
    records += await app.text(admin, "Hello {name}")
    records += await app.text(admin, "Map | https://map.example.com")
    records += await tap(app, admin, "Add an English version")
    records += await app.text(admin, "Hello in English, {name}")
    for label in ("By occupation", "Truck", "By role", "Driver", "By language", "Chinese"):
        records += await tap(app, admin, label)
    records += await tap(app, admin, "Preview")
    records += await tap(app, admin, "Tomorrow 09:00")
    records += await tap(app, admin, "Back")
    records += await tap(app, admin, "In 1 hour")
    records += await tap(app, admin, "Schedule it")
    words = [r.get("plain_text") or "" for r in records if r["method"] != "sendMessage"
             or "Hello" not in (r.get("plain_text") or "")]  # fmt: skip
    words += [b["text"] for r in records for row in (r.get("reply_markup") or {}).get(
        "inline_keyboard", []) for b in row if b["text"] != "🔕 不再接收此类通知"]  # fmt: skip
    words += answers(records)
    assert not [w for w in words if CJK.search(w)]
    for record in records:  # every row of buttons fits a phone
        assert not too_wide(button_rows(record)), button_rows(record)
    (row,) = await broadcasts(app)
    assert row.audience == {"kind": "language", "value": "zh"} and row.text_en


async def test_buttons_of_a_form_that_is_over_answer_with_a_toast(app: App) -> None:
    await app.text(ADMIN, "/broadcast")
    await app.text(ADMIN, "通知")
    message_id, data = app.find_button(ADMIN.id, "不加按钮")
    closed = await tap(app, ADMIN, "✖ 取消")
    assert "通知没有发送" in texts(closed)[-1]
    again = await press_again(app, ADMIN, message_id, data)
    assert answers(again) == ["这个通知表单已关闭。发送 /broadcast 写一条新的。"]
    (row,) = await broadcasts(app)
    assert row.status == "draft" and row.links == []


async def test_a_driver_cannot_press_a_status_button(app: App, clock: Clock) -> None:
    await app.onboard(DRIVER)
    author = await admin_id(app)
    async with app.session_factory() as session:
        service = BroadcastService(session, app.settings.tz)
        b = await service.new_draft(author, "通知", None)
        await service.confirm(b.id, author, None, clock.now, ADMIN.id, 1)
        await session.commit()
    sent = await app.text(DRIVER, "/start")
    forged = await press_again(app, DRIVER, sent[-1]["message_id"], f"bcc:cancel:{b.id}")
    assert alerts(forged) == ["只有管理员可以操作。"]
    assert (await broadcasts(app))[0].status == "scheduled"


async def test_the_list_fits_a_phone(app: App, clock: Clock) -> None:
    await add_driver(app, 2001)
    author = await admin_id(app)
    async with app.session_factory() as session:
        service = BroadcastService(session, app.settings.tz)
        for _ in range(12):
            b = await service.new_draft(author, "通知", None)
            await service.confirm(b.id, author, None, clock.now, ADMIN.id, 1)
        await session.commit()
    english = TgUser(900002, "Ada", language_code="en")
    async with app.session_factory() as session:
        session.add(User(telegram_id=english.id, language="en", role=Role.ADMIN))
        await session.commit()
    for user, word in ((ADMIN, "已定时"), (english, "Scheduled")):
        listed = await app.text(user, "/broadcasts")
        screen = listed[-1]
        assert screen["plain_text"].count(word) == 10  # the last ten
        assert wrapped_lines(screen["plain_text"]) <= SCREEN_LINES
        rows = [[b["text"] for b in row] for row in screen["reply_markup"]["inline_keyboard"]]
        assert not too_wide(rows) and sum(len(r) for r in rows) == 11


async def test_a_form_whose_draft_is_gone_is_closed(app: App, clock: Clock) -> None:
    await app.text(ADMIN, "/broadcast")
    await app.text(ADMIN, "通知")
    async with app.session_factory() as session:  # dropped as given up, say
        await session.execute(delete(BroadcastRow))
        await session.commit()
    tapped = await tap(app, ADMIN, "不加按钮")
    assert answers(tapped) == ["这个通知表单已关闭。发送 /broadcast 写一条新的。"]
    typed = await app.text(ADMIN, "地图 | https://map.example.cn")
    assert texts(typed) == ["这个通知表单已关闭。发送 /broadcast 写一条新的。"]
    again = await app.text(ADMIN, "随便说点什么")
    assert await broadcasts(app) == [] and "通知" not in "".join(texts(again))
