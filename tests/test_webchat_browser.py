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

from tests.sandbox_process import SandboxProcess, free_port, png

ROOT = Path(__file__).resolve().parent.parent
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
    for candidate in (os.environ.get("WARMDRIVE_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _unavailable(reason: str) -> None:
    if REQUIRE_BROWSER:
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    path = _chromium()
    if path is None:
        _unavailable("no Chromium at /usr/bin/chromium: `make browser` (apt-get install chromium)")
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
def sandbox_url(tmp_path: Path) -> Iterator[str]:
    """A fresh `python -m bot` with nothing configured: no token, an empty directory."""
    proc = SandboxProcess(tmp_path, SANDBOX_LISTEN=f"127.0.0.1:{free_port()}", LOG_LEVEL="WARNING")
    try:
        yield proc.wait_for_url()
    finally:
        proc.stop()


@pytest.fixture
def page(browser: Any, sandbox_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    # A phone-sized window; a new context per test, so no localStorage carries over. It needs
    # sandbox_url so the sandbox is still up for the closing screenshot.
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


def test_driver_onboards_shares_location_and_filters_in_place(page: Any, sandbox_url: str) -> None:
    from playwright.sync_api import expect

    open_chat(page, sandbox_url, **{"as": "driver", "chat": "private", "lang": "zh"})
    expect(page.locator(".empty")).to_be_visible()
    page.click("#start-btn")
    expect(last_bot_message(page)).to_contain_text("您同意吗")
    expect(last_bot_message(page).locator("b").first).to_have_text(re.compile("开始之前"))

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

    # An inline filter edits that same message in place.
    listing.locator(".inline-kb button", has_text="住宿").click()
    edited = page.locator(f'.msg[data-message-id="{listing_id}"]')
    expect(edited).to_contain_text("筛选：🛏 住宿")
    expect(edited.locator(".meta")).to_contain_text("已编辑")
    expect(edited.locator(".inline-kb button", has_text="✅ 🛏 住宿")).to_be_visible()
    assert page.locator(".msg.from-bot").count() == bot_messages
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "sandbox-nearest-stations.png"))


def test_admin_action_in_the_group_seen_from_both_sides(page: Any, sandbox_url: str) -> None:
    from playwright.sync_api import expect

    open_chat(page, sandbox_url, **{"as": "admin", "chat": "group", "lang": "zh"})
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


def test_bad_input_is_refused_on_the_page_and_a_photo_goes_through(
    page: Any, sandbox_url: str
) -> None:
    from playwright.sync_api import expect

    open_chat(page, sandbox_url, **{"as": "volunteer", "chat": "private", "lang": "en"})
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
