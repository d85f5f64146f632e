"""`python -m bot shop import|export FILE` (the catalogue, YAML, all or nothing) and
`python -m bot shop report [FILE.csv]` (stock and vouchers per item; CSV when a file is given)."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.files import job_session, read_input, report_errors, write_output
from bot.config import Settings
from bot.feature import CliCommand
from bot.services.shop.catalog import CatalogueCounts, load_items, store_items
from bot.services.shop.station import ItemReport, StationService
from knowledge.shop.catalogue import Item
from knowledge.shop.files import dump_shop_yaml, parse_shop_yaml

REPORT_COLUMNS = ("key", "name_zh", "name_en", "stock", "left", "unused", "used", "expired",
                  "cancelled", "withdrawn")  # fmt: skip


async def _store(settings: Settings, items: tuple[Item, ...]) -> CatalogueCounts:
    async with job_session(settings) as session:
        counts = await store_items(session, items, datetime.now(UTC))
        await session.commit()
        return counts


async def _load(settings: Settings) -> tuple[Item, ...]:
    async with job_session(settings) as session:
        return await load_items(session)


async def _report(settings: Settings) -> list[ItemReport]:
    async with job_session(settings) as session:
        return await StationService(session, settings.tz).report()


def import_file(settings: Settings, path: Path) -> int:
    """All or nothing: every bad entry is reported with its line and nothing is written."""
    text = read_input(path)
    if text is None:
        return 2
    result = parse_shop_yaml(text)
    if not result.ok or result.items is None:
        return report_errors(path, result.errors)
    counts = asyncio.run(_store(settings, result.items))
    print(f"{counts.items} items; {counts.withdrawn} withdrawn (left out of the file)")
    if counts.samples_removed:
        print(f"removed {counts.samples_removed} sample items (illustrative data)")
    return 0


def export_file(settings: Settings, path: Path) -> int:
    items = asyncio.run(_load(settings))
    if not write_output(path, dump_shop_yaml(items)):
        return 2
    print(f"exported {len(items)} items to {path}")
    return 0


def report_csv(rows: list[ItemReport]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(REPORT_COLUMNS)
    for r in rows:
        writer.writerow([r.key, r.name.zh, r.name.en, r.stock, r.remaining, r.unused, r.used,
                         r.expired, r.void, "yes" if r.withdrawn else ""])  # fmt: skip
    return out.getvalue()


def report(settings: Settings, path: Path | None) -> int:
    rows = asyncio.run(_report(settings))
    if path is not None:
        if not write_output(path, "\ufeff" + report_csv(rows)):  # the BOM: Excel reads UTF-8
            return 2
        print(f"wrote {len(rows)} items to {path}")
        return 0
    print(f"{'key':<28} {'left':>5} {'stock':>5} {'unused':>6} {'used':>5} {'expired':>7}")
    for r in rows:
        mark = " (withdrawn)" if r.withdrawn else ""
        print(f"{r.key:<28} {r.remaining:>5} {r.stock:>5} {r.unused:>6} {r.used:>5} "
              f"{r.expired + r.void:>7}{mark}")  # fmt: skip
    return 0


def _add(parser: argparse.ArgumentParser) -> None:
    action = parser.add_subparsers(dest="action", required=True)
    for verb, text in (("import", "load FILE (all or nothing)"), ("export", "write FILE")):
        action.add_parser(verb, help=text).add_argument("file", type=Path)
    rep = action.add_parser("report", help="stock and vouchers per item (CSV to FILE)")
    rep.add_argument("file", type=Path, nargs="?")


def _run(settings: Settings, args: argparse.Namespace) -> int:
    if args.action == "report":
        return report(settings, args.file)
    return (import_file if args.action == "import" else export_file)(settings, args.file)


SHOP_CLI = CliCommand("shop", "import or export the points shop catalogue (YAML), or report",
                      _add, _run)  # fmt: skip
