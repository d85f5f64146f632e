"""/mydata and /deleteme for snap reports: the reports are exported; erasure keeps each report
for the city without the person's words, voice or photos (their files swept away)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy import func, select

from bot.db.snaps.models import SnapFollowerRow, SnapPhotoRow, SnapRow
from bot.sandbox import specs
from knowledge.snaps.samples import SAMPLE_PHOTOS
from tests.app.test_personal_data import _my_data
from tests.harness.app import DRIVER, App
from tests.harness.chat import tap


async def test_export_then_erase(app: App, tmp_path: Path) -> None:
    await app.onboard(DRIVER)
    await app.text(DRIVER, "📸 随手拍")
    await app.feed(specs.photo(DRIVER, SAMPLE_PHOTOS[1].path.read_bytes()))
    await tap(app, DRIVER, "⏭")
    await tap(app, DRIVER, "积水")
    await app.text(DRIVER, "隧道口积水很深，我电话 13800138000")
    await tap(app, DRIVER, "✅")

    data = await _my_data(app, DRIVER)
    [report] = data["snaps"]["reports"]
    assert report["text"].startswith("隧道口积水") and len(report["photos"]) == 1
    assert [e["action"] for e in report["events"]] == ["filed"]

    await app.text(DRIVER, "/deleteme")
    await app.press(DRIVER, "🗑 确认删除")
    async with app.session_factory() as session:
        row = await session.scalar(select(SnapRow))
        assert row is not None and row.erased and row.text == "" and row.number
        assert await session.scalar(select(func.count()).select_from(SnapPhotoRow)) == 0
        assert await session.scalar(select(func.count()).select_from(SnapFollowerRow)) == 0
    files = [p for p in (tmp_path / "files").rglob("*.jpg")]
    assert len(files) == 1  # still on disk until the sweep, which waits an hour
    old = time.time() - 7200
    os.utime(files[0], (old, old))
    assert await app.dp["kits"]["snaps"].sweep_files() == 1
    assert not files[0].exists()
