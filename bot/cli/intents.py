"""`python -m bot intents misses FILE [--days N]`: the texts the bot did not understand,
most frequent first, written in the labelled set's own format (bench/data/intents_*.yaml) with
an empty label to fill in, so they can join the tuning part."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from bot.cli.files import job_session, write_output
from bot.config import Settings
from bot.db.intents.repository import MissCount
from bot.feature import CliCommand
from bot.services.intents.misses import KEEP_DAYS, Misses


async def _misses(settings: Settings, days: int) -> list[MissCount]:
    async with job_session(settings) as session:
        return await Misses(session).since(datetime.now(UTC) - timedelta(days=days))


def misses_yaml(rows: list[MissCount]) -> str:
    items = [
        {"text": r.text, "label": "", "seen": r.count, "last": r.last.date().isoformat(),
         "outcome": r.outcome, **({"offered": r.guesses} if r.guesses else {})}
        for r in rows
    ]  # fmt: skip
    head = (
        "# Texts the bot did not understand. Fill in each label (see bench/data/), drop the\n"
        "# seen/last/outcome/offered lines, and add the items to bench/data/intents_tuning.yaml.\n"
    )
    return head + yaml.safe_dump(items, allow_unicode=True, sort_keys=False, width=100)


def export_misses(settings: Settings, path: Path, days: int) -> int:
    rows = asyncio.run(_misses(settings, days))
    if not write_output(path, misses_yaml(rows)):
        return 2
    print(f"wrote {len(rows)} texts ({sum(r.count for r in rows)} times) to {path}")
    return 0


def _add(parser: argparse.ArgumentParser) -> None:
    action = parser.add_subparsers(dest="action", required=True)
    misses = action.add_parser("misses", help="write the texts not understood to FILE (YAML)")
    misses.add_argument("file", type=Path)
    misses.add_argument("--days", type=int, default=30,
                        help=f"how far back (at most {KEEP_DAYS}, what is kept)")  # fmt: skip


def _run(settings: Settings, args: argparse.Namespace) -> int:
    return export_misses(settings, args.file, max(1, min(args.days, KEEP_DAYS)))


INTENTS_CLI = CliCommand("intents", "the free texts the bot did not understand", _add, _run)
