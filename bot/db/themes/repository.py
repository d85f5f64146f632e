"""The themes' SQL: storing an import, reading a month, claiming a notice. Flushes, never
commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.themes.models import ActivityRow, ThemeRow
from bot.db.upsert import rows_changed

# What an import writes; the send marks (announced_at, reminded_at) are the bot's own.
THEME_COLUMNS = ("title_zh", "title_en", "description_zh", "description_en", "is_sample")
ACTIVITY_COLUMNS = ("month", "day", "time", "title_zh", "title_en", "place", "city", "link")


class ThemeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def has_themes(self) -> bool:
        return bool(await self.session.scalar(select(func.count()).select_from(ThemeRow)))

    async def theme(self, month: str) -> ThemeRow | None:
        return await self.session.get(ThemeRow, month)

    async def themes(self) -> list[ThemeRow]:
        return list(await self.session.scalars(select(ThemeRow).order_by(ThemeRow.month)))

    async def activities(self, months: Sequence[str] | None = None) -> list[ActivityRow]:
        query = select(ActivityRow).order_by(ActivityRow.day, ActivityRow.time, ActivityRow.key)
        if months is not None:
            query = query.where(ActivityRow.month.in_(list(months)))
        return list(await self.session.scalars(query))

    async def neighbours(self, month: str) -> tuple[str | None, str | None]:
        """The nearest months before and after `month` that have a theme."""
        before = await self.session.scalar(
            select(func.max(ThemeRow.month)).where(ThemeRow.month < month)
        )
        after = await self.session.scalar(
            select(func.min(ThemeRow.month)).where(ThemeRow.month > month)
        )
        return before, after

    async def store(
        self, themes: Sequence[dict[str, Any]], activities: Sequence[dict[str, Any]]
    ) -> None:
        """Themes by month and activities by key: new ones added, known ones updated in place
        (keeping when their notices went out; an activity moved to another day is reminded
        again). The activities of an imported month that the import leaves out are removed."""
        months = [t["month"] for t in themes]
        known = {row.month: row for row in await self._rows(ThemeRow, ThemeRow.month, months)}
        for values in themes:
            row = known.get(values["month"])
            if row is None:
                self.session.add(ThemeRow(**values))
            else:
                for column in THEME_COLUMNS:
                    setattr(row, column, values[column])
        await self.session.flush()
        keys = [a["key"] for a in activities]
        await self.session.execute(
            delete(ActivityRow).where(ActivityRow.month.in_(months), ActivityRow.key.not_in(keys))
        )
        stored = {row.key: row for row in await self._rows(ActivityRow, ActivityRow.key, keys)}
        for values in activities:
            row = stored.get(values["key"])
            if row is None:
                self.session.add(ActivityRow(**values))
                continue
            if row.day != values["day"]:
                row.reminded_at = None
            for column in ACTIVITY_COLUMNS:
                setattr(row, column, values[column])
        await self.session.flush()

    async def _rows(self, model: Any, column: Any, values: list[str]) -> list[Any]:
        found: list[Any] = []
        for start in range(0, len(values), 500):  # under SQLite's limit of bound parameters
            chunk = values[start : start + 500]
            found += await self.session.scalars(select(model).where(column.in_(chunk)))
        return found

    async def drop_samples(self) -> int:
        """The illustrative sample themes and their activities, gone (a real import)."""
        samples = select(ThemeRow.month).where(ThemeRow.is_sample.is_(True))
        await self.session.execute(delete(ActivityRow).where(ActivityRow.month.in_(samples)))
        result = await self.session.execute(delete(ThemeRow).where(ThemeRow.is_sample.is_(True)))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def claim_announcement(self, month: str, now: datetime) -> bool:
        """Mark the month announced; False when it is a sample, unknown or already announced
        (by an earlier run or another scheduler: the one whose update changed the row won)."""
        result = await self.session.execute(
            update(ThemeRow)
            .where(
                ThemeRow.month == month,
                ThemeRow.announced_at.is_(None),
                ThemeRow.is_sample.is_(False),
            )
            .values(announced_at=now)
            .execution_options(synchronize_session=False)
        )
        return rows_changed(result)

    async def unreminded(self, day: date) -> list[ActivityRow]:
        """The activities on `day` whose reminders have not been queued (samples never are)."""
        return list(
            await self.session.scalars(
                select(ActivityRow)
                .join(ThemeRow, ThemeRow.month == ActivityRow.month)
                .where(
                    ActivityRow.day == day,
                    ActivityRow.reminded_at.is_(None),
                    ThemeRow.is_sample.is_(False),
                )
                .order_by(ActivityRow.id)
            )
        )

    async def claim_reminder(self, activity_id: int, now: datetime) -> bool:
        result = await self.session.execute(
            update(ActivityRow)
            .where(ActivityRow.id == activity_id, ActivityRow.reminded_at.is_(None))
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        )
        return rows_changed(result)
