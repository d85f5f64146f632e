"""`python -m bot complaints export --month 2026-11 FILE`: a month's cases as .xlsx, in the
default language, for the office."""

from __future__ import annotations

import argparse
import asyncio
import re
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.files import write_bytes_output
from bot.config import Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade
from bot.feature import CliCommand
from bot.i18n import create_i18n

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _add(parser: argparse.ArgumentParser) -> None:
    action = parser.add_subparsers(dest="action", required=True)
    export = action.add_parser("export", help="write a month's cases to FILE (.xlsx)")
    export.add_argument("--month", required=True, help="YYYY-MM")
    export.add_argument("file", type=Path)


async def _build(settings: Settings, month: str) -> bytes:
    from handlers.complaints.reports import build_month

    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        i18n = create_i18n(settings.default_language)
        with i18n.context(), i18n.use_locale(settings.default_language):
            _chart, sheet, _summary = await build_month(
                create_session_factory(engine), settings.tz, datetime.now(UTC), month
            )
        return sheet
    finally:
        await engine.dispose()


def _run(settings: Settings, args: argparse.Namespace) -> int:
    if not _MONTH.match(args.month):
        print(f"--month {args.month}: expected YYYY-MM, e.g. 2026-11")
        return 2
    data = asyncio.run(_build(settings, args.month))
    if not write_bytes_output(args.file, data):
        return 2
    print(f"wrote the cases of {args.month} to {args.file}")
    return 0


EXPORT = CliCommand("complaints", "export a month's complaint cases (.xlsx)", _add, _run)
