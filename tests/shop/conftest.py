"""The shop's tests: a small catalogue, drivers with points, and an app with an admins' group."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.db.points.models import TransferRow
from bot.db.shop.models import ShopItemRow, VoucherRow
from bot.sandbox import BotApiServer
from bot.services.points.ledger import Ledger, PointsRules
from bot.services.shop.catalog import store_items
from bot.services.shop.shop import ShopService
from knowledge.shop.catalogue import Item
from tests.harness.app import App, running_app
from tests.harness.clock import NOON_MONDAY, Clock
from tests.harness.people import person

GROUP = -100888
TZ = ZoneInfo("Asia/Shanghai")
NOW = NOON_MONDAY

TOWEL = Item(
    key="towel", name_zh="毛巾", name_en="Towel", description_zh="一条毛巾",
    description_en="A towel", price=30, stock=10, per_user_limit=2, city="",
    collect="司机之家服务台", valid_until=date(2026, 12, 31),
)  # fmt: skip
BUS_CARD = replace(TOWEL, key="zg-bus", name_zh="自贡公交卡", name_en="Zigong bus card",
                   price=500, stock=5, per_user_limit=1, city="自贡", collect="")  # fmt: skip


def ledger(session: AsyncSession) -> Ledger:
    return Ledger(session, TZ, PointsRules())


def shop(session: AsyncSession) -> ShopService:
    return ShopService(session, ledger(session), TZ)


async def stock(session: AsyncSession, *items: Item) -> dict[str, int]:
    """Store a catalogue; the items' ids by key."""
    await store_items(session, items or (TOWEL, BUS_CARD), NOW)
    rows = await session.scalars(select(ShopItemRow))
    return {r.key: r.id for r in rows}


async def driver_with(session: AsyncSession, telegram_id: int, points: int) -> int:
    user = await person(session, telegram_id)
    if points:
        await ledger(session).grant(user, points, f"grant:{user}", user, "test", NOW)
    return user


async def item_row(session: AsyncSession, item_id: int) -> ShopItemRow:
    row = await session.scalar(
        select(ShopItemRow).where(ShopItemRow.id == item_id).execution_options(
            populate_existing=True)
    )  # fmt: skip
    assert row is not None
    return row


async def count(session: AsyncSession, what: type, *where: object) -> int:
    query = select(func.count()).select_from(what)
    for condition in where:
        query = query.where(condition)  # type: ignore[arg-type]
    return int(await session.scalar(query) or 0)


async def vouchers(session: AsyncSession) -> list[VoucherRow]:
    rows = await session.scalars(
        select(VoucherRow).order_by(VoucherRow.id).execution_options(populate_existing=True)
    )
    return list(rows)


async def debits(session: AsyncSession) -> list[TransferRow]:
    rows = await session.scalars(select(TransferRow).where(TransferRow.reason == "redeem"))
    return list(rows)


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


@pytest.fixture
async def app(
    server: BotApiServer, engine: AsyncEngine, db_url: str, clock: Clock
) -> AsyncIterator[App]:
    async with running_app(server, engine, db_url, clock=clock, admin_chat_id=GROUP,
                           outbox_group_per_minute=600) as app:  # fmt: skip
        yield app
