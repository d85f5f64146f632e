"""The ledger's SQL: accounts, one transfer at a time, and the sums `points check` compares."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from bot.db.points.models import AccountKind, AccountRow, Reason, SystemAccount, TransferRow
from bot.db.upsert import insert_ignore, rows_changed


class NotEnoughPoints(Exception):
    """The debit account's balance does not cover the amount."""


@dataclass(frozen=True, slots=True)
class Posted:
    transfer: TransferRow
    new: bool  # False: the key had been used, this is the transfer it made


@dataclass(frozen=True, slots=True)
class Flow:
    reason: Reason
    from_user: bool  # the debit side was a user's account
    to_user: bool  # the credit side was a user's account
    total: int
    count: int


class PointsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find_user_account(self, user_id: int) -> int | None:
        return await self.session.scalar(select(AccountRow.id).where(AccountRow.user_id == user_id))

    async def user_account(self, user_id: int, now: datetime) -> int:
        """The user's account, opened on first use."""
        return await self._account(AccountRow.user_id, user_id, AccountKind.USER, now)

    async def system_account(self, code: SystemAccount, now: datetime) -> int:
        return await self._account(AccountRow.code, code, AccountKind.SYSTEM, now)

    async def _account(
        self, column: InstrumentedAttribute[Any], owner: object, kind: AccountKind, now: datetime
    ) -> int:
        """The account `column` = `owner`, opened on first use (a concurrent opener wins
        nothing: the unique column keeps one)."""
        found = await self.session.scalar(select(AccountRow.id).where(column == owner))
        if found is not None:
            return found
        row = {"kind": kind, column.key: owner, "debits": 0, "credits": 0, "created_at": now}
        await insert_ignore(self.session, AccountRow.__table__, row, [column.key])  # type: ignore[arg-type]
        made = await self.session.scalar(select(AccountRow.id).where(column == owner))
        assert made is not None
        return made

    async def by_key(self, key: str) -> TransferRow | None:
        return await self.session.scalar(select(TransferRow).where(TransferRow.key == key))

    async def get(self, transfer_id: int) -> TransferRow | None:
        return await self.session.get(TransferRow, transfer_id)

    async def balance(self, account_id: int) -> int:
        row = (
            await self.session.execute(
                select(AccountRow.credits - AccountRow.debits).where(AccountRow.id == account_id)
            )
        ).scalar_one()
        return int(row)

    async def move(
        self,
        key: str,
        debit_id: int,
        credit_id: int,
        amount: int,
        reason: Reason,
        now: datetime,
        *,
        user_debit: bool,
        user_credit: bool,
        ref: str | None = None,
        note: str | None = None,
        actor_id: int | None = None,
        reverses_id: int | None = None,
    ) -> Posted:
        """One transfer, all or nothing, in a savepoint: the debit (refused below zero), the
        transfer row (its key unique), the credit. A key used before gives that transfer back.
        Only user accounts keep running sums (`user_debit`, `user_credit` say which sides are
        users)."""
        if amount <= 0:
            raise ValueError("a transfer moves a positive amount")
        known = await self.by_key(key)
        if known is not None:
            return Posted(known, new=False)
        savepoint = await self.session.begin_nested()
        try:
            if user_debit:
                debited = await self.session.execute(
                    update(AccountRow)
                    .where(
                        AccountRow.id == debit_id, AccountRow.credits - AccountRow.debits >= amount
                    )
                    .values(debits=AccountRow.debits + amount)
                )
                if not rows_changed(debited):
                    raise NotEnoughPoints
            values = {"key": key, "debit_id": debit_id, "credit_id": credit_id, "amount": amount,
                      "reason": reason, "ref": ref, "note": note, "actor_id": actor_id,
                      "reverses_id": reverses_id, "created_at": now}  # fmt: skip
            if not await insert_ignore(self.session, TransferRow.__table__, values, ["key"]):  # type: ignore[arg-type]
                raise _KeyTaken
            if user_credit:
                await self.session.execute(
                    update(AccountRow)
                    .where(AccountRow.id == credit_id)
                    .values(credits=AccountRow.credits + amount)
                )
        except (NotEnoughPoints, _KeyTaken) as exc:
            await savepoint.rollback()
            # A concurrent twin with the same key may have won while this one waited.
            twin = await self.by_key(key)
            if twin is not None:
                return Posted(twin, new=False)
            if isinstance(exc, _KeyTaken):  # pragma: no cover - a key never vanishes
                raise RuntimeError(f"transfer key {key} taken but not found") from exc
            raise
        await savepoint.commit()
        row = await self.by_key(key)
        assert row is not None
        return Posted(row, new=True)

    async def history(self, account_id: int, limit: int) -> Sequence[TransferRow]:
        rows = await self.session.scalars(
            select(TransferRow)
            .where((TransferRow.debit_id == account_id) | (TransferRow.credit_id == account_id))
            .order_by(TransferRow.id.desc())
            .limit(limit)
        )
        return rows.all()

    async def credited_since(
        self, account_id: int, since: datetime, reasons: Sequence[Reason]
    ) -> int:
        total = await self.session.scalar(
            select(func.coalesce(func.sum(TransferRow.amount), 0)).where(
                TransferRow.credit_id == account_id,
                TransferRow.created_at >= since,
                TransferRow.reason.in_(reasons),
            )
        )
        return int(total or 0)

    async def reversal_of(self, transfer_id: int) -> TransferRow | None:
        return await self.session.scalar(
            select(TransferRow).where(TransferRow.reverses_id == transfer_id)
        )

    async def account_owner(self, account_id: int) -> AccountRow | None:
        return await self.session.get(AccountRow, account_id)

    # --- the month's summary -----------------------------------------------------------------
    async def flows(self, start: datetime, end: datetime) -> list[Flow]:
        """The transfers made in [start, end), summed by reason and by which sides were
        users."""
        debit, credit = aliased(AccountRow), aliased(AccountRow)
        rows = await self.session.execute(
            select(TransferRow.reason, debit.kind, credit.kind, func.sum(TransferRow.amount),
                   func.count())
            .join(debit, debit.id == TransferRow.debit_id)
            .join(credit, credit.id == TransferRow.credit_id)
            .where(TransferRow.created_at >= start, TransferRow.created_at < end)
            .group_by(TransferRow.reason, debit.kind, credit.kind)
        )  # fmt: skip
        return [
            Flow(reason, debit_kind is AccountKind.USER, credit_kind is AccountKind.USER,
                 int(total), int(count))
            for reason, debit_kind, credit_kind, total, count in rows.all()
        ]  # fmt: skip

    async def people_moved(self, start: datetime, end: datetime, credited: bool) -> int:
        """How many user accounts were credited (or debited) in [start, end)."""
        side = TransferRow.credit_id if credited else TransferRow.debit_id
        found = await self.session.scalar(
            select(func.count(func.distinct(side)))
            .join(AccountRow, AccountRow.id == side)
            .where(AccountRow.kind == AccountKind.USER, TransferRow.created_at >= start,
                   TransferRow.created_at < end)
        )  # fmt: skip
        return int(found or 0)

    async def held_by_users(self) -> int:
        """The points users hold now, all together."""
        total = await self.session.scalar(
            select(func.coalesce(func.sum(AccountRow.credits - AccountRow.debits), 0)).where(
                AccountRow.kind == AccountKind.USER
            )
        )
        return int(total or 0)

    # --- what `points check` compares ------------------------------------------------------
    async def accounts(self) -> Sequence[AccountRow]:
        return (await self.session.scalars(select(AccountRow).order_by(AccountRow.id))).all()

    async def sums(self) -> dict[int, tuple[int, int]]:
        """Every account's (debits, credits), summed from the transfers."""
        debits: dict[int, int] = dict(
            (await self.session.execute(
                select(TransferRow.debit_id, func.sum(TransferRow.amount))
                .group_by(TransferRow.debit_id)
            )).all()
        )  # fmt: skip
        credits: dict[int, int] = dict(
            (await self.session.execute(
                select(TransferRow.credit_id, func.sum(TransferRow.amount))
                .group_by(TransferRow.credit_id)
            )).all()
        )  # fmt: skip
        ids = set(debits) | set(credits)
        return {i: (int(debits.get(i, 0)), int(credits.get(i, 0))) for i in ids}

    async def transfer_count(self) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(TransferRow)) or 0)

    async def bad_transfers(self) -> Sequence[TransferRow]:
        """Transfers that break the rules the table's constraints also state (checked anyway:
        a constraint can be dropped by hand)."""
        rows = await self.session.scalars(
            select(TransferRow).where(
                (TransferRow.amount <= 0) | (TransferRow.debit_id == TransferRow.credit_id)
            )
        )
        return rows.all()

    async def reversals(self) -> Sequence[tuple[TransferRow, TransferRow]]:
        original = TransferRow.__table__.alias("original")
        rows = await self.session.execute(
            select(TransferRow, original.c.id).join(
                original, original.c.id == TransferRow.reverses_id
            )
        )
        out = []
        for reversal, original_id in rows.all():
            first = await self.session.get(TransferRow, original_id)
            assert first is not None
            out.append((reversal, first))
        return out

    async def erase_notes(self, account_id: int) -> None:
        """An erased user's transfers keep their amounts and reasons; the admins' free-text
        notes about them go."""
        await self.session.execute(
            update(TransferRow)
            .where((TransferRow.debit_id == account_id) | (TransferRow.credit_id == account_id))
            .values(note=None)
        )


class _KeyTaken(Exception):
    pass
