"""Booking throughput with concurrent clients, on SQLite and PostgreSQL.

Each client is a driver confirming a seat in its own transaction, all at once, the way a burst
of confirms arrives when a popular slot opens. Slots have enough seats for everyone, so every
attempt books; a second run on full slots measures how fast the database says "full". The
baseline is the same number of single-row inserts (users), to show what the booking rules cost
on top of plain writes. Ends with one RESULT line.

    python bench/bookings.py [--clients 50] [--bookings 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.throwaway_db import DEFAULT_ADMIN_URL, throwaway_postgres
from bot.db.checkups.models import CheckupProviderRow, CheckupServiceRow, SlotRow
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade
from bot.db.users.models import Role, User
from bot.services.checkups.bookings import BookingError, BookingService
from knowledge.checkups.catalog import SlotTemplate

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)


async def _prepare(
    factory: async_sessionmaker[AsyncSession], n: int
) -> tuple[list[int], list[int]]:
    async with factory() as session:
        session.add(CheckupProviderRow(id="p", name="p", kind="hospital", city="", address="",
                                       lat=0, lon=0, phone=""))  # fmt: skip
        session.add(CheckupServiceRow(id="s", name_zh="s", name_en="s", duration_min=30,
                                      prep_zh="", prep_en=""))  # fmt: skip
        users = [User(telegram_id=5_000_000 + i, language="zh", role=Role.DRIVER) for i in range(n)]
        session.add_all(users)
        await session.flush()
        seats = max(1, n // 20)  # 20 slots on one Tuesday evening, enough seats in total
        template = SlotTemplate("p", "s", frozenset({1}), dtime(8), dtime(18), 30, seats, 7)
        await BookingService(session, TZ).generate_slots([template], date(2026, 11, 23))
        slots = list(await session.scalars(select(SlotRow.id)))
        await session.commit()
        return [u.id for u in users], slots


async def _attempt(factory: async_sessionmaker[AsyncSession], user: int, slot: int,
                   gate: asyncio.Semaphore) -> bool:  # fmt: skip
    async with gate, factory() as session:
        try:
            await BookingService(session, TZ).book(user, slot, NOW)
        except BookingError:
            await session.rollback()
            return False
        await session.commit()
        return True


async def _plain_insert(factory: async_sessionmaker[AsyncSession], i: int,
                        gate: asyncio.Semaphore) -> None:  # fmt: skip
    async with gate, factory() as session:
        session.add(User(telegram_id=9_000_000 + i, language="zh", role=Role.DRIVER))
        await session.commit()


async def run(url: str, clients: int, n: int) -> dict[str, float]:
    engine = create_engine(url, pool_size=clients, max_overflow=0)
    await upgrade(engine)
    factory = create_session_factory(engine)
    users, slots = await _prepare(factory, n)
    gate = asyncio.Semaphore(clients)

    started = time.perf_counter()
    await asyncio.gather(*(_plain_insert(factory, i, gate) for i in range(n)))
    plain = n / (time.perf_counter() - started)

    started = time.perf_counter()
    results = await asyncio.gather(
        *(_attempt(factory, u, slots[i % len(slots)], gate) for i, u in enumerate(users))
    )
    booked = n / (time.perf_counter() - started)
    ok = sum(results)

    # Everyone tries again for the same (now full) first slot: all refused.
    started = time.perf_counter()
    again = await asyncio.gather(*(_attempt(factory, u, slots[0], gate) for u in users))
    refused = n / (time.perf_counter() - started)
    await engine.dispose()
    assert not any(again), "a second booking got through"
    return {"bookings_per_s": booked, "booked": ok, "refusals_per_s": refused,
            "plain_inserts_per_s": plain}  # fmt: skip


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--bookings", type=int, default=1000)
    parser.add_argument("--postgres", default=DEFAULT_ADMIN_URL, help="'' to skip")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = await run(
            f"sqlite+aiosqlite:///{tmp}/b.db", args.clients, args.bookings
        )
    async with throwaway_postgres(args.postgres, "bookings") as pg:
        if pg:
            results["postgres"] = await run(pg, args.clients, args.bookings)
    print(f"{args.bookings} drivers, {args.clients} concurrent clients")
    print(f"{'db':<9} {'bookings/s':>11} {'refusals/s':>11} {'plain inserts/s':>16} {'ratio':>6}")
    fields = [f"clients={args.clients}", f"bookings={args.bookings}"]
    for db, r in results.items():
        ratio = r["bookings_per_s"] / r["plain_inserts_per_s"]
        print(f"{db:<9} {r['bookings_per_s']:>11.0f} {r['refusals_per_s']:>11.0f} "
              f"{r['plain_inserts_per_s']:>16.0f} {ratio:>6.2f}")  # fmt: skip
        assert r["booked"] == args.bookings
        fields += [f"{db}_bookings_per_s={r['bookings_per_s']:.0f}",
                   f"{db}_refusals_per_s={r['refusals_per_s']:.0f}",
                   f"{db}_plain_inserts_per_s={r['plain_inserts_per_s']:.0f}",
                   f"{db}_ratio={ratio:.3f}"]  # fmt: skip
    print("RESULT " + " ".join(fields))


if __name__ == "__main__":
    asyncio.run(main())
