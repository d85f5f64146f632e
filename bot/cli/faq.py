"""`python -m bot faq import|export FILE`: the FAQ knowledge base (政策与法律问答, YAML).

An import replaces the whole set, all or nothing: every problem is reported with its line and
nothing is written; the counters of the entries it keeps stay, the votes of those it leaves
out go with them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.files import import_export, job_session, read_input, report_errors, write_output
from bot.config import Settings
from bot.services.faq.library import FaqCounts, load_entries, store_entries
from knowledge.faq.files import dump_faq_yaml, parse_faq_yaml
from knowledge.faq.model import Faq


async def _store(settings: Settings, entries: tuple[Faq, ...]) -> FaqCounts:
    async with job_session(settings) as session:
        counts = await store_entries(session, entries, datetime.now(UTC))
        await session.commit()
        return counts


async def _load(settings: Settings) -> tuple[Faq, ...]:
    async with job_session(settings) as session:
        return await load_entries(session)


def import_file(settings: Settings, path: Path) -> int:
    """All or nothing: every bad entry is reported with its line and nothing is written."""
    text = read_input(path)
    if text is None:
        return 2
    result = parse_faq_yaml(text)
    if not result.ok or result.entries is None:
        return report_errors(path, result.errors)
    counts = asyncio.run(_store(settings, result.entries))
    print(f"{counts.entries} entries: {counts.added} added, {counts.changed} changed, "
          f"{counts.removed} removed (left out of the file)")  # fmt: skip
    if counts.votes_removed:
        print(f"removed {counts.votes_removed} votes on the removed entries")
    return 0


def export_file(settings: Settings, path: Path) -> int:
    entries = asyncio.run(_load(settings))
    if not write_output(path, dump_faq_yaml(entries)):
        return 2
    print(f"exported {len(entries)} entries to {path}")
    return 0


FAQ_CLI = import_export("faq", "the FAQ knowledge base (YAML)", import_file, export_file)
