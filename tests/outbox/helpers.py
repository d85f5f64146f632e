"""Many drivers at once, and messages for them, written straight to the tables: the sender's
tests are about delivery, not about how people got there."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.outbox.models import MessageKind, OutboxRow
from bot.db.users.models import User
from bot.outbox.sender import Sender, SenderConfig
from bot.services.outbox.messages import OutMessage
from bot.services.outbox.service import Outbox
from tests.harness import NOON_MONDAY, TOKEN, make_bot

Factory = async_sessionmaker[AsyncSession]
FIRST_DRIVER = 700_000


async def add_drivers(
    factory: Factory, count: int, first: int = FIRST_DRIVER, **columns: Any
) -> list[tuple[int, int]]:
    """`count` drivers who agreed to the terms: (user id, Telegram id) each."""
    values = {"language": "zh", "role": "driver", "notifications": True, "theme_notices": True,
              "blocked_bot": False, "admin_from_config": False, "language_chosen": True,
              "consent_at": NOON_MONDAY, "onboarded_at": NOON_MONDAY, **columns}  # fmt: skip
    rows = [{"telegram_id": first + i, "display_name": f"司机{i}", **values} for i in range(count)]
    async with factory() as session:
        for start in range(0, len(rows), 500):
            await session.execute(insert(User), rows[start : start + 500])
        await session.commit()
        found = await session.execute(
            select(User.id, User.telegram_id)
            .where(User.telegram_id.between(first, first + count - 1))
            .order_by(User.telegram_id)
        )
        return [(uid, tid) for uid, tid in found.all()]


def open_chats(server: Any, drivers: Sequence[tuple[int, int]]) -> None:
    """Each driver has started the bot (Telegram delivers only to chats that exist)."""
    state = server.bot(TOKEN)
    for _uid, tid in drivers:
        state.register_private({"id": tid, "is_bot": False, "first_name": f"司机{tid}"})


def notice(user_id: int, chat_id: int, key: str, **fields: Any) -> OutMessage:
    defaults: dict[str, Any] = {"kind": MessageKind.BROADCAST, "text": f"通知 {key}"}
    return OutMessage(chat_id=chat_id, user_id=user_id, dedupe_key=key, **(defaults | fields))


async def queue(factory: Factory, messages: Sequence[OutMessage], now: datetime) -> int:
    async with factory() as session:
        added = await Outbox(session).put(messages, now)
        await session.commit()
    return added


async def statuses(factory: Factory) -> dict[str, int]:
    async with factory() as session:
        rows = await session.execute(
            select(OutboxRow.status, func.count()).group_by(OutboxRow.status)
        )
        return {str(status): int(n) for status, n in rows.all()}


def sender(factory: Factory, base_url: str, clock: Any, name: str | None = None,
           **config: Any) -> Sender:  # fmt: skip
    """A sender on its own bot (no retry middleware), fast unless the test says otherwise."""
    settings = {"rate": 5000.0, "private_interval": 0.0, "concurrency": 16, "batch": 200} | config
    return Sender(make_bot(base_url, retry=False), factory, SenderConfig(**settings),
                  clock=clock, name=name)  # fmt: skip


def delivered(server: Any, chat_id: int | None = None) -> list[dict[str, Any]]:
    """Messages the bot got through (the server's successful send* calls)."""
    return [
        r for r in server.sent(TOKEN, chat_id=chat_id) if r["ok"] and r["method"].startswith("send")
    ]


QUIET_NIGHT = (time(22, 0), time(7, 0))
