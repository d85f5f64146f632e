"""随手拍 snap reports, Telegram-free: filing, me too, and the loop 发现 → 处置 → 反馈 → 激励
(verify → forward → handled → the reporter asked weeks later), with the points a verified
report earns.

Every change is one event in the trail and bumps the report's version; a button carries the
version it was drawn for, so a stale or doubled tap changes nothing (`Stale`). An update's key
makes the same update handled twice one event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.snaps.models import SnapEventRow, SnapRow
from bot.db.snaps.repository import SnapRepository
from bot.db.snaps.statuses import (
    LocationSource,
    PhotoKind,
    RejectReason,
    SnapAction,
    SnapStatus,
)
from bot.services.points.ledger import Earned, Ledger, PointsRules
from knowledge.snaps.categories import SnapCategory
from knowledge.snaps.photos import SAME_PHOTO_DISTANCE, hash_distance

FOLLOWUP_AFTER = timedelta(days=28)  # "still a problem?" this long after handled
SAME_PHOTO_DAYS = 30  # a photo seen in a report this recent is the same photo sent again
MAX_PHOTOS = 3


class Stale(Exception):
    """The report changed since the button was drawn, or the step does not fit its status."""


@dataclass(frozen=True, slots=True)
class StoredPhoto:
    path: str  # relative to the files directory
    file_id: str | None
    phash: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Draft:
    category: SnapCategory
    lat: float | None
    lon: float | None
    source: LocationSource | None
    text: str = ""
    voice_file_id: str | None = None
    photos: tuple[StoredPhoto, ...] = ()


@dataclass(frozen=True, slots=True)
class SnapView:
    """What screens and cards need of a report."""

    id: int
    number: str
    user_id: int
    category: SnapCategory
    status: SnapStatus
    reject_reason: RejectReason | None
    lat: float | None
    lon: float | None
    text: str
    voice_file_id: str | None
    office_id: str | None
    handled_note: str | None
    created_at: datetime
    points: int
    version: int
    erased: bool

    @classmethod
    def of(cls, row: SnapRow) -> SnapView:
        assert row.number is not None
        return cls(
            row.id, row.number, row.user_id, row.category, row.status, row.reject_reason,
            row.lat, row.lon, row.text, row.voice_file_id, row.office_id, row.handled_note,
            row.created_at, row.points, row.card_version, row.erased,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Change:
    report: SnapView
    event: SnapEventRow
    earned: Earned | None = None
    followers: tuple[int, ...] = field(default=())  # user ids told beside the reporter


class SnapService:
    def __init__(self, session: AsyncSession, tz: ZoneInfo, rules: PointsRules) -> None:
        self.session = session
        self.repo = SnapRepository(session)
        self.ledger = Ledger(session, tz, rules)

    async def get(self, report_id: int) -> SnapView | None:
        row = await self.repo.get(report_id)
        return SnapView.of(row) if row is not None and row.number is not None else None

    async def same_photo(self, phash: str, now: datetime) -> int | None:
        """The report that already holds this photo (or one nearly identical), if recent."""
        since = now - timedelta(days=SAME_PHOTO_DAYS)
        for report_id, known in await self.repo.hashes_since(since):
            if hash_distance(phash, known) <= SAME_PHOTO_DISTANCE:
                return report_id
        return None

    async def file(
        self, user_id: int, key: str, draft: Draft, now: datetime
    ) -> tuple[Change | None, SnapView]:
        """A new report; (None, the report) when this key filed one already."""
        row = await self.repo.add(
            {"user_id": user_id, "submit_key": key, "category": draft.category,
             "status": SnapStatus.NEW, "lat": draft.lat, "lon": draft.lon,
             "location_source": draft.source, "text": draft.text,
             "voice_file_id": draft.voice_file_id, "created_at": now, "updated_at": now,
             "points": 0, "card_version": 1, "card_shown": 0, "card_photo": False}
        )  # fmt: skip
        if row is None:
            known = await self.repo.by_key(key)
            assert known is not None
            return None, SnapView.of(known)
        await self.attach(row.id, PhotoKind.BEFORE, draft.photos, now)
        event = await self._event(row, SnapAction.FILED, user_id, None, SnapStatus.NEW, now)
        assert event is not None
        return Change(SnapView.of(row), event), SnapView.of(row)

    async def attach(
        self, report_id: int, kind: PhotoKind, photos: Sequence[StoredPhoto], now: datetime
    ) -> None:
        """Photos stored under the report's own name (they are saved once it has an id)."""
        known = len(await self.repo.photos(report_id, kind))
        await self.repo.add_photos(
            [{"report_id": report_id, "kind": kind, "n": known + n, "path": p.path,
              "file_id": p.file_id, "phash": p.phash, "width": p.width, "height": p.height,
              "created_at": now}
             for n, p in enumerate(photos[:MAX_PHOTOS], start=1)]
        )  # fmt: skip

    async def me_too(self, report_id: int, user_id: int, now: datetime) -> bool:
        """Follow a report (told of every change); False when already following or own."""
        row = await self.repo.get(report_id)
        if row is None or row.user_id == user_id or row.status is SnapStatus.REJECTED:
            return False
        if not await self.repo.follow(report_id, user_id, now):
            return False
        await self._event(row, SnapAction.ME_TOO, user_id, row.status, row.status, now)
        await self.repo.change(row, {"updated_at": now})  # the card shows the count
        return True

    async def verify(
        self, report_id: int, version: int, actor_id: int, key: str, now: datetime
    ) -> Change:
        async with self.session.begin_nested():  # a stale step leaves nothing behind
            row = await self._current(report_id, version, {SnapStatus.NEW})
            first = not await self.repo.verified_before(row.user_id, row.id)
            earned = await self.ledger.reward_report(
                row.user_id, row.id, row.number or "", first, now
            )
            return await self._move(
                row, SnapAction.VERIFIED, actor_id, SnapStatus.VERIFIED, key, now,
                {"verified_at": now, "points": earned.points}, earned=earned,
            )  # fmt: skip

    async def reject(
        self, report_id: int, version: int, reason: RejectReason, actor_id: int, key: str,
        now: datetime,
    ) -> Change:  # fmt: skip
        async with self.session.begin_nested():  # a stale step leaves nothing behind
            row = await self._current(report_id, version, {SnapStatus.NEW, SnapStatus.VERIFIED})
            return await self._move(
                row, SnapAction.REJECTED, actor_id, SnapStatus.REJECTED, key, now,
                {"reject_reason": reason, "closed_at": now}, note=reason.value,
            )  # fmt: skip

    async def forward(
        self, report_id: int, version: int, office_id: str, actor_id: int, key: str,
        now: datetime,
    ) -> Change:  # fmt: skip
        async with self.session.begin_nested():  # a stale step leaves nothing behind
            row = await self._current(
                report_id, version, {SnapStatus.VERIFIED, SnapStatus.FORWARDED}
            )
            return await self._move(
                row, SnapAction.FORWARDED, actor_id, SnapStatus.FORWARDED, key, now,
                {"office_id": office_id}, note=office_id,
            )  # fmt: skip

    async def handled(
        self, report_id: int, version: int, actor_id: int, key: str, now: datetime,
        note: str | None = None, after: Sequence[StoredPhoto] = (),
    ) -> Change:  # fmt: skip
        async with self.session.begin_nested():  # a stale step leaves nothing behind
            row = await self._current(
                report_id, version, {SnapStatus.VERIFIED, SnapStatus.FORWARDED}
            )
            change = await self._move(
                row, SnapAction.HANDLED, actor_id, SnapStatus.HANDLED, key, now,
                {"handled_at": now, "handled_note": note, "followup_due": now + FOLLOWUP_AFTER},
                note=note,
            )  # fmt: skip
            await self.attach(row.id, PhotoKind.AFTER, after, now)
            return change

    async def ask_due(self, now: datetime, limit: int = 100) -> list[Change]:
        """The 28-day question: each due report is asked once (its due time is cleared)."""
        changes = []
        for row in await self.repo.followups_due(now, limit):
            if not await self.repo.change(row, {"followup_due": None}):
                continue  # someone else asked it just now
            event = await self.repo.add_event(
                {"report_id": row.id, "at": now, "actor_id": None, "action": SnapAction.ASKED,
                 "from_status": row.status, "to_status": row.status,
                 "update_key": f"snap-asked:{row.id}:{row.card_version}"}
            )  # fmt: skip
            if event is not None:
                changes.append(Change(SnapView.of(row), event))
        return changes

    async def answer(
        self, report_id: int, user_id: int, still_there: bool, key: str, now: datetime
    ) -> Change:
        """The reporter's answer to "still a problem?": yes reopens it, no closes it."""
        async with self.session.begin_nested():  # a stale step leaves nothing behind
            row = await self.repo.get(report_id)
            if row is None or row.user_id != user_id or row.status is not SnapStatus.HANDLED:
                raise Stale(report_id)
            if still_there:
                back = SnapStatus.FORWARDED if row.office_id else SnapStatus.VERIFIED
                return await self._move(
                    row, SnapAction.STILL_THERE, user_id, back, key, now,
                    {"handled_at": None, "followup_due": None, "handled_note": None},
                )  # fmt: skip
            return await self._move(
                row, SnapAction.CONFIRMED, user_id, SnapStatus.CLOSED, key, now,
                {"closed_at": now, "followup_due": None},
            )  # fmt: skip

    async def followers(self, report_id: int) -> list[int]:
        return await self.repo.followers(report_id)

    # --- internals ---------------------------------------------------------------------------
    async def _current(self, report_id: int, version: int, allowed: set[SnapStatus]) -> SnapRow:
        row = await self.repo.get(report_id)
        if row is None or row.card_version != version or row.status not in allowed:
            raise Stale(report_id)
        return row

    async def _move(
        self, row: SnapRow, action: SnapAction, actor_id: int | None, to: SnapStatus, key: str,
        now: datetime, values: dict[str, Any], note: str | None = None,
        earned: Earned | None = None,
    ) -> Change:  # fmt: skip
        before = row.status
        if not await self.repo.change(row, {**values, "status": to, "updated_at": now}):
            raise Stale(row.id)
        event = await self._event(row, action, actor_id, before, to, now, note=note, key=key)
        if event is None:
            raise Stale(row.id)  # this update was handled before
        followers = tuple(await self.repo.followers(row.id))
        return Change(SnapView.of(row), event, earned, followers)

    async def _event(
        self, row: SnapRow, action: SnapAction, actor_id: int | None,
        before: SnapStatus | None, after: SnapStatus | None, now: datetime,
        note: str | None = None, key: str | None = None,
    ) -> SnapEventRow | None:  # fmt: skip
        return await self.repo.add_event(
            {"report_id": row.id, "at": now, "actor_id": actor_id, "action": action,
             "from_status": before, "to_status": after, "note": note, "update_key": key}
        )  # fmt: skip
