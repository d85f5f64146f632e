"""The points shop's SQL: catalogue rows, stock and slots taken by conditional writes,
vouchers and their ends. Flushes, never commits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.shop.models import ShopItemRow, VoucherRow, VoucherStatus
from bot.db.upsert import rows_changed

_I, _V = ShopItemRow, VoucherRow


def _remaining_for(stock: Any, held: Any) -> Any:
    """max(stock - held, 0) in SQL, from the row's own values (so it is right under a race)."""
    return case((held < stock, stock - held), else_=0)


class ShopRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- the catalogue -------------------------------------------------------------------
    async def has_items(self) -> bool:
        return (await self.session.scalar(select(func.count()).select_from(_I))) != 0

    async def items(self, include_withdrawn: bool = False) -> Sequence[ShopItemRow]:
        query = select(_I).order_by(_I.key)
        if not include_withdrawn:
            query = query.where(_I.withdrawn_at.is_(None))
        return (await self.session.scalars(query)).all()

    async def item(self, item_id: int) -> ShopItemRow | None:
        return await self.session.scalar(select(_I).where(_I.id == item_id))

    async def offered(self, city: str | None, today: date) -> Sequence[ShopItemRow]:
        """Items on offer today in `city` (its own and every city's)."""
        cities = ["", city] if city else [""]
        rows = await self.session.scalars(
            select(_I).where(
                _I.withdrawn_at.is_(None), _I.valid_until >= today, _I.city.in_(cities)
            )
        )
        return rows.all()

    async def store_item(self, values: dict[str, Any], now: datetime) -> None:
        """Insert the item, or update it by key; what is left follows the new stock."""
        found = await self.session.scalar(select(_I.id).where(_I.key == values["key"]))
        if found is None:
            row = {**values, "remaining": values["stock"], "held": 0, "updated_at": now}
            await self.session.execute(insert(_I).values(row))
            return
        await self.session.execute(
            update(_I)
            .where(_I.id == found)
            .values(
                **values,
                remaining=_remaining_for(values["stock"], _I.held),
                withdrawn_at=None,
                updated_at=now,
            )
        )

    async def withdraw_others(self, keys: Iterable[str], now: datetime) -> int:
        result = await self.session.execute(
            update(_I)
            .where(_I.key.not_in(list(keys)), _I.withdrawn_at.is_(None))
            .values(withdrawn_at=now, updated_at=now)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def drop_samples(self) -> int:
        """Sample items nobody redeemed go; the others stay withdrawn for their vouchers."""
        redeemed = select(_V.item_id)
        result = await self.session.execute(
            delete(_I).where(_I.is_sample.is_(True), _I.id.not_in(redeemed))
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    # --- what a redemption takes ---------------------------------------------------------
    def one_writer(self) -> bool:
        """SQLite: the first write of a transaction takes the whole database's write lock."""
        return self.session.get_bind().dialect.name == "sqlite"

    async def take_unit(self, item_id: int, today: date) -> bool:
        """One unit of an item still on offer; False when none is left (or it went)."""
        result = await self.session.execute(
            update(_I)
            .where(
                _I.id == item_id,
                _I.remaining > 0,
                _I.withdrawn_at.is_(None),
                _I.valid_until >= today,
            )
            .values(remaining=_I.remaining - 1, held=_I.held + 1)
        )
        return rows_changed(result)

    async def give_back_unit(self, item_id: int) -> None:
        await self.session.execute(
            update(_I)
            .where(_I.id == item_id, _I.held > 0)
            .values(held=_I.held - 1, remaining=_remaining_for(_I.stock, _I.held - 1))
        )

    async def taken_slots(self, item_id: int, user_id: int) -> set[int]:
        rows = await self.session.scalars(
            select(_V.slot).where(
                _V.item_id == item_id, _V.user_id == user_id, _V.slot.is_not(None)
            )
        )
        return {int(s) for s in rows.all() if s is not None}

    async def add_voucher(self, values: dict[str, Any]) -> int:
        """Raises IntegrityError when its slot, code or redemption key is taken."""
        result = await self.session.execute(insert(_V).values(values).returning(_V.id))
        return int(result.scalar_one())

    # --- vouchers ------------------------------------------------------------------------
    async def voucher(self, voucher_id: int) -> VoucherRow | None:
        return await self.session.scalar(select(_V).where(_V.id == voucher_id))

    async def voucher_by_key(self, redeem_key: str) -> VoucherRow | None:
        return await self.session.scalar(select(_V).where(_V.redeem_key == redeem_key))

    async def voucher_by_code(self, code: str) -> VoucherRow | None:
        return await self.session.scalar(select(_V).where(_V.code == code))

    async def vouchers_of(self, user_id: int, limit: int) -> Sequence[VoucherRow]:
        rows = await self.session.scalars(
            select(_V).where(_V.user_id == user_id).order_by(_V.id.desc()).limit(limit)
        )
        return rows.all()

    async def mark_used(self, voucher_id: int, admin_id: int, now: datetime) -> bool:
        result = await self.session.execute(
            update(_V)
            .where(_V.id == voucher_id, _V.status == VoucherStatus.UNUSED, _V.expires_at > now)
            .values(status=VoucherStatus.USED, used_at=now, used_by=admin_id)
        )
        return rows_changed(result)

    async def due(self, now: datetime, limit: int) -> Sequence[VoucherRow]:
        rows = await self.session.scalars(
            select(_V)
            .where(_V.status == VoucherStatus.UNUSED, _V.expires_at <= now)
            .order_by(_V.expires_at, _V.id)
            .limit(limit)
        )
        return rows.all()

    async def end(self, voucher_id: int, status: VoucherStatus, now: datetime) -> bool:
        """An unused voucher expires or is voided, once: its slot is given back."""
        result = await self.session.execute(
            update(_V)
            .where(_V.id == voucher_id, _V.status == VoucherStatus.UNUSED)
            .values(status=status, ended_at=now, slot=None)
        )
        return rows_changed(result)

    async def expiring(self, now: datetime, before: datetime, limit: int) -> Sequence[VoucherRow]:
        rows = await self.session.scalars(
            select(_V).where(_V.status == VoucherStatus.UNUSED, _V.expires_at > now,
                             _V.expires_at <= before, _V.reminded_at.is_(None),
                             _V.user_id.is_not(None))
            .order_by(_V.expires_at, _V.id).limit(limit)
        )  # fmt: skip
        return rows.all()

    async def claim_reminder(self, voucher_id: int, now: datetime) -> bool:
        result = await self.session.execute(
            update(_V).where(_V.id == voucher_id, _V.reminded_at.is_(None),
                             _V.status == VoucherStatus.UNUSED)
            .values(reminded_at=now)
        )  # fmt: skip
        return rows_changed(result)

    async def counts(self) -> dict[int, dict[VoucherStatus, int]]:
        """Per item, how many vouchers are in each status."""
        rows = await self.session.execute(
            select(_V.item_id, _V.status, func.count()).group_by(_V.item_id, _V.status)
        )
        found: dict[int, dict[VoucherStatus, int]] = {}
        for item_id, status, n in rows.all():
            found.setdefault(int(item_id), {})[VoucherStatus(status)] = int(n)
        return found

    # --- erasure -------------------------------------------------------------------------
    async def unlink_user(self, user_id: int) -> None:
        """Vouchers keep their counts; nothing says whose they were or who handed them over."""
        await self.session.execute(update(_V).where(_V.user_id == user_id).values(user_id=None))
        await self.session.execute(update(_V).where(_V.used_by == user_id).values(used_by=None))

    async def open_vouchers_of(self, user_id: int) -> Sequence[VoucherRow]:
        rows = await self.session.scalars(
            select(_V).where(_V.user_id == user_id, _V.status == VoucherStatus.UNUSED)
        )
        return rows.all()
