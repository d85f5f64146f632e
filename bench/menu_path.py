"""Per-update cost of the menu path through the real dispatcher, next to a bare aiogram handler.

The path: dedupe → throttle → DB session (+ durable dedupe record) → user → i18n → menu filter →
handler → reply, with a null transport (no network) so only our code and the database count.
Runs on SQLite and, when reachable, PostgreSQL. Prints a table and one RESULT line.

    python bench/menu_path.py [--updates 3000] [--users 500] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram import Bot, Dispatcher
from aiogram.client.session.base import BaseSession
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.types import Chat, Message, Update

from bench.throwaway_db import DEFAULT_ADMIN_URL, throwaway_postgres
from bot.app import create_dispatcher
from bot.config import Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade
from bot.i18n import create_i18n
from bot.services.users.profiles import UserService
from bot.short_transactions import ensure_user

TOKEN = "42:BENCH"
MENU_TEXT_ZH = "📅 本月活动"


class NullSession(BaseSession):
    """Answers every Bot API call at once, as Telegram would, without any network."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[Any],
        timeout: int | None = None,  # noqa: ASYNC109
    ) -> Any:
        self.calls += 1
        if isinstance(method, SendMessage):
            return Message(
                message_id=self.calls,
                date=datetime.now(UTC),
                chat=Chat(id=int(method.chat_id), type="private"),
                text=method.text,
            )
        return True

    async def stream_content(self, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover
        raise NotImplementedError

    async def close(self) -> None:
        pass


def _update(update_id: int, user_id: int, text: str) -> Update:
    return Update.model_validate(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": int(time.time()),
                "chat": {"id": user_id, "type": "private", "first_name": "司机"},
                "from": {"id": user_id, "is_bot": False, "first_name": "司机"},
                "text": text,
            },
        }
    )


async def _measure(dp: Dispatcher, bot: Bot, updates: list[Update]) -> list[float]:
    for warm in updates[:50]:  # warm caches and connection pools, not timed
        await dp.feed_update(bot, warm.model_copy(update={"update_id": -warm.update_id}))
    timings: list[float] = []
    for update in updates:
        started = time.perf_counter()
        await dp.feed_update(bot, update)
        timings.append(time.perf_counter() - started)
    return timings


def _summary(timings: list[float]) -> dict[str, float]:
    ordered = sorted(timings)
    return {
        "ups": len(timings) / sum(timings),
        "p50_us": statistics.median(ordered) * 1e6,
        "p99_us": ordered[int(len(ordered) * 0.99) - 1] * 1e6,
    }


async def bench_warmdrive(
    database_url: str, n_updates: int, n_users: int, redis_url: str | None = None
) -> dict[str, float]:
    engine = create_engine(database_url)
    await upgrade(engine)
    factory = create_session_factory(engine)
    first_user = 10_000_000
    async with factory() as session:  # drivers who finished onboarding, as in real use
        users = UserService(session)
        for uid in range(first_user, first_user + n_users):
            profile = await ensure_user(factory, users, uid, "司机", None, "zh")
            await users.accept_consent(profile.id, "司机")
            await users.complete_onboarding(profile.id)
            await session.commit()  # before the next ensure(), which may roll back
    # The bench measures throughput, so the flood limit must not drop updates.
    settings = Settings(
        bot_token=TOKEN,
        database_url=database_url,
        redis_url=redis_url,
        throttle_rate=1_000_000,
        throttle_period=1,
    )
    dp = create_dispatcher(settings, engine=engine)
    bot = Bot(TOKEN, session=NullSession())
    # Each run its own update ids: one database may serve several runs, and the ledger
    # rightly drops ids it has already seen.
    base = int(time.time() * 1000) % 1_000_000_000 * 1000
    updates = [
        _update(base + i, first_user + i % n_users, MENU_TEXT_ZH) for i in range(1, n_updates + 1)
    ]
    timings = await _measure(dp, bot, updates)
    sent = bot.session.calls  # type: ignore[attr-defined]
    await dp.emit_shutdown(bot=bot)
    await engine.dispose()
    assert sent >= n_updates, f"only {sent} replies for {n_updates} updates"
    return _summary(timings)


async def bench_bare(n_updates: int) -> dict[str, float]:
    dp = Dispatcher()
    i18n = create_i18n("zh")

    @dp.message()
    async def reply(message: Message) -> None:
        await message.answer(i18n.gettext("Here is your menu.", locale="zh"))

    bot = Bot(TOKEN, session=NullSession())
    updates = [_update(i, 10_000_000 + i % 500, MENU_TEXT_ZH) for i in range(1, n_updates + 1)]
    return _summary(await _measure(dp, bot, updates))


async def _redis_ok(url: str) -> bool:
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    try:
        await asyncio.wait_for(client.flushdb(), 3)
        return True
    except (OSError, TimeoutError) as exc:
        print(f"Redis skipped: {exc!r}", file=sys.stderr)
        return False
    finally:
        await client.aclose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument(
        "--postgres",
        default=DEFAULT_ADMIN_URL,
        help="admin URL used to create a throw-away database ('' to skip)",
    )
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/14",
        help="Redis for the several-workers row ('' to skip); the database is flushed",
    )
    args = parser.parse_args()

    results: dict[str, dict[str, float]] = {"bare": await bench_bare(args.updates)}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = await bench_warmdrive(
            f"sqlite+aiosqlite:///{tmp}/bench.sqlite3", args.updates, args.users
        )
    async with throwaway_postgres(args.postgres, "menu") as pg_url:
        if pg_url:
            results["postgres"] = await bench_warmdrive(pg_url, args.updates, args.users)
            if args.redis and await _redis_ok(args.redis):
                # Several-workers mode: FSM and locks in Redis, every update checked in the DB.
                results["pg_redis"] = await bench_warmdrive(
                    pg_url, args.updates, args.users, redis_url=args.redis
                )

    base = results["bare"]["ups"]
    print(f"{'path':<10} {'updates/s':>10} {'p50 µs':>9} {'p99 µs':>9} {'vs bare':>8}")
    for name, r in results.items():
        print(
            f"{name:<10} {r['ups']:>10.0f} {r['p50_us']:>9.0f} {r['p99_us']:>9.0f} "
            f"{r['ups'] / base:>8.3f}"
        )
    fields = [f"updates={args.updates}"]
    for name, r in results.items():
        fields += [
            f"{name}_ups={r['ups']:.0f}",
            f"{name}_p50_us={r['p50_us']:.0f}",
            f"{name}_p99_us={r['p99_us']:.0f}",
        ]
        if name != "bare":
            fields.append(f"{name}_ratio={r['ups'] / base:.4f}")
    print("RESULT " + " ".join(fields))


if __name__ == "__main__":
    asyncio.run(main())
