"""The whole 随手拍 loop through the local Bot API server: a photo with EXIF GPS sent as a
file → its place offered → category → send → the card in the group's 随手拍 topic → verify
(points) → a second driver nearby says "me too" → forwarded → handled with an after photo →
reporter and follower told → four weeks later "still a problem?"."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from bot.db.snaps.models import SnapEventRow, SnapFollowerRow, SnapPhotoRow, SnapRow
from bot.db.snaps.statuses import LocationSource, PhotoKind, SnapAction, SnapStatus
from bot.sandbox import TgUser, specs
from bot.services.points.ledger import Ledger, PointsRules, check
from knowledge.snaps.samples import SAMPLE_PHOTOS
from tests.harness.app import ADMIN, DRIVER, TOKEN, App
from tests.harness.chat import alerts, last_with_buttons, tap, texts
from tests.harness.clock import Clock
from tests.snaps.conftest import GROUP

NEIGHBOUR = TgUser(1004, "王师傅")
POTHOLE = SAMPLE_PHOTOS[0]


async def report_row(app: App) -> SnapRow:
    async with app.session_factory() as session:
        row = await session.scalar(select(SnapRow).order_by(SnapRow.id.desc()))
        assert row is not None
        return row


async def send_sample(app: App, user: TgUser) -> None:
    await app.onboard(user)
    await app.text(user, "📸 随手拍")
    await app.feed(specs.document(user, POTHOLE.path.read_bytes(), "pothole.jpg", "image/jpeg"))


def caption(message: dict) -> str:
    return message.get("caption") or message.get("text") or ""


async def test_the_whole_loop(app: App, clock: Clock, tmp_path: Path) -> None:
    app.server.bot(TOKEN).register_group(GROUP, forum=True)
    await send_sample(app, DRIVER)
    flow = last_with_buttons(app, DRIVER.id)
    assert "29.35210, 104.77450" in flow["text"]  # the photo's own GPS, offered first
    assert "📍 发送我的位置" in app.reply_keyboard(DRIVER.id)
    await tap(app, DRIVER, "📍 使用照片的位置")
    await tap(app, DRIVER, "路面坑洼")
    await app.text(DRIVER, "右侧车道一个大坑，约半米宽")
    sent = await tap(app, DRIVER, "✅")
    row = await report_row(app)
    assert row.status is SnapStatus.NEW and row.location_source is LocationSource.PHOTO
    assert (row.lat, row.lon) == (POTHOLE.lat, POTHOLE.lon)
    assert any(row.number in t and "暖驶" not in t for t in texts(sent))

    # The stored copy has no metadata left, and is upright and small.
    async with app.session_factory() as session:
        photo = await session.scalar(select(SnapPhotoRow).where(SnapPhotoRow.report_id == row.id))
    assert photo is not None
    stored = tmp_path / "files" / photo.path
    with Image.open(io.BytesIO(stored.read_bytes())) as image:
        assert not image.getexif() and "exif" not in image.info and max(image.size) <= 2048
    assert not list((tmp_path / "files" / "staging").glob("*"))  # the staged copy went

    # The card: in the 随手拍 topic, with the photo, the map link and the category.
    topics = app.server.sent(TOKEN, method="createForumTopic")
    assert [t["params"]["name"] for t in topics] == ["📸 随手拍"]
    card = last_with_buttons(app, GROUP)
    assert "photo" in card and row.number in caption(card) and "路面坑洼" in caption(card)
    assert "uri.amap.com" in str(card.get("caption_entities"))
    assert DRIVER.first_name not in caption(card)

    refused = await tap(app, NEIGHBOUR, "✅", chat_id=GROUP)  # not an admin
    assert alerts(refused) and (await report_row(app)).status is SnapStatus.NEW
    await tap(app, ADMIN, "✅ 核实", chat_id=GROUP)
    assert (await report_row(app)).status is SnapStatus.VERIFIED
    news = app.server.chat_messages(TOKEN, DRIVER.id)[-1]
    assert row.number in news["text"] and "+30" in news["text"]  # 10 + the first-report 20

    # A second driver at the same pothole is offered the report, and follows it.
    await app.onboard(NEIGHBOUR)
    await app.text(NEIGHBOUR, "📸 随手拍")
    await tap(app, NEIGHBOUR, "📝")  # no photo
    await app.feed(specs.location(NEIGHBOUR, POTHOLE.lat + 0.0005, POTHOLE.lon))  # ~55 m
    await tap(app, NEIGHBOUR, "路面坑洼")
    offer = last_with_buttons(app, NEIGHBOUR.id)
    assert row.number in offer["text"]
    await tap(app, NEIGHBOUR, "🙋")
    async with app.session_factory() as session:
        followers = list(await session.scalars(select(SnapFollowerRow)))
        count = len(list(await session.scalars(select(SnapRow))))
    assert len(followers) == 1 and count == 1  # a follower, not a second report

    await tap(app, ADMIN, "➡️", chat_id=GROUP)
    await tap(app, ADMIN, "市公路与运输管理中心", chat_id=GROUP)
    assert (await report_row(app)).status is SnapStatus.FORWARDED
    assert "市公路与运输管理中心" in app.server.chat_messages(TOKEN, NEIGHBOUR.id)[-1]["text"]

    refused = await tap(app, ADMIN, "🛠", chat_id=GROUP)  # no private chat with the bot yet
    assert alerts(refused) and (await report_row(app)).status is SnapStatus.FORWARDED
    await app.onboard(ADMIN)
    await tap(app, ADMIN, "🛠", chat_id=GROUP)  # the after photo is asked for in private
    after = SAMPLE_PHOTOS[1].path.read_bytes()
    await app.feed(specs.photo(ADMIN, after, caption="已修补"))
    handled = await report_row(app)
    assert handled.status is SnapStatus.HANDLED and handled.handled_note == "已修补"
    for user in (DRIVER, NEIGHBOUR):
        told = app.server.chat_messages(TOKEN, user.id)[-1]
        assert "photo" in told and handled.number in told["caption"]
    async with app.session_factory() as session:
        afters = list(await session.scalars(
            select(SnapPhotoRow).where(SnapPhotoRow.kind == PhotoKind.AFTER)))  # fmt: skip
    assert len(afters) == 1

    # Four weeks on: the reporter is asked, and "still a problem" reopens it.
    clock.now += timedelta(days=28, hours=1)
    assert await app.dp["kits"]["snaps"].ask_followups() == 1
    assert await app.dp["kits"]["snaps"].ask_followups() == 0  # asked once
    await app.drain()
    question = last_with_buttons(app, DRIVER.id)
    assert handled.number in question["text"]
    await tap(app, DRIVER, "⚠️")
    assert (await report_row(app)).status is SnapStatus.FORWARDED

    async with app.session_factory() as session:
        actions = [e.action for e in await session.scalars(
            select(SnapEventRow).order_by(SnapEventRow.id))]  # fmt: skip
        assert actions == [
            SnapAction.FILED,
            SnapAction.VERIFIED,
            SnapAction.ME_TOO,
            SnapAction.FORWARDED,
            SnapAction.HANDLED,
            SnapAction.ASKED,
            SnapAction.STILL_THERE,
        ]
        assert await check(session) == []
        user = await app.user_row(DRIVER.id)
        assert user is not None
        assert await Ledger(session, app.settings.tz, PointsRules()).balance(user.id) == 30
    group = [caption(m) for m in app.server.chat_messages(TOKEN, GROUP)]
    assert all(DRIVER.first_name not in t and NEIGHBOUR.first_name not in t for t in group)
