"""The screen after a change that has landed: when Telegram refuses or cannot take the edit
that shows it, the driver still learns the outcome, no live ✅ is left behind, and any old
button answers gently with what has happened. Faults are injected on the local Bot API."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from bot.db.checkups.models import SlotRow
from bot.sandbox import TgUser
from handlers.checkups.callbacks import MineCb
from tests.checkups.helpers import OTHER, THIRD, book, bookings, run_notices, slot_at, to_summary
from tests.harness import (
    ADMIN,
    DRIVER,
    NOON_MONDAY,
    TOKEN,
    App,
    Clock,
    alerts,
    answers,
    buttons,
    last_with_buttons,
    local,
    methods,
    press_again,
    shown,
    tap,
    texts,
)


def down_for_edits(app: App, user: TgUser) -> None:
    """Telegram keeps refusing edits in the driver's chat for longer than a reply may wait."""
    app.server.add_fault(
        TOKEN, 429, method="editMessageText", chat_id=user.id, retry_after=60, count=1
    )


def telegram_down(app: App, user: TgUser) -> None:
    """Nothing reaches the driver's chat for a while: edits, new messages, button removal."""
    for method in ("editMessageText", "sendMessage", "editMessageReplyMarkup"):
        app.server.add_fault(TOKEN, 502, method=method, chat_id=user.id, count=100)


def newest_text(app: App, user: TgUser) -> str:
    return app.server.chat_messages(TOKEN, user.id)[-1].get("text", "")


async def test_a_booking_whose_confirmation_edit_fails_is_shown_anew(app: App) -> None:
    await app.onboard(DRIVER)
    form = await to_summary(app, DRIVER)
    message_id, confirm = app.find_button(DRIVER.id, "✅ 确认预约")
    down_for_edits(app, DRIVER)
    sent = await tap(app, DRIVER, "✅ 确认预约")
    [booking] = await bookings(app)
    assert answers(sent) == ["预约成功！"]
    # The confirmation arrives as a new message; the old form keeps no live button.
    assert booking.code in newest_text(app, DRIVER) and "预约成功" in newest_text(app, DRIVER)
    assert buttons(shown(app, DRIVER.id, form)) == []
    # A client that still shows the old ✅: it says the booking is done, and shows it.
    sent = await press_again(app, DRIVER, message_id, confirm)
    assert alerts(sent) == [] and "这个预约已完成" in answers(sent)[0]
    assert booking.code in shown(app, DRIVER.id, form)["text"]
    assert len(await bookings(app)) == 1


async def test_telegram_down_after_the_commit_then_the_old_button_shows_the_booking(
    app: App,
) -> None:
    await app.onboard(DRIVER)
    form = await to_summary(app, DRIVER)
    message_id, confirm = app.find_button(DRIVER.id, "✅ 确认预约")
    telegram_down(app, DRIVER)
    await tap(app, DRIVER, "✅ 确认预约")  # booked; the driver could be shown nothing
    [booking] = await bookings(app)
    assert booking.status == "active"
    app.server.clear_faults(TOKEN)
    # Telegram is back; the driver taps ✅ again (it still shows): the booking, no alarm.
    sent = await press_again(app, DRIVER, message_id, confirm)
    assert alerts(sent) == [] and f"预约码 {booking.code}" in answers(sent)[0]
    assert "预约成功" in shown(app, DRIVER.id, form)["text"]
    assert {b["text"] for b in buttons(shown(app, DRIVER.id, form))} >= {"🧭 高德地图"}
    assert len(await bookings(app)) == 1


async def test_a_move_whose_edit_fails_says_moved_anew(app: App) -> None:
    await app.onboard(DRIVER)
    booking = await book(app, DRIVER)
    await app.text(DRIVER, "/mybookings")
    await tap(app, DRIVER, "🔁 改约")
    await tap(app, DRIVER, "25", exact=True)
    await tap(app, DRIVER, "19:00")
    message_id, confirm = app.find_button(DRIVER.id, "✅ 确认改约")
    down_for_edits(app, DRIVER)
    await tap(app, DRIVER, "✅ 确认改约")
    assert "改约成功" in newest_text(app, DRIVER)
    assert buttons(shown(app, DRIVER.id, message_id)) == []
    sent = await press_again(app, DRIVER, message_id, confirm)
    assert alerts(sent) == [] and booking.code in answers(sent)[0]
    assert "19:00" in shown(app, DRIVER.id, message_id)["text"]
    assert "改约成功" in shown(app, DRIVER.id, message_id)["text"]


async def test_a_cancel_whose_edit_fails_is_shown_and_its_button_answers_gently(
    app: App,
) -> None:
    await app.onboard(DRIVER)
    await book(app, DRIVER)
    await app.text(DRIVER, "/mybookings")
    await tap(app, DRIVER, "❌ 取消")
    message_id, yes = app.find_button(DRIVER.id, "❌ 确定取消")
    down_for_edits(app, DRIVER)
    await tap(app, DRIVER, "❌ 确定取消")
    assert "已取消" in newest_text(app, DRIVER)
    assert buttons(shown(app, DRIVER.id, message_id)) == []
    sent = await press_again(app, DRIVER, message_id, yes)
    assert alerts(sent) == [] and answers(sent) == ["这个预约已经取消了。"]
    assert "没有待参加的体检" in shown(app, DRIVER.id, message_id)["text"]


async def _offered(app: App) -> int:
    """OTHER waits for DRIVER's only seat; DRIVER cancels: OTHER is offered it."""
    for user in (DRIVER, OTHER):
        await app.onboard(user)
    slot = await slot_at(app, local(24, 18))
    async with app.session_factory() as session:
        await session.execute(update(SlotRow).where(SlotRow.id == slot.id).values(capacity=1))
        await session.commit()
    await book(app, DRIVER)
    await app.text(OTHER, "/book")
    await tap(app, OTHER, "免费体检")
    await tap(app, OTHER, "自贡市第三人民医院")
    await tap(app, OTHER, "24", exact=True)
    await tap(app, OTHER, "18:00 · 已满")
    await app.text(DRIVER, "/mybookings")
    await tap(app, DRIVER, "❌ 取消")
    await tap(app, DRIVER, "❌ 确定取消")
    return last_with_buttons(app, OTHER.id)["message_id"]


async def test_an_offer_taken_while_edits_fail(app: App) -> None:
    offer = await _offered(app)
    _, take = app.find_button(OTHER.id, "✅ 预约这个名额")
    down_for_edits(app, OTHER)
    await tap(app, OTHER, "✅ 预约这个名额")
    booking = (await bookings(app))[-1]
    assert booking.status == "active" and booking.code in newest_text(app, OTHER)
    assert buttons(shown(app, OTHER.id, offer)) == []
    sent = await press_again(app, OTHER, offer, take)
    assert alerts(sent) == [] and booking.code in answers(sent)[0]
    assert "预约成功" in shown(app, OTHER.id, offer)["text"]


async def test_an_offer_declined_or_expired_ends_in_a_final_state(app: App, clock: Clock) -> None:
    offer = await _offered(app)
    _, take = app.find_button(OTHER.id, "✅ 预约这个名额")
    _, no = app.find_button(OTHER.id, "✖ 不用了")
    await tap(app, OTHER, "✖ 不用了")
    assert buttons(shown(app, OTHER.id, offer)) == []
    for data in (no, take):  # the old buttons of the declined offer
        sent = await press_again(app, OTHER, offer, data)
        assert alerts(sent) == [] and answers(sent) == ["这个名额已经不能预约了。"]
        assert "/book" in shown(app, OTHER.id, offer)["text"]

    # Another driver's offer runs out unanswered; their tap says so and ends the offer.
    await app.onboard(THIRD)
    await app.text(THIRD, "/book")
    await tap(app, THIRD, "免费体检")
    await tap(app, THIRD, "自贡市第三人民医院")
    await tap(app, THIRD, "24", exact=True)
    await tap(app, THIRD, "18:00")
    await tap(app, THIRD, "✅ 确认预约")
    await app.text(OTHER, "/book")
    await tap(app, OTHER, "免费体检")
    await tap(app, OTHER, "自贡市第三人民医院")
    await tap(app, OTHER, "24", exact=True)
    await tap(app, OTHER, "18:00 · 已满")
    await app.text(THIRD, "/mybookings")
    await tap(app, THIRD, "❌ 取消")
    await tap(app, THIRD, "❌ 确定取消")
    offer = last_with_buttons(app, OTHER.id)["message_id"]
    clock.now = NOON_MONDAY + timedelta(minutes=31)
    await run_notices(app, clock.now)
    sent = await tap(app, OTHER, "✅ 预约这个名额")
    assert alerts(sent) == [] and "过保留时间" in answers(sent)[0]
    assert buttons(shown(app, OTHER.id, offer)) == []
    assert "/book" in shown(app, OTHER.id, offer)["text"]


async def test_outdated_list_buttons_rerender_once_and_never_alarm(app: App) -> None:
    await app.onboard(DRIVER)
    await app.onboard(OTHER)
    booking = await book(app, DRIVER)
    sent = await app.text(DRIVER, "/mybookings")
    old_list = sent[0]["result"]["message_id"]
    _, cancel = app.find_button(DRIVER.id, "❌ 取消")
    await app.text(DRIVER, "/mybookings")  # a second list, where it is cancelled
    await tap(app, DRIVER, "❌ 取消")
    await tap(app, DRIVER, "❌ 确定取消")

    sent = await press_again(app, DRIVER, old_list, cancel)
    assert alerts(sent) == [] and answers(sent) == ["这个预约已经取消了。"]
    assert methods(sent) == ["answerCallbackQuery", "editMessageText"]  # the list as it is
    assert "没有待参加的体检" in shown(app, DRIVER.id, old_list)["text"]

    # Someone else's code on their own list: "not found", and an unchanged list is not
    # edited again (Telegram would refuse an identical edit).
    sent = await app.text(OTHER, "/mybookings")
    own = sent[0]["result"]["message_id"]
    for _ in range(2):
        forged = MineCb(a="cancel", c=booking.code).pack()
        sent = await press_again(app, OTHER, own, forged)
        assert answers(sent) == ["没有找到这个预约。"] and alerts(sent) == []
        assert methods(sent) == ["answerCallbackQuery"]


async def test_old_form_buttons_answer_with_a_toast(app: App) -> None:
    await app.onboard(DRIVER)
    await app.text(DRIVER, "/book")
    message_id, data = app.find_button(DRIVER.id, "免费体检")
    await app.text(DRIVER, "/cancel")
    sent = await press_again(app, DRIVER, message_id, data)
    assert alerts(sent) == [] and "已关闭" in answers(sent)[0] and "体检预约" in answers(sent)[0]
    # A finished booking's form: its text says so, and none of its buttons is a step.
    await book(app, DRIVER)
    form = app.server.chat_messages(TOKEN, DRIVER.id)[-1]
    assert "预约成功" in form["text"]
    assert all("url" in b for b in buttons(form))


async def test_closing_a_day_twice_says_it_was_closed(app: App) -> None:
    await app.onboard(DRIVER)
    await app.onboard(ADMIN)
    await book(app, DRIVER)
    app.server.add_fault(TOKEN, 429, method="sendMessage", chat_id=ADMIN.id, retry_after=60)
    sent = await app.text(ADMIN, "/close_day zg-third-hospital 2026-11-24 停电")
    assert not [r for r in sent if r["chat_id"] == ADMIN.id and r["ok"]]  # the admin saw nothing
    sent = await app.text(ADMIN, "/close_day zg-third-hospital 2026-11-24 停电")
    [reply] = texts([r for r in sent if r["chat_id"] == ADMIN.id])
    assert "已经停诊" in reply and "取消的预约：1 个" in reply
    assert [b.status for b in await bookings(app)] == ["closed"]


async def test_a_form_whose_message_is_gone_goes_on_in_the_new_one(app: App) -> None:
    await app.onboard(DRIVER)
    await app.text(DRIVER, "/book")
    app.server.add_fault(
        TOKEN, 400, method="editMessageText", chat_id=DRIVER.id,
        description="Bad Request: message to edit not found",
    )  # fmt: skip
    sent = await tap(app, DRIVER, "免费体检")
    assert "sendMessage" in methods(sent)  # the step, sent anew (the old copy loses its buttons)
    sent = await tap(app, DRIVER, "自贡市第三人民医院")  # on the new message: the flow goes on
    assert alerts(sent) == [] and "请选日期" in texts(sent)[0]
