"""Points shop redemptions with concurrent clients, on SQLite and PostgreSQL.

`--clients` (50) drivers, each granted enough points, redeem `--each` (20) vouchers one after
another, all at once, every redemption in its own session and transaction the way confirm
taps arrive: the stock's conditional UPDATE, the per-user slot, the voucher row and the
ledger's debit in one savepoint. By default every client buys the same item (`--items 1`),
so they all queue on one stock row: the worst case. The baseline, in the same run on the same
database: as many concurrent writers doing as many plain INSERTs of a voucher-like row
(`bench_plain_vouchers`), each in its own transaction. Afterwards the item's stock must be down
by exactly the redemptions, each client must hold `--each` vouchers and as many debits, and
`check()` must find nothing. PostgreSQL is skipped (said on stderr) when no server answers.
Ends with one RESULT line (the pg_ fields only when PostgreSQL ran).

    python bench/shop_redeem.py [--clients 50] [--each 20] [--items 1] [--postgres URL|'']
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.phases import Phase, attempt, plain_writer, print_phases, print_verdict, timed
from bench.throwaway_db import DEFAULT_ADMIN_URL, throwaway_postgres
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade
from bot.db.points.models import SystemAccount
from bot.db.points.repository import PointsRepository
from bot.db.shop.models import ShopItemRow, VoucherRow
from bot.db.users.models import Role, User
from bot.services.points.ledger import Ledger, PointsRules, check
from bot.services.shop.catalog import store_items
from bot.services.shop.shop import ShopService
from knowledge.shop.catalogue import Item, new_code

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)
RULES = PointsRules()
PRICE = 10
SURPLUS = 7  # points granted beyond the redemptions: every balance ends at exactly this

PLAIN_METADATA = MetaData()
PLAIN = Table(
    "bench_plain_vouchers",
    PLAIN_METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(8), unique=True, nullable=False),
    Column("redeem_key", String(64), unique=True, nullable=False),
    Column("item_id", Integer, nullable=False),
    Column("user_id", Integer, nullable=False),
    Column("price", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


def _item(n: int, stock: int, each: int) -> Item:
    return Item(f"bench-{n}", f"测试{n}", f"Bench {n}", "测试", "Bench", PRICE, stock, each, "",
                "code", date(2027, 12, 31))  # fmt: skip


async def _prepare(
    factory: async_sessionmaker[AsyncSession], clients: int, each: int, items: int
) -> tuple[list[int], list[int]]:
    async with factory() as session:
        people = [User(telegram_id=7_000_000 + i, language="zh", role=Role.DRIVER)
                  for i in range(clients)]  # fmt: skip
        session.add_all(people)
        await session.flush()
        ids = [u.id for u in people]
        ledger = Ledger(session, TZ, RULES)
        for user in ids:
            await ledger.grant(user, PRICE * each + SURPLUS, f"bench-grant:{user}", user, "b", NOW)
        await PointsRepository(session).system_account(SystemAccount.SPENT, NOW)
        per_item = math.ceil(clients / items) * each
        await store_items(session, tuple(_item(n, per_item, each) for n in range(items)), NOW)
        item_ids = list(await session.scalars(select(ShopItemRow.id).order_by(ShopItemRow.id)))
        await session.commit()
        return ids, item_ids


async def _client(factory: async_sessionmaker[AsyncSession], user: int, item: int, each: int,
                  phase: Phase) -> None:  # fmt: skip
    async def redeem(n: int) -> None:
        async with factory() as session:
            shop = ShopService(session, Ledger(session, TZ, RULES), TZ)
            await shop.redeem(user, item, f"bench{n:05d}", None, NOW)
            await session.commit()

    for n in range(each):
        await attempt(phase, redeem(n))


def _plain_values(writer: int) -> Callable[[int], dict[str, Any]]:
    return lambda n: {"code": new_code(), "redeem_key": f"plain:{writer}:{n}", "item_id": 1,
                      "user_id": writer, "price": PRICE, "created_at": NOW}  # fmt: skip


async def _verify(factory: async_sessionmaker[AsyncSession], users: list[int], items: list[int],
                  each: int, plain: Phase) -> list[str]:  # fmt: skip
    problems: list[str] = []
    async with factory() as session:
        ledger = Ledger(session, TZ, RULES)
        by_user = select(VoucherRow.user_id, func.count()).group_by(VoucherRow.user_id)
        held = dict((await session.execute(by_user)).all())
        for user in users:
            balance = await ledger.balance(user)
            if balance != SURPLUS or held.get(user, 0) != each:
                problems.append(f"user {user}: balance {balance} (want {SURPLUS}), "
                                f"{held.get(user, 0)} vouchers (want {each})")  # fmt: skip
        for row in await session.scalars(select(ShopItemRow).where(ShopItemRow.id.in_(items))):
            if row.remaining != row.stock - row.held:
                problems.append(f"item {row.key}: {row.remaining} left of {row.stock}, "
                                f"{row.held} held")  # fmt: skip
        if sum(held.values()) != len(users) * each:
            problems.append(f"{sum(held.values())} vouchers, want {len(users) * each}")
        problems += [f"check: {v.kind}: {v.detail}" for v in await check(session)]
        rows = await session.scalar(select(func.count()).select_from(PLAIN))
        if rows != len(plain.latencies):
            problems.append(f"{PLAIN.name} holds {rows} rows, {len(plain.latencies)} committed")
    return problems


async def run(url: str, clients: int, each: int, items: int) -> dict[str, Phase | list[str]]:
    engine = create_engine(url, pool_size=clients, max_overflow=0)
    await upgrade(engine)
    async with engine.begin() as conn:
        await conn.run_sync(PLAIN_METADATA.create_all)
    factory = create_session_factory(engine)
    users, item_ids = await _prepare(factory, clients, each, items)
    plain, shop = Phase(), Phase()
    await timed(plain, *(plain_writer(factory, PLAIN, each, _plain_values(w), plain)
                         for w in range(clients)))  # fmt: skip
    await timed(shop, *(_client(factory, u, item_ids[n % items], each, shop)
                        for n, u in enumerate(users)))  # fmt: skip
    problems = await _verify(factory, users, item_ids, each, plain)
    await engine.dispose()
    return {"shop": shop, "plain": plain, "problems": problems}


def _report(db: str, r: dict[str, Phase | list[str]], clients: int, each: int) -> list[str]:
    shop, plain, problems = r["shop"], r["plain"], r["problems"]
    assert isinstance(shop, Phase) and isinstance(plain, Phase) and isinstance(problems, list)
    print_phases(db, (("redemptions", shop), ("plain inserts", plain)), width=6)
    ratio = shop.tps() / plain.tps()
    print(f"{db:<8} ratio redemptions/plain {ratio:.3f}; mean redemption "
          f"{statistics.fmean(shop.latencies) * 1000:.2f} ms")  # fmt: skip
    verified = (f"{clients} clients hold {each} vouchers each, stock down by "
                f"exactly {clients * each}, check() found no violations")  # fmt: skip
    print_verdict(db, problems, verified)
    return [f"{db}_rps={shop.tps():.0f}", f"{db}_plain_rps={plain.tps():.0f}",
            f"{db}_ratio={ratio:.3f}", f"{db}_p99_ms={shop.ms(0.99):.1f}"]  # fmt: skip


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50, help="concurrent redeemers")
    parser.add_argument("--each", type=int, default=20, help="redemptions per client")
    parser.add_argument("--items", type=int, default=1, help="items the clients spread over")
    parser.add_argument("--postgres", default=DEFAULT_ADMIN_URL, help="'' to skip")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = await run(f"sqlite+aiosqlite:///{tmp}/s.db", args.clients,
                                      args.each, args.items)  # fmt: skip
    async with throwaway_postgres(args.postgres, "shop") as pg:
        if pg:
            results["pg"] = await run(pg, args.clients, args.each, args.items)
    print(f"{args.clients} concurrent clients x {args.each} redemptions over {args.items} "
          f"item(s) (baseline: {args.clients} writers x {args.each} plain inserts)")  # fmt: skip
    fields: list[str] = []
    failed = False
    for db, r in results.items():
        fields += _report(db, r, args.clients, args.each)
        failed = failed or bool(r["problems"])
        failed = failed or any(p.errors for p in (r["shop"], r["plain"]) if isinstance(p, Phase))
    print("RESULT " + " ".join([*fields, f"clients={args.clients}", f"items={args.items}"]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
