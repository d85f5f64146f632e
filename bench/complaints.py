"""Complaints at 100,000 cases: a driver's /mycases, a handler's morning list and the month's
report, on SQLite and PostgreSQL.

Cases are spread over 20,000 drivers, 5 offices and 40 handlers, over twelve months; a third
are open. p50/p99 over repeated calls for /mycases (its page and count) and the morning list,
against a baseline measured in the same run: loading one case by its primary key. The month's
report is built once (its cases, the numbers, the PNG chart and the .xlsx) and timed whole.
Ends with one RESULT line.

    python bench/complaints.py [--cases 100000] [--calls 300]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.throwaway_db import DEFAULT_ADMIN_URL, throwaway_postgres
from bot.db.complaints.models import CaseRow, HandlerRow
from bot.db.complaints.statuses import CaseStatus
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade
from bot.db.users.models import Role, User
from bot.i18n import create_i18n
from bot.services.complaints.cases import CaseService
from bot.services.complaints.offices import Actor, load_sample_if_empty
from handlers.complaints.reports import build_month
from knowledge.complaints.categories import Category

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
DRIVERS, HANDLERS = 20_000, 40
OFFICES = ("transport", "union", "platforms", "mediation", "stations")
STATUSES = [CaseStatus.CLOSED] * 6 + [CaseStatus.NEW, CaseStatus.IN_PROGRESS,
                                      CaseStatus.WAITING_DRIVER, CaseStatus.RESOLVED]  # fmt: skip


async def _fill(factory: async_sessionmaker[AsyncSession], n: int) -> tuple[list[int], list[int]]:
    rng = random.Random(7)
    async with factory() as session:
        await load_sample_if_empty(session, NOW)
        users = [{"telegram_id": 7_000_000 + i, "language": "zh", "role": Role.DRIVER}
                 for i in range(DRIVERS + HANDLERS)]  # fmt: skip
        await session.execute(insert(User), users)
        await session.flush()
        ids = list(range(1, DRIVERS + HANDLERS + 1))
        drivers, handlers = ids[:DRIVERS], ids[DRIVERS:]
        await session.execute(insert(HandlerRow), [
            {"user_id": h, "office_id": OFFICES[i % 5], "added_at": NOW}
            for i, h in enumerate(handlers)])  # fmt: skip
        rows = []
        for i in range(n):
            created = NOW - timedelta(minutes=rng.randrange(365 * 24 * 60))
            status = rng.choice(STATUSES)
            owner = None if status is CaseStatus.NEW else rng.choice(handlers)
            resolved = created + timedelta(hours=rng.randrange(4, 200)) if status in (
                CaseStatus.CLOSED, CaseStatus.RESOLVED) else None  # fmt: skip
            rows.append({
                "number": f"SQ-{created.year}-{i + 1:06d}", "user_id": rng.choice(drivers),
                "filing_key": f"k{i}", "category": rng.choice(list(Category)),
                "description": "货主拖欠运费，说好到货结清，至今未付。", "status": status,
                "office_id": rng.choice(OFFICES), "owner_id": owner, "assignee_id": owner,
                "created_at": created, "accepted_at": None if owner is None else created,
                "resolved_at": resolved, "closed_at": resolved,
                "accept_due": created + timedelta(days=1),
                "respond_due": created + timedelta(days=2),
                "resolve_due": created + timedelta(days=7), "anonymous": False,
                "no_fault": False, "reopened": 0, "overdue": False, "review_needed": False,
                "rating": rng.randint(1, 5) if status is CaseStatus.CLOSED else None,
                "card_version": 1, "card_shown": 1, "amount_fen": rng.randrange(0, 500_000),
            })  # fmt: skip
            if len(rows) == 5_000:
                await session.execute(insert(CaseRow), rows)
                rows = []
        if rows:
            await session.execute(insert(CaseRow), rows)
        await session.commit()
    return drivers, handlers


def _ms(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples) * 1000, samples[int(len(samples) * 0.99) - 1] * 1000


async def run(url: str, n: int, calls: int) -> dict[str, float]:
    engine = create_engine(url)
    await upgrade(engine)
    factory = create_session_factory(engine)
    started = time.perf_counter()
    drivers, handlers = await _fill(factory, n)
    fill = time.perf_counter() - started
    rng = random.Random(11)
    timings: dict[str, list[float]] = {"get": [], "mycases": [], "morning": []}
    for _ in range(calls):
        async with factory() as session:
            cases = CaseService(session, TZ)
            t = time.perf_counter()
            await cases.case(rng.randrange(1, n + 1))
            timings["get"].append(time.perf_counter() - t)
            driver = rng.choice(drivers)
            t = time.perf_counter()
            await cases.of_user(driver, 5)
            await cases.count_of_user(driver)
            timings["mycases"].append(time.perf_counter() - t)
            handler = rng.choice(handlers)
            t = time.perf_counter()
            actor = Actor(handler, False, OFFICES[handler % 5])
            await cases.for_handler(actor, 10)  # what the morning message lists
            await cases.count_for_handler(actor)
            timings["morning"].append(time.perf_counter() - t)
    i18n = create_i18n("zh")
    t = time.perf_counter()
    with i18n.context(), i18n.use_locale("zh"):
        _chart, sheet, _summary = await build_month(factory, TZ, NOW, "2026-11")
    report = time.perf_counter() - t
    await engine.dispose()
    out = {"fill_s": fill, "report_s": report, "sheet_kb": len(sheet) / 1024}
    for name, samples in timings.items():
        out[f"{name}_p50_ms"], out[f"{name}_p99_ms"] = _ms(samples)
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--postgres", default=DEFAULT_ADMIN_URL, help="'' to skip")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = await run(f"sqlite+aiosqlite:///{tmp}/c.db", args.cases, args.calls)
    async with throwaway_postgres(args.postgres, "complaints") as pg:
        if pg:
            results["postgres"] = await run(pg, args.cases, args.calls)
    print(f"{args.cases} cases, {DRIVERS} drivers, {HANDLERS} handlers; {args.calls} calls each")
    print(f"{'db':<9} {'by id p50':>9} {'/mycases p50/p99':>17} {'morning p50/p99':>16} "
          f"{'ratio':>6} {'report s':>9}")  # fmt: skip
    fields = [f"cases={args.cases}"]
    for db, r in results.items():
        ratio = r["mycases_p50_ms"] / r["get_p50_ms"]
        print(f"{db:<9} {r['get_p50_ms']:>9.2f} {r['mycases_p50_ms']:>8.2f}/"
              f"{r['mycases_p99_ms']:<8.2f} {r['morning_p50_ms']:>7.2f}/{r['morning_p99_ms']:<8.2f}"
              f" {ratio:>6.2f} {r['report_s']:>9.2f}")  # fmt: skip
        fields += [f"{db}_mycases_p50_ms={r['mycases_p50_ms']:.2f}",
                   f"{db}_mycases_p99_ms={r['mycases_p99_ms']:.2f}",
                   f"{db}_morning_p50_ms={r['morning_p50_ms']:.2f}",
                   f"{db}_morning_p99_ms={r['morning_p99_ms']:.2f}",
                   f"{db}_by_id_p50_ms={r['get_p50_ms']:.2f}",
                   f"{db}_mycases_ratio={ratio:.2f}",
                   f"{db}_report_s={r['report_s']:.2f}"]  # fmt: skip
    print("RESULT " + " ".join(fields))


if __name__ == "__main__":
    asyncio.run(main())
