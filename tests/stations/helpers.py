"""Station tests' helpers: sample places, the nearest list, more stations beside the samples."""

from __future__ import annotations

from typing import Any

from bot.db.stations.repository import StationRepository
from bot.sandbox import specs
from knowledge.stations.files import CSV_COLUMNS, parse_csv
from tests.harness.app import DRIVER, App

HEADER = ",".join(CSV_COLUMNS)
SHAWAN = (29.4150, 103.5500)  # Shawan district, Leshan: several sample stations nearby
ZIGONG = (29.339, 104.779)
WARM_HOME = (29.442150, 103.583060)  # exactly where the sample 暖心之家 stands


async def nearest_list(app: App, lat: float, lon: float, user: Any = DRIVER) -> dict:
    sent = await app.feed(specs.location(user, lat, lon))
    return [r for r in sent if r["method"] == "sendMessage"][-1]


def rows_of(record: dict) -> list[list[str]]:
    """The inline button rows a sent or edited message carries."""
    markup = record.get("reply_markup") or {}
    return [[b["text"] for b in row] for row in markup.get("inline_keyboard", [])]


async def add_stations(app: App, *rows: str) -> None:
    """More stations next to the sample ones (an import would replace those)."""
    async with app.session_factory() as session:
        result = parse_csv(HEADER + "\n" + "\n".join(rows) + "\n")
        assert result.ok, result.errors
        await StationRepository(session).upsert_many(result.stations)
        await session.commit()
    await app.kits["stations"].catalog.refresh()
