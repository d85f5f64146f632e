"""📅 This month: the month's theme with the driver's city first, ◀ ▶ in place, English, a
button on an old message, the sample marked, and a screen that fits a phone."""

from __future__ import annotations

from bot.sandbox import specs
from handlers.themes.callbacks import MonthCb
from tests.harness import (
    DRIVER,
    EN_DRIVER,
    App,
    Clock,
    answers,
    button_rows,
    methods,
    press_again,
    shown,
    tap,
)
from tests.harness.phone import SCREEN_LINES, too_wide, wrapped_lines
from tests.themes.helpers import OTHER, at, onboard_in, store
from tests.themes.test_files import SAMPLE


async def _open(app: App, user=DRIVER) -> dict:  # type: ignore[no-untyped-def]
    sent = await app.text(user, "📅 This month" if user.language_code == "en" else "📅 本月活动")
    assert methods(sent) == ["sendMessage"]
    return sent[0]


def _fits(text: str, rows: list[list[str]]) -> None:
    assert wrapped_lines(text) <= SCREEN_LINES
    assert len(rows) <= 2 and too_wide(rows) == []


async def test_this_months_theme_with_my_citys_activities_first(app: App, clock: Clock) -> None:
    await onboard_in(app, OTHER, "乐山")
    await onboard_in(app, DRIVER, "自贡")
    await store(app)
    clock.now = at(2027, 3, 13, 8)  # the first aid class in 自贡 is today
    record = await _open(app)
    text = record["plain_text"]
    assert text.startswith("📅 2027年3月主题：平安行车月") and "开春讲安全。" in text
    # 自贡 (mine), then every city, then 乐山; the 乐山 walk on the 9th is over.
    order = [text.index(t) for t in ("应急救援实操课", "安全驾驶线上课", "道路隐患随手拍")]
    assert order == sorted(order)
    assert "自贡 · 今天" in text and "乐山 · 已结束" in text and "各城市" in text
    assert button_rows(record) == [["2027年4月 ▶"]]  # nothing before March
    _fits(text, button_rows(record))
    # 乐山's driver sees the walk first.
    text = (await _open(app, OTHER))["plain_text"]
    assert text.index("道路隐患随手拍") < text.index("应急救援实操课")


async def test_months_turn_in_place(app: App, clock: Clock) -> None:
    await onboard_in(app, DRIVER, "自贡")
    await store(app)
    clock.now = at(2027, 3, 2)
    message_id = (await _open(app))["result"]["message_id"]
    sent = await tap(app, DRIVER, "2027年4月 ▶")
    assert methods(sent) == ["answerCallbackQuery", "editMessageText"]
    april = shown(app, DRIVER.id, message_id)
    assert "便民服务月" in april["text"] and "货车ETC现场办理" in april["text"]
    assert button_rows(april) == [["◀ 2027年3月"], ["📅 回到本月"]]
    sent = await tap(app, DRIVER, "📅 回到本月")
    assert "平安行车月" in shown(app, DRIVER.id, message_id)["text"]
    assert methods(sent) == ["answerCallbackQuery", "editMessageText"]  # one message, edited
    # The same tap again changes nothing and edits nothing.
    data = MonthCb(m="2027-03").pack()
    sent = await press_again(app, DRIVER, message_id, data)
    assert methods(sent) == ["answerCallbackQuery"]


async def test_a_month_without_a_theme_says_so_and_leads_to_the_nearest(
    app: App, clock: Clock
) -> None:
    await onboard_in(app, DRIVER, "自贡")
    await store(app)
    clock.now = at(2027, 6, 5)
    record = await _open(app)
    assert record["plain_text"] == "📅 2027年6月\n这个月还没有主题活动。"
    assert button_rows(record) == [["◀ 2027年4月"]]
    await tap(app, DRIVER, "◀ 2027年4月")
    april = shown(app, DRIVER.id, record["result"]["message_id"])
    assert button_rows(april) == [["◀ 2027年3月"], ["📅 回到本月"]]


async def test_english_is_complete(app: App, clock: Clock) -> None:
    await onboard_in(app, EN_DRIVER, "Zigong")
    await store(app)
    clock.now = at(2027, 3, 12, 12)
    record = await _open(app, EN_DRIVER)
    text = record["plain_text"]
    assert text.startswith("📅 March 2027: Safe driving month")
    assert "Safety first this spring." in text
    assert "Sat, Mar 13 14:00-16:00 · Zigong · tomorrow" in text
    assert "Hands-on first aid class, 自贡市司机之家" in text  # the place as the file gives it
    assert "Mar 9 09:00-11:00 · Leshan · over" in text and "every city" in text
    assert button_rows(record) == [["Apr 2027 ▶"]]
    await tap(app, EN_DRIVER, "Apr 2027 ▶")
    april = shown(app, EN_DRIVER.id, record["result"]["message_id"])
    assert "Easy errands month" in april["text"]
    assert button_rows(april) == [["◀ Mar 2027"], ["📅 Back to this month"]]


async def test_a_button_on_an_old_message_still_shows_its_month(app: App, clock: Clock) -> None:
    await onboard_in(app, DRIVER, "自贡")
    await store(app)
    clock.now = at(2027, 3, 2)
    old = (await _open(app))["result"]["message_id"]
    old_next = MonthCb(m="2027-04").pack()
    clock.now = at(2027, 4, 20)  # weeks later, a new screen...
    await _open(app)
    sent = await press_again(app, DRIVER, old, old_next)  # ...and a tap on the old one
    assert "便民服务月" in shown(app, DRIVER.id, old)["text"]
    assert button_rows(shown(app, DRIVER.id, old)) == [["◀ 2027年3月"]]  # April is now
    # A forged month is refused with a toast and changes nothing.
    sent = await app.feed(specs.callback(DRIVER, old, "th:2027-13", check_button=False))
    assert methods(sent) == ["answerCallbackQuery"] and answers(sent) == ["此按钮已失效。"]


async def test_the_sample_is_marked_and_every_sample_month_fits_a_phone(
    app: App, clock: Clock
) -> None:
    await onboard_in(app, DRIVER, "自贡")
    await onboard_in(app, EN_DRIVER, "Leshan")
    await store(app, SAMPLE.read_text(encoding="utf-8"), is_sample=True)
    clock.now = at(2026, 12, 2, 12)
    for user in (DRIVER, EN_DRIVER):
        opened = await _open(app, user)
        assert "示例数据" in opened["plain_text"] or "Sample data" in opened["plain_text"]
        message_id = opened["result"]["message_id"]
        for month in range(13):  # every month of the sample year, in both languages
            screen = shown(app, user.id, message_id)
            _fits(screen["text"], button_rows(screen))
            if month < 12:
                sent = await tap(app, user, "▶")
                assert methods(sent) == ["answerCallbackQuery", "editMessageText"]
        assert "▶" not in str(button_rows(screen))  # December 2027: the last


async def test_a_driver_without_a_city_is_told_how_to_see_theirs_first(
    app: App, clock: Clock
) -> None:
    await onboard_in(app, DRIVER, None)
    await store(app)
    clock.now = at(2027, 3, 2)
    assert "/profile" in (await _open(app))["plain_text"]


async def test_month_command_opens_the_same_screen(app: App, clock: Clock) -> None:
    await onboard_in(app, DRIVER, "自贡")
    await store(app)
    clock.now = at(2027, 4, 2)
    sent = await app.text(DRIVER, "/month")
    assert methods(sent) == ["sendMessage"] and "便民服务月" in sent[0]["plain_text"]
    assert button_rows(sent[0]) == [["◀ 2027年3月"]]
