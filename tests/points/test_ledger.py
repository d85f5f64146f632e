"""The points ledger behaves like money: idempotent, balanced, never below zero, even when a
hundred spends race for one balance."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.points.models import AccountRow, Reason, TransferRow
from bot.services.points.ledger import Ledger, NotEnoughPoints, PointsRules, check
from tests.harness.people import person

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)
RULES = PointsRules(per_report=10, first_report_bonus=20, monthly_cap=50)


def ledger(session: AsyncSession) -> Ledger:
    return Ledger(session, TZ, RULES)


async def test_a_report_rewarded_twice_pays_once(session: AsyncSession) -> None:
    user = await person(session, 1)
    first = await ledger(session).reward_report(user, 7, "SP-2026-000007", True, NOW)
    again = await ledger(session).reward_report(user, 7, "SP-2026-000007", True, NOW)
    await session.commit()
    assert (first.points, first.bonus, first.new) == (30, 20, True)
    assert (again.points, again.new) == (30, False)
    assert await ledger(session).balance(user) == 30
    history = await ledger(session).history(user)
    assert [(m.amount, m.reason) for m in history] == [(20, Reason.FIRST_REPORT),
                                                       (10, Reason.REPORT)]  # fmt: skip
    assert await check(session) == []


async def test_the_monthly_cap_cuts_and_a_new_month_starts_again(session: AsyncSession) -> None:
    user = await person(session, 1)
    got = [await ledger(session).reward_report(user, n, f"r{n}", n == 1, NOW) for n in range(1, 5)]
    # 30 (10 + the bonus 20), then 10, then the last 10 of the cap of 50, then nothing.
    assert [(e.points, e.capped) for e in got] == [(30, False), (10, False), (10, False),
                                                   (0, True)]  # fmt: skip
    # December 1st, 00:30 in Shanghai is still November 30th in UTC: a new month all the same.
    next_month = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
    later = await ledger(session).reward_report(user, 9, "r9", False, next_month)
    assert (later.points, later.capped) == (10, False)
    assert await ledger(session).balance(user) == 60
    assert await check(session) == []


async def test_spending_never_goes_below_zero(session: AsyncSession) -> None:
    user = await person(session, 1)
    await ledger(session).grant(user, 15, "grant:1", user, "welcome", NOW)
    await ledger(session).spend(user, 10, "spend:1", NOW)
    with pytest.raises(NotEnoughPoints):
        await ledger(session).spend(user, 10, "spend:2", NOW)
    # The same key again is the transfer it made, not a second spend.
    again = await ledger(session).spend(user, 10, "spend:1", NOW)
    assert not again.new
    assert await ledger(session).balance(user) == 5
    with pytest.raises(NotEnoughPoints):
        await ledger(session).deduct(user, 6, "deduct:1", user, "too much", NOW)
    await session.commit()
    assert await check(session) == []


async def test_a_reversal_is_a_new_transfer_once(session: AsyncSession) -> None:
    user = await person(session, 1)
    granted = await ledger(session).grant(user, 40, "grant:1", user, "by mistake", NOW)
    undo = await ledger(session).reverse(granted.transfer.id, user, "mistake", NOW)
    twice = await ledger(session).reverse(granted.transfer.id, user, "mistake", NOW)
    assert undo.new and not twice.new and undo.transfer.id == twice.transfer.id
    assert undo.transfer.reverses_id == granted.transfer.id
    assert await ledger(session).balance(user) == 0
    with pytest.raises(ValueError, match="reversal"):
        await ledger(session).reverse(undo.transfer.id, user, None, NOW)
    # Points already spent cannot be taken back below zero.
    spent_first = await ledger(session).grant(user, 5, "grant:2", user, "", NOW)
    await ledger(session).spend(user, 5, "spend:1", NOW)
    with pytest.raises(NotEnoughPoints):
        await ledger(session).reverse(spent_first.transfer.id, user, None, NOW)
    await session.commit()
    assert await check(session) == []


async def test_forfeit_on_erasure_keeps_the_books_balanced(session: AsyncSession) -> None:
    user = await person(session, 1)
    await ledger(session).grant(user, 25, "grant:1", user, "a private remark", NOW)
    assert await ledger(session).forfeit(user, NOW) == 25
    assert await ledger(session).balance(user) == 0
    notes = [m.note for m in await ledger(session).history(user)]
    assert notes == [None, None]
    await session.commit()
    assert await check(session) == []


@pytest.mark.breaks_the_books
async def test_check_finds_drift_and_a_crooked_reversal(session: AsyncSession) -> None:
    user = await person(session, 1)
    granted = await ledger(session).grant(user, 25, "grant:1", user, "", NOW)
    await session.commit()
    await session.execute(update(AccountRow).where(AccountRow.user_id == user)
                          .values(credits=AccountRow.credits + 5))  # fmt: skip
    g = granted.transfer
    await session.execute(insert(TransferRow).values(
        key="crooked", debit_id=g.credit_id, credit_id=g.debit_id, amount=3,
        reason=Reason.REVERSAL, reverses_id=g.id, created_at=NOW))  # fmt: skip
    kinds = sorted(v.kind for v in await check(session))
    assert kinds == ["bad_reversal", "drift"]


async def test_a_hundred_concurrent_spends_against_ten_spends_worth(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        user = await person(session, 1)
        await ledger(session).grant(user, 50, "grant:1", user, "", NOW)
        await session.commit()

    async def spend(n: int) -> bool:
        async with session_factory() as session:
            try:
                await ledger(session).spend(user, 5, f"update:{n}", NOW + timedelta(seconds=n))
            except NotEnoughPoints:
                await session.rollback()
                return False
            await session.commit()
            return True

    results = await asyncio.gather(*(spend(n) for n in range(100)))
    assert sum(results) == 10
    async with session_factory() as session:
        assert await ledger(session).balance(user) == 0
        spends = [m for m in await ledger(session).history(user, 200)
                  if m.reason is Reason.SPEND]  # fmt: skip
        assert len(spends) == 10
        assert await check(session) == []
