"""Who may press what: non-handlers are refused on every card button, another driver's case
is never shown, an anonymous driver's name and phone reach nobody."""

from __future__ import annotations

import pytest

from bot.sandbox import specs
from handlers.complaints.callbacks import CardCb, MineCb
from tests.complaints.conftest import GROUP
from tests.complaints.test_app_chain import HANDLER, OTHER, case_row, file_with_photo, make_handler
from tests.harness.app import DRIVER, TOKEN, App
from tests.harness.chat import alerts, last_with_buttons, tap

SHARE_PHONE = "📱 提供我的手机号"


@pytest.mark.parametrize(
    "action",
    ["take", "assign", "office", "who", "start", "note", "ask", "resolve", "nofault", "ext",
     "review", "show", "back"],
)  # fmt: skip
async def test_a_non_handler_is_refused_on_every_card_button(app: App, action: str) -> None:
    await make_handler(app)
    case = await file_with_photo(app)
    await app.onboard(OTHER)
    card = last_with_buttons(app, GROUP)
    data = CardCb(a=action, c=case.id, v=case.card_version, o="transport").pack()  # type: ignore[arg-type]
    sent = await app.feed(specs.callback(OTHER, card["message_id"], data, chat_id=GROUP,
                                         check_button=False))  # fmt: skip
    assert alerts(sent) == ["只有承办人和管理员可以办理诉求。"]
    after = await case_row(app)
    assert after.status is case.status and after.card_version == case.card_version
    assert not app.server.chat_messages(TOKEN, OTHER.id)[-1]["text"].startswith("📝 <b>")


async def test_another_drivers_case_is_not_found(app: App) -> None:
    case = await file_with_photo(app)
    await app.onboard(OTHER)
    await app.text(OTHER, "/mycases")
    listing = app.server.chat_messages(TOKEN, OTHER.id)[-1]
    for action in ("open", "add", "answer", "withdraw", "sure", "rate", "solved"):
        data = MineCb(a=action, c=case.id, r=51).pack()  # type: ignore[arg-type]
        sent = await app.feed(specs.callback(OTHER, listing["message_id"], data,
                                             check_button=False))  # fmt: skip
        assert alerts(sent) == ["没有找到这条诉求。"], action
        assert all(case.number not in (r.get("plain_text") or "") for r in sent)
    assert (await case_row(app)).status is case.status


async def test_details_show_the_driver_only_when_not_anonymous(app: App) -> None:
    await make_handler(app)
    case = await file_with_photo(app)
    await tap(app, HANDLER, "📄", chat_id=GROUP)
    details = [m["text"] for m in app.server.chat_messages(TOKEN, HANDLER.id) if m.get("text")]
    assert any(case.number in t and DRIVER.first_name in t for t in details)

    await app.text(DRIVER, "/complain")
    await tap(app, DRIVER, "💴")
    await app.text(DRIVER, "运费被克扣")
    await tap(app, DRIVER, "👤")  # anonymous: off → on
    await tap(app, DRIVER, "✅")
    anonymous = last_with_buttons(app, GROUP)
    before = len(app.server.chat_messages(TOKEN, HANDLER.id))
    await app.feed(specs.callback(HANDLER, anonymous["message_id"],
                                  next(b["callback_data"] for row in
                                       anonymous["reply_markup"]["inline_keyboard"]
                                       for b in row if "📄" in b["text"]),
                                  chat_id=GROUP))  # fmt: skip
    latest = [m.get("text") or "" for m in app.server.chat_messages(TOKEN, HANDLER.id)][before:]
    assert latest and any("匿名" in t for t in latest)
    assert all(DRIVER.first_name not in t for t in latest)


async def test_the_contact_button_fills_the_phone(app: App) -> None:
    await app.onboard(DRIVER)
    await app.text(DRIVER, "/complain")
    await tap(app, DRIVER, "💴")
    await app.text(DRIVER, "运费纠纷")
    await tap(app, DRIVER, "联系电话")
    assert app.reply_keyboard(DRIVER.id) == [SHARE_PHONE]
    await app.feed(specs.contact(DRIVER, "+8613900001111"))
    assert "📍 附近驿站" in app.reply_keyboard(DRIVER.id)  # the menu is back
    await tap(app, DRIVER, "✅")
    assert (await case_row(app)).contact_phone == "+8613900001111"
