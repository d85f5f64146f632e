"""`python -m bot offices import|export FILE`: complaint handling offices, routes, deadlines
and calendar days (YAML)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.files import job_session, read_input, report_errors, write_output
from bot.config import Settings
from bot.services.complaints.offices import StoreCounts, load_book, store_book
from knowledge.complaints.files import dump_offices_yaml, parse_offices_yaml
from knowledge.complaints.offices import OfficeBook


async def _store(settings: Settings, book: OfficeBook) -> StoreCounts:
    async with job_session(settings) as session:
        counts = await store_book(session, book, datetime.now(UTC))
        await session.commit()
        return counts


async def _load(settings: Settings) -> OfficeBook:
    async with job_session(settings) as session:
        return await load_book(session)


def import_file(settings: Settings, path: Path) -> int:
    """All or nothing: every bad entry is reported with its line and nothing is written."""
    text = read_input(path)
    if text is None:
        return 2
    result = parse_offices_yaml(text)
    if not result.ok or result.book is None:
        return report_errors(path, result.errors)
    counts = asyncio.run(_store(settings, result.book))
    print(f"{counts.offices} offices, {counts.routes} routes; {counts.handlers} handlers set")
    if counts.unknown_handlers:
        ids = ", ".join(str(i) for i in counts.unknown_handlers)
        print(f"not handlers yet (they have not used the bot): {ids}")
    return 0


def export_file(settings: Settings, path: Path) -> int:
    book = asyncio.run(_load(settings))
    if not write_output(path, dump_offices_yaml(book)):
        return 2
    print(f"exported {len(book.offices)} offices to {path}")
    return 0
