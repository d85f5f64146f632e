"""The outbox sender against the local Bot API server: everyone reachable served once through
429s, 403s and 5xx; Telegram's limits kept; what cannot be delivered settled with its reason;
a dead sender's batch taken back; two senders on PostgreSQL never sending a row twice."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.db.engine import create_engine, create_session_factory
from bot.db.outbox.models import MessageKind, OutboxRow, OutboxStatus, Priority
from bot.db.users.models import User
from bot.sandbox import BotApiServer
from bot.sandbox.errors import ApiError
from bot.sandbox.flood import FloodRules
from bot.services.outbox.messages import Button
from tests import db_backends
from tests.harness import NOON_MONDAY, TOKEN, Clock
from tests.outbox.helpers import (
    Factory,
    add_drivers,
    delivered,
    notice,
    open_chats,
    queue,
    sender,
    statuses,
)


async def test_two_thousand_drivers_through_429s_403s_and_5xx_are_each_served_once(
    server: BotApiServer, session_factory: Factory, clock: Clock
) -> None:
    drivers = await add_drivers(session_factory, 2000)
    open_chats(server, drivers)
    blocked = {tid for _uid, tid in drivers[::97]}  # 21 drivers blocked the bot
    for chat_id in blocked:
        server.set_blocked(TOKEN, chat_id)
    await queue(session_factory, [notice(u, t, f"b:{u}") for u, t in drivers], clock())
    # Faults are matched in the order given: this driver's three come first.
    server.add_fault(TOKEN, 500, method="sendMessage", chat_id=drivers[5][1], count=3)
    server.add_fault(TOKEN, 429, method="sendMessage", retry_after=1, count=2)
    server.add_fault(TOKEN, 502, method="sendMessage", count=40)
    outbox = sender(session_factory, server.base_url, clock)
    sent = await outbox.drain()
    clock.now += timedelta(minutes=10)  # a row whose tries all failed waits for its backoff
    sent += await outbox.drain()

    per_chat = Counter(r["chat_id"] for r in delivered(server))
    reachable = {tid for _uid, tid in drivers} - blocked
    assert set(per_chat) == reachable and set(per_chat.values()) == {1}
    assert sent == len(reachable)
    assert await statuses(session_factory) == {"sent": len(reachable), "blocked": len(blocked)}
    async with session_factory() as session:
        marked = set(await session.scalars(select(User.telegram_id).where(User.blocked_bot)))
        retried = await session.scalar(
            select(OutboxRow.attempts).where(OutboxRow.chat_id == drivers[5][1])
        )
    assert marked == blocked
    assert retried == 2  # three tries at once, then one after the backoff
    await outbox.bot.session.close()


async def test_telegrams_limits_are_kept_and_a_429_stops_the_whole_sender(
    server: BotApiServer, session_factory: Factory, clock: Clock
) -> None:
    """The server refuses like Telegram over 30/s in all or 1/s to a chat; at its defaults
    (25/s, 1/s a chat) the sender is never refused. A 429 it is given anyway holds back every
    send until retry_after has passed, not only the one that got it."""
    rules = FloodRules()
    server.bot(TOKEN).flood = rules
    drivers = await add_drivers(session_factory, 40)
    open_chats(server, drivers)
    own = drivers[0]
    messages = [notice(u, t, f"b:{u}") for u, t in drivers[1:]]
    messages += [notice(*own, f"own:{i}", kind=MessageKind.REMINDER) for i in range(3)]
    await queue(session_factory, messages, clock())
    server.add_fault(TOKEN, 429, method="sendMessage", chat_id=drivers[20][1], retry_after=1)
    outbox = sender(session_factory, server.base_url, clock, rate=25.0, private_interval=1.0)
    assert await outbox.drain() == 42
    assert rules.refused == 0
    sends = [r for r in server.sent(TOKEN, method="sendMessage")]
    [refused] = [r for r in sends if not r["ok"]]
    # Only what was already on its way when the 429 came may arrive before retry_after.
    waited = [r["at"] - refused["at"] for r in sends if r["seq"] > refused["seq"]]
    assert waited and not [w for w in waited if 0.2 < w < 1.0]
    own_times = [r["at"] for r in delivered(server, own[1])]
    assert [b - a >= 1.0 for a, b in itertools.pairwise(own_times)] == [True, True]
    await outbox.bot.session.close()


async def test_personal_messages_go_before_bulk_and_in_the_order_queued(
    server: BotApiServer, session_factory: Factory, clock: Clock
) -> None:
    drivers = await add_drivers(session_factory, 30)
    open_chats(server, drivers)
    bulk = [notice(u, t, f"b:{u}") for u, t in drivers]
    await queue(session_factory, bulk, clock())
    u, t = drivers[-1]
    personal = [
        notice(u, t, f"r:{i}", kind=MessageKind.REMINDER, text=f"提醒{i}") for i in range(3)
    ]
    await queue(session_factory, personal, clock())
    outbox = sender(session_factory, server.base_url, clock, batch=5, concurrency=1)
    await outbox.drain()
    order = [r["text"] for r in delivered(server)]
    assert order[:3] == ["提醒0", "提醒1", "提醒2"] and len(order) == 33
    async with session_factory() as session:
        priorities = set(await session.scalars(
            select(OutboxRow.priority).where(OutboxRow.kind == MessageKind.REMINDER)
        ))  # fmt: skip
    assert priorities == {Priority.PERSONAL}
    await outbox.bot.session.close()


async def test_what_can_never_be_delivered_is_settled_with_its_reason(
    server: BotApiServer, session_factory: Factory, clock: Clock
) -> None:
    """A 400 fails the row with Telegram's words; a 403 from a private chat marks the user
    blocked and drops their other waiting rows (the feature that queued them hears of each);
    a missing file fails its row; a group that became a supergroup gets it at its new id."""
    drivers = await add_drivers(session_factory, 3)
    open_chats(server, drivers)
    (a, ta), (b, tb), (c, tc) = drivers
    server.add_fault(TOKEN, 400, method="sendMessage", chat_id=ta,
                     description="Bad Request: can't parse entities")  # fmt: skip
    server.set_blocked(TOKEN, tb)
    later = clock() + timedelta(hours=1)
    await queue(session_factory, [
        notice(a, ta, "a"),
        notice(b, tb, "b1", kind=MessageKind.OFFER, ref="17"),
        notice(b, tb, "b2", kind=MessageKind.OFFER, ref="18", not_before=later),
        notice(c, tc, "c", photo="/nowhere/photo.jpg"),
        notice(c, tc, "c2", buttons=((Button("官网", url="https://example.org"),),)),
    ], clock())  # fmt: skip
    heard: list[tuple[str, str | None]] = []

    async def hook(kind: MessageKind, ref: str | None, user_id: int | None, now: object) -> None:
        heard.append((kind, ref))

    outbox = sender(session_factory, server.base_url, clock)
    outbox.undeliverable = (hook,)
    assert await outbox.drain() == 1
    async with session_factory() as session:
        rows = {r.dedupe_key: r for r in await session.scalars(select(OutboxRow))}
    assert rows["a"].status == "failed" and "can't parse entities" in rows["a"].last_error
    assert (rows["b1"].status, rows["b2"].status) == ("blocked", "blocked")
    assert rows["c"].status == "failed" and "file missing" in rows["c"].last_error
    assert rows["c2"].status == "sent" and rows["c2"].message_id is not None
    offers = sorted(h for h in heard if h[0] == MessageKind.OFFER)
    assert offers == [("offer", "17"), ("offer", "18")] and len(heard) == 4  # and a, c
    [link] = delivered(server, tc)
    assert link["reply_markup"]["inline_keyboard"][0][0]["url"] == "https://example.org"
    await outbox.bot.session.close()


async def test_a_dead_senders_batch_is_taken_back_after_its_lease(
    server: BotApiServer, session_factory: Factory, clock: Clock
) -> None:
    drivers = await add_drivers(session_factory, 10)
    open_chats(server, drivers)
    await queue(session_factory, [notice(u, t, f"b:{u}") for u, t in drivers], clock())
    async with session_factory() as session:  # a sender claimed them all, then died
        await session.execute(
            update(OutboxRow).values(
                status=OutboxStatus.SENDING, claimed_by="dead", claimed_at=clock(), attempts=1
            )
        )
        await session.commit()  # fmt: skip
    outbox = sender(session_factory, server.base_url, clock, lease=60.0)
    assert await outbox.recover() == 0 and await outbox.drain() == 0  # still within its lease
    clock.now += timedelta(seconds=61)
    assert await outbox.recover() == 10
    assert await outbox.drain() == 10
    assert set(Counter(r["chat_id"] for r in delivered(server)).values()) == {1}
    await outbox.bot.session.close()


async def test_a_dedupe_key_queues_one_message_however_often_it_is_queued(
    session_factory: Factory, clock: Clock
) -> None:
    [(u, t)] = await add_drivers(session_factory, 1)
    assert await queue(session_factory, [notice(u, t, "once")], clock()) == 1
    assert await queue(session_factory, [notice(u, t, "once"), notice(u, t, "twice")],
                       clock()) == 1  # fmt: skip
    assert await statuses(session_factory) == {"pending": 2}


async def test_two_senders_on_postgresql_share_the_queue_and_never_send_a_row_twice(
    server: BotApiServer, postgres_url: str, clock: Clock
) -> None:
    """Several senders are a PostgreSQL setup (SKIP LOCKED); SQLite has one."""
    await db_backends.truncate_all(postgres_url)
    engine = create_engine(postgres_url)
    session_factory = create_session_factory(engine)
    drivers = await add_drivers(session_factory, 1200)
    open_chats(server, drivers)
    await queue(session_factory, [notice(u, t, f"b:{u}") for u, t in drivers], NOON_MONDAY)
    one = sender(session_factory, server.base_url, clock, name="one", batch=50)
    two = sender(session_factory, server.base_url, clock, name="two", batch=50)
    sent = await asyncio.gather(one.drain(), two.drain())
    assert sum(sent) == 1200 and min(sent) > 100  # both took a real share
    per_chat = Counter(r["chat_id"] for r in delivered(server))
    assert len(per_chat) == 1200 and set(per_chat.values()) == {1}
    for s in (one, two):
        await s.bot.session.close()
    await engine.dispose()


def test_the_servers_flood_rules_refuse_what_telegram_refuses() -> None:
    now = [100.0]
    rules = FloodRules(clock=lambda: now[0])
    rules.check(1)
    with pytest.raises(ApiError) as second:  # a second message to one chat at once
        rules.check(1)
    assert second.value.error_code == 429 and second.value.parameters == {"retry_after": 1}
    now[0] += 1.0
    rules.check(1)
    for chat in range(2, 31):  # 30 in this second
        rules.check(chat)
    with pytest.raises(ApiError):  # the 31st in one second, whoever it is for
        rules.check(99)
    for _ in range(20):
        now[0] += 1.0
        rules.check(-100)
    now[0] += 0.5
    with pytest.raises(ApiError):  # a group's 21st in a minute
        rules.check(-100)
    assert rules.refused == 3
