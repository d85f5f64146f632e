"""After a redemption: /redeem's rules at the station, expiry with its refund (once, however
often the job runs), and erasure."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.outbox.models import MessageKind, OutboxRow
from bot.db.points.models import Reason, TransferRow
from bot.db.shop.models import VoucherStatus
from bot.db.users.models import Role
from bot.services.points.ledger import check
from bot.services.shop.expiry import Expiry
from bot.services.shop.personal_data import PART, erase, export
from bot.services.shop.station import StationService, UseOutcome
from tests.harness.app import App
from tests.harness.clock import Clock
from tests.harness.people import person
from tests.shop.conftest import NOW, TZ, driver_with, item_row, ledger, shop, stock, vouchers


async def test_a_voucher_is_used_once(session: AsyncSession) -> None:
    ids = await stock(session)
    user = await driver_with(session, 6001, 100)
    admin = await person(session, 6002, Role.ADMIN)
    made = (await shop(session).redeem(user, ids["towel"], "nonce123", None, NOW)).voucher
    station = StationService(session, TZ)
    typed = made.code[:4].lower() + " " + made.code[4:].lower()  # spaced, lower case
    used = await station.use(typed, admin, NOW + timedelta(hours=1))
    assert used.outcome is UseOutcome.USED and used.owner is not None
    assert used.owner.user_id == user
    again = await station.use(made.shown_code, admin, NOW + timedelta(hours=2))
    assert again.outcome is UseOutcome.ALREADY and again.voucher is not None
    assert again.voucher.used_at == NOW + timedelta(hours=1)
    assert (await station.use("ZZZZ-ZZZZ", admin, NOW)).outcome is UseOutcome.UNKNOWN
    assert (await station.use("not a code", admin, NOW)).outcome is UseOutcome.UNKNOWN
    [row] = await vouchers(session)
    assert row.status is VoucherStatus.USED and row.used_by == admin
    assert await check(session) == []


async def test_an_expired_voucher_refunds_once_however_often_the_job_runs(
    app: App, clock: Clock
) -> None:
    async with app.session_factory() as session:
        ids = await stock(session)
        user = await driver_with(session, 6003, 100)
        made = (await shop(session).redeem(user, ids["towel"], "nonce123", None, NOW)).voucher
        kept = (await shop(session).redeem(user, ids["towel"], "nonce456", None, NOW)).voucher
        await StationService(session, TZ).use(kept.code, user, NOW)  # used: never refunded
        await session.commit()
    kit = app.kits["shop"]
    assert await kit.expire_due() == 0  # not due yet
    clock.now = made.expires_at + timedelta(minutes=1)
    done = await asyncio.gather(kit.expire_due(), kit.expire_due())
    assert sorted(done) == [0, 1]
    assert await kit.expire_due() == 0

    async with app.session_factory() as session:
        # Two more runs straight on the service, racing in their own sessions.
        async def run() -> object:
            async with app.session_factory() as own:
                notice = await Expiry(own, ledger(own), TZ).expire(made.id, clock.now)
                await own.commit()
                return notice

        assert list(await asyncio.gather(run(), run())) == [None, None]
        refunds = list(await session.scalars(
            select(TransferRow).where(TransferRow.reason == Reason.REFUND)))  # fmt: skip
        assert [(r.key, r.amount) for r in refunds] == [(f"voucher-refund:{made.id}", 30)]
        assert await ledger(session).balance(user) == 70  # 100 - 30 used - 30 + 30 back
        rows = {v.id: v for v in await vouchers(session)}
        assert rows[made.id].status is VoucherStatus.EXPIRED and rows[made.id].slot is None
        assert rows[kept.id].status is VoucherStatus.USED
        row = await item_row(session, ids["towel"])
        assert (row.remaining, row.held) == (9, 1)  # the expired one's unit is back
        told = list(await session.scalars(
            select(OutboxRow).where(OutboxRow.kind == MessageKind.VOUCHER)))  # fmt: skip
        assert [m.dedupe_key for m in told] == [f"voucher-refund:{made.id}"]
        # It expired at midnight: the news waits for the morning.
        assert told[0].not_before == made.expires_at + timedelta(hours=8)
        assert (await StationService(session, TZ).use(made.code, user, clock.now)).outcome is (
            UseOutcome.EXPIRED
        )
        assert await check(session) == []


async def test_a_reminder_comes_once_before_expiry(app: App, clock: Clock) -> None:
    async with app.session_factory() as session:
        ids = await stock(session)
        user = await driver_with(session, 6004, 100)
        made = (await shop(session).redeem(user, ids["towel"], "nonce123", None, NOW)).voucher
        await session.commit()
    kit = app.kits["shop"]
    assert await kit.remind_expiring() == 0  # weeks away
    clock.now = made.expires_at - timedelta(days=2)
    assert await kit.remind_expiring() == 1
    assert await kit.remind_expiring() == 0
    async with app.session_factory() as session:
        told = list(await session.scalars(select(OutboxRow.dedupe_key).where(
            OutboxRow.kind == MessageKind.VOUCHER)))  # fmt: skip
        assert told == [f"voucher-expiring:{made.id}"]


async def test_erasure_keeps_the_counts_and_unlinks_the_person(session: AsyncSession) -> None:
    ids = await stock(session)
    user = await driver_with(session, 6005, 100)
    admin = await person(session, 6006, Role.ADMIN)
    used = (await shop(session).redeem(user, ids["towel"], "nonce123", None, NOW)).voucher
    await shop(session).redeem(user, ids["towel"], "nonce456", None, NOW)
    await StationService(session, TZ).use(used.code, admin, NOW)
    data = await export(session, user, TZ)
    assert sorted(v["status"] for v in data["vouchers"]) == ["unused", "used"]
    assert {v["code"] for v in data["vouchers"]} >= {used.shown_code}

    from bot.services.points.personal_data import PART as POINTS

    await POINTS.erase(session, user, NOW, TZ)  # the order of bot/features.py
    await erase(session, user, NOW, TZ)
    await erase(session, admin, NOW, TZ)
    rows = await vouchers(session)
    assert [r.user_id for r in rows] == [None, None] and rows[0].used_by is None
    assert sorted(r.status for r in rows) == [VoucherStatus.USED, VoucherStatus.VOID]
    row = await item_row(session, ids["towel"])
    assert (row.remaining, row.held) == (9, 1)  # the cancelled one's unit is back
    report = {r.key: r for r in await StationService(session, TZ).report()}
    assert (report["towel"].used, report["towel"].void) == (1, 1)
    assert (await export(session, user, TZ)) == {"vouchers": []}
    assert PART.tables == {"shop_vouchers"}
    assert await check(session) == []


async def test_two_admins_redeeming_at_once_hand_over_once(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        ids = await stock(session)
        user = await driver_with(session, 6007, 100)
        admins = [await person(session, 6100 + n, Role.ADMIN) for n in range(10)]
        code = (await shop(session).redeem(user, ids["towel"], "nonce123", None, NOW)).voucher.code
        await session.commit()

    async def use(admin: int) -> UseOutcome:
        async with session_factory() as session:
            result = await StationService(session, TZ).use(code, admin, NOW)
            await session.commit()
            return result.outcome

    outcomes = await asyncio.gather(*(use(a) for a in admins))
    assert sorted(outcomes) == sorted([UseOutcome.USED] + [UseOutcome.ALREADY] * 9)
    async with session_factory() as session:
        [row] = await vouchers(session)
        assert row.status is VoucherStatus.USED and row.used_by in admins
        assert await check(session) == []
