"""Votes against the database: one per driver and entry, the other thumb turns it, the same
one changes nothing, an entry that went refuses, and taps at the same moment (one driver's
two thumbs, many drivers) leave the counters equal to the votes on both databases."""

from __future__ import annotations

import asyncio

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.faq.models import FaqVoteRow
from bot.db.faq.repository import FaqRepository
from bot.services.faq.library import store_entries
from bot.services.faq.service import FaqService
from bot.services.faq.views import VoteOutcome as V
from tests.faq.conftest import ENTRIES, NOW, entry_ids, entry_row
from tests.harness.clock import local
from tests.harness.people import person


async def _counters(session: AsyncSession, key: str) -> tuple[int, int]:
    row = await entry_row(session, key)
    return row.helpful, row.unhelpful


async def test_one_vote_per_driver_turned_by_the_other_thumb(session: AsyncSession) -> None:
    await store_entries(session, ENTRIES, NOW)
    entry = (await entry_ids(session))["unpaid-freight"]
    faq = FaqService(session)
    driver, other = await person(session, 7101), await person(session, 7102)
    steps = [
        (driver, True, V.NEW, (1, 0)),
        (driver, True, V.SAME, (1, 0)),  # the same thumb again: nothing
        (driver, False, V.CHANGED, (0, 1)),
        (driver, False, V.SAME, (0, 1)),
        (other, False, V.NEW, (0, 2)),
        (driver, True, V.CHANGED, (1, 1)),
    ]
    for n, (who, helpful, outcome, counters) in enumerate(steps):
        assert await faq.vote(who, entry, helpful, local(23, 13, n)) is outcome, n
        assert await _counters(session, "unpaid-freight") == counters, n
    votes = (await session.scalars(select(FaqVoteRow).order_by(FaqVoteRow.id))).all()
    assert [(v.user_id, v.helpful) for v in votes] == [(driver, True), (other, False)]
    assert votes[0].at == local(23, 13, 5)  # when it last turned; a repeat leaves it
    assert await FaqRepository(session).mismatches() == []


async def test_a_vote_on_an_entry_that_went_changes_nothing(session: AsyncSession) -> None:
    await store_entries(session, ENTRIES, NOW)
    ids = await entry_ids(session)
    driver = await person(session, 7103)
    await store_entries(session, ENTRIES[:1], NOW)  # the import left two out
    faq = FaqService(session)
    assert await faq.vote(driver, ids["shower"], True, NOW) is V.GONE
    assert await faq.vote(driver, 10**9, True, NOW) is V.GONE
    assert await faq.answer(ids["shower"], driver) is None
    assert await faq.shown("shower") is None
    assert await session.scalar(select(FaqVoteRow.id)) is None


async def test_taps_at_the_same_moment_count_once(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        await store_entries(session, ENTRIES, NOW)
        entry = (await entry_ids(session))["shower"]
        drivers = [await person(session, 7200 + n) for n in range(12)]
        await session.commit()

    async def tap(user: int, helpful: bool) -> V:
        async with session_factory() as session:
            outcome = await FaqService(session).vote(user, entry, helpful, NOW)
            await session.commit()
            return outcome

    # Each driver presses at once: the first four both thumbs, the next four the same thumb
    # twice (a double tap delivered twice), the last four once.
    taps = [tap(u, h) for u in drivers[:4] for h in (True, False)]
    taps += [tap(u, True) for u in drivers[4:8] for _twice in range(2)]
    taps += [tap(u, False) for u in drivers[8:]]
    outcomes = await asyncio.gather(*taps)
    both, double = outcomes[:8], outcomes[8:16]
    for n in range(4):  # one thumb came first, the other turned it
        assert sorted(both[2 * n : 2 * n + 2]) == sorted([V.NEW, V.CHANGED])
        assert sorted(double[2 * n : 2 * n + 2]) == sorted([V.NEW, V.SAME])
    assert outcomes[16:] == [V.NEW] * 4
    async with session_factory() as session:
        votes = (await session.scalars(select(FaqVoteRow))).all()
        assert sorted(v.user_id or 0 for v in votes) == sorted(drivers)  # one each
        helpful, unhelpful = await _counters(session, "shower")
        assert helpful == sum(v.helpful for v in votes) and helpful >= 4
        assert helpful + unhelpful == 12
        assert await FaqRepository(session).mismatches() == []


async def _until_waiting_for_a_lock(session: AsyncSession) -> None:
    """PostgreSQL: until another connection waits on a row lock (SQLite's second writer
    waits inside its busy handler, where nothing can see it: there the yields must do)."""
    for _poll in range(500):
        await asyncio.sleep(0)
        if session.get_bind().dialect.name != "postgresql":
            continue
        waiting = await session.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database()"))  # fmt: skip
        if waiting:
            return
        await asyncio.sleep(0.01)


async def test_a_vote_waits_for_the_one_before_it(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """A second tap that reaches the database while the first is not yet committed queues
    on the entry's row and sees the first vote: it turns it instead of adding another."""
    async with session_factory() as session:
        await store_entries(session, ENTRIES, NOW)
        entry = (await entry_ids(session))["call-12348"]
        driver = await person(session, 7301)
        await session.commit()
    async with session_factory() as first, session_factory() as second:
        assert await FaqService(first).vote(driver, entry, True, NOW) is V.NEW
        waiting = asyncio.create_task(FaqService(second).vote(driver, entry, False, NOW))
        async with session_factory() as watcher:
            await _until_waiting_for_a_lock(watcher)
        assert not waiting.done()
        await first.commit()
        assert await waiting is V.CHANGED
        await second.commit()
    async with session_factory() as session:
        assert await _counters(session, "call-12348") == (0, 1)
        assert await FaqRepository(session).mismatches() == []
