"""附近驿站 through the dispatcher and the local Bot API server, on the shipped sample data."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from bot.sandbox import specs
from knowledge.maps import to_bd09, to_gcj02
from tests.harness import ADMIN, DRIVER, EN_DRIVER, TOKEN, App, texts
from tests.stations.helpers import (
    SHAWAN,
    WARM_HOME,
    ZIGONG,
    add_stations,
    nearest_list,
    rows_of,
)


async def test_location_lists_nearest_with_state_and_distance(app: App) -> None:
    await app.onboard(DRIVER)
    record = await nearest_list(app, *SHAWAN)
    text = record["plain_text"]
    assert text.startswith("📍 您附近的驿站")
    lines = text.splitlines()
    numbered = [i for i, line in enumerate(lines) if re.match(r"^[1-5]\. ", line)]
    assert len(numbered) == 5
    assert "沙湾区G348线货车司机“暖心之家”" in text
    assert "🟢 24 小时营业" in text
    # Nearest first: the listed distances (the line under each name) never decrease.
    kms = []
    for i in numbered:
        value, unit = lines[i + 1].strip().split(" · ")[0].split()
        kms.append(float(value) / (1000 if unit == "米" else 1))
    assert kms == sorted(kms)
    rows = rows_of(record)
    assert rows[0] == ["1", "2", "3", "4", "5"] and rows[1] == ["🔍 筛选", "更多 ➡️"]


async def test_list_is_one_message_with_at_most_three_button_rows(app: App) -> None:
    """Issue 9 item 8: the list alone answers the location (no "looking for stations"
    bubble), with at most three rows of buttons; the filters open in place."""
    await app.onboard(DRIVER)
    await app.text(DRIVER, "📍 附近驿站")
    before = len(app.server.chat_messages(TOKEN, DRIVER.id))
    sent = await app.feed(specs.location(DRIVER, *SHAWAN))
    assert [r["method"] for r in sent] == ["sendMessage"]
    assert len(app.server.chat_messages(TOKEN, DRIVER.id)) == before + 2  # location + list
    assert len(rows_of(sent[0])) <= 3
    assert "📍 发送我的位置" in app.reply_keyboard(DRIVER.id)  # refresh with one tap
    # The filters open in place of the buttons and close again once one is chosen.
    message_id = sent[0]["result"]["message_id"]
    sent = await app.press(DRIVER, "🔍 筛选")
    assert sent[-1]["method"] == "editMessageText" and sent[-1]["message_id"] == message_id
    assert ["🚿 淋浴", "🔌 充电"] in rows_of(sent[-1])
    sent = await app.press(DRIVER, "🛏 住宿")
    assert "筛选：🛏 住宿" in sent[-1]["plain_text"] and len(rows_of(sent[-1])) <= 3
    await app.press(DRIVER, "🔍 筛选")
    sent = await app.press(DRIVER, "✖ 收起筛选")  # closing changes no filter
    assert "筛选：🛏 住宿" in sent[-1]["plain_text"] and rows_of(sent[-1])[-1] == ["🔍 筛选"]
    # The location keyboard under the list takes the driver back to the menu.
    sent = await app.text(DRIVER, "⬅️ 返回菜单")
    assert texts(sent) == ["已返回菜单。"]
    assert app.reply_keyboard(DRIVER.id)[0] == "📍 附近驿站"


async def test_filters_edit_the_message_in_place(app: App) -> None:
    await app.onboard(DRIVER)
    record = await nearest_list(app, *SHAWAN)
    message_id = record["result"]["message_id"]
    await app.press(DRIVER, "🔍 筛选")
    sent = await app.press(DRIVER, "🛏 住宿")
    edit = next(r for r in sent if r["method"] == "editMessageText")
    assert edit["message_id"] == message_id
    assert "筛选：🛏 住宿" in edit["plain_text"]
    assert "暖心之家" in edit["plain_text"] and "铜心驿站" not in edit["plain_text"]
    await app.press(DRIVER, "🔍 筛选")
    sent = await app.press(DRIVER, "✅ 住宿")  # pressing it again clears the filter
    assert "筛选" not in next(r for r in sent if r["method"] == "editMessageText")["plain_text"]
    await app.press(DRIVER, "🔍 筛选")
    sent = await app.press(DRIVER, "🟢 营业中")
    assert "筛选：🟢 营业中" in sent[-1]["plain_text"]
    sent = await app.press(DRIVER, "更多 ➡️")
    assert "6. " in sent[-1]["plain_text"] and "⬅️ 上一页" in rows_of(sent[-1])[-1]


async def test_a_double_tap_changes_nothing_and_shows_nothing(app: App) -> None:
    """Issue 9 item 1: the second of two identical taps (a filter, a page, a station) edits
    nothing, sends nothing, answers without a text, and logs no error (checked when the app
    stops)."""
    await app.onboard(DRIVER)
    await nearest_list(app, *SHAWAN)
    for label in ("🔍 筛选", "🟢 营业中", "更多 ➡️", "6", "⬅️ 返回列表"):
        message_id, data = app.find_button(DRIVER.id, label)
        first = await app.feed(specs.callback(DRIVER, message_id, data))
        assert any(r["method"] == "editMessageText" and r["ok"] for r in first), label
        again = await app.feed(specs.callback(DRIVER, message_id, data, check_button=False))
        assert [r["method"] for r in again] == ["answerCallbackQuery"], label
        assert again[0]["params"].get("text") is None, label


async def test_details_in_place_and_navigation_with_converted_coordinates(app: App) -> None:
    await app.onboard(DRIVER)
    record = await nearest_list(app, *SHAWAN)
    list_id = record["result"]["message_id"]
    sent = await app.press(DRIVER, "3")  # 暖心之家 is the third nearest
    details = next(r for r in sent if r["method"] == "editMessageText")
    assert details["message_id"] == list_id  # the list's own message shows the station
    text = details["plain_text"]
    assert text.startswith("沙湾区G348线货车司机“暖心之家”\n司机之家 · 乐山 沙湾区")
    assert "🕘 营业时间：全天 24 小时（🟢 24 小时营业）" in text
    assert "🛏 床位" in text and "⚠️ 示例数据" in text
    urls = {b["text"]: b.get("url") for row in details["reply_markup"]["inline_keyboard"]
            for b in row}  # fmt: skip
    station = app.kits["stations"].catalog.index.by_id["ls-warm-home-g348"]
    g_lat, g_lon = to_gcj02(station.lat, station.lon)
    b_lat, b_lon = to_bd09(station.lat, station.lon)
    amap = parse_qs(urlsplit(urls["🧭 高德地图"]).query)
    assert amap["position"] == [f"{g_lon:.6f},{g_lat:.6f}"]
    baidu = parse_qs(urlsplit(urls["🧭 百度地图"]).query)
    assert baidu["location"] == [f"{b_lat:.6f},{b_lon:.6f}"]
    assert (
        f"coord:{g_lat:.6f},{g_lon:.6f}"
        in parse_qs(urlsplit(urls["🧭 腾讯地图"]).query)["marker"][0]
    )
    sent = await app.press(DRIVER, "📍 在 Telegram 中查看位置")
    venue = next(r for r in sent if r["method"] == "sendVenue")
    assert float(venue["params"]["latitude"]) == station.lat
    assert venue["params"]["title"] == station.name
    sent = await app.press(DRIVER, "⬅️ 返回列表")
    back = next(r for r in sent if r["method"] == "editMessageText")
    assert back["message_id"] == list_id and back["plain_text"] == record["plain_text"]


async def test_menu_button_prompt_and_typed_places(app: App) -> None:
    await app.onboard(DRIVER)
    sent = await app.text(DRIVER, "📍 附近驿站")
    assert "您在哪里" in texts(sent)[0] and "鹰潭 司机之家" in texts(sent)[0]
    assert "📍 发送我的位置" in app.reply_keyboard(DRIVER.id)
    sent = await app.text(DRIVER, "鹰潭 党群服务中心")
    result = texts(sent)[-1]
    assert result.startswith("📍 鹰潭附近的驿站")
    assert "鹰潭市司机群体党群服务中心" in result and "鹰潭北站" not in result  # kind filter
    for typed in ("29.35,104.77", "自贡", "暖心之家"):
        await app.text(DRIVER, "/nearest")
        sent = await app.text(DRIVER, typed)
        assert "附近的驿站" in texts(sent)[-1], typed


async def test_far_away_says_how_far_it_looked(app: App) -> None:
    await app.onboard(DRIVER)
    record = await nearest_list(app, 39.9, 116.4)  # Beijing: no sample station within 300 km
    assert "50 公里内没有驿站。\n300 公里内也没有。" in record["plain_text"]
    assert rows_of(record) == [["🔍 筛选"]]


async def test_filter_with_nothing_near_names_the_filter_and_keeps_the_heading(
    app: App,
) -> None:
    """Issue 9 item 9: no shower within 50 km says exactly that, offers the nearest station
    that has one (with its distance) when it is within 300 km, and a shared location stays
    "near you" although a station stands right there."""
    await app.onboard(DRIVER)
    await nearest_list(app, *WARM_HOME)
    await app.press(DRIVER, "🔍 筛选")
    sent = await app.press(DRIVER, "🚿 淋浴")
    text = sent[-1]["plain_text"]
    assert text.startswith("📍 您附近的驿站\n筛选：🚿 淋浴")  # not "暖心之家附近的驿站"
    # The sample's only shower is in Wenzhou, 1,600 km away: not offered.
    assert "50 公里内没有带淋浴的驿站。\n300 公里内也没有，换个筛选条件试试。" in text
    assert "温州" not in text
    # A station with a shower 120 km away is offered, with its distance.
    await add_stations(
        app, "far-shower,眉山淋浴驿站,station,眉山,,,30.35,104.25,,24/7,shower,,open"
    )
    await app.press(DRIVER, "🔍 筛选")
    await app.press(DRIVER, "✅ 淋浴")  # off
    await app.press(DRIVER, "🔍 筛选")
    sent = await app.press(DRIVER, "🚿 淋浴")  # and on again: a fresh search
    text = sent[-1]["plain_text"]
    assert text.startswith("📍 您附近的驿站")
    assert re.search(
        r"50 公里内没有带淋浴的驿站。\n最近的在 1\d\d 公里外：\n1\. 眉山淋浴驿站", text
    )
    assert rows_of(sent[-1])[0] == ["1"]
    # With the open-now filter too, both are named.
    await app.press(DRIVER, "🔍 筛选")
    sent = await app.press(DRIVER, "🟢 营业中")
    assert "50 公里内没有带淋浴、正在营业的驿站。" in sent[-1]["plain_text"]


async def test_bad_location_input(app: App) -> None:
    await app.onboard(DRIVER)
    await app.text(DRIVER, "/nearest")
    sent = await app.feed(specs.photo(DRIVER, b"\x89PNG\r\n\x1a\n" + b"\0" * 32))
    assert "请用下方按钮发送位置" in texts(sent)[0]
    sent = await app.text(DRIVER, "火星基地")
    assert "没有找到“火星基地”" in texts(sent)[0]
    sent = await app.text(DRIVER, "95.1, 200")
    assert "不是有效的位置" in texts(sent)[0]
    sent = await app.feed(specs.venue(DRIVER, 29.4, 103.5, "某地", "某路"))
    assert "这是转发的地点" in texts(sent)[0]
    # A forged update with impossible coordinates (Telegram itself would never send it).
    update = app.server.inject_update(TOKEN, specs.location(DRIVER, 10.0, 10.0))
    update["message"]["location"] = {"latitude": 123.0, "longitude": 10.0}
    before = app.last_seq()
    await app.feed_raw(update)
    assert "不是有效的位置" in texts(app.server.sent(TOKEN, after=before))[0]
    message_id = app.server.chat_messages(TOKEN, DRIVER.id)[-1]["message_id"]
    for data in (
        "nr:9999999999:1::0::0:h:0",  # out of range
        "nr:1:2:sauna:0::0:h:0",  # no such filter
        "nr:1:2::0:spaceship:0:h:0",  # no such kind
        "nr:1:2::0::-3:h:0",  # negative page
        "nr:1:2::0::0:x:0",  # no such origin
        "nr:9999999999:1::0::0",  # a list button of the previous version
        "np:2941500:10355000::0::0:h:nosuchkey",  # a station no longer listed
        "st:no-such-station:d",
    ):
        sent = await app.feed(specs.callback(DRIVER, message_id, data, check_button=False))
        answer = next(r for r in sent if r["method"] == "answerCallbackQuery")
        assert answer["params"].get("text"), data
        assert not [r for r in sent if r["method"] in {"editMessageText", "sendMessage"}], data


async def test_admin_closes_and_reopens_a_station(app: App) -> None:
    await app.onboard(DRIVER)
    await app.onboard(ADMIN)
    sent = await app.text(ADMIN, "/station_close ls-warm-home-g348")
    assert texts(sent) == ["沙湾区G348线货车司机“暖心之家”（ls-warm-home-g348）已标记为暂停开放。"]
    record = await nearest_list(app, *SHAWAN)
    lines = record["plain_text"].splitlines()
    index = next(i for i, x in enumerate(lines) if "暖心之家" in x)
    assert "⛔ 暂停开放" in lines[index + 1]
    await app.press(DRIVER, "🔍 筛选")
    sent = await app.press(DRIVER, "🟢 营业中")
    assert "暖心之家" not in sent[-1]["plain_text"]  # closed is never offered as open
    assert "没有与“nope”相符的驿站" in texts(await app.text(ADMIN, "/station_open nope"))[0]
    assert texts(await app.text(DRIVER, "/station_open ls-warm-home-g348")) == [
        "抱歉，此命令仅限管理员使用。"
    ]
    await app.text(ADMIN, "/station_open ls-warm-home-g348")
    record = await nearest_list(app, *SHAWAN)
    assert "⛔" not in record["plain_text"]


async def test_english_list(app: App) -> None:
    await app.onboard(EN_DRIVER)
    sent = await app.feed(specs.location(EN_DRIVER, *ZIGONG))
    text = texts(sent)[-1]
    assert text.startswith("📍 Stations near you") and " km" in text


async def test_place_heading_and_kind_survive_filter_taps(app: App) -> None:
    await app.onboard(DRIVER)
    await app.text(DRIVER, "/nearest")
    sent = await app.text(DRIVER, "乐山市沙湾区")  # a city at the start of a longer name
    assert texts(sent)[-1].startswith("📍 乐山附近的驿站")
    await app.press(DRIVER, "🔍 筛选")
    sent = await app.press(DRIVER, "🛏 住宿")
    assert sent[-1]["plain_text"].startswith("📍 乐山附近的驿站")  # heading kept
    await app.text(DRIVER, "/nearest")
    sent = await app.text(DRIVER, "鹰潭 司机之家")  # the prompt's own example
    listing = texts(sent)[-1]
    assert "筛选：司机之家" in listing
    assert "鹰潭市司机群体党群服务中心" in listing  # run as a service centre, still found
    await app.press(DRIVER, "🔍 筛选")
    sent = await app.press(DRIVER, "✅ 司机之家")  # one tap drops the kind
    assert "筛选" not in sent[-1]["plain_text"] and "鹰潭北站" in sent[-1]["plain_text"]
    assert sent[-1]["plain_text"].startswith("📍 鹰潭附近的驿站")


async def test_typed_coordinates_either_order(app: App) -> None:
    await app.onboard(DRIVER)
    for typed in ("29.415,103.55", "103.55, 29.415"):  # map apps copy lon,lat
        await app.text(DRIVER, "/nearest")
        sent = await app.text(DRIVER, typed)
        assert texts(sent)[-1].startswith("📍 (29.4150, 103.5500)附近的驿站"), typed


async def test_commands_at_the_prompt_are_commands(app: App) -> None:
    await app.onboard(DRIVER)
    await app.text(DRIVER, "/nearest")
    sent = await app.text(DRIVER, "/profile")
    assert texts(sent)[0].startswith("👤 我的资料")


async def test_error_answers_keep_waiting_for_a_place(app: App) -> None:
    await app.onboard(DRIVER)
    await app.feed(specs.venue(DRIVER, 29.4, 103.5, "某地", "某路"))  # outside the flow
    sent = await app.text(DRIVER, "乐山")  # the keyboard shown means "waiting for a place"
    assert texts(sent)[-1].startswith("📍 乐山附近的驿站")
    sent = await app.text(DRIVER, "自贡")  # the list leaves the keyboard, and the wait, on
    assert texts(sent)[-1].startswith("📍 自贡附近的驿站")
    await app.text(DRIVER, "/nearest")
    await app.text(DRIVER, "95.1, 200")  # no order makes this a place
    sent = await app.text(DRIVER, "⬅️ 返回菜单")
    assert texts(sent) == ["已返回菜单。"]


async def test_venue_without_address_still_works(app: App) -> None:
    await add_stations(
        app, "bare1,无地址小站,station,,,,29.416,103.551,,Mo-Fr 08:00-18:00,rest,,open"
    )
    await app.onboard(DRIVER)
    record = await nearest_list(app, *SHAWAN)
    number = next(
        line.split(".")[0] for line in record["plain_text"].splitlines() if "无地址小站" in line
    )
    await app.press(DRIVER, number)
    sent = await app.press(DRIVER, "📍 在 Telegram 中查看位置")
    venue = next(r for r in sent if r["method"] == "sendVenue")
    assert venue["ok"] and venue["params"]["address"] == "29.41600, 103.55100"
