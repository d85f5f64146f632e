"""Which updates were handled: in memory for speed, in the database for restarts.

- An update whose handler wrote to the database is recorded in that same transaction
  (see DbSessionMiddleware), so its effects and its record land together.
- An update that only read is recorded in memory at once and written in small batches: after a
  crash at most the last batch of read-only updates could be answered again.
- On first use the most recent records are loaded from the database, so redeliveries right
  after a restart are recognised.
- With several worker processes (`shared=True`) memory is not the whole truth, so every update
  is also checked against the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.types import utcnow
from bot.db.updates.repository import ProcessedUpdateRepository

log = logging.getLogger(__name__)

Key = tuple[int, int]  # (bot id, update id)


class UpdateLedger:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        shared: bool = False,
        capacity: int = 50_000,
        flush_interval: float = 0.5,
    ) -> None:
        self.session_factory = session_factory
        self.shared = shared
        self.capacity = capacity
        self.flush_interval = flush_interval
        self._seen: OrderedDict[Key, None] = OrderedDict()
        self._pending: dict[Key, datetime] = {}
        self._loaded = False
        self._load_lock = asyncio.Lock()
        self._flusher: asyncio.Task[None] | None = None

    def _remember(self, key: Key) -> None:
        self._seen[key] = None
        self._seen.move_to_end(key)
        if len(self._seen) > self.capacity:
            self._seen.popitem(last=False)

    async def _load(self) -> None:
        async with self._load_lock:
            if self._loaded:
                return
            async with self.session_factory() as session:
                for key in await ProcessedUpdateRepository(session).recent(self.capacity):
                    self._remember(key)
            self._loaded = True

    def seen_in_memory(self, key: Key) -> bool:
        return key in self._seen

    async def seen(self, key: Key, session: AsyncSession) -> bool:
        if not self._loaded:
            await self._load()
        if key in self._seen:
            return True
        if self.shared:
            return await ProcessedUpdateRepository(session).exists(*key)
        return False

    async def claim_in(self, session: AsyncSession, key: Key) -> bool:
        """Record inside the caller's transaction; False when another worker recorded it.
        Call committed() once the transaction has committed."""
        return await ProcessedUpdateRepository(session).claim(key[0], key[1], utcnow())

    def committed(self, key: Key) -> None:
        self._remember(key)

    def record_later(self, key: Key) -> None:
        self._remember(key)
        self._pending[key] = utcnow()
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush_soon())

    async def _flush_soon(self) -> None:
        await asyncio.sleep(self.flush_interval)
        await self.flush()

    async def flush(self) -> int:
        pending, self._pending = self._pending, {}
        if not pending:
            return 0
        try:
            async with self.session_factory() as session:
                await ProcessedUpdateRepository(session).claim_many(
                    [(bot_id, update_id, at) for (bot_id, update_id), at in pending.items()]
                )
                await session.commit()
        except BaseException as exc:  # also cancellation: the batch must not be lost
            self._pending.update(pending)
            if isinstance(exc, Exception):
                log.exception("could not record %d handled updates; will retry", len(pending))
                return 0
            raise
        return len(pending)

    async def close(self) -> None:
        if self._flusher is not None and not self._flusher.done():
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        await self.flush()  # whatever the cancelled flush put back
