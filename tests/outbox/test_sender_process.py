"""The sender as a real process, killed with SIGKILL in the middle of a run and started again:
no recipient is lost, and only what was in flight (at most one batch) goes out twice."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade
from bot.db.outbox.models import OutboxRow, OutboxStatus
from bot.sandbox import BotApiServer
from tests.harness import NOON_MONDAY, TOKEN
from tests.harness.waiting import until
from tests.outbox.helpers import add_drivers, delivered, notice, open_chats, queue

ROOT = Path(__file__).resolve().parents[2]
BATCH = 40


async def _start(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "sender", cwd=ROOT, env={**clean, **env},
            stdout=out, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip


async def test_a_sender_killed_mid_run_loses_nobody_and_doubles_at_most_its_batch(
    server: BotApiServer, db_url: str, tmp_path: Path
) -> None:
    if db_url.startswith("sqlite"):
        db_url = f"sqlite+aiosqlite:///{tmp_path}/outbox.sqlite3"
        migrating = create_engine(db_url)
        await upgrade(migrating)
        await migrating.dispose()
    engine = create_engine(db_url)
    factory = create_session_factory(engine)
    drivers = await add_drivers(factory, 1000)
    open_chats(server, drivers)
    await queue(factory, [notice(u, t, f"b:{u}") for u, t in drivers], NOON_MONDAY)
    env = {
        "BOT_TOKEN": TOKEN, "DATABASE_URL": db_url, "TELEGRAM_API_BASE": server.base_url,
        "LOG_LEVEL": "WARNING", "OUTBOX_RATE": "250", "OUTBOX_BATCH": str(BATCH),
        "OUTBOX_LEASE": "2", "OUTBOX_PRIVATE_INTERVAL": "0",
    }  # fmt: skip
    log = tmp_path / "sender.log"

    async def some_sent() -> bool:
        return len(delivered(server)) >= 300

    first = await _start(env, log)
    try:
        await until(some_sent, 120)
    finally:
        first.send_signal(signal.SIGKILL)
        await first.wait()
    at_kill = len(delivered(server))
    async with factory() as session:
        in_flight = await session.scalar(
            select(func.count()).where(OutboxRow.status == OutboxStatus.SENDING)
        )
    # The batch being sent and the next one, already claimed.
    assert 0 < at_kill < 1000 and in_flight is not None and in_flight <= 2 * BATCH

    async def all_settled() -> bool:
        async with factory() as session:
            left = await session.scalar(
                select(func.count()).where(OutboxRow.status != OutboxStatus.SENT)
            )
        return left == 0

    second = await _start(env, log)
    try:
        await until(all_settled, 120)
    finally:
        second.send_signal(signal.SIGTERM)
        code = await second.wait()
    output = log.read_text(errors="replace")
    assert code == 0 and "Traceback" not in output, output
    per_chat = Counter(r["chat_id"] for r in delivered(server))
    assert set(per_chat) == {t for _u, t in drivers}  # nobody lost
    twice = [c for c, n in per_chat.items() if n > 1]
    assert len(twice) <= BATCH and max(per_chat.values()) <= 2
    await engine.dispose()
