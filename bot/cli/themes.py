"""`python -m bot themes import|export FILE`: the theme of the month and its activities (YAML)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.cli.files import job_session, read_input, report_errors, write_output
from bot.config import Settings
from bot.services.themes.catalog import ThemeCounts, load_themes, store_themes
from knowledge.themes.files import dump_themes_yaml, parse_themes_yaml
from knowledge.themes.programme import Theme


async def _store(settings: Settings, themes: tuple[Theme, ...]) -> ThemeCounts:
    async with job_session(settings) as session:
        counts = await store_themes(session, themes)
        await session.commit()
        return counts


async def _load(settings: Settings) -> tuple[Theme, ...]:
    async with job_session(settings) as session:
        return await load_themes(session)


def import_file(settings: Settings, path: Path) -> int:
    """All or nothing: every bad entry is reported with its line and nothing is written."""
    text = read_input(path)
    if text is None:
        return 2
    result = parse_themes_yaml(text)
    if not result.ok or result.themes is None:
        return report_errors(path, result.errors)
    counts = asyncio.run(_store(settings, result.themes))
    print(f"{counts.themes} themes, {counts.activities} activities")
    if counts.samples_removed:
        print(f"removed {counts.samples_removed} sample themes (illustrative data)")
    return 0


def export_file(settings: Settings, path: Path) -> int:
    themes = asyncio.run(_load(settings))
    if not write_output(path, dump_themes_yaml(themes)):
        return 2
    print(f"exported {len(themes)} themes to {path}")
    return 0
