"""Points ledger throughput with concurrent spenders, on SQLite and PostgreSQL.

`--users` (50) people are each granted their spends and a little more; then one spender per
person, all at once, each spends 1 point `--spends` (60) times, every spend with its own key
in its own session and transaction, the way a burst of shop purchases would arrive. Measured:
transfers per second and the p50/p99 latency of one transfer (session opened to commit done).
The baseline, in the same run on the same database: as many concurrent writers doing as many
plain single-row INSERTs (`bench_plain`), each in its own transaction, to show what a ledger
transfer (its reads, the conditional debit, the keyed transfer row, the savepoint) costs on
top of a bare write. Afterwards every balance must have dropped by exactly its spends and
`check()` must find nothing. PostgreSQL is skipped (said on stderr) when no server answers.
Ends with one RESULT line (the pg_ fields only when PostgreSQL ran). The default takes about
40 s on two cores (a spend is ~6 ms of client work alone); `--spends 200` about 2.5 minutes.

    python bench/points_ledger.py [--users 50] [--spends 60] [--postgres URL|'']
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Column, Integer, MetaData, String, Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.phases import Phase, attempt, plain_writer, print_phases, print_verdict, timed
from bench.throwaway_db import DEFAULT_ADMIN_URL, throwaway_postgres
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade
from bot.db.points.models import AccountRow, Reason, SystemAccount, TransferRow
from bot.db.points.repository import PointsRepository
from bot.db.users.models import Role, User
from bot.services.points.ledger import Ledger, PointsRules, check

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)
RULES = PointsRules()
SURPLUS = 7  # granted beyond the spends: every balance ends at exactly this

PLAIN_METADATA = MetaData()
PLAIN = Table(
    "bench_plain",
    PLAIN_METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),  # serial / rowid
    Column("key", String(64), unique=True, nullable=False),
    Column("amount", Integer, nullable=False),
)


async def _prepare(factory: async_sessionmaker[AsyncSession], users: int, grant: int) -> list[int]:
    async with factory() as session:
        people = [User(telegram_id=6_000_000 + i, language="zh", role=Role.DRIVER)
                  for i in range(users)]  # fmt: skip
        session.add_all(people)
        await session.flush()
        ids = [u.id for u in people]
        ledger = Ledger(session, TZ, RULES)
        for user in ids:
            await ledger.grant(user, grant, f"bench-grant:{user}", user, "bench", NOW)
        # `spent` is opened by the first spend otherwise; open it here, out of the timing.
        await PointsRepository(session).system_account(SystemAccount.SPENT, NOW)
        await session.commit()
        return ids


async def _spender(
    factory: async_sessionmaker[AsyncSession], user: int, spends: int, phase: Phase
) -> None:
    async def spend(n: int) -> None:
        async with factory() as session:
            await Ledger(session, TZ, RULES).spend(user, 1, f"bench:{user}:{n}", NOW)
            await session.commit()

    for n in range(spends):
        await attempt(phase, spend(n))


def _plain_values(writer: int) -> Callable[[int], dict[str, Any]]:
    return lambda n: {"key": f"plain:{writer}:{n}", "amount": 1}


async def _verify(
    factory: async_sessionmaker[AsyncSession], users: list[int], spends: int, plain: Phase
) -> list[str]:
    """What is wrong after the run; empty when every balance dropped by exactly its spends."""
    problems: list[str] = []
    async with factory() as session:
        ledger = Ledger(session, TZ, RULES)
        counted = dict(
            (await session.execute(
                select(AccountRow.user_id, func.count(TransferRow.id))
                .join(TransferRow, TransferRow.debit_id == AccountRow.id)
                .where(TransferRow.reason == Reason.SPEND)
                .group_by(AccountRow.user_id)
            )).all()
        )  # fmt: skip
        for user in users:
            balance = await ledger.balance(user)
            if balance != SURPLUS or counted.get(user, 0) != spends:
                problems.append(f"user {user}: balance {balance} (want {SURPLUS}), "
                                f"{counted.get(user, 0)} spends (want {spends})")  # fmt: skip
        problems += [f"check: {v.kind}: {v.detail}" for v in await check(session)]
        rows = await session.scalar(select(func.count()).select_from(PLAIN))
        if rows != len(plain.latencies):
            problems.append(f"bench_plain holds {rows} rows, {len(plain.latencies)} committed")
    return problems


async def run(url: str, users: int, spends: int) -> dict[str, Phase | list[str]]:
    engine = create_engine(url, pool_size=users, max_overflow=0)
    await upgrade(engine)
    async with engine.begin() as conn:
        await conn.run_sync(PLAIN_METADATA.create_all)
    factory = create_session_factory(engine)
    ids = await _prepare(factory, users, spends + SURPLUS)
    plain, ledger = Phase(), Phase()
    await timed(plain, *(plain_writer(factory, PLAIN, spends, _plain_values(w), plain)
                         for w in range(users)))  # fmt: skip
    await timed(ledger, *(_spender(factory, u, spends, ledger) for u in ids))
    problems = await _verify(factory, ids, spends, plain)
    await engine.dispose()
    return {"ledger": ledger, "plain": plain, "problems": problems}


def _report(db: str, r: dict[str, Phase | list[str]], users: int, spends: int) -> list[str]:
    ledger, plain, problems = r["ledger"], r["plain"], r["problems"]
    assert isinstance(ledger, Phase) and isinstance(plain, Phase) and isinstance(problems, list)
    print_phases(db, (("ledger spends", ledger), ("plain inserts", plain)), width=7)
    ratio = ledger.tps() / plain.tps()
    print(f"{db:<8} ratio ledger/plain {ratio:.3f}; mean spend "
          f"{statistics.fmean(ledger.latencies) * 1000:.2f} ms")  # fmt: skip
    print_verdict(db, problems, f"{users} balances each down by exactly {spends} "
                                f"(left {SURPLUS}), check() found no violations")  # fmt: skip
    return [f"{db}_tps={ledger.tps():.0f}", f"{db}_plain_tps={plain.tps():.0f}",
            f"{db}_ratio={ratio:.3f}"]  # fmt: skip


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help="concurrent spenders (and writers)")
    parser.add_argument("--spends", type=int, default=60, help="spends per spender")
    parser.add_argument("--postgres", default=DEFAULT_ADMIN_URL, help="'' to skip")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = await run(f"sqlite+aiosqlite:///{tmp}/p.db", args.users, args.spends)
    async with throwaway_postgres(args.postgres, "points") as pg:
        if pg:
            results["pg"] = await run(pg, args.users, args.spends)
    print(f"{args.users} concurrent spenders x {args.spends} spends of 1 point "
          f"(baseline: {args.users} writers x {args.spends} plain inserts)")  # fmt: skip
    fields: list[str] = []
    failed = False
    for db, r in results.items():
        fields += _report(db, r, args.users, args.spends)
        failed = failed or bool(r["problems"])
        failed = failed or any(p.errors for p in (r["ledger"], r["plain"]) if isinstance(p, Phase))
    print("RESULT " + " ".join([*fields, f"spenders={args.users}"]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
