"""`python -m bot points check`: the ledger's invariants, recomputed from every transfer.
Exits 1 and lists what is wrong when any is broken, so a cron job or a deploy can stop on it."""

from __future__ import annotations

import argparse
import asyncio

from bot.config import Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade
from bot.db.points.repository import PointsRepository
from bot.feature import CliCommand
from bot.services.points.ledger import Violation, check


def _add(parser: argparse.ArgumentParser) -> None:
    action = parser.add_subparsers(dest="action", required=True)
    action.add_parser("check", help="verify the ledger: balanced, nothing negative, no drift")


async def _check(settings: Settings) -> tuple[list[Violation], int]:
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with create_session_factory(engine)() as session:
            found = await check(session)
            count = await PointsRepository(session).transfer_count()
        return found, count
    finally:
        await engine.dispose()


def _run(settings: Settings, args: argparse.Namespace) -> int:
    found, transfers = asyncio.run(_check(settings))
    if found:
        for violation in found:
            print(f"{violation.kind}: {violation.detail}")
        print(f"points check: {len(found)} violation(s) in {transfers} transfer(s)")
        return 1
    print(f"points check: ok ({transfers} transfer(s), balanced, none negative)")
    return 0


CHECK = CliCommand("points", "verify the points ledger's invariants", _add, _run)
