"""What a snap report refuses, through the local Bot API server: bad files store nothing, the
same photo twice is caught, a stale or doubled card button changes nothing, a report without
a photo is fine, and a rejection tells the reporter why."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from bot.db.snaps.models import SnapEventRow, SnapFollowerRow, SnapPhotoRow, SnapRow
from bot.db.snaps.statuses import RejectReason, SnapAction, SnapStatus
from bot.sandbox import TgUser, specs
from knowledge.snaps.samples import SAMPLE_PHOTOS
from tests.harness.app import ADMIN, DRIVER, TOKEN, App
from tests.harness.chat import alerts, buttons, last_with_buttons, tap, texts
from tests.snaps.conftest import GROUP
from tests.snaps.test_photos import _flat_png

OTHER = TgUser(1005, "赵师傅")


def stored_files(tmp_path: Path) -> list[Path]:
    root = tmp_path / "files"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def count(app: App, model: type) -> int:
    async with app.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_bad_files_are_refused_and_nothing_is_stored(app: App, tmp_path: Path) -> None:
    await app.onboard(DRIVER)
    await app.text(DRIVER, "📸 随手拍")
    good = SAMPLE_PHOTOS[0].path.read_bytes()
    cases = [
        (specs.document(DRIVER, good[: len(good) // 3], "broken.jpg", "image/jpeg"), "已损坏"),
        (specs.document(DRIVER, "这不是图片\n".encode() * 50, "notes.jpg", "image/jpeg"),
         "不是照片"),
        (specs.document(DRIVER, _flat_png(12_000, 12_000), "bomb.png", "image/png"), "像素"),
        (specs.document(DRIVER, b"\xff\xd8\xff" + b"\0" * (11 * 1024 * 1024), "big.jpg",
                        "image/jpeg"), "照片太大"),
    ]  # fmt: skip
    for spec, words in cases:
        sent = await app.feed(spec)
        assert any(words in t for t in texts(sent)), (words, texts(sent))
    assert stored_files(tmp_path) == []
    flow = last_with_buttons(app, DRIVER.id)
    assert "请发送问题的照片" in flow["text"]  # still waiting for a photo

    sent = await app.text(DRIVER, "路边有个坑")  # words where a photo is expected
    assert any("请发送照片" in t for t in texts(sent))
    assert await count(app, SnapPhotoRow) == 0


async def test_the_same_photo_twice_is_caught(app: App) -> None:
    await app.onboard(DRIVER)
    await app.text(DRIVER, "📸 随手拍")
    photo = SAMPLE_PHOTOS[2].path.read_bytes()
    await app.feed(specs.photo(DRIVER, photo))
    flow = last_with_buttons(app, DRIVER.id)
    assert "照片显示" not in flow["text"]  # Telegram strips EXIF from a compressed photo
    again = await app.feed(specs.photo(DRIVER, photo))
    assert any("已经发过" in t for t in texts(again))
    await tap(app, DRIVER, "⏭")  # no location
    await tap(app, DRIVER, "交通设施")
    await tap(app, DRIVER, "✅")
    assert await count(app, SnapPhotoRow) == 1

    await app.onboard(OTHER)  # another driver sends the very same picture
    await app.text(OTHER, "📸 随手拍")
    sent = await app.feed(specs.photo(OTHER, photo))
    row = await _last(app)
    assert any(row.number in t and "发送过" in t for t in texts(sent))


async def _last(app: App) -> SnapRow:
    async with app.session_factory() as session:
        row = await session.scalar(select(SnapRow).order_by(SnapRow.id.desc()))
        assert row is not None
        return row


async def test_words_only_report_and_a_reasoned_rejection(app: App) -> None:
    await app.onboard(DRIVER)
    await app.text(DRIVER, "/snap")
    await tap(app, DRIVER, "📝")
    await app.feed(specs.location(DRIVER, 0.0, 0.0))  # what a GPS without a fix reports
    assert "位置无效" in app.server.chat_messages(TOKEN, DRIVER.id)[-1]["text"]
    await tap(app, DRIVER, "⏭")
    await tap(app, DRIVER, "占道")
    refused = await tap(app, DRIVER, "✅")  # nothing to find it by yet
    assert alerts(refused) and await count(app, SnapRow) == 0
    await app.text(DRIVER, "G76 自贡段 K1234 处货车长期占用应急车道")
    await app.feed(specs.voice(DRIVER))
    await tap(app, DRIVER, "✅")
    row = await _last(app)
    assert row.lat is None and row.text.startswith("G76") and row.status is SnapStatus.NEW
    assert row.voice_file_id is not None
    card = last_with_buttons(app, GROUP)
    assert "photo" not in card and row.number in card["text"] and "语音" in card["text"]
    await app.onboard(ADMIN)
    await tap(app, ADMIN, "🎙", chat_id=GROUP)  # the voice note goes to the admin's own chat
    heard = app.server.chat_messages(TOKEN, ADMIN.id)[-1]
    assert "voice" in heard and heard.get("caption") == row.number

    await tap(app, ADMIN, "✖", chat_id=GROUP)
    await tap(app, ADMIN, "重复上报", chat_id=GROUP)
    rejected = await _last(app)
    assert rejected.status is SnapStatus.REJECTED
    assert rejected.reject_reason is RejectReason.DUPLICATE
    news = app.server.chat_messages(TOKEN, DRIVER.id)[-1]["text"]
    assert row.number in news and "重复上报" in news
    await app.drain()
    card = app.server.chat_messages(TOKEN, GROUP)[-1]  # nothing left to do but listen
    assert [b["text"] for b in buttons(card)] == ["🎙 听语音"] and "不予受理" in card["text"]


async def test_a_stale_or_doubled_tap_changes_nothing(app: App) -> None:
    await app.onboard(DRIVER)
    await app.text(DRIVER, "/snap")
    await tap(app, DRIVER, "📝")
    await app.feed(specs.location(DRIVER, 28.2489, 117.0553))
    await tap(app, DRIVER, "积水")
    await tap(app, DRIVER, "✅")
    card = last_with_buttons(app, GROUP)
    verify = next(b for row in card["reply_markup"]["inline_keyboard"] for b in row
                  if "核实" in b["text"])  # fmt: skip
    await tap(app, ADMIN, "✅ 核实", chat_id=GROUP)
    again = await app.feed(specs.callback(ADMIN, card["message_id"], verify["callback_data"],
                                          chat_id=GROUP, check_button=False))  # fmt: skip
    assert alerts(again)
    forged = verify["callback_data"].replace("verify", "why") + "spam"
    forged_tap = await app.feed(specs.callback(ADMIN, card["message_id"], forged,
                                               chat_id=GROUP, check_button=False))  # fmt: skip
    assert alerts(forged_tap)
    row = await _last(app)
    assert row.status is SnapStatus.VERIFIED and row.points == 30
    async with app.session_factory() as session:
        verified = await session.scalar(
            select(func.count()).where(SnapEventRow.action == SnapAction.VERIFIED)
        )
    assert verified == 1


async def test_me_too_only_for_a_report_that_was_offered(app: App) -> None:
    await app.onboard(DRIVER)
    for lat, lon in ((29.5640, 103.7620), (28.2489, 117.0553)):  # 乐山, then 鹰潭
        await app.text(DRIVER, "/snap")
        await tap(app, DRIVER, "📝")
        await app.feed(specs.location(DRIVER, lat, lon))
        await tap(app, DRIVER, "交通设施")
        await tap(app, DRIVER, "✅")
    far = await _last(app)
    await app.onboard(OTHER)  # beside the first: only it is offered
    await app.text(OTHER, "/snap")
    await tap(app, OTHER, "📝")
    await app.feed(specs.location(OTHER, 29.5641, 103.7620))
    await tap(app, OTHER, "交通设施")
    flow = last_with_buttons(app, OTHER.id)
    assert "🙋" in str(flow["reply_markup"]) and far.number not in flow["text"]
    forged = await app.feed(specs.callback(OTHER, flow["message_id"], f"sf:metoo:{far.id}",
                                           check_button=False))  # fmt: skip
    assert alerts(forged) and await count(app, SnapFollowerRow) == 0
