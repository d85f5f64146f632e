"""The web chat's 📸 sample photos: listed in the page's config, served by name, and sent to the
bot as a file that keeps its EXIF GPS (what Telegram does for documents, not for photos)."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from io import BytesIO
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.telegram import TelegramAPIServer
from PIL import Image
from yarl import URL

from bot.sandbox import BotApiServer, TgUser, specs
from bot.sandbox.webchat import (
    SAMPLES_PREFIX,
    WEB_DIR,
    DemoUser,
    SampleImage,
    WebChatConfig,
    add_webchat_routes,
)
from bot.sandbox_app import SAMPLE_PHOTO_LABELS, sample_photos
from knowledge.snaps.photos import process_photo
from knowledge.snaps.samples import SAMPLE_PHOTOS
from tests.harness import FastSession

TOKEN = "123456:SAMPLES"
USER = TgUser(1, "Li")
SAMPLES = sample_photos()
GPS_IFD = 0x8825


def config(samples: tuple[SampleImage, ...] = SAMPLES) -> WebChatConfig:
    driver = DemoUser("driver", USER.id, USER.first_name, "司机", "Driver", "+8613800000009")
    return WebChatConfig(token=TOKEN, users=(driver,), samples=samples)


@pytest.fixture
async def webchat() -> AsyncIterator[BotApiServer]:
    server = BotApiServer()
    add_webchat_routes(server, config())
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def bot(webchat: BotApiServer) -> AsyncIterator[Bot]:
    session = FastSession(api=TelegramAPIServer.from_base(webchat.base_url))
    tg_bot = Bot(TOKEN, session=session)
    yield tg_bot
    await session.close()


async def fetch(server: BotApiServer, path: str) -> tuple[int, str, bytes]:
    # encoded=True: the path goes out as written, "../" and "%2F" included.
    url = URL(server.base_url + path, encoded=True)
    async with aiohttp.ClientSession() as http, http.get(url) as resp:
        return resp.status, resp.content_type, await resp.read()


async def page_samples(server: BotApiServer) -> list[dict[str, Any]]:
    status, _, body = await fetch(server, "/chat/config.json")
    assert status == 200
    samples: list[dict[str, Any]] = json.loads(body)["samples"]
    return samples


def test_every_bundled_sample_has_labels() -> None:
    assert {p.name for p in SAMPLE_PHOTOS} == set(SAMPLE_PHOTO_LABELS)


async def test_config_lists_the_samples_with_their_urls(webchat: BotApiServer) -> None:
    listed = await page_samples(webchat)
    assert [s["name"] for s in listed] == ["pothole", "water", "traffic_light"]
    pothole = listed[0]
    assert pothole == {
        "name": "pothole",
        "label_zh": "路面坑洼",
        "label_en": "Pothole",
        "lat": 29.3521,
        "lon": 104.7745,
        "url": SAMPLES_PREFIX + "pothole.jpg",
        "file_name": "pothole.jpg",
    }
    assert all("path" not in s for s in listed)  # where the files live stays on the server


async def test_sample_url_serves_the_file(webchat: BotApiServer) -> None:
    for sample in SAMPLES:
        status, content_type, body = await fetch(webchat, sample.url)
        assert status == 200 and content_type == "image/jpeg"
        assert body == sample.path.read_bytes() and body.startswith(b"\xff\xd8")


@pytest.mark.parametrize(
    "path",
    [
        "nope.jpg",
        "pothole",
        "pothole.png",
        "pothole.jpg.jpg",
        "../x.jpg",
        "..%2Fx.jpg",
        "..%2F..%2Fknowledge%2Fdata%2Fsnap_samples%2Fpothole.jpg",
        "%2E%2E%2Fwebchat.py",
    ],
)
async def test_unknown_sample_is_404(webchat: BotApiServer, path: str) -> None:
    status, _, body = await fetch(webchat, SAMPLES_PREFIX + path)
    assert status == 404 and not body.startswith(b"\xff\xd8")


async def test_without_samples_the_page_offers_none() -> None:
    server = BotApiServer()
    add_webchat_routes(server, config(()))
    await server.start()
    try:
        assert await page_samples(server) == []
        status, _, _ = await fetch(server, SAMPLES_PREFIX + "pothole.jpg")
        assert status == 404
    finally:
        await server.stop()


def test_sample_names_and_files_are_checked(tmp_path: Path) -> None:
    for bad in ("../x", "a/b", "a.b", "", "名字"):
        with pytest.raises(ValueError, match="sample name"):
            SampleImage(bad, "x", "x", 0.0, 0.0, SAMPLES[0].path)
    with pytest.raises(ValueError, match="unique"):
        config((SAMPLES[0], SAMPLES[0]))
    missing = SampleImage("gone", "x", "x", 0.0, 0.0, tmp_path / "gone.jpg")
    with pytest.raises(RuntimeError, match=r"gone\.jpg"):
        add_webchat_routes(BotApiServer(), config((missing,)))


async def test_sample_sent_as_a_file_keeps_its_exif_gps(webchat: BotApiServer, bot: Bot) -> None:
    # What the page does: the bytes from the sample's URL, base64, as a document spec.
    sample = SAMPLES[0]
    status, _, content = await fetch(webchat, sample.url)
    assert status == 200
    spec = specs.document(USER, content, f"{sample.name}.jpg", "image/jpeg")
    assert base64.b64decode(spec["content_base64"]) == content
    webchat.inject_update(TOKEN, spec)
    (update,) = await bot.get_updates(timeout=0)
    assert update.message is not None and update.message.document is not None
    document = update.message.document
    assert (document.file_name, document.mime_type) == ("pothole.jpg", "image/jpeg")
    downloaded = await bot.download(document)
    assert downloaded is not None
    data = downloaded.read()
    assert data == content
    assert Image.open(BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the GPS block is there
    # ...and the bot's own photo pipeline reads the sample's place from it.
    gps = process_photo(data).gps
    assert gps is not None
    assert gps == pytest.approx((sample.lat, sample.lon), abs=1e-4)


async def test_sample_sent_as_a_photo_arrives_as_a_photo(webchat: BotApiServer, bot: Bot) -> None:
    sample = SAMPLES[1]
    _, _, content = await fetch(webchat, sample.url)
    webchat.inject_update(TOKEN, specs.photo(USER, content, caption="积水"))
    (update,) = await bot.get_updates(timeout=0)
    assert update.message is not None and update.message.photo
    assert update.message.document is None and update.message.caption == "积水"
    with Image.open(sample.path) as image:
        assert (update.message.photo[-1].width, update.message.photo[-1].height) == image.size


def test_page_has_the_menu_item_and_the_dialog_in_both_languages() -> None:
    page = (WEB_DIR / "index.html").read_text(encoding="utf-8")
    script = (WEB_DIR / "chat.js").read_text(encoding="utf-8")
    assert 'data-action="sample"' in page and 'id="sample-dialog"' in page
    assert 'id="samples"' in page and 'data-t="sampleHint"' in page
    for text in ("📸 示例照片", "📸 Sample photo", 'kind: "document"', 'mime_type: "image/jpeg"'):
        assert text in script
    assert script.count("sampleHint:") == 2  # zh and en
