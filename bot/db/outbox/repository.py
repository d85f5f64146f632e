"""The outbox's SQL: queue, claim, settle, recover. Flushes, never commits.

Claiming marks rows `sending` with the sender's id and the time; on PostgreSQL the candidate
rows are locked with SKIP LOCKED, so several senders take disjoint batches without waiting
for each other. A sender that dies leaves its rows `sending`: once their lease has run out
any sender takes them back (at least once: only what was in flight can go out twice).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.outbox.models import MessageKind, OutboxRow, OutboxStatus
from bot.db.upsert import insert_new

_INSERT_CHUNK = 500  # rows per INSERT: well under SQLite's limit of bound parameters


@dataclass(frozen=True, slots=True)
class Settled:
    """What became of one claimed row."""

    id: int
    status: OutboxStatus
    message_id: int | None = None
    error: str | None = None
    not_before: datetime | None = None  # for a row going back to pending
    count_attempt: bool = True  # False: a 429 is not the row's fault


@dataclass(frozen=True, slots=True)
class Gone:
    """A row that will never be delivered, for the feature that queued it."""

    kind: MessageKind
    ref: str | None
    user_id: int | None


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def _postgres(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    async def put(self, rows: Sequence[dict[str, Any]]) -> int:
        """Queue rows; one whose dedupe key is already queued is left alone. Returns how
        many are new."""
        table = cast(Table, OutboxRow.__table__)
        added = 0
        for start in range(0, len(rows), _INSERT_CHUNK):
            chunk = list(rows[start : start + _INSERT_CHUNK])
            added += await insert_new(self.session, table, chunk, ["dedupe_key"])
        return added

    async def claim(
        self, sender: str, now: datetime, limit: int, kinds: Iterable[MessageKind] | None = None
    ) -> list[OutboxRow]:
        """Up to `limit` due rows, the most urgent first, now this sender's."""
        candidates = (
            select(OutboxRow.id)
            .where(OutboxRow.status == OutboxStatus.PENDING, OutboxRow.not_before <= now)
            .order_by(OutboxRow.priority, OutboxRow.not_before, OutboxRow.id)
            .limit(limit)
        )
        if kinds is not None:
            candidates = candidates.where(OutboxRow.kind.in_(list(kinds)))
        if self._postgres:
            candidates = candidates.with_for_update(skip_locked=True)
        ids = list(await self.session.scalars(candidates))
        if not ids:
            return []
        claimed = await self.session.scalars(
            update(OutboxRow)
            .where(OutboxRow.id.in_(ids), OutboxRow.status == OutboxStatus.PENDING)
            .values(
                status=OutboxStatus.SENDING,
                claimed_by=sender,
                claimed_at=now,
                attempts=OutboxRow.attempts + 1,
            )
            .returning(OutboxRow)
            .execution_options(synchronize_session=False)
        )
        rows = list(claimed)
        order = {row_id: position for position, row_id in enumerate(ids)}
        return sorted(rows, key=lambda r: order[r.id])

    async def settle(self, sender: str, outcomes: Sequence[Settled], now: datetime) -> None:
        """Record outcomes, each only if the row is still this sender's claim: a row whose
        lease ran out and that another sender took back is that sender's to settle."""
        for outcome in outcomes:
            values: dict[str, Any] = {"status": outcome.status, "claimed_by": None}
            if outcome.status is OutboxStatus.SENT:
                values.update(message_id=outcome.message_id, sent_at=now, last_error=None)
            if outcome.error is not None:
                values["last_error"] = outcome.error[:300]
            if outcome.not_before is not None:
                values["not_before"] = outcome.not_before
            if not outcome.count_attempt:
                values["attempts"] = OutboxRow.attempts - 1
            await self.session.execute(
                update(OutboxRow)
                .where(
                    OutboxRow.id == outcome.id,
                    OutboxRow.status == OutboxStatus.SENDING,
                    OutboxRow.claimed_by == sender,
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )

    async def mark_sent(self, sender: str, sent: Sequence[tuple[int, int]], now: datetime) -> None:
        """Many rows sent, in one statement: (row id, Telegram message id)."""
        if not sent:
            return
        table = cast(Table, OutboxRow.__table__)
        stmt = (
            table.update()
            .where(
                and_(
                    table.c.id == bindparam("row_id"),
                    table.c.status == OutboxStatus.SENDING.value,
                    table.c.claimed_by == sender,
                )
            )
            .values(
                status=OutboxStatus.SENT.value,
                message_id=bindparam("mid"),
                sent_at=now,
                claimed_by=None,
            )
        )
        await self.session.execute(stmt, [{"row_id": i, "mid": m} for i, m in sent])

    async def recover(self, now: datetime, lease: timedelta) -> int:
        """Rows a dead sender left `sending` go back to pending."""
        result = await self.session.execute(
            update(OutboxRow)
            .where(OutboxRow.status == OutboxStatus.SENDING, OutboxRow.claimed_at < now - lease)
            .values(status=OutboxStatus.PENDING, claimed_by=None)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def drop_for_user(
        self, user_id: int, status: OutboxStatus, kinds: Iterable[MessageKind] | None = None
    ) -> list[Gone]:
        """A user's waiting rows (of some kinds) settled without sending: they blocked the
        bot, opted out, or erased their data. Returns what was dropped."""
        where = [
            OutboxRow.user_id == user_id,
            OutboxRow.status.in_([OutboxStatus.PENDING, OutboxStatus.HELD]),
        ]
        if kinds is not None:
            where.append(OutboxRow.kind.in_(list(kinds)))
        result = await self.session.execute(
            update(OutboxRow)
            .where(*where)
            .values(status=status)
            .returning(OutboxRow.kind, OutboxRow.ref, OutboxRow.user_id)
            .execution_options(synchronize_session=False)
        )
        return [Gone(MessageKind(k), ref, uid) for k, ref, uid in result.all()]

    async def kinds_of(self, ids: Sequence[int]) -> list[Gone]:
        if not ids:
            return []
        rows = await self.session.execute(
            select(OutboxRow.kind, OutboxRow.ref, OutboxRow.user_id).where(OutboxRow.id.in_(ids))
        )
        return [Gone(MessageKind(k), ref, uid) for k, ref, uid in rows.all()]

    async def set_broadcast_status(
        self, broadcast_id: int, from_: Sequence[OutboxStatus], to: OutboxStatus
    ) -> int:
        """Pause (pending → held), resume (held → pending) or cancel a broadcast's rows."""
        result = await self.session.execute(
            update(OutboxRow)
            .where(OutboxRow.broadcast_id == broadcast_id, OutboxRow.status.in_(list(from_)))
            .values(status=to)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def broadcast_counts(self, broadcast_id: int) -> dict[OutboxStatus, int]:
        rows = await self.session.execute(
            select(OutboxRow.status, func.count())
            .where(OutboxRow.broadcast_id == broadcast_id)
            .group_by(OutboxRow.status)
        )
        return {OutboxStatus(status): int(n) for status, n in rows.all()}

    async def broadcast_size(self, broadcast_id: int) -> int:
        total = await self.session.scalar(
            select(func.count(OutboxRow.id)).where(OutboxRow.broadcast_id == broadcast_id)
        )
        return int(total or 0)

    async def broadcast_failures(self, broadcast_id: int) -> list[OutboxRow]:
        rows = await self.session.scalars(
            select(OutboxRow)
            .where(
                OutboxRow.broadcast_id == broadcast_id,
                OutboxRow.status.in_([OutboxStatus.FAILED, OutboxStatus.BLOCKED]),
            )
            .order_by(OutboxRow.id)
        )
        return list(rows)

    async def card_message_id(self, known: int | None, dedupe_key: str) -> int | None:
        """A card's message id: the one kept on its row, else the one its post went out as
        (None: the post is still on its way)."""
        if known is not None:
            return known
        sent = await self.sent_message(dedupe_key)
        return None if sent is None else sent[1]

    async def has_key(self, dedupe_key: str) -> bool:
        """Whether a message with this key was ever queued (whatever became of it)."""
        found = await self.session.scalar(
            select(OutboxRow.id).where(OutboxRow.dedupe_key == dedupe_key)
        )
        return found is not None

    async def sent_message(self, dedupe_key: str) -> tuple[int, int] | None:
        """(chat id, message id) of a message that went out, by its key."""
        row = (
            await self.session.execute(
                select(OutboxRow.chat_id, OutboxRow.message_id).where(
                    OutboxRow.dedupe_key == dedupe_key,
                    OutboxRow.status == OutboxStatus.SENT,
                    OutboxRow.message_id.is_not(None),
                )
            )
        ).first()
        return None if row is None or row[1] is None else (int(row[0]), int(row[1]))

    async def of_user(self, user_id: int) -> list[OutboxRow]:
        rows = await self.session.scalars(
            select(OutboxRow).where(OutboxRow.user_id == user_id).order_by(OutboxRow.id)
        )
        return list(rows)

    async def forget_user(self, user_id: int) -> None:
        """Erasure: what was to be sent is not sent; what was sent keeps only its status."""
        await self.drop_for_user(user_id, OutboxStatus.CANCELLED)
        await self.session.execute(
            update(OutboxRow)
            .where(OutboxRow.user_id == user_id)
            .values(text="", photo=None, document=None, buttons=None, last_error=None)
            .execution_options(synchronize_session=False)
        )
