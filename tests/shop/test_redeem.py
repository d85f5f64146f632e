"""Redemptions against the database: races for the last units, double taps, refusals. Every
one of them leaves the ledger's books right (`check` finds nothing)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.shop.models import VoucherRow, VoucherStatus
from bot.services.points.ledger import check
from bot.services.shop.views import Refusal, Refused
from knowledge.shop.catalogue import CODE_ALPHABET
from tests.shop.conftest import (
    BUS_CARD,
    NOW,
    TOWEL,
    debits,
    driver_with,
    item_row,
    ledger,
    shop,
    stock,
    vouchers,
)


async def test_a_hundred_drivers_race_for_ten(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        ids = await stock(session, replace(TOWEL, stock=10, per_user_limit=1))
        drivers = [await driver_with(session, 5000 + n, 100) for n in range(100)]
        await session.commit()
    towel = ids["towel"]

    async def redeem(user: int) -> Refusal | None:
        async with session_factory() as session:
            try:
                await shop(session).redeem(user, towel, f"nonce{user:04d}", None, NOW)
            except Refused as exc:
                await session.rollback()
                return exc.reason
            await session.commit()
            return None

    results = await asyncio.gather(*(redeem(u) for u in drivers))
    assert results.count(None) == 10
    assert results.count(Refusal.SOLD_OUT) == 90
    async with session_factory() as session:
        made = await vouchers(session)
        assert len(made) == 10 and len({v.user_id for v in made}) == 10
        assert len({v.code for v in made}) == 10
        assert all(len(v.code) == 8 and set(v.code) <= set(CODE_ALPHABET) for v in made)
        assert len(await debits(session)) == 10
        row = await item_row(session, towel)
        assert (row.remaining, row.held) == (0, 10)
        balances = [await ledger(session).balance(u) for u in drivers]
        assert sorted(balances) == [70] * 10 + [100] * 90
        assert await check(session) == []


async def test_one_driver_tapping_twenty_times_gets_the_limit_and_no_overdraw(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        ids = await stock(session, replace(TOWEL, per_user_limit=3))
        user = await driver_with(session, 5001, 70)  # two towels' worth, the limit is three
        other = await driver_with(session, 5002, 300)  # limit three, plenty of points
        await session.commit()

    async def redeem(who: int, nonce: str) -> Refusal | None:
        async with session_factory() as session:
            try:
                await shop(session).redeem(who, ids["towel"], nonce, None, NOW)
            except Refused as exc:
                await session.rollback()
                return exc.reason
            await session.commit()
            return None

    # Twenty taps on different confirm screens, and each of them delivered twice.
    taps = [redeem(user, f"tap{n:03d}") for n in range(20) for _twice in range(2)]
    taps += [redeem(other, f"tap{n:03d}") for n in range(20)]
    await asyncio.gather(*taps)
    async with session_factory() as session:
        made = await vouchers(session)
        mine = [v for v in made if v.user_id == user]
        theirs = [v for v in made if v.user_id == other]
        assert len(mine) == 2 and len(theirs) == 3  # money stops one, the limit the other
        assert sorted(v.slot or 0 for v in theirs) == [1, 2, 3]
        assert len(await debits(session)) == 5
        assert await ledger(session).balance(user) == 10
        assert await ledger(session).balance(other) == 210
        row = await item_row(session, ids["towel"])
        assert (row.remaining, row.held) == (5, 5)
        assert await check(session) == []


async def test_the_same_confirm_twice_is_one_voucher_and_one_debit(session: AsyncSession) -> None:
    ids = await stock(session)
    user = await driver_with(session, 5003, 100)
    first = await shop(session).redeem(user, ids["towel"], "abcdef12", None, NOW)
    again = await shop(session).redeem(user, ids["towel"], "abcdef12", None, NOW)
    assert first.new and not again.new and first.voucher == again.voucher
    assert len(await vouchers(session)) == 1 and len(await debits(session)) == 1
    assert await ledger(session).balance(user) == 70
    assert await check(session) == []


async def test_refusals_change_nothing(session: AsyncSession) -> None:
    ids = await stock(session, TOWEL, BUS_CARD, replace(TOWEL, key="empty", stock=0),
                      replace(TOWEL, key="old", valid_until=date(2026, 11, 1)))  # fmt: skip
    user = await driver_with(session, 5004, 100)
    service = shop(session)
    cases = [
        (ids["zg-bus"], "自贡", Refusal.NOT_ENOUGH),  # 500 points, the driver has 100
        (ids["zg-bus"], "乐山", Refusal.GONE),  # another city's item (a forged button)
        (ids["empty"], None, Refusal.SOLD_OUT),
        (ids["old"], None, Refusal.GONE),  # past its last day
        (999_999, None, Refusal.GONE),  # no such item
    ]
    for item_id, city, reason in cases:
        with pytest.raises(Refused) as refused:
            await service.redeem(user, item_id, "nonce123", city, NOW)
        assert refused.value.reason is reason, (item_id, city)
    with pytest.raises(Refused) as refused:
        await service.redeem(user, ids["towel"], "bad:nonce!", None, NOW)  # a forged nonce
    assert refused.value.reason is Refusal.GONE
    assert await vouchers(session) == [] and await debits(session) == []
    assert (await item_row(session, ids["zg-bus"])).remaining == 5
    assert await ledger(session).balance(user) == 100
    assert await check(session) == []


async def test_the_list_puts_what_you_can_afford_first_in_your_city(
    session: AsyncSession,
) -> None:
    cheap = replace(TOWEL, key="cheap", price=10)
    dear = replace(TOWEL, key="dear", price=90)
    far = replace(TOWEL, key="far", price=5, city="乐山")
    await stock(session, TOWEL, BUS_CARD, cheap, dear, far)
    user = await driver_with(session, 5005, 50)
    page = await shop(session).page(user, "自贡", NOW, 0)
    shown = [(o.name.en, o.price, o.affordable) for o in page.offers]
    assert [price for _name, price, _ok in shown] == [10, 30, 90, 500]
    assert [ok for *_rest, ok in shown] == [True, True, False, False]
    assert page.balance == 50 and page.pages == 1


async def test_a_withdrawn_item_keeps_its_vouchers(session: AsyncSession) -> None:
    ids = await stock(session)
    user = await driver_with(session, 5006, 100)
    made = await shop(session).redeem(user, ids["towel"], "nonce123", None, NOW)
    await stock(session, BUS_CARD)  # the towel is left out of the next file
    with pytest.raises(Refused):
        await shop(session).redeem(user, ids["towel"], "nonce456", None, NOW)
    mine = await shop(session).vouchers(user, 10)
    assert [v.code for v in mine] == [made.voucher.code]
    assert mine[0].status is VoucherStatus.UNUSED
    assert isinstance(await session.get(VoucherRow, made.voucher.id), VoucherRow)
    assert await check(session) == []


async def test_a_long_list_comes_in_pages(session: AsyncSession) -> None:
    await stock(session, *(replace(TOWEL, key=f"t{n}", price=10 + n) for n in range(8)))
    user = await driver_with(session, 5007, 100)
    first = await shop(session).page(user, None, NOW, 0)
    second = await shop(session).page(user, None, NOW, 1)
    stale = await shop(session).page(user, None, NOW, 7)  # an old ▶ button
    assert (first.pages, len(first.offers), len(second.offers)) == (2, 6, 2)
    assert [o.price for o in second.offers] == [16, 17] and stale == second
