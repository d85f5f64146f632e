"""The broadcasts' SQL: drafts, the conditional status changes that make a double tap or a
second scheduler harmless, the lists, and the recipients' quiet hours on a resume. Flushes,
never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.broadcasts.models import BroadcastRow, BroadcastStatus
from bot.db.outbox.models import OutboxRow, OutboxStatus
from bot.db.users.models import User

# The statuses of a broadcast that has left the draft.
LISTED = tuple(s for s in BroadcastStatus if s is not BroadcastStatus.DRAFT)


class BroadcastRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_draft(self, author_id: int, text: str, photo: str | None) -> BroadcastRow:
        row = BroadcastRow(
            author_id=author_id, status=BroadcastStatus.DRAFT, text_zh=text, photo=photo,
            links=[], audience={"kind": "all"}, recipients=0,
        )  # fmt: skip
        self.session.add(row)
        await self.session.flush()
        return row

    async def authored_by(self, user_id: int) -> list[BroadcastRow]:
        rows = await self.session.scalars(
            select(BroadcastRow).where(BroadcastRow.author_id == user_id).order_by(BroadcastRow.id)
        )
        return list(rows)

    async def get(self, broadcast_id: int) -> BroadcastRow | None:
        return await self.session.get(BroadcastRow, broadcast_id, populate_existing=True)

    async def change_draft(self, broadcast_id: int, author_id: int, **values: Any) -> bool:
        """A draft's fields, by its author only; False when it is no longer a draft."""
        return await self._update(
            and_(
                BroadcastRow.id == broadcast_id,
                BroadcastRow.author_id == author_id,
                BroadcastRow.status == BroadcastStatus.DRAFT,
            ),
            values,
        )

    async def move(
        self,
        broadcast_id: int,
        from_: Sequence[BroadcastStatus],
        to: BroadcastStatus,
        **values: Any,
    ) -> bool:
        """The status changes only from one of `from_`: of two taps, two schedulers or a
        tap and a job, exactly one wins."""
        where = and_(BroadcastRow.id == broadcast_id, BroadcastRow.status.in_(list(from_)))
        return await self._update(where, {"status": to, **values})

    async def set(self, broadcast_id: int, **values: Any) -> None:
        await self._update(BroadcastRow.id == broadcast_id, values)

    async def _update(self, where: Any, values: dict[str, Any]) -> bool:
        result = await self.session.execute(
            update(BroadcastRow)
            .where(where)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0) > 0  # type: ignore[attr-defined]

    async def due(self, now: datetime) -> list[int]:
        rows = await self.session.scalars(
            select(BroadcastRow.id)
            .where(
                BroadcastRow.status == BroadcastStatus.SCHEDULED,
                BroadcastRow.scheduled_at <= now,
            )
            .order_by(BroadcastRow.scheduled_at, BroadcastRow.id)
        )
        return list(rows)

    async def watched(self, finished_since: datetime) -> list[BroadcastRow]:
        """Broadcasts whose status message may still change: waiting, sending, paused, or
        finished a short while ago (a last edit that failed is tried again)."""
        rows = await self.session.scalars(
            select(BroadcastRow)
            .where(
                BroadcastRow.status != BroadcastStatus.DRAFT,
                BroadcastRow.status_message_id.is_not(None),
                or_(
                    BroadcastRow.finished_at.is_(None),
                    BroadcastRow.finished_at >= finished_since,
                ),
            )
            .order_by(BroadcastRow.id)
        )
        return list(rows)

    async def recent(self, limit: int) -> list[BroadcastRow]:
        rows = await self.session.scalars(
            select(BroadcastRow)
            .where(BroadcastRow.status.in_(LISTED))
            .order_by(BroadcastRow.id.desc())
            .limit(limit)
        )
        return list(rows)

    async def cities(self, limit: int) -> list[str]:
        """The cities most drivers gave, most first (the audience picker's buttons)."""
        n = func.count(User.id)
        rows = await self.session.execute(
            select(User.city, n)
            .where(
                User.city.is_not(None),
                User.consent_at.is_not(None),
                User.erased_at.is_(None),
            )
            .group_by(User.city)
            .order_by(n.desc(), User.city)
            .limit(limit)
        )
        return [city for city, _n in rows.all() if city]

    async def language_of(self, user_id: int) -> str | None:
        return await self.session.scalar(select(User.language).where(User.id == user_id))

    async def chat_of(self, user_id: int) -> int | None:
        """The user's private chat (their Telegram id); None once erased."""
        return await self.session.scalar(select(User.telegram_id).where(User.id == user_id))

    async def drop_drafts(self, before: datetime) -> int:
        """Drafts left unconfirmed since before then (a form given up)."""
        result = await self.session.execute(
            delete(BroadcastRow).where(
                BroadcastRow.status == BroadcastStatus.DRAFT, BroadcastRow.created_at < before
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def quiet_of_pending(
        self, broadcast_id: int, due_by: datetime
    ) -> list[tuple[int, time | None, time | None]]:
        """(outbox row, its recipient's quiet hours) for the pending rows due by then."""
        rows = await self.session.execute(
            select(OutboxRow.id, User.quiet_start, User.quiet_end)
            .join(User, User.id == OutboxRow.user_id)
            .where(
                OutboxRow.broadcast_id == broadcast_id,
                OutboxRow.status == OutboxStatus.PENDING,
                OutboxRow.not_before <= due_by,
            )
        )
        return [(r.id, r.quiet_start, r.quiet_end) for r in rows.all()]

    async def postpone(self, row_ids: Sequence[int], not_before: datetime) -> None:
        for start in range(0, len(row_ids), 500):
            await self.session.execute(
                update(OutboxRow)
                .where(
                    OutboxRow.id.in_(list(row_ids[start : start + 500])),
                    OutboxRow.status == OutboxStatus.PENDING,
                )
                .values(not_before=not_before)
                .execution_options(synchronize_session=False)
            )
