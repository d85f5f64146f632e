"""The snap feature's process-wide part (the notifier, the photo store, the nearby index) and
its services for one update."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from aiogram import Bot
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.snaps.repository import SnapRepository
from bot.feature import BaseKit, Core
from bot.services.points.ledger import PointsRules
from bot.services.snaps.reports import SnapService
from handlers.points.kit import rules_of
from handlers.snaps.notices import SnapNotifier
from knowledge.snaps.nearby import DUPLICATE_DAYS, NearbyIndex, Recent
from knowledge.snaps.photos import PhotoLimits, PhotoStore

REFRESH_SECONDS = 60.0  # reports other processes filed show up within this long


def _sweep(root: Path, known: set[str], older_than: float) -> int:
    removed = 0
    for folder in ("snaps", "staging"):
        base = root / folder
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            if not path.is_file() or path.stat().st_mtime > older_than:
                continue
            if path.relative_to(root).as_posix() not in known:
                path.unlink(missing_ok=True)
                removed += 1
    return removed


class RecentReports:
    """The nearby index of the last weeks' reports, rebuilt from the database at most once a
    minute; a report filed or rejected in this process is added or removed at once."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.index: NearbyIndex | None = None
        self.built = 0.0
        self.lock = asyncio.Lock()

    async def get(self, now: datetime) -> NearbyIndex:
        async with self.lock:
            if self.index is None or time.monotonic() - self.built > REFRESH_SECONDS:
                since = now - timedelta(days=DUPLICATE_DAYS)
                async with self.core.session_factory() as session:
                    rows = await SnapRepository(session).recent(since)
                self.index = NearbyIndex(
                    Recent(r.id, r.category.value, r.lat, r.lon, r.created_at)
                    for r in rows
                    if r.lat is not None and r.lon is not None
                )
                self.built = time.monotonic()
            return self.index

    def add(self, item: Recent) -> None:
        if self.index is not None:
            self.index.add(item)

    def remove(self, report_id: int) -> None:
        if self.index is not None:
            self.index.remove(report_id)


@dataclass(frozen=True, slots=True)
class SnapServices:
    """What snap handlers get for one update (injected as `snaps`)."""

    reports: SnapService
    notifier: SnapNotifier
    session: AsyncSession
    store: PhotoStore  # the kept copies
    staging: PhotoStore  # photos of a report being written, until it is sent
    limits: PhotoLimits
    recent: RecentReports
    rules: PointsRules
    tz: ZoneInfo


class SnapsKit(BaseKit):
    def __init__(self, core: Core) -> None:
        self.core = core
        s = core.settings
        self.notifier = SnapNotifier(core)
        self.store = PhotoStore(s.snap_files_root, s.snap_photo_pattern)
        self.staging = PhotoStore(s.snap_files_root, "staging/{report}-{n}.jpg")
        self.limits = PhotoLimits(max_bytes=int(s.snap_max_photo_mb * 1024 * 1024))
        self.recent = RecentReports(core)
        self.rules = rules_of(core)

    async def redraw_cards(self, bot: Bot) -> int:
        return await self.notifier.redraw_due(bot)

    async def ask_followups(self) -> int:
        now = self.core.clock()
        async with self.core.session_factory() as session:
            changes = await SnapService(session, self.core.settings.tz, self.rules).ask_due(now)
            for change in changes:
                await self.notifier.ask(session, change, now)
            await session.commit()
        return len(changes)

    async def sweep_files(self) -> int:
        """Delete stored photos no row names (a report's erased photos, a form never sent,
        a transaction that rolled back) once they are an hour old."""
        async with self.core.session_factory() as session:
            known = await SnapRepository(session).all_paths()
        return await asyncio.to_thread(_sweep, self.store.root, known, time.time() - 3600)

    def for_update(self, session: AsyncSession) -> SnapServices:
        tz = self.core.settings.tz
        return SnapServices(
            SnapService(session, tz, self.rules), self.notifier, session, self.store,
            self.staging, self.limits, self.recent, self.rules, tz,
        )  # fmt: skip
