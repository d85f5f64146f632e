"""The web chat in a real browser (Playwright driving the system Chromium) against the real
`python -m bot` sandbox process: what a person sees and does on the page.

The bot uses its sandbox SQLite file here; these tests check the page and the conversation, not
database behaviour (that is tested on both databases elsewhere). Screenshots go to
test-artifacts/.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.harness.process import SandboxProcess, free_port, png

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
# CI installs Chromium and sets this, so a missing browser fails instead of skipping.
REQUIRE_BROWSER = os.environ.get("WARMDRIVE_REQUIRE_BROWSER") == "1"
# Headless, and quiet on a closed network (no background fetches to refuse).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 30_000  # how long a check may wait for the bot (a limit, not a measured time)


def _chromium() -> str | None:
    """WARMDRIVE_CHROMIUM if set, else Debian's chromium."""
    configured = os.environ.get("WARMDRIVE_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _unavailable(reason: str) -> None:
    if REQUIRE_BROWSER:
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    path = _chromium()
    if path is None:
        _unavailable("no Chromium (/usr/bin/chromium): `make browser` installs Debian's chromium")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxProcess]:
    """A fresh `python -m bot` with nothing configured: no token, an empty directory."""
    proc = SandboxProcess(tmp_path, SANDBOX_LISTEN=f"127.0.0.1:{free_port()}", LOG_LEVEL="WARNING")
    try:
        proc.wait_for_url()
        yield proc
    finally:
        proc.stop()


@pytest.fixture
def page(browser: Any, sandbox: SandboxProcess, request: pytest.FixtureRequest) -> Iterator[Any]:
    # A phone-sized window; a new context per test, so no localStorage carries over. It needs
    # the sandbox so that it is still up for the closing screenshot.
    context = browser.new_context(
        viewport={"width": 390, "height": 780}, device_scale_factor=2, locale="zh-CN"
    )
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def open_chat(page: Any, url: str, **query: str) -> None:
    page.goto(url + "?" + "&".join(f"{k}={v}" for k, v in query.items()))
    page.wait_for_selector("body[data-ready=true]")


def send_text(page: Any, text: str) -> None:
    page.fill("#text", text)
    page.press("#text", "Enter")


def last_bot_message(page: Any) -> Any:
    return page.locator(".msg.from-bot").last


def press_reply(page: Any, label: str) -> None:
    page.locator("#reply-keyboard button", has_text=label).click()


def share_preset_location(page: Any, city: str) -> None:
    press_reply(page, "📍 发送我的位置")  # a request_location button opens the picker
    page.locator("#presets button", has_text=city).click()


def test_driver_onboards_shares_location_and_filters_in_place(
    page: Any, sandbox: SandboxProcess
) -> None:
    from playwright.sync_api import expect

    open_chat(page, sandbox.url, **{"as": "driver", "chat": "private", "lang": "zh"})
    expect(page.locator(".empty")).to_be_visible()
    page.click("#start-btn")
    expect(last_bot_message(page)).to_contain_text("您同意吗")
    expect(last_bot_message(page).locator(".inline-kb button", has_text="ℹ️")).to_be_visible()

    # Onboarding through the buttons; a callback answer shows as a toast.
    last_bot_message(page).locator(".inline-kb button", has_text="✅").click()
    expect(page.locator("#toast")).to_have_text("谢谢！")
    expect(last_bot_message(page)).to_contain_text("您从事什么工作")
    last_bot_message(page).locator(".inline-kb button", has_text="🚚").click()
    expect(last_bot_message(page)).to_contain_text("哪个城市")
    send_text(page, "乐山")
    press_reply(page, "📱 提供我的手机号")  # request_contact: the demo user's own number
    expect(page.locator("#contact-text")).to_contain_text("+8613800000001")
    page.click("#contact-send")
    expect(page.locator(".msg.out .card")).to_contain_text("+8613800000001")
    expect(last_bot_message(page)).to_contain_text("设置完成")
    expect(page.locator("#reply-keyboard button", has_text="📍 附近驿站")).to_be_visible()

    # Nearest stations from a shared location.
    press_reply(page, "📍 附近驿站")
    expect(last_bot_message(page)).to_contain_text("您在哪里")
    share_preset_location(page, "乐山")
    location = page.locator(".msg.out .card").last
    expect(location).to_contain_text("29.442150, 103.583060")
    expect(location.locator("a", has_text="OpenStreetMap")).to_have_attribute(
        "href", re.compile(r"mlat=29\.442150&mlon=103\.583060")
    )
    listing = page.locator(".msg.from-bot", has_text="附近的驿站").last
    expect(listing).to_contain_text("暖心之家")
    listing_id = listing.get_attribute("data-message-id")
    bot_messages = page.locator(".msg.from-bot").count()

    # An inline filter edits that same message in place (the filters open there first).
    listing.locator(".inline-kb button", has_text="筛选").click()
    edited = page.locator(f'.msg[data-message-id="{listing_id}"]')
    edited.locator(".inline-kb button", has_text="住宿").click()
    expect(edited).to_contain_text("筛选：🛏 住宿")
    expect(edited.locator(".meta")).to_contain_text("已编辑")
    edited.locator(".inline-kb button", has_text="筛选").click()
    expect(edited.locator(".inline-kb button", has_text="✅ 住宿")).to_be_visible()
    assert page.locator(".msg.from-bot").count() == bot_messages
    expect(page.locator("#toast")).to_be_hidden()  # toasts go away by themselves
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "sandbox-nearest-stations.png"))


def test_admin_action_in_the_group_seen_from_both_sides(page: Any, sandbox: SandboxProcess) -> None:
    from playwright.sync_api import expect

    open_chat(page, sandbox.url, **{"as": "admin", "chat": "group", "lang": "zh"})
    expect(page.locator("#chat-title")).to_contain_text("管理群")
    send_text(page, "/station_close ls-canteen-shawan")
    expect(page.locator(".msg.out")).to_contain_text("/station_close ls-canteen-shawan")
    expect(last_bot_message(page)).to_contain_text("已标记为暂停开放")

    # The volunteer (a seeded, onboarded user) sees the group with the admin's name on it...
    page.select_option("#identity", "volunteer")
    expect(page.locator(".msg.in .sender").first).to_have_text("王管理")
    # ...and in their own chat the station now shows as closed.
    page.locator('#chat-tabs button[data-chat="private"]').click()
    page.click("#start-btn")
    expect(last_bot_message(page)).to_contain_text("李志愿，欢迎回来")
    press_reply(page, "📍 附近驿站")
    share_preset_location(page, "乐山")
    listing = page.locator(".msg.from-bot", has_text="附近的驿站").last
    expect(listing).to_contain_text("人民食堂")
    expect(listing).to_contain_text("⛔ 暂停开放")

    # Ctrl-C with the page connected (its long poll open) stops everything cleanly.
    assert sandbox.interrupt() == 0, sandbox.output
    assert "Traceback" not in sandbox.output, sandbox.output
    expect(page.locator("#offline")).to_be_visible()


def test_bad_input_is_refused_on_the_page_and_a_photo_goes_through(
    page: Any, sandbox: SandboxProcess
) -> None:
    from playwright.sync_api import expect

    open_chat(page, sandbox.url, **{"as": "volunteer", "chat": "private", "lang": "en"})
    expect(page.locator("#start-btn")).to_have_text("START")
    page.click("#attach-btn")
    page.click('#attach-menu [data-action="location"]')
    for lat, lon, error in (
        ("95", "10", "Latitude must be between -90 and 90"),
        ("abc", "10", "Enter a number"),
        ("29.4", "200", "Longitude must be between -180 and 180"),
    ):
        page.fill("#lat", lat)
        page.fill("#lon", lon)
        page.click("#location-send")
        expect(page.locator("#location-error")).to_contain_text(error)
    page.click("#location-cancel")

    too_big = {"name": "big.jpg", "mimeType": "image/jpeg", "buffer": bytes(12 * 1024 * 1024)}
    page.set_input_files("#photo-input", files=[too_big])
    expect(page.locator("#toast")).to_contain_text("Photo too large: 12 MB, at most 10 MB")
    text_file = {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"}
    page.set_input_files("#photo-input", files=[text_file])
    expect(page.locator("#toast")).to_contain_text("Choose an image file")
    assert page.locator(".msg").count() == 0  # nothing bad reached the bot

    page.fill("#text", "路面有坑")  # typed text becomes the photo's caption
    photo = {"name": "road.png", "mimeType": "image/png", "buffer": png(40, 30)}
    page.set_input_files("#photo-input", files=[photo])
    sent = page.locator(".msg.out").last
    expect(sent).to_contain_text("路面有坑")
    expect(sent.locator("img.photo")).to_be_visible()
    # The image is served back by the local server, decoded by the browser at its real size.
    page.wait_for_function("document.querySelector('.msg.out img.photo').naturalWidth === 40")
    expect(page.locator(".msg.from-bot")).not_to_have_count(0)  # whatever the bot answers

    # The bot's command list (its English one: the page is in English), then a document from
    # the bot: /mydata, downloadable from the card.
    page.click("#commands-btn")
    command = page.locator("#commands-menu button", has_text="/mydata")
    expect(command).to_contain_text("Download your data")
    command.click()
    document = page.locator(".msg.from-bot .card", has_text="warmdrive-my-data.json")
    link = document.locator("a[download]")
    expect(link).to_be_visible()
    exported = page.request.get(sandbox.url + link.get_attribute("href").lstrip("/")).json()
    assert exported["user"]["phone"] == "+8613800000002"


def test_what_the_bot_sends_is_rendered_from_entities(page: Any, sandbox: SandboxProcess) -> None:
    """Playing the bot by hand through the Bot API, next to the real bot: every kind of content
    the page draws, and markup that must never become HTML."""
    from playwright.sync_api import expect

    open_chat(page, sandbox.url, **{"as": "driver", "chat": "private", "lang": "zh"})
    page.click("#start-btn")  # the chat exists once the user has written
    expect(last_bot_message(page)).to_contain_text("您同意吗")
    token = page.request.get(sandbox.url + "chat/config.json").json()["token"]
    api = f"{sandbox.url}bot{token}/"
    chat_id = 20001
    html = (
        '<b>粗体</b> <i>斜体</i> <a href="https://example.org/x">链接</a> '
        '<a href="javascript:window.clicked=1">坏链接</a> '
        "&lt;img src=x onerror=window.xss=1&gt; <tg-spoiler>秘密</tg-spoiler>\n"
        '<pre><code class="language-python">print(1)</code></pre>\n'
        "发送 /help 查看帮助，或访问 https://example.org/plain，路径 a/b 不是命令"
    )
    button = {
        "inline_keyboard": [
            [{"text": "打开网站", "url": "https://example.org/"}],
            [{"text": "坏按钮", "url": "javascript:window.clicked=1"}],
            [{"text": "回调", "callback_data": "demo"}],
        ]
    }
    calls: list[tuple[str, dict[str, Any]]] = [
        ("sendMessage", {"data": {"chat_id": chat_id, "text": html, "parse_mode": "HTML",
                                  "reply_markup": button}}),
        ("sendVenue", {"data": {"chat_id": chat_id, "latitude": 29.44215,
                                "longitude": 103.58306, "title": "暖心之家",
                                "address": "沙湾区 G348"}}),
        ("sendPhoto", {"multipart": {"chat_id": str(chat_id), "caption": "<b>照片</b>",
                                     "parse_mode": "HTML",
                                     "photo": {"name": "p.png", "mimeType": "image/png",
                                               "buffer": png(60, 40)}}}),
        ("sendDocument", {"multipart": {"chat_id": str(chat_id),
                                        "document": {"name": "report.csv",
                                                     "mimeType": "text/csv",
                                                     "buffer": b"a,b\n1,2\n"}}}),
    ]  # fmt: skip
    # While another chat is open, its tab gets an unread dot.
    page.locator('#chat-tabs button[data-chat="group"]').click()
    private_tab = page.locator('#chat-tabs button[data-chat="private"]')
    for method, body in calls:
        response = page.request.post(api + method, **body)
        assert response.ok, (method, response.text())
    expect(private_tab).to_have_class(re.compile("unread"))
    private_tab.click()
    expect(private_tab).not_to_have_class(re.compile("unread"))

    message = page.locator(".msg.from-bot", has_text="粗体")
    expect(message.locator("b")).to_have_text("粗体")
    expect(message.locator("i")).to_have_text("斜体")
    expect(message.locator('a[href="https://example.org/x"]')).to_have_text("链接")
    expect(message.locator("a", has_text="坏链接")).to_have_count(0)  # javascript: stays text
    expect(message).to_contain_text("<img src=x onerror=window.xss=1>")  # shown, not parsed
    expect(message.locator(".text img")).to_have_count(0)
    spoiler = message.locator(".spoiler")
    expect(spoiler).to_have_text("秘密")
    spoiler.click()
    expect(spoiler).to_have_class(re.compile("revealed"))
    expect(message.locator('pre code[data-language="python"]')).to_have_text("print(1)")
    expect(message.locator('.inline-kb a[href="https://example.org/"]')).to_have_text("打开网站")
    bad_button = message.locator(".inline-kb button", has_text="坏按钮")  # not a link
    bad_button.click()
    expect(page.locator("#toast")).to_contain_text("不支持")
    # Like a Telegram client: a /command and a web address in the text can be tapped.
    expect(message.locator('a[href="https://example.org/plain"]')).to_have_text(
        "https://example.org/plain"
    )
    expect(message.locator("a.command")).to_have_text(["/help"])  # "a/b" is no command
    assert page.evaluate("window.xss") is None and page.evaluate("window.clicked") is None

    venue = page.locator(".msg.from-bot .card", has_text="暖心之家")
    expect(venue).to_contain_text("沙湾区 G348")
    expect(venue).to_contain_text("29.442150, 103.583060")
    expect(venue.locator("a", has_text="Amap")).to_have_attribute(
        "href", re.compile(r"position=103\.583060,29\.442150.*coordinate=wgs84")
    )
    photo = page.locator(".msg.from-bot", has_text="照片")
    expect(photo.locator(".text b")).to_have_text("照片")
    page.wait_for_function(
        "[...document.querySelectorAll('.msg.from-bot img.photo')].some(i => i.naturalWidth === 60)"
    )
    document = page.locator(".msg.from-bot .card", has_text="report.csv")
    expect(document).to_contain_text("8 B")
    expect(document.locator("a[download]")).to_have_text("⬇ 下载")
    href = document.locator("a[download]").get_attribute("href")
    assert page.request.get(sandbox.url + href.lstrip("/")).body() == b"a,b\n1,2\n"

    # The real bot answers a button press from someone who has not agreed with an alert.
    message.locator(".inline-kb button", has_text="回调").click()
    expect(page.locator("#alert-dialog")).to_be_visible()
    expect(page.locator("#alert-text")).to_have_text("请先同意隐私说明：发送 /start。")
    page.locator("#alert-dialog button").click()
    expect(page.locator("#alert-dialog")).to_be_hidden()

    message.locator("a.command", has_text="/help").click()  # sends it, and the bot answers
    expect(last_bot_message(page)).to_contain_text("暖驶为路上的司机朋友服务")


def test_volunteer_books_a_checkup_and_the_admin_checks_it(
    page: Any, sandbox: SandboxProcess
) -> None:
    """体检预约 on the page: every step edits one message; the admin then finds the code."""
    from playwright.sync_api import expect

    open_chat(page, sandbox.url, **{"as": "volunteer", "chat": "private", "lang": "zh"})
    page.click("#start-btn")
    expect(last_bot_message(page)).to_contain_text("欢迎回来")
    press_reply(page, "🩺 体检预约")
    form = page.locator(".msg.from-bot", has_text="免费健康体检").last
    form_id = form.get_attribute("data-message-id")
    same = page.locator(f'.msg[data-message-id="{form_id}"]')
    same.locator(".inline-kb button", has_text="免费体检").click()
    expect(same).to_contain_text("您想去哪家")
    same.locator(".inline-kb button", has_text="自贡市第三人民医院").click()
    expect(same).to_contain_text("请选日期")
    # The first bookable day (today's evening, or the next day with slots, whenever this runs).
    same.locator(".inline-kb button").filter(has_text=re.compile(r"^\d+$")).first.click()
    expect(same).to_contain_text("请选时段")
    same.locator(".inline-kb button", has_text="余").first.click()
    expect(same).to_contain_text("请核对后确认")
    same.locator(".inline-kb button", has_text="✅ 确认预约").click()
    expect(same).to_contain_text("预约成功")
    expect(
        same.locator(".inline-kb a", has_text="高德地图")
    ).to_be_visible()  # URL buttons are links
    code = re.search(r"预约码是 ([A-Z0-9]{6})", same.inner_text())
    assert code is not None, same.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "sandbox-checkup-booked.png"))

    # The admin, in the admin group, looks the code up.
    page.select_option("#identity", "admin")
    page.locator('#chat-tabs button[data-chat="group"]').click()
    send_text(page, f"/checkin {code.group(1)}")
    expect(last_bot_message(page)).to_contain_text(code.group(1))
