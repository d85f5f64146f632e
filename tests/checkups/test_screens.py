"""What the booking form shows: the checkup's time and length, a calendar whose days read at
a glance, a provider order that is said only when true, and a move that says it is one."""

from __future__ import annotations

import re

from sqlalchemy import update

from bot.db.checkups.models import SlotRow
from bot.sandbox import TgUser
from tests.checkups.helpers import bookings, slot_at
from tests.harness import (
    DRIVER,
    EN_DRIVER,
    App,
    alerts,
    answers,
    button_rows,
    buttons,
    last_with_buttons,
    local,
    methods,
    tap,
    texts,
)


async def onboard_in(app: App, user: TgUser, city: str) -> None:
    """Onboarding with a city typed at its step (and the phone skipped)."""
    await app.text(user, "/start")
    await app.press(user, "✅")
    await app.press(user, "🚚")
    await app.text(user, city)
    await app.text(user, "⏭ Skip" if user.language_code == "en" else "⏭ 跳过")


async def test_a_60_minute_checkup_in_a_30_minute_slot_shows_its_start_and_length(
    app: App,
) -> None:
    await app.onboard(DRIVER)
    await app.text(DRIVER, "/book")
    await tap(app, DRIVER, "免费体检")
    await tap(app, DRIVER, "自贡市第三人民医院")
    sent = await tap(app, DRIVER, "28", exact=True)  # Saturday: slots every 30 minutes
    assert "约 60 分钟" in texts(sent)[0]
    sent = await tap(app, DRIVER, "09:00")
    assert "09:00 起，约 60 分钟" in texts(sent)[0] and "09:30" not in texts(sent)[0]
    sent = await tap(app, DRIVER, "✅ 确认预约")
    assert "09:00 起，约 60 分钟" in texts(sent)[-1] and "09:30" not in texts(sent)[-1]


async def test_calendar_days_read_at_a_glance(app: App) -> None:
    await app.onboard(DRIVER)
    async with app.session_factory() as session:  # Wednesday the 25th is fully booked
        day = (SlotRow.starts_at >= local(25, 0)) & (SlotRow.starts_at < local(26, 0))
        await session.execute(update(SlotRow).where(day).values(capacity=0))
        await session.commit()
    await app.text(DRIVER, "/book")
    await tap(app, DRIVER, "免费体检")
    sent = await tap(app, DRIVER, "自贡市第三人民医院")
    rows = button_rows(sent[-1])
    assert rows[0] == ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
    week = rows[1]  # 23-29 November: the weeks already past are left out
    assert week == ["23", "24", "25✖", "26", "27", "28", "29"]
    assert rows[2][:1] == ["30"] and rows[2][1:] == ["·"] * 6  # December is the next page
    assert "标 ✖ 的日子已约满" in texts(sent)[0]

    # A weekday says which of its days have free times; a day without times says so; a
    # toast each, and nothing moves.
    form = last_with_buttons(app, DRIVER.id)
    sent = await tap(app, DRIVER, "周三", exact=True)
    assert methods(sent) == ["answerCallbackQuery"]
    assert answers(sent) == ["本月的星期三都没有空位了。"]  # the 25th is full
    sent = await tap(app, DRIVER, "周六", exact=True)
    assert answers(sent) == ["星期六有空位：28日。"]
    sent = await tap(app, DRIVER, "·", exact=True)
    assert methods(sent) == ["answerCallbackQuery"] and alerts(sent) == []
    assert answers(sent) == ["这天没有可约的时段。"]
    assert last_with_buttons(app, DRIVER.id) == form


async def test_no_full_day_no_explanation_and_english_weekdays(app: App) -> None:
    await app.onboard(EN_DRIVER)
    await app.text(EN_DRIVER, "/book")
    await tap(app, EN_DRIVER, "Free general checkup")
    sent = await tap(app, EN_DRIVER, "自贡市第三人民医院")
    assert button_rows(sent[-1])[0] == ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
    assert "✖" not in texts(sent)[0]
    sent = await tap(app, EN_DRIVER, "Tu", exact=True)
    assert answers(sent) == ["Tuesdays with free times: 24."]


async def test_city_first_only_when_a_provider_is_there(app: App) -> None:
    await onboard_in(app, DRIVER, "乐山")
    await app.text(DRIVER, "/book")
    sent = await tap(app, DRIVER, "免费体检")
    assert "乐山的排在前面" not in texts(sent)[0]
    assert "离乐山近的排在前面" in texts(sent)[0]

    await onboard_in(app, EN_DRIVER, "自贡")
    await app.text(EN_DRIVER, "/book")
    sent = await tap(app, EN_DRIVER, "Free general checkup")
    assert "Zigong first." in texts(sent)[0]
    assert not re.search(r"[\u4e00-\u9fff]", texts(sent)[0])


async def test_a_move_keeps_its_code_and_says_moved_everywhere(app: App) -> None:
    await app.onboard(DRIVER)
    await app.text(DRIVER, "/book")
    await tap(app, DRIVER, "免费体检")
    await tap(app, DRIVER, "自贡市第三人民医院")
    await tap(app, DRIVER, "24", exact=True)
    await tap(app, DRIVER, "18:00")
    await tap(app, DRIVER, "✅ 确认预约")
    [booking] = await bookings(app)

    await app.text(DRIVER, "/mybookings")
    await tap(app, DRIVER, "🔁 改约")
    sent = await tap(app, DRIVER, "24", exact=True)
    assert f"正在为预约 {booking.code} 改约" in texts(sent)[0]  # the time step knows
    labels = [b["text"] for b in buttons(sent[-1])]
    assert "18:00 · 您现在的" in labels  # the time it has now is not offered as new
    sent = await tap(app, DRIVER, "18:00 · 您现在的")
    assert alerts(sent) == [] and "请选别的时段" in answers(sent)[0]
    sent = await tap(app, DRIVER, "19:00")
    assert "把预约" in texts(sent)[0] and "预约码不变" in texts(sent)[0]
    sent = await tap(app, DRIVER, "✅ 确认改约")
    assert answers(sent) == ["改约成功！"]
    result = texts(sent)[-1]
    assert "改约成功" in result and booking.code in result and "预约成功" not in result
    assert "19:00 起" in result
    [moved] = await bookings(app)
    assert (moved.code, moved.status) == (booking.code, "active")
    assert moved.slot_id == (await slot_at(app, local(24, 19))).id
    sent = await app.text(DRIVER, "/mybookings")
    assert booking.code in texts(sent)[0] and "19:00" in texts(sent)[0]
