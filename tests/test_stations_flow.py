"""附近驿站 through the dispatcher and the local Bot API server, on the shipped sample data."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from bot.sandbox import specs
from knowledge.maps import to_bd09, to_gcj02
from tests.harness import ADMIN, DRIVER, EN_DRIVER, TOKEN, App, texts

SHAWAN = (29.4150, 103.5500)  # Shawan district, Leshan: several sample stations nearby
ZIGONG = (29.339, 104.779)


async def _nearest_list(app: App, lat: float, lon: float) -> dict:
    sent = await app.feed(specs.location(DRIVER, lat, lon))
    return [r for r in sent if r["method"] == "sendMessage"][-1]


async def test_location_lists_nearest_with_state_and_distance(app: App) -> None:
    await app.onboard(DRIVER)
    record = await _nearest_list(app, *SHAWAN)
    text = record["plain_text"]
    assert text.startswith("📍 您附近的驿站")
    lines = [line for line in text.splitlines() if line[:2] in {f"{i}." for i in range(1, 6)}]
    assert len(lines) == 5
    assert "沙湾区G348线货车司机“暖心之家”" in text
    assert "🟢 24 小时营业" in text
    # Nearest first: the listed distances never decrease.
    kms = []
    for line in lines:
        value, unit = line.rsplit(" · ", 1)[1].split()
        kms.append(float(value) / (1000 if unit == "米" else 1))
    assert kms == sorted(kms)
    buttons = [b["text"] for row in record["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons[0].startswith("1. ") and "🚿 淋浴" in buttons and "更多 ➡️" in buttons


async def test_filters_edit_the_message_in_place(app: App) -> None:
    await app.onboard(DRIVER)
    record = await _nearest_list(app, *SHAWAN)
    message_id = record["result"]["message_id"]
    sent = await app.press(DRIVER, "🛏 住宿")
    edit = next(r for r in sent if r["method"] == "editMessageText")
    assert edit["message_id"] == message_id
    assert "筛选：🛏 住宿" in edit["plain_text"]
    assert "暖心之家" in edit["plain_text"] and "铜心驿站" not in edit["plain_text"]
    sent = await app.press(DRIVER, "✅ 🛏 住宿")  # pressing it again clears the filter
    assert "筛选" not in next(r for r in sent if r["method"] == "editMessageText")["plain_text"]
    sent = await app.press(DRIVER, "🟢 营业中")
    assert "筛选：🟢 营业中" in sent[-1]["plain_text"]
    # The same button pressed twice (a double tap): Telegram says "not modified", the
    # driver sees no error.
    message_id, data = app.find_button(DRIVER.id, "✅ 🟢 营业中")
    await app.feed(specs.callback(DRIVER, message_id, data))
    sent = await app.feed(specs.callback(DRIVER, message_id, data, check_button=False))
    assert [r["method"] for r in sent] == ["answerCallbackQuery", "editMessageText"]
    assert "not modified" in sent[1]["error"]["description"]
    assert sent[0]["params"].get("text") is None  # no error shown
    sent = await app.press(DRIVER, "更多 ➡️")
    assert "6. " in sent[-1]["plain_text"]


async def test_details_and_navigation_with_converted_coordinates(app: App) -> None:
    await app.onboard(DRIVER)
    await _nearest_list(app, *SHAWAN)
    sent = await app.press(DRIVER, "暖心之家")
    details = next(r for r in sent if r["method"] == "sendMessage")
    text = details["plain_text"]
    assert text.startswith("沙湾区G348线货车司机“暖心之家”\n司机之家 · 乐山 沙湾区")
    assert "🕘 营业时间：全天 24 小时（🟢 24 小时营业）" in text
    assert "🛏 床位" in text and "⚠️ 示例数据" in text
    urls = {
        b["text"]: b.get("url") for row in details["reply_markup"]["inline_keyboard"] for b in row
    }
    station = app.dp["stations"].index.by_id["ls-warm-home-g348"]
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


async def test_menu_button_prompt_and_typed_places(app: App) -> None:
    await app.onboard(DRIVER)
    sent = await app.text(DRIVER, "📍 附近驿站")
    assert "您在哪里" in texts(sent)[0]
    assert "📍 发送我的位置" in app.reply_keyboard(DRIVER.id)
    sent = await app.text(DRIVER, "鹰潭 党群服务中心")
    assert app.reply_keyboard(DRIVER.id)[0] == "📍 附近驿站"  # the menu is back
    result = texts(sent)[-1]
    assert result.startswith("📍 鹰潭附近的驿站")
    assert "鹰潭市司机群体党群服务中心" in result and "鹰潭北站" not in result  # kind filter
    for typed in ("29.35,104.77", "自贡", "暖心之家"):
        await app.text(DRIVER, "/nearest")
        sent = await app.text(DRIVER, typed)
        assert "附近的驿站" in texts(sent)[-1], typed


async def test_far_away_shows_the_nearest_anyway(app: App) -> None:
    await app.onboard(DRIVER)
    record = await _nearest_list(app, 39.9, 116.4)  # Beijing: no sample station within 50 km
    assert "50 公里内没有驿站。最近的在 " in record["plain_text"]
    assert "1. " in record["plain_text"]


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
    for data in ("nr:9999999999:1::0::0", "st:no-such-station:d", "nr:1:2:sauna:0::0",
                 "nr:1:2::0:spaceship:0"):  # fmt: skip
        sent = await app.feed(specs.callback(DRIVER, message_id, data, check_button=False))
        answer = next(r for r in sent if r["method"] == "answerCallbackQuery")
        assert answer["params"].get("text"), data
        assert not [r for r in sent if r["method"] in {"editMessageText", "sendMessage"}], data


async def test_admin_closes_and_reopens_a_station(app: App) -> None:
    await app.onboard(DRIVER)
    await app.onboard(ADMIN)
    sent = await app.text(ADMIN, "/station_close ls-warm-home-g348")
    assert texts(sent) == ["沙湾区G348线货车司机“暖心之家”（ls-warm-home-g348）已标记为暂停开放。"]
    record = await _nearest_list(app, *SHAWAN)
    line = next(x for x in record["plain_text"].splitlines()[2:] if "暖心之家" in x)
    index = record["plain_text"].splitlines().index(line)
    assert "⛔ 暂停开放" in record["plain_text"].splitlines()[index + 1]
    sent = await app.press(DRIVER, "🟢 营业中")
    assert "暖心之家" not in sent[-1]["plain_text"]  # closed is never offered as open
    assert "没有这个编号" in texts(await app.text(ADMIN, "/station_open nope"))[0]
    assert texts(await app.text(DRIVER, "/station_open ls-warm-home-g348")) == [
        "抱歉，此命令仅限管理员使用。"
    ]
    await app.text(ADMIN, "/station_open ls-warm-home-g348")
    record = await _nearest_list(app, *SHAWAN)
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
    sent = await app.press(DRIVER, "🛏 住宿")
    assert sent[-1]["plain_text"].startswith("📍 乐山附近的驿站")  # heading kept
    await app.text(DRIVER, "/nearest")
    sent = await app.text(DRIVER, "鹰潭 司机之家")  # the prompt's own example
    listing = texts(sent)[-1]
    assert "筛选：司机之家" in listing
    assert "鹰潭市司机群体党群服务中心" in listing  # run as a service centre, still found
    sent = await app.press(DRIVER, "✅ 司机之家 ✖")  # one tap drops the kind
    assert "筛选" not in sent[-1]["plain_text"] and "鹰潭北站" in sent[-1]["plain_text"]


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
    await app.text(DRIVER, "/nearest")
    await app.text(DRIVER, "95.1, 200")  # no order makes this a place
    sent = await app.text(DRIVER, "⬅️ 返回菜单")
    assert texts(sent) == ["已返回菜单。"]


async def test_venue_without_address_still_works(app: App) -> None:
    from bot.services.stations import store_stations
    from knowledge.station_io import parse_csv
    from tests.test_station_knowledge import HEADER

    row = "bare1,无地址小站,station,,,,29.416,103.551,,Mo-Fr 08:00-18:00,rest,,open"
    async with app.session_factory() as session:
        await store_stations(session, parse_csv(f"{HEADER}\n{row}\n").stations)
        await session.commit()
    await app.dp["stations"].refresh()
    await app.onboard(DRIVER)
    await _nearest_list(app, *SHAWAN)
    await app.press(DRIVER, "无地址小站")
    sent = await app.press(DRIVER, "📍 在 Telegram 中查看位置")
    venue = next(r for r in sent if r["method"] == "sendVenue")
    assert venue["ok"] and venue["params"]["address"] == "29.41600, 103.55100"
