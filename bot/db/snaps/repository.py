"""The SQL of snap reports. Never commits: the caller's transaction decides."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.snaps.models import SnapEventRow, SnapFollowerRow, SnapPhotoRow, SnapRow
from bot.db.snaps.statuses import PhotoKind, SnapStatus
from bot.db.upsert import insert_ignore, rows_changed
from knowledge.snaps.categories import SnapCategory


class SnapRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- reports -----------------------------------------------------------------------------
    async def add(self, values: dict[str, Any]) -> SnapRow | None:
        """A new report, or None when its submit key was used (the same confirm twice)."""
        added = await insert_ignore(
            self.session,
            SnapRow.__table__,  # type: ignore[arg-type]
            values,
            ["submit_key"],
        )
        row = await self.by_key(values["submit_key"])
        if not added or row is None:
            return None
        # The number follows the id: unique and in filing order, with no counter to contend on.
        row.number = f"SP-{values['created_at'].year}-{row.id:06d}"
        await self.session.flush()
        return row

    async def by_key(self, key: str) -> SnapRow | None:
        return await self.session.scalar(select(SnapRow).where(SnapRow.submit_key == key))

    async def get(self, report_id: int) -> SnapRow | None:
        return await self.session.get(SnapRow, report_id, populate_existing=True)

    async def by_number(self, number: str) -> SnapRow | None:
        return await self.session.scalar(select(SnapRow).where(SnapRow.number == number))

    async def change(self, row: SnapRow, values: dict[str, Any]) -> bool:
        """Apply `values` if nobody changed the report since it was read; the row is re-read."""
        result = await self.session.execute(
            update(SnapRow)
            .where(SnapRow.id == row.id, SnapRow.card_version == row.card_version)
            .values(**values, card_version=SnapRow.card_version + 1)
        )
        await self.session.refresh(row)
        return rows_changed(result)

    async def of_user(self, user_id: int, limit: int = 5) -> list[SnapRow]:
        rows = await self.session.scalars(
            select(SnapRow)
            .where(SnapRow.user_id == user_id)
            .order_by(SnapRow.id.desc())
            .limit(limit)
        )
        return list(rows)

    async def recent(self, since: datetime) -> list[SnapRow]:
        """Reports that may still be open duplicates: filed since `since`, not rejected."""
        rows = await self.session.scalars(
            select(SnapRow).where(
                SnapRow.created_at >= since,
                SnapRow.lat.is_not(None),
                SnapRow.status.in_(
                    [SnapStatus.NEW, SnapStatus.VERIFIED, SnapStatus.FORWARDED, SnapStatus.HANDLED]
                ),
            )
        )
        return list(rows)

    async def followups_due(self, now: datetime, limit: int = 100) -> list[SnapRow]:
        rows = await self.session.scalars(
            select(SnapRow)
            .where(SnapRow.followup_due <= now, SnapRow.status == SnapStatus.HANDLED)
            .order_by(SnapRow.followup_due)
            .limit(limit)
        )
        return list(rows)

    async def verified_before(self, user_id: int, report_id: int) -> bool:
        """Whether the user had a report verified before this one (the first-report bonus)."""
        found = await self.session.scalar(
            select(SnapRow.id)
            .where(
                SnapRow.user_id == user_id,
                SnapRow.id != report_id,
                SnapRow.verified_at.is_not(None),
            )
            .limit(1)
        )
        return found is not None

    async def all_for_open311(
        self, statuses: Sequence[SnapStatus] | None, start: datetime | None,
        end: datetime | None, limit: int, categories: Sequence[SnapCategory] | None = None,
    ) -> list[SnapRow]:  # fmt: skip
        query = select(SnapRow).where(SnapRow.number.is_not(None))
        if statuses:
            query = query.where(SnapRow.status.in_(list(statuses)))
        if categories is not None:
            query = query.where(SnapRow.category.in_(list(categories)))
        if start is not None:
            query = query.where(SnapRow.created_at >= start)
        if end is not None:
            query = query.where(SnapRow.created_at <= end)
        rows = await self.session.scalars(query.order_by(SnapRow.id.desc()).limit(limit))
        return list(rows)

    async def by_numbers(self, numbers: Sequence[str]) -> list[SnapRow]:
        rows = await self.session.scalars(select(SnapRow).where(SnapRow.number.in_(list(numbers))))
        return list(rows)

    # --- photos ------------------------------------------------------------------------------
    async def add_photos(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            await insert_ignore(
                self.session,
                SnapPhotoRow.__table__,  # type: ignore[arg-type]
                list(rows),
                ["report_id", "kind", "n"],
            )

    async def photos(self, report_id: int, kind: PhotoKind | None = None) -> list[SnapPhotoRow]:
        query = select(SnapPhotoRow).where(SnapPhotoRow.report_id == report_id)
        if kind is not None:
            query = query.where(SnapPhotoRow.kind == kind)
        rows = await self.session.scalars(query.order_by(SnapPhotoRow.kind, SnapPhotoRow.n))
        return list(rows)

    async def photos_of(self, report_ids: Sequence[int]) -> list[SnapPhotoRow]:
        rows = await self.session.scalars(
            select(SnapPhotoRow)
            .where(SnapPhotoRow.report_id.in_(list(report_ids)))
            .order_by(SnapPhotoRow.report_id, SnapPhotoRow.kind, SnapPhotoRow.n)
        )
        return list(rows)

    async def hashes_since(self, since: datetime) -> list[tuple[int, str]]:
        """(report id, perceptual hash) of the reporters' photos since `since`."""
        rows = await self.session.execute(
            select(SnapPhotoRow.report_id, SnapPhotoRow.phash).where(
                SnapPhotoRow.created_at >= since, SnapPhotoRow.kind == PhotoKind.BEFORE
            )
        )
        return [(r, h) for r, h in rows]

    async def all_paths(self) -> set[str]:
        return set(await self.session.scalars(select(SnapPhotoRow.path)))

    async def set_file_id(self, report_id: int, kind: PhotoKind, n: int, file_id: str) -> None:
        await self.session.execute(
            update(SnapPhotoRow)
            .where(SnapPhotoRow.report_id == report_id, SnapPhotoRow.kind == kind,
                   SnapPhotoRow.n == n)
            .values(file_id=file_id)
        )  # fmt: skip

    # --- followers and the trail ---------------------------------------------------------------
    async def follow(self, report_id: int, user_id: int, now: datetime) -> bool:
        return await insert_ignore(
            self.session,
            SnapFollowerRow.__table__,  # type: ignore[arg-type]
            {"report_id": report_id, "user_id": user_id, "created_at": now},
            ["report_id", "user_id"],
        )

    async def followers(self, report_id: int) -> list[int]:
        rows = await self.session.scalars(
            select(SnapFollowerRow.user_id).where(SnapFollowerRow.report_id == report_id)
        )
        return list(rows)

    async def follower_count(self, report_id: int) -> int:
        return int(
            await self.session.scalar(
                select(func.count()).where(SnapFollowerRow.report_id == report_id)
            )
            or 0
        )

    async def followed_by(self, user_id: int) -> list[int]:
        rows = await self.session.scalars(
            select(SnapFollowerRow.report_id).where(SnapFollowerRow.user_id == user_id)
        )
        return list(rows)

    async def add_event(self, values: dict[str, Any]) -> SnapEventRow | None:
        """The event, or None when its update key was seen (the same update twice)."""
        if values.get("update_key") is not None:
            added = await insert_ignore(
                self.session,
                SnapEventRow.__table__,  # type: ignore[arg-type]
                values,
                ["update_key"],
            )
            if not added:
                return None
            return await self.session.scalar(
                select(SnapEventRow).where(SnapEventRow.update_key == values["update_key"])
            )
        event = SnapEventRow(**values)
        self.session.add(event)
        await self.session.flush()
        return event

    async def events(self, report_id: int) -> list[SnapEventRow]:
        rows = await self.session.scalars(
            select(SnapEventRow)
            .where(SnapEventRow.report_id == report_id)
            .order_by(SnapEventRow.id)
        )
        return list(rows)

    # --- erasure -----------------------------------------------------------------------------
    async def erase_user(self, user_id: int) -> list[str]:
        """Forget what the person wrote and sent; the reports stay (anonymous) for the city.
        Returns the stored photo paths to delete once the transaction commits."""
        mine = select(SnapRow.id).where(SnapRow.user_id == user_id)
        paths = list(
            await self.session.scalars(
                select(SnapPhotoRow.path).where(
                    SnapPhotoRow.report_id.in_(mine), SnapPhotoRow.kind == PhotoKind.BEFORE
                )
            )
        )
        await self.session.execute(
            delete(SnapPhotoRow).where(
                SnapPhotoRow.report_id.in_(mine), SnapPhotoRow.kind == PhotoKind.BEFORE
            )
        )
        await self.session.execute(
            update(SnapRow)
            .where(SnapRow.user_id == user_id)
            .values(text="", voice_file_id=None, erased=True, card_version=SnapRow.card_version + 1)
        )
        await self.session.execute(
            update(SnapEventRow).where(SnapEventRow.actor_id == user_id).values(note=None)
        )
        await self.session.execute(
            delete(SnapFollowerRow).where(SnapFollowerRow.user_id == user_id)
        )
        return paths
