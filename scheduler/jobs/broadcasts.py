"""Broadcasts: starting those whose time has come, and keeping each one's status message
up to date until it ends (then its author's report is queued).

`BroadcastRunner` owns the transactions: a start (the audience into the outbox) is one
transaction; an end (done, and the report) is another; the status message is drawn by the
feature's `Board` (handed in through the kit, so the scheduler never imports handlers) and
what it shows is recorded after the edit.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol, cast
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.broadcasts.models import BroadcastStatus
from bot.db.broadcasts.repository import BroadcastRepository
from bot.feature import JobContext
from bot.services.broadcasts import delivery, progress
from bot.services.broadcasts.delivery import Wording
from bot.services.broadcasts.model import Broadcast
from bot.services.broadcasts.progress import Counts, RateMeter, Shown, StatusView
from bot.services.broadcasts.service import asking_cancel
from bot.services.outbox.doorbell import Doorbell
from bot.services.outbox.service import Outbox

log = logging.getLogger(__name__)
DRAFT_KEEP = timedelta(days=7)


class Board(Protocol):
    async def show(self, view: StatusView) -> Shown | None: ...

    def report_caption(self, b: Broadcast, c: Counts, language: str) -> str: ...


class BroadcastRunner:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        tz: ZoneInfo,
        data_dir: Path,
        default_language: str = "zh",
        doorbell: Doorbell | None = None,
    ) -> None:
        self.session_factory, self.tz, self.data_dir = session_factory, tz, data_dir
        self.default_language, self.doorbell = default_language, doorbell
        self.meter = RateMeter()

    def _ring(self) -> None:
        """Rows were committed: this process's sender looks at once."""
        if self.doorbell is not None:
            self.doorbell.ring()

    async def start_due(self, wording: Wording, now: datetime) -> list[int]:
        """Every broadcast whose time has come, each in its own transaction; returns those
        this call started (another scheduler's are left to it)."""
        async with self.session_factory() as session:
            due = await BroadcastRepository(session).due(now)
        started = []
        for broadcast_id in due:
            async with self.session_factory() as session:
                queued = await delivery.start(session, broadcast_id, now, self.tz, wording)
                await session.commit()
            if queued is not None:
                log.info("broadcast %s started: %d drivers", broadcast_id, queued)
                started.append(broadcast_id)
        if started:
            self._ring()
        return started

    async def drop_drafts(self, now: datetime) -> int:
        """Drafts given up more than DRAFT_KEEP ago are deleted."""
        async with self.session_factory() as session:
            dropped = await BroadcastRepository(session).drop_drafts(now - DRAFT_KEEP)
            await session.commit()
        return dropped

    async def tick(self, board: Board, now: datetime) -> int:
        """Each watched broadcast: ended if nothing is left, then its status message
        redrawn if what it would show changed. Returns how many were looked at."""
        async with self.session_factory() as session:
            watched = await progress.watched(session, now)
        for b in watched:
            await self._end_if_over(board, b, now)
            await self.show(board, b.id, now)
        return len(watched)

    async def _end_if_over(self, board: Board, b: Broadcast, now: datetime) -> None:
        async with self.session_factory() as session:
            ended = await progress.finish(session, b, now)
            if ended is None:
                return
            counts = await progress.counts(session, b.id)
            language = await self._language(session, b.author_id)
            caption = board.report_caption(ended, counts, language)
            report = await progress.report(session, ended, caption, self.data_dir, now)
            if report is not None:
                await Outbox(session).put(report, now)
            await session.commit()
        self._ring()
        log.info("broadcast %s ended: %s", b.id, ended.status)

    async def _language(self, session: AsyncSession, user_id: int) -> str:
        found = await BroadcastRepository(session).language_of(user_id)
        return found or self.default_language

    async def view(
        self, session: AsyncSession, broadcast_id: int, now: datetime, observe: bool = True
    ) -> StatusView | None:
        """What the status message should show now; `observe`: a look that counts for the
        rate (the job's, every few seconds), else the last rate is shown."""
        row = await BroadcastRepository(session).get(broadcast_id)
        if row is None:
            return None
        b = Broadcast.of(row)
        counts = await progress.counts(session, broadcast_id)
        language = await self._language(session, b.author_id)
        rate = None
        if b.status is BroadcastStatus.RUNNING:
            rate = (
                self.meter.observe(b.id, now, counts.settled)
                if observe
                else (self.meter.peek(b.id))
            )
        return StatusView(b, counts, rate, asking_cancel(b, now), language)

    async def show(self, board: Board, broadcast_id: int, now: datetime) -> bool:
        """Draw the broadcast's status message as it is now; False if it could not be."""
        async with self.session_factory() as session:
            view = await self.view(session, broadcast_id, now)
        if view is None:
            return False
        shown = await board.show(view)
        if shown is None:
            return False
        b = view.broadcast
        if (shown.message_id, shown.digest) != (b.status_message_id, b.status_shown):
            async with self.session_factory() as session:
                await BroadcastRepository(session).set(
                    b.id, status_message_id=shown.message_id, status_shown=shown.digest
                )
                await session.commit()
        return True


class _Kit(Protocol):
    runner: BroadcastRunner

    def wording(self) -> Wording: ...

    def board(self, bot: object) -> Board: ...


def _kit(ctx: JobContext) -> _Kit:
    return cast(_Kit, ctx.kits["broadcasts"])


async def start_broadcasts(ctx: JobContext, now: datetime | None = None) -> int:
    """Every few seconds: scheduled broadcasts whose time has come are queued."""
    kit = _kit(ctx)
    started = await kit.runner.start_due(kit.wording(), now or ctx.core.clock())
    return len(started)


async def show_broadcast_progress(ctx: JobContext, now: datetime | None = None) -> int:
    """Every few seconds: the status messages of running broadcasts, and their ends."""
    kit = _kit(ctx)
    return await kit.runner.tick(kit.board(ctx.bot), now or ctx.core.clock())


async def drop_broadcast_drafts(ctx: JobContext, now: datetime | None = None) -> int:
    """Daily: notices composed but never confirmed, a week on."""
    return await _kit(ctx).runner.drop_drafts(now or ctx.core.clock())
