"""体检预约 through the dispatcher and the local Bot API server: the flow, /mybookings, the
waitlist, reminders and the admin commands, with an injected clock."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

from sqlalchemy import select, update

from bot.db.checkups.models import ReminderRow, SlotRow, WaitlistRow
from bot.db.users.models import User
from bot.sandbox import specs
from handlers.checkups.callbacks import BookCb, MineCb
from tests.checkups.helpers import (
    OTHER,
    THIRD,
    bookings,
    run_notices,
    run_reminders,
    slot_at,
    to_summary,
)
from tests.harness import (
    ADMIN,
    DRIVER,
    EN_DRIVER,
    NOON_MONDAY,
    App,
    Clock,
    answers,
    buttons,
    last_with_buttons,
    local,
    tap,
    texts,
)


async def test_booking_flow_edits_one_message_and_books(app: App) -> None:
    await app.onboard(DRIVER)
    sent = await app.text(DRIVER, "🩺 体检预约")
    assert "免费健康体检" in texts(sent)[0]
    form = sent[0]["result"]["message_id"]
    assert [b["text"] for b in buttons(sent[0])][:2] == [
        "免费体检（60 分钟）",
        "职业病筛查（45 分钟）",
    ]

    sent = await tap(app, DRIVER, "免费体检")
    assert [r["method"] for r in sent] == ["answerCallbackQuery", "editMessageText"]
    assert sent[1]["message_id"] == form and "您想去哪家" in texts(sent)[0]
    # Both providers that offer it; the eye hospital does not.
    names = [b["text"] for b in buttons(sent[1])]
    assert any("第三人民医院" in n for n in names) and any("司机之家" in n for n in names)
    assert not any("爱尔眼科" in n for n in names)

    sent = await tap(app, DRIVER, "自贡市第三人民医院")
    assert sent[1]["message_id"] == form
    assert "2026年11月" in texts(sent)[0]
    days = [b["text"] for b in buttons(sent[1])]
    assert "23" in days and "24" in days  # weekday evenings; today's are still ahead at noon
    assert "22" not in days  # yesterday

    sent = await tap(app, DRIVER, "24", exact=True)
    assert "11月24日周二" in texts(sent)[0]
    slots = [b["text"] for b in buttons(sent[1])]
    assert slots[:2] == ["18:00 · 余 6", "18:30 · 余 6"] and slots[-1] == "⬅️ 返回"

    sent = await tap(app, DRIVER, "18:00")
    summary = texts(sent)[0]
    assert "请核对后确认" in summary and "18:00 起，约 60 分钟" in summary and "注意事项" in summary

    sent = await tap(app, DRIVER, "✅ 确认预约")
    assert sent[-1]["method"] == "editMessageText" and sent[-1]["message_id"] == form
    [row] = await bookings(app)
    assert row.status == "active" and f"预约码是 {row.code}" in texts(sent)[-1]
    assert {b["text"] for b in buttons(sent[-1])} == {"🧭 高德地图", "🧭 百度地图", "🧭 腾讯地图"}
    async with app.session_factory() as session:
        due = sorted(
            await session.scalars(
                select(ReminderRow.due_at).where(ReminderRow.booking_id == row.id)
            )
        )
    assert due == [local(23, 18), local(24, 16)]  # the evening before, and 2 hours before

    sent = await app.text(DRIVER, "/mybookings")
    assert row.code in texts(sent)[0] and "11月24日周二 18:00" in texts(sent)[0]


async def test_back_buttons_and_cancel_leave_the_flow(app: App) -> None:
    await app.onboard(DRIVER)
    await to_summary(app, DRIVER)
    sent = await tap(app, DRIVER, "⬅️ 返回")
    assert "请选时段" in texts(sent)[0]
    sent = await tap(app, DRIVER, "⬅️ 返回")
    assert "请选日期" in texts(sent)[0]
    sent = await tap(app, DRIVER, "⬅️ 返回")
    assert "您想去哪家" in texts(sent)[0]
    sent = await tap(app, DRIVER, "⬅️ 返回")
    assert "免费健康体检" in texts(sent)[0]
    await tap(app, DRIVER, "免费体检")
    form = last_with_buttons(app, DRIVER.id)
    _, data = app.find_button(DRIVER.id, "自贡市第三人民医院")
    sent = await app.text(DRIVER, "/cancel")
    assert texts(sent) == ["已取消，已返回菜单。"]
    # The closed form keeps its text but loses its buttons.
    assert [r["method"] for r in sent] == ["sendMessage", "editMessageReplyMarkup"]
    shown = {m["message_id"]: m for m in app.server.chat_messages("123456:TEST", DRIVER.id)}
    assert buttons(shown[form["message_id"]]) == []
    # A client that still shows the old keyboard: one gentle alert, nothing else.
    sent = await app.feed(specs.callback(DRIVER, form["message_id"], data, check_button=False))
    assert "已关闭" in answers(sent)[0]
    assert [r["method"] for r in sent] == ["answerCallbackQuery"]
    assert await bookings(app) == []


async def test_double_tap_and_redelivered_confirm_book_once(app: App) -> None:
    await app.onboard(DRIVER)
    form = await to_summary(app, DRIVER)
    _, data = app.find_button(DRIVER.id, "✅ 确认预约")
    update = app.server.inject_update("123456:TEST", specs.callback(DRIVER, form, data))
    await app.feed_raw(update)
    await app.feed_raw(update)  # Telegram redelivers the same update
    # And the driver taps again on a client that still shows the old keyboard.
    sent = await app.feed(specs.callback(DRIVER, form, data, check_button=False))
    assert "这个预约已完成" in answers(sent)[0]
    rows = await bookings(app)
    assert len(rows) == 1
    slot = await slot_at(app, local(24, 18))
    assert slot.booked == 1


async def test_second_booking_for_a_service_offers_to_move(app: App) -> None:
    await app.onboard(DRIVER)
    await to_summary(app, DRIVER)
    await tap(app, DRIVER, "✅ 确认预约")
    await app.text(DRIVER, "/book")
    sent = await tap(app, DRIVER, "免费体检")
    assert "这项体检您已经约过了" in texts(sent)[0]
    assert any("🔁 改约" in b["text"] for b in buttons(sent[-1]))


async def test_forged_callbacks_are_refused(app: App) -> None:
    await app.onboard(DRIVER)
    await app.onboard(OTHER)
    await to_summary(app, DRIVER)
    await tap(app, DRIVER, "✅ 确认预约")
    [mine] = await bookings(app)

    # Another driver sends callbacks naming the first driver's code, on a message of their own.
    sent = await app.text(OTHER, "/mybookings")
    own_message = sent[0]["result"]["message_id"]
    for action in ("yes", "cancel", "move"):
        data = MineCb(a=action, c=mine.code).pack()
        sent = await app.feed(specs.callback(OTHER, own_message, data, check_button=False))
        assert answers(sent) == ["没有找到这个预约。"]
    # Forged booking-flow values: an unknown provider, a day that is not a date, steps that
    # skip the choices before them (a slot of another service, a waitlist at the first
    # step), garbage that is no callback data of ours at all. Each gets a plain refusal.
    sent = await app.text(OTHER, "/book")
    form = sent[0]["result"]["message_id"]
    await tap(app, OTHER, "免费体检")
    eye_slot = str(await _any_slot(app, "eye"))
    gone = "这个选项已经不能选了。"
    for forged, answer in (
        (BookCb(a="prov", v="nowhere").pack(), gone),
        (BookCb(a="day", v="2026-13-45").pack(), gone),
        (BookCb(a="slot", v=eye_slot).pack(), gone),
        (BookCb(a="wait", v=eye_slot).pack(), gone),
        ("bk:zz:1", "此按钮已失效。"),
    ):
        sent = await app.feed(specs.callback(OTHER, form, forged, check_button=False))
        assert answers(sent) == [answer], forged
        assert "sendMessage" not in [r["method"] for r in sent]  # no error message either
    [still] = await bookings(app)
    assert still.status == "active" and still.user_id == mine.user_id


async def _any_slot(app: App, service: str) -> int:
    async with app.session_factory() as session:
        slot_id = await session.scalar(
            select(SlotRow.id).where(SlotRow.service_id == service).limit(1)
        )
    assert slot_id is not None
    return slot_id


async def test_cancel_frees_the_seat_and_promotes_the_waitlist(app: App, clock: Clock) -> None:
    for user in (DRIVER, OTHER, THIRD):
        await app.onboard(user)
    slot = await slot_at(app, local(24, 18))
    async with app.session_factory() as session:
        await session.execute(update(SlotRow).where(SlotRow.id == slot.id).values(capacity=1))
        await session.commit()
    await to_summary(app, DRIVER)
    await tap(app, DRIVER, "✅ 确认预约")
    [booking] = await bookings(app)

    # The slot is full now: the others see it as such and join its waitlist.
    for user in (OTHER, THIRD):
        await app.text(user, "🩺 体检预约")
        await tap(app, user, "免费体检")
        await tap(app, user, "自贡市第三人民医院")
        await tap(app, user, "24", exact=True)
        sent = await tap(app, user, "18:00 · 已满")
        assert "已排队候补" in answers(sent)[0]
    sent = await tap(app, THIRD, "18:00 · 已满")
    assert "已经在" in answers(sent)[0]  # once is enough

    # The first driver cancels: the seat is held for the first one waiting, who is told.
    await app.text(DRIVER, "/mybookings")
    await tap(app, DRIVER, "❌ 取消")
    sent = await tap(app, DRIVER, "❌ 确定取消")
    assert "已取消" in texts([r for r in sent if r["chat_id"] == DRIVER.id])[-1]
    offer = [r for r in sent if r["chat_id"] == OTHER.id]
    assert len(offer) == 1 and "为您保留着" in texts(offer)[0] and "12:30" in texts(offer)[0]
    assert (await slot_at(app, local(24, 18))).booked == 1  # held, not back on sale

    # The offered driver declines: the next one gets the offer.
    sent = await tap(app, OTHER, "✖ 不用了")
    assert len([r for r in sent if r["chat_id"] == THIRD.id]) == 1
    # The next one takes it.
    offer_message, take = app.find_button(THIRD.id, "✅ 预约这个名额")
    sent = await tap(app, THIRD, "✅ 预约这个名额")
    assert "预约成功" in texts(sent)[-1]
    rows = await bookings(app)
    assert [r.status for r in rows] == ["cancelled", "active"]
    assert rows[1].user_id != booking.user_id
    assert (await slot_at(app, local(24, 18))).booked == 1

    # An old offer button (a client that still shows it) does nothing more.
    sent = await app.feed(specs.callback(THIRD, offer_message, take, check_button=False))
    assert answers(sent) == [f"这个名额您已经约上了：预约码 {rows[1].code}。详见 /mybookings"]
    assert len(await bookings(app)) == 2


async def test_an_offer_not_taken_in_time_passes_on(app: App, clock: Clock) -> None:
    for user in (DRIVER, OTHER):
        await app.onboard(user)
    slot = await slot_at(app, local(24, 18))
    async with app.session_factory() as session:
        # One seat on the whole day, at 18:00.
        day = (SlotRow.starts_at >= local(24, 0)) & (SlotRow.starts_at < local(25, 0))
        await session.execute(update(SlotRow).where(day).values(capacity=0))
        await session.execute(update(SlotRow).where(SlotRow.id == slot.id).values(capacity=1))
        await session.commit()
    await to_summary(app, DRIVER)
    await tap(app, DRIVER, "✅ 确认预约")
    await app.text(OTHER, "/book")
    await tap(app, OTHER, "免费体检")
    await tap(app, OTHER, "自贡市第三人民医院")
    await tap(app, OTHER, "24✖", exact=True)  # a full day is marked, and still opens
    await tap(app, OTHER, "18:00 · 已满")
    await app.text(DRIVER, "/mybookings")
    await tap(app, DRIVER, "❌ 取消")
    await tap(app, DRIVER, "❌ 确定取消")

    assert await run_notices(app, NOON_MONDAY + timedelta(minutes=29)) == 0
    await run_notices(app, NOON_MONDAY + timedelta(minutes=31))
    async with app.session_factory() as session:
        status = await session.scalar(select(WaitlistRow.status))
    assert status == "expired"
    assert (await slot_at(app, local(24, 18))).booked == 0  # nobody else waits: back on sale
    clock.now = NOON_MONDAY + timedelta(minutes=31)
    sent = await tap(app, OTHER, "✅ 预约这个名额")
    assert "过保留时间" in answers(sent)[0]


async def test_move_keeps_the_old_seat_until_confirmed(app: App) -> None:
    await app.onboard(DRIVER)
    await to_summary(app, DRIVER)
    await tap(app, DRIVER, "✅ 确认预约")
    [old] = await bookings(app)

    sent = await app.text(DRIVER, "/mybookings")
    listing = sent[0]["result"]["message_id"]
    sent = await tap(app, DRIVER, "🔁 改约")
    assert sent[-1]["message_id"] == listing and f"正在为预约 {old.code} 改约" in texts(sent)[0]
    await tap(app, DRIVER, "25", exact=True)
    sent = await tap(app, DRIVER, "19:00")
    assert "预约码不变" in texts(sent)[0] and "原来的时段仍为您保留" in texts(sent)[0]
    assert (await slot_at(app, local(24, 18))).booked == 1
    sent = await tap(app, DRIVER, "✅ 确认改约")
    assert "改约成功" in texts(sent)[-1]
    [row] = await bookings(app)  # the same booking, at the new time, with the same code
    assert (row.id, row.code, row.status) == (old.id, old.code, "active")
    assert (await slot_at(app, local(24, 18))).booked == 0
    assert (await slot_at(app, local(25, 19))).booked == 1


async def test_late_cancel_says_whom_to_call(app: App, clock: Clock) -> None:
    await app.onboard(DRIVER)
    await to_summary(app, DRIVER, day="23")
    await tap(app, DRIVER, "✅ 确认预约")
    clock.now = local(23, 15, 59)
    await app.text(DRIVER, "/mybookings")
    await tap(app, DRIVER, "❌ 取消")  # asked at 15:59: the question is shown
    clock.now = local(23, 16, 30)
    sent = await tap(app, DRIVER, "❌ 确定取消")  # answered at 16:30: too late
    assert "0813-1234567" in answers(sent)[0] and "不到 2 小时" in answers(sent)[0]
    await app.text(DRIVER, "/mybookings")
    for button in ("🔁 改约", "❌ 取消"):
        sent = await tap(app, DRIVER, button)
        assert "不到 2 小时" in answers(sent)[0] and len(sent) == 1
    [row] = await bookings(app)
    assert row.status == "active"


async def test_nearest_provider_first_after_sharing_a_location(app: App) -> None:
    await app.onboard(EN_DRIVER)
    await app.text(EN_DRIVER, "/book")
    await tap(app, EN_DRIVER, "Free general checkup")
    sent = await tap(app, EN_DRIVER, "📍 Nearest to me")
    keyboard = app.reply_keyboard(EN_DRIVER.id)
    assert keyboard[0] == "📍 Share my location"
    # Right beside the driver home, a few km from the hospital.
    sent = await app.feed(specs.location(EN_DRIVER, 29.3320, 104.7890))
    [listing] = [r for r in sent if r["method"] == "sendMessage" and buttons(r)]
    first = buttons(listing)[0]["text"]
    assert "司机之家" in first and ("km" in first or " m" in first)
    assert "Nearest to you first" in texts([listing])[0]
    assert app.reply_keyboard(EN_DRIVER.id)[0] == "📍 Nearby stations"  # the menu is back
    sent = await tap(app, EN_DRIVER, "司机之家")
    assert "November 2026" in texts(sent)[0]


async def test_reminders_go_out_once_at_local_time(app: App, clock: Clock) -> None:
    await app.onboard(DRIVER)
    await to_summary(app, DRIVER)
    await tap(app, DRIVER, "✅ 确认预约")

    def reminders_in(records: list[dict[str, Any]]) -> list[str]:
        return [t for t in texts(records) if t.startswith("⏰")]

    before = app.last_seq()
    assert await run_reminders(app, local(23, 17, 59)) == 0
    assert await run_reminders(app, local(23, 18, 0)) == 1
    assert await run_reminders(app, local(23, 18, 1)) == 0
    evening = app.server.sent("123456:TEST", after=before)
    [text] = reminders_in(evening)
    assert "明天有体检" in text and "注意事项" in text and "自贡市区" in text
    assert {b["text"] for b in buttons(evening[-1])} >= {"🧭 高德地图"}
    assert await run_reminders(app, local(24, 16, 0)) == 1
    [soon] = reminders_in(app.server.sent("123456:TEST", after=before))[1:]
    assert "18:00 开始" in soon


async def test_no_reminder_after_cancel_or_move(app: App, clock: Clock) -> None:
    await app.onboard(DRIVER)
    await to_summary(app, DRIVER)
    await tap(app, DRIVER, "✅ 确认预约")
    await app.text(DRIVER, "/mybookings")
    await tap(app, DRIVER, "🔁 改约")
    await tap(app, DRIVER, "26", exact=True)
    await tap(app, DRIVER, "20:00")
    await tap(app, DRIVER, "✅ 确认改约")
    # The old booking's reminders (23rd 18:00, 24th 16:00) never go out.
    assert await run_reminders(app, local(24, 17)) == 0
    assert await run_reminders(app, local(25, 18)) == 1  # the new one's
    await app.text(DRIVER, "/mybookings")
    await tap(app, DRIVER, "❌ 取消")
    clock.now = local(25, 19)
    await tap(app, DRIVER, "❌ 确定取消")
    assert await run_reminders(app, local(26, 18, 30)) == 0
    async with app.session_factory() as session:
        statuses = sorted(await session.scalars(select(ReminderRow.status)))
    # One row per kind: the move took them along (the old times never came).
    assert statuses == ["cancelled", "sent"]


async def test_evening_reminder_waits_for_quiet_hours(app: App) -> None:
    for user in (DRIVER, OTHER, THIRD):
        await app.onboard(user)
    async with app.session_factory() as session:
        await session.execute(
            update(User)
            .where(User.telegram_id == DRIVER.id)
            .values(quiet_start=time(17, 0), quiet_end=time(20, 0))
        )
        # Asleep until the morning: the evening reminder is skipped, the 2-hour one still comes.
        await session.execute(
            update(User)
            .where(User.telegram_id == OTHER.id)
            .values(quiet_start=time(17, 0), quiet_end=time(16, 0))
        )
        # Quiet until 08:00: the evening reminder goes out that morning, saying "today".
        await session.execute(
            update(User)
            .where(User.telegram_id == THIRD.id)
            .values(quiet_start=time(17, 0), quiet_end=time(8, 0))
        )
        await session.commit()
    for user in (DRIVER, OTHER, THIRD):
        await to_summary(app, user)
        await tap(app, user, "✅ 确认预约")
    assert await run_reminders(app, local(23, 18)) == 0
    assert await run_reminders(app, local(23, 19, 59)) == 0
    before = app.last_seq()
    assert await run_reminders(app, local(23, 20)) == 1
    [evening] = app.server.sent("123456:TEST", after=before)
    assert evening["chat_id"] == DRIVER.id and "明天有体检" in evening["plain_text"]
    before = app.last_seq()
    assert await run_reminders(app, local(24, 8)) == 1
    [morning] = app.server.sent("123456:TEST", after=before)
    assert morning["chat_id"] == THIRD.id and "18:00 开始" in morning["plain_text"]
    assert await run_reminders(app, local(24, 16)) == 3


async def test_admin_day_list_checkin_and_closing_a_day(app: App, clock: Clock) -> None:
    await app.onboard(DRIVER)
    await app.onboard(ADMIN)
    await to_summary(app, DRIVER)
    await tap(app, DRIVER, "✅ 确认预约")
    [row] = await bookings(app)

    sent = await app.text(DRIVER, f"/checkin {row.code}")
    assert texts(sent) == ["抱歉，此命令仅限管理员使用。"]
    sent = await app.text(ADMIN, "/bookings_today 2026-11-24")
    listing = texts(sent)[0]
    assert "自贡市第三人民医院" in listing and row.code in listing and "张师傅" in listing
    sent = await app.text(ADMIN, f"/checkin {row.code}")
    assert "当天才能签到" in texts(sent)[0]
    clock.now = local(24, 18, 5)
    sent = await app.text(ADMIN, f"/checkin {row.code.lower()}")
    assert texts(sent)[0].startswith(f"✅ {row.code} 已签到")
    sent = await app.text(ADMIN, "/bookings_today")
    assert "✅ 已到" in texts(sent)[0]
    async with app.session_factory() as session:
        pending = await session.scalar(
            select(ReminderRow.id).where(ReminderRow.status == "pending")
        )
    assert pending is None

    # Closing a day cancels its bookings and tells each driver, in their language.
    clock.now = NOON_MONDAY
    await app.onboard(EN_DRIVER)
    await app.text(EN_DRIVER, "/book")
    await tap(app, EN_DRIVER, "Occupational")
    await tap(app, EN_DRIVER, "自贡市第三人民医院")
    await tap(app, EN_DRIVER, "26", exact=True)
    await tap(app, EN_DRIVER, "18:00")
    await tap(app, EN_DRIVER, "Confirm booking")
    sent = await app.text(ADMIN, "/close_day zg-third-hospital 2026-11-26 设备检修")
    assert "已取消预约：1 个" in texts([r for r in sent if r["chat_id"] == ADMIN.id])[0]
    [notice] = texts([r for r in sent if r["chat_id"] == EN_DRIVER.id])
    assert "is closed on Thu, Nov 26" in notice and "设备检修" in notice
    assert (await bookings(app))[-1].status == "closed"
    await app.text(EN_DRIVER, "/book")
    await tap(app, EN_DRIVER, "Occupational")
    sent = await tap(app, EN_DRIVER, "自贡市第三人民医院")
    assert "26" not in [b["text"] for b in buttons(sent[-1])]
    sent = await app.text(ADMIN, "/close_day nowhere 2026-11-26")
    assert "没有 ID 为 nowhere 的体检机构" in texts(sent)[0]


async def test_offers_and_notices_that_failed_to_send_go_out_later(app: App) -> None:
    """Telegram fails when a seat is offered and when a day is closed (more often than the
    sender tries at once): nothing is lost, a later round of the sender sends each once."""
    for user in (DRIVER, OTHER, ADMIN):
        await app.onboard(user)
    slot = await slot_at(app, local(24, 18))
    async with app.session_factory() as session:
        await session.execute(update(SlotRow).where(SlotRow.id == slot.id).values(capacity=1))
        await session.commit()
    await to_summary(app, DRIVER)
    await tap(app, DRIVER, "✅ 确认预约")
    await app.text(OTHER, "/book")
    await tap(app, OTHER, "免费体检")
    await tap(app, OTHER, "自贡市第三人民医院")
    await tap(app, OTHER, "24", exact=True)
    await tap(app, OTHER, "18:00 · 已满")

    def offers() -> list[str]:
        mine = app.server.sent("123456:TEST", chat_id=OTHER.id, method="sendMessage")
        return [t for t in texts([r for r in mine if r["ok"]]) if "为您保留着" in t]

    app.server.add_fault("123456:TEST", 502, method="sendMessage", chat_id=OTHER.id, count=3)
    await app.text(DRIVER, "/mybookings")
    await tap(app, DRIVER, "❌ 取消")
    sent = await tap(app, DRIVER, "❌ 确定取消")
    assert "已取消" in texts(sent)[-1]  # the driver who cancelled is told all the same
    assert not [r for r in sent if r["chat_id"] == OTHER.id and r["ok"]]
    assert offers() == []
    assert await run_notices(app, NOON_MONDAY + timedelta(minutes=1)) == 0  # queued already
    assert await run_notices(app, NOON_MONDAY + timedelta(minutes=2)) == 0
    assert len(offers()) == 1
    await tap(app, OTHER, "✅ 预约这个名额")

    app.server.add_fault("123456:TEST", 502, method="sendMessage", chat_id=OTHER.id, count=3)
    sent = await app.text(ADMIN, "/close_day zg-third-hospital 2026-11-24")
    assert "已取消预约：1 个" in texts(sent)[0]
    assert await run_notices(app, NOON_MONDAY + timedelta(minutes=3)) == 0
    assert await run_notices(app, NOON_MONDAY + timedelta(minutes=4)) == 0
    [notice] = [t for t in texts(app.server.sent("123456:TEST", chat_id=OTHER.id)) if "停诊" in t]
    assert "11月24日周二" in notice


async def test_an_old_picture_of_the_summary_confirms_nothing(app: App) -> None:
    """The ✅ of a summary the driver has since changed (a stale client, a quick double
    tap) books nothing: the form shows what it holds now, to be confirmed again."""
    await app.onboard(DRIVER)
    form = await to_summary(app, DRIVER, time_="18:00")
    _, old_confirm = app.find_button(DRIVER.id, "✅ 确认预约")
    await tap(app, DRIVER, "⬅️ 返回")
    await tap(app, DRIVER, "18:30")
    sent = await app.feed(specs.callback(DRIVER, form, old_confirm, check_button=False))
    assert await bookings(app) == []
    assert answers(sent) == ["表单内容变了，请核对后再确认。"]
    shown = {m["message_id"]: m for m in app.server.chat_messages("123456:TEST", DRIVER.id)}
    assert "18:30" in shown[form]["text"]  # the form as it is now (already on screen)
    await tap(app, DRIVER, "✅ 确认预约")  # the form as it is now
    [booked] = await bookings(app)
    slot = await slot_at(app, local(24, 18, 30))
    assert booked.slot_id == slot.id
