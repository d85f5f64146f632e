"""Outbox throughput: queued messages through the sender to a local Bot API server with no
latency, against the rate the sender is configured for.

1. `--messages` (100,000) queued messages at a high configured rate (`--rate`, 1,000/s): the
   achieved rate over the configured one (`rate_ratio`, goal >= 0.95), and the baseline: the
   same number of sends by a bare loop under the same limiter, without any outbox (what the
   database part costs, as `vs_bare`).
2. A shorter run at the Telegram-like default (25/s, `--default-seconds` long).
3. The claim overhead per message: claiming and marking sent, with no sending at all.
4. On PostgreSQL (unless `--postgres ''`): one sender, then two sharing one queue, at
   `--rate` each.

    python bench/outbox.py [--messages 100000] [--rate 1000] [--default-seconds 10]

Ends with one RESULT line.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram import Bot
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.throwaway_db import DEFAULT_ADMIN_URL, throwaway_postgres
from bot.app import create_bot
from bot.config import Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade
from bot.db.outbox.models import MessageKind, OutboxRow, OutboxStatus
from bot.db.outbox.repository import OutboxRepository
from bot.db.users.models import User
from bot.outbox.pacing import Pacer
from bot.outbox.sender import Sender, SenderConfig
from bot.sandbox import BotApiServer
from bot.services.outbox.messages import OutMessage
from bot.services.outbox.service import Outbox

TOKEN = "123456:BENCH"
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
FIRST = 10_000_000
TEXT = "通知：明天高温，注意防暑。"


def _bot(base_url: str) -> Bot:
    settings = Settings(bot_token=TOKEN, telegram_api_base=base_url, _env_file=None)
    return create_bot(settings, retry=False)


async def _keep_server_small(server: BotApiServer, stop: asyncio.Event) -> None:
    """The server logs every call; a 100k run would hold them all."""
    while not stop.is_set():
        state = server.bot(TOKEN)
        state.records.clear()
        for chat in state.chats.values():
            chat.messages.clear()
        await asyncio.sleep(0.5)


async def _fill(url: str, server: BotApiServer, count: int, offset: int = 0) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    factory = create_session_factory(engine)
    state = server.bot(TOKEN)
    first = FIRST + offset
    rows = [{"telegram_id": first + i, "language": "zh", "role": "driver", "notifications": True,
             "theme_notices": True, "blocked_bot": False, "admin_from_config": False,
             "language_chosen": True, "consent_at": NOW} for i in range(count)]  # fmt: skip
    async with factory() as session:
        for start in range(0, count, 1000):
            await session.execute(insert(User), rows[start : start + 1000])
        ids = list(await session.execute(
            select(User.id, User.telegram_id).where(User.telegram_id >= first)
        ))  # fmt: skip
        messages = [OutMessage(chat_id=tid, user_id=uid, kind=MessageKind.BROADCAST,
                               dedupe_key=f"bench:{offset}:{uid}", text=TEXT)
                    for uid, tid in ids]  # fmt: skip
        await Outbox(session).put(messages, NOW)
        await session.commit()
    for _uid, tid in ids:
        state.register_private({"id": tid, "is_bot": False, "first_name": "司机"})
    await engine.dispose()


def _config(rate: float, **extra: float) -> SenderConfig:
    return SenderConfig(rate=rate, private_interval=0.0, batch=int(min(max(rate, 50), 500)),
                        concurrency=32, **extra)  # type: ignore[arg-type]  # fmt: skip


async def _sent_rows(factory: async_sessionmaker[AsyncSession]) -> int:
    async with factory() as session:
        done = await session.scalar(
            select(func.count()).where(OutboxRow.status == OutboxStatus.SENT)
        )
    return int(done or 0)


async def _send(url: str, base_url: str, senders: int, rate: float) -> tuple[int, float]:
    engine = create_engine(url)
    factory = create_session_factory(engine)
    bots = [_bot(base_url) for _ in range(senders)]
    workers = [Sender(b, factory, _config(rate), name=f"bench{i}") for i, b in enumerate(bots)]
    before = await _sent_rows(factory)
    started = time.perf_counter()
    sent = await asyncio.gather(*(w.drain(NOW) for w in workers))
    elapsed = time.perf_counter() - started
    done = await _sent_rows(factory) - before
    for b in bots:
        await b.session.close()
    await engine.dispose()
    assert done == sum(sent), (done, sent)
    return sum(sent), elapsed


async def _bare(base_url: str, count: int, rate: float) -> float:
    """The baseline: sends paced by the same limiter, 32 at a time, no database."""
    bot = _bot(base_url)
    pacer = Pacer(rate, 0.0, 3.0)
    chats = iter(range(FIRST, FIRST + count))

    async def worker() -> None:
        for chat_id in chats:
            await pacer.wait_turn(chat_id)
            await bot.send_message(chat_id, TEXT)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(32)))
    elapsed = time.perf_counter() - started
    await bot.session.close()
    return count / elapsed


async def _claim_overhead(url: str, count: int) -> float:
    """Microseconds per message to claim it and mark it sent, with nothing sent."""
    engine = create_engine(url)
    factory = create_session_factory(engine)
    async with factory() as session:
        await session.execute(OutboxRow.__table__.update().values(status="pending"))
        await session.commit()
    started, done = time.perf_counter(), 0
    while done < count:
        async with factory() as session:
            rows = await OutboxRepository(session).claim("bench", NOW, 500)
            await session.commit()
        if not rows:
            break
        async with factory() as session:
            await OutboxRepository(session).mark_sent("bench", [(r.id, 1) for r in rows], NOW)
            await session.commit()
        done += len(rows)
    elapsed = time.perf_counter() - started
    await engine.dispose()
    return elapsed / max(done, 1) * 1e6


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--default-seconds", type=float, default=10.0)
    parser.add_argument("--postgres", default=DEFAULT_ADMIN_URL, help="'' to skip")
    args = parser.parse_args()
    fields: list[str] = [f"messages={args.messages}", f"rate={args.rate:.0f}"]
    stop = asyncio.Event()
    async with BotApiServer() as server:
        keeper = asyncio.create_task(_keep_server_small(server, stop))
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite+aiosqlite:///{tmp}/outbox.sqlite3"
            await _fill(url, server, args.messages)
            sent, elapsed = await _send(url, server.base_url, 1, args.rate)
            achieved = sent / elapsed
            bare = await _bare(server.base_url, min(args.messages, int(args.rate * 20)), args.rate)
            overhead = await _claim_overhead(url, min(args.messages, 20_000))
            print(f"sqlite: {sent} messages in {elapsed:.1f}s = {achieved:.0f}/s at "
                  f"{args.rate:.0f}/s configured (ratio {achieved / args.rate:.3f}); "
                  f"a bare send loop: {bare:.0f}/s; "
                  f"claim+mark sent: {overhead:.0f} µs/message")  # fmt: skip
            fields += [f"sqlite_rate={achieved:.0f}",
                       f"sqlite_rate_ratio={achieved / args.rate:.3f}",
                       f"bare_rate={bare:.0f}", f"sqlite_vs_bare={achieved / bare:.3f}",
                       f"sqlite_claim_us_per_message={overhead:.0f}"]  # fmt: skip
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite+aiosqlite:///{tmp}/default.sqlite3"
            count = int(25 * args.default_seconds)
            await _fill(url, server, count, offset=5_000_000)
            sent, elapsed = await _send(url, server.base_url, 1, 25.0)
            print(f"default 25/s: {sent} messages in {elapsed:.1f}s = {sent / elapsed:.1f}/s "
                  f"(ratio {sent / elapsed / 25:.3f})")  # fmt: skip
            fields += [f"default_rate={sent / elapsed:.1f}",
                       f"default_rate_ratio={sent / elapsed / 25:.3f}"]  # fmt: skip
        async with throwaway_postgres(args.postgres, "outbox") as pg:
            if pg:
                count = min(args.messages, int(args.rate * 20))
                await _fill(pg, server, count, offset=7_000_000)
                one, one_s = await _send(pg, server.base_url, 1, args.rate)
                await _fill(pg, server, count, offset=8_000_000)
                two, two_s = await _send(pg, server.base_url, 2, args.rate)
                print(f"postgresql: one sender at {args.rate:.0f}/s: {one / one_s:.0f}/s; two "
                      f"senders at {args.rate:.0f}/s each: {two / two_s:.0f}/s "
                      f"({count} messages each run)")  # fmt: skip
                overhead = await _claim_overhead(pg, min(count, 20_000))
                fields += [f"postgres_one_sender_rate={one / one_s:.0f}",
                           f"postgres_two_senders_rate={two / two_s:.0f}",
                           f"postgres_two_vs_one={two / two_s / (one / one_s):.3f}",
                           f"postgres_claim_us_per_message={overhead:.0f}"]  # fmt: skip
        stop.set()
        await keeper
    print("RESULT " + " ".join(fields))


if __name__ == "__main__":
    asyncio.run(main())
