"""What the station screens look like on a phone, in both languages, and the admins' station
cards (issue 9 items 10, 13, 14 and 16), through the dispatcher and the local Bot API server."""

from __future__ import annotations

import re
from typing import Any

from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy import select

from bot.db.stations.models import StationRow
from bot.i18n import create_i18n
from bot.sandbox import TgUser, specs
from handlers.common.texts import add_map_buttons
from handlers.stations.texts import display_width
from knowledge.names import has_han
from knowledge.stations.station import SERVICE_ICONS
from tests.harness import ADMIN, DRIVER, EN_DRIVER, TOKEN, App, texts
from tests.harness.phone import ROW_UNITS, SCREEN_LINES, too_wide, wrapped_lines
from tests.stations.helpers import SHAWAN, add_stations, nearest_list, rows_of

GROUP = -100777

CENTRES = {
    "Shawan": SHAWAN,
    "Leshan": (29.552, 103.766),
    "Wenzhou": (28.000, 120.672),
    "Yingtan": (28.260, 117.069),
}


def entries(text: str) -> list[list[str]]:
    """The list's entries: each numbered line with the lines under it."""
    found: list[list[str]] = []
    for line in text.splitlines():
        if re.match(r"^\d+\. ", line):
            found.append([line])
        elif found and line.startswith("    "):
            found[-1].append(line)
    return found


def test_display_width_matches_the_rule_of_thumb() -> None:
    assert display_width("a" * 30) == 30
    assert display_width("驿" * 16) == 30
    assert display_width("🧭 Baidu Maps") > ROW_UNITS / 3  # what was cut off
    assert display_width("🚛 Truck pa") <= ROW_UNITS / 3  # ...where it was cut


async def test_list_names_services_in_words_and_fits_a_phone(app: App) -> None:
    """Issue 9 item 10: services in words, not emoji alone; every list fits the screen."""
    await app.onboard(DRIVER)
    await app.onboard(EN_DRIVER)
    icons = set(SERVICE_ICONS.values())
    for user in (DRIVER, EN_DRIVER):
        for where, centre in CENTRES.items():
            text = (await nearest_list(app, *centre, user=user))["plain_text"]
            assert wrapped_lines(text) <= SCREEN_LINES, (user.language_code, where, text)
            for entry in entries(text):
                assert len(entry) == 3 and wrapped_lines("\n".join(entry)) <= 4, entry
                assert not any(icon in entry[2] for icon in icons), entry
    zh = (await nearest_list(app, *SHAWAN))["plain_text"]
    assert "住宿、餐食、货车停车、法律援助 +1" in zh  # the warm home: most wanted first
    en = (await nearest_list(app, *SHAWAN, user=EN_DRIVER))["plain_text"]
    assert "lodging, meals, truck parking +2" in en


async def test_typed_names_forgive_typos_and_left_out_words(app: App) -> None:
    """Issue 9 item 13 through the bot: a misspelt or shortened station name, a misspelt
    city, and a choice when a name fits several stations."""
    await app.onboard(DRIVER)
    for typed, heading in (
        ("沙弯暖心之家", "📍 沙湾区G348线货车司机“暖心之家”附近的驿站"),
        ("交运司机之家", "📍 温州交运物流“司机之家”附近的驿站"),
        ("乐善", "📍 乐山附近的驿站"),
        ("西安", "📍 西安附近的驿站"),
    ):
        await app.text(DRIVER, "/nearest")
        sent = await app.text(DRIVER, typed)
        assert texts(sent)[-1].startswith(heading), typed
    sent = await app.text(DRIVER, "火星基地")
    assert texts(sent) == [
        "没有找到“火星基地”。请试试城市名（如：温州）、驿站名称，或直接发送位置。"
    ]
    sent = await app.text(DRIVER, "司机之家")  # a kind, but where?
    assert "要在哪里找" in texts(sent)[0] and "鹰潭 司机之家" in texts(sent)[0]
    # Two stations fit "交运司机之家" as well as each other: the driver chooses.
    await add_stations(
        app, "tz-jiaoyun,台州交运司机之家,driver_home,台州,,,28.656,121.421,,24/7,shower,,open"
    )
    sent = await app.text(DRIVER, "交运司机之家")
    [choice] = [r for r in sent if r["method"] == "sendMessage"]
    assert choice["plain_text"].splitlines()[0] == "您要找的是哪一个？"
    assert "1. 台州交运司机之家 · 台州" in choice["plain_text"]
    assert "2. 温州交运物流“司机之家” · 温州" in choice["plain_text"]
    assert rows_of(choice) == [["1", "2"]]
    sent = await app.press(DRIVER, "2")
    listing = next(r for r in sent if r["method"] == "editMessageText")
    assert listing["message_id"] == choice["result"]["message_id"]  # chosen in place
    assert listing["plain_text"].startswith("📍 温州交运物流“司机之家”附近的驿站")


def _without_data(text: str, app: App, echoed: list[str]) -> str:
    """The bot's own words: station names, places, addresses and notes (data, which may stay
    Chinese) and what the driver typed taken out."""
    data: list[str] = list(echoed)
    for station in app.kits["stations"].catalog.index.stations:
        data += [station.name, station.address, station.note, station.district, station.phone]
    for value in sorted(filter(None, data), key=len, reverse=True):
        text = text.replace(value, "")
    return text


async def test_english_replies_are_english(app: App) -> None:
    """Issue 9 item 14: everything the bot itself writes to an English user is English."""
    await app.onboard(EN_DRIVER)
    seen: list[dict[str, Any]] = []
    seen += await app.text(EN_DRIVER, "📍 Nearby stations")
    assert "e.g. Zigong, Yingtan driver home" in texts(seen)[-1]
    seen += (sent := await app.text(EN_DRIVER, "Wenzhou"))
    assert texts(sent)[-1].startswith("📍 Stations near Wenzhou")
    seen += await app.press(EN_DRIVER, "🔍 Filter")
    seen += (sent := await app.press(EN_DRIVER, "Shower"))
    assert "Filter: 🚿 Shower" in sent[-1]["plain_text"]
    seen += (sent := await app.press(EN_DRIVER, "1"))
    assert "Driver Home · Wenzhou" in sent[-1]["plain_text"]
    await app.text(EN_DRIVER, "/nearest")
    seen += (sent := await app.text(EN_DRIVER, "Yingtan driver home"))
    assert texts(sent)[-1].startswith("📍 Stations near Yingtan\nFilter: Driver Home")
    seen += await app.text(EN_DRIVER, "Leshan")
    seen += await app.press(EN_DRIVER, "🔍 Filter")
    seen += await app.press(EN_DRIVER, "Shower")  # nothing within 50 km
    seen += await app.text(EN_DRIVER, "nowhere at all")
    seen += await app.text(EN_DRIVER, "driver home")
    labels = [label for record in seen for row in rows_of(record) for label in row]
    for text in [*texts(seen), *labels]:
        left = _without_data(text, app, ["nowhere at all"])
        assert not has_han(left), text


async def test_buttons_fit_a_phone_row_in_both_languages(app: App) -> None:
    """Issue 9 item 14: no button is cut off at 390 px (list, filter panel with a kind,
    details, choices, admin cards, and the map buttons checkups use too)."""
    await add_stations(
        app, "tz-jiaoyun,台州交运司机之家,driver_home,台州,,,28.656,121.421,,24/7,shower,,open"
    )
    for user in (ADMIN, DRIVER, EN_DRIVER):
        await app.onboard(user)
    start = app.last_seq()  # the station screens from here on
    for user, kind in ((DRIVER, "鹰潭 司机之家"), (EN_DRIVER, "Yingtan service centre")):
        await nearest_list(app, *SHAWAN, user=user)
        await app.press(user, "🔍")
        await app.press(user, "✖")
        await app.press(user, "➡️")
        await app.press(user, "6")
        await app.text(user, "/nearest")
        await app.text(user, kind)
        await app.press(user, "🔍")  # the panel with the kind's button
        await app.text(user, "交运司机之家")  # a choice
    await app.feed(specs.text(ADMIN, "/station_close 党群服务中心", chat_id=GROUP))
    await app.feed(specs.callback(ADMIN, *_group_button(app, "⛔ 1"), chat_id=GROUP))
    for chat in (DRIVER.id, EN_DRIVER.id, GROUP):
        for record in app.server.sent(TOKEN, chat_id=chat, after=start):
            assert not too_wide(rows_of(record)), (chat, rows_of(record))
    for locale in ("zh", "en"):  # as checkups lay them out: three in a row
        i18n = create_i18n("zh")
        with i18n.context(), i18n.use_locale(locale):
            kb = InlineKeyboardBuilder()
            add_map_buttons(kb, 29.4, 103.5, "站", "路")
            kb.adjust(3)
            rows = [[b.text for b in row] for row in kb.as_markup().inline_keyboard]
        assert len(rows) == 1 and not too_wide(rows), rows


def _group_button(app: App, label: str) -> tuple[int, str]:
    for message in reversed(app.server.chat_messages(TOKEN, GROUP)):
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if label in button["text"]:
                    return message["message_id"], button["callback_data"]
    raise AssertionError(f"no button {label!r} in the group")


async def _status(app: App, station_id: str) -> str:
    async with app.session_factory() as session:
        return await session.scalar(select(StationRow.status).where(StationRow.id == station_id))


async def test_admins_close_a_station_by_name_from_cards(app: App) -> None:
    """Issue 16 (part): /station_close takes a name, part of one or a misspelt one, and
    offers the matching stations as cards; only admins may press; the card shows the result
    in place. An id still acts at once."""
    await app.onboard(ADMIN)
    await app.onboard(DRIVER)
    sent = await app.feed(specs.text(ADMIN, "/station_close", chat_id=GROUP))
    assert "/station_close 名称" in texts(sent)[0] and "暖心之家" in texts(sent)[0]
    sent = await app.feed(specs.text(ADMIN, "/station_close 沙弯暖心之家", chat_id=GROUP))
    [card] = [r for r in sent if r["method"] == "sendMessage"]
    assert card["plain_text"] == (
        "要把哪个驿站标记为暂停开放？\n\n"
        "1. 沙湾区G348线货车司机“暖心之家”\n"
        "    乐山 · 🟢 开放中 · ls-warm-home-g348"
    )
    assert rows_of(card) == [["⛔ 1"]]
    # Someone in the group who is not an admin is refused, and nothing changes.
    message_id, data = _group_button(app, "⛔ 1")
    sent = await app.feed(specs.callback(DRIVER, message_id, data, chat_id=GROUP))
    assert [r["method"] for r in sent] == ["answerCallbackQuery"]
    assert sent[0]["params"]["text"] == "只有管理员可以操作。"
    assert await _status(app, "ls-warm-home-g348") == "open"
    # The admin's tap closes it; the card says so and offers the way back.
    sent = await app.feed(specs.callback(ADMIN, message_id, data, chat_id=GROUP))
    edit = next(r for r in sent if r["method"] == "editMessageText")
    assert edit["message_id"] == message_id
    assert (
        edit["plain_text"]
        == "沙湾区G348线货车司机“暖心之家”（ls-warm-home-g348）已标记为暂停开放。"
    )
    assert rows_of(edit) == [["🟢 恢复开放"]]
    assert await _status(app, "ls-warm-home-g348") == "closed"
    assert app.kits["stations"].catalog.index.by_id["ls-warm-home-g348"].status == "closed"
    record = await nearest_list(app, *SHAWAN)
    assert "⛔ 暂停开放" in record["plain_text"]
    sent = await app.feed(specs.callback(ADMIN, *_group_button(app, "恢复开放"), chat_id=GROUP))
    assert "已恢复开放" in next(r for r in sent if r["method"] == "editMessageText")["plain_text"]
    assert await _status(app, "ls-warm-home-g348") == "open"
    # Several matches: one card each, one button each, in one row; /station_open alike.
    sent = await app.feed(specs.text(ADMIN, "/station_open 党群服务中心", chat_id=GROUP))
    [cards] = [r for r in sent if r["method"] == "sendMessage"]
    assert cards["plain_text"].startswith("要恢复哪个驿站的开放？")
    assert rows_of(cards) == [["🟢 1", "🟢 2", "🟢 3", "🟢 4"]]
    sent = await app.feed(specs.callback(ADMIN, *_group_button(app, "🟢 2"), chat_id=GROUP))
    assert (
        "本来就是开放状态"
        in next(r for r in sent if r["method"] == "editMessageText")["plain_text"]
    )
    # A card of a station removed since, and a name that matches nothing.
    sent = await app.feed(specs.callback(ADMIN, message_id, "sa:gone:c", check_button=False,
                                         chat_id=GROUP))  # fmt: skip
    assert sent[0]["params"]["text"] == "这个驿站已不在列表中。"
    sent = await app.feed(specs.text(ADMIN, "/station_close 火星基地", chat_id=GROUP))
    assert texts(sent) == ["没有与“火星基地”相符的驿站。请发送名称的一部分，或驿站编号。"]


async def test_a_driver_who_never_agreed_cannot_press_an_admin_card(app: App) -> None:
    stranger = TgUser(5555, "路人")
    await app.onboard(ADMIN)
    await app.feed(specs.text(ADMIN, "/station_close 暖心之家", chat_id=GROUP))
    message_id, data = _group_button(app, "⛔ 1")
    sent = await app.feed(specs.callback(stranger, message_id, data, chat_id=GROUP))
    assert [r["method"] for r in sent] == ["answerCallbackQuery"] and sent[0]["params"]["text"]
    assert await _status(app, "ls-warm-home-g348") == "open"
