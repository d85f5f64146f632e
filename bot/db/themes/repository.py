"""The themes' SQL: storing an import, reading a month, claiming a notice. Flushes, never
commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.themes.models import ActivityRow, CheckinRow, SignupRow, ThemeRow
from bot.db.upsert import insert_ignore, rows_changed
from bot.db.users.models import User

# What an import writes; the send marks (announced_at, reminded_at) are the bot's own.
THEME_COLUMNS = ("title_zh", "title_en", "description_zh", "description_en", "is_sample")
ACTIVITY_COLUMNS = (
    "month", "day", "time", "title_zh", "title_en", "place", "city", "link", "capacity", "points",
)  # fmt: skip


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
        (keeping when their notices went out and who signed up; an activity moved to another
        day is reminded again, and one moved in time reminds those signed up again). The
        activities of an imported month that the import leaves out are removed, with their
        sign-ups and check-ins (the points earned stay in the ledger)."""
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
        await self._delete_activities(
            select(ActivityRow.id).where(
                ActivityRow.month.in_(months), ActivityRow.key.not_in(keys)
            )
        )
        stored = {row.key: row for row in await self._rows(ActivityRow, ActivityRow.key, keys)}
        for values in activities:
            row = stored.get(values["key"])
            if row is None:
                self.session.add(ActivityRow(**values))
                continue
            if row.day != values["day"]:
                row.reminded_at = None
            if (row.day, row.time) != (values["day"], values["time"]):
                await self.session.execute(
                    update(SignupRow)
                    .where(SignupRow.activity_id == row.id)
                    .values(reminded_at=None)
                    .execution_options(synchronize_session=False)
                )
            for column in ACTIVITY_COLUMNS:
                setattr(row, column, values[column])
        await self.session.flush()

    async def _delete_activities(self, ids: Any) -> None:
        """Activities and what hangs on them (a subquery of their ids)."""
        ids = ids.scalar_subquery()
        for model in (SignupRow, CheckinRow):
            await self.session.execute(delete(model).where(model.activity_id.in_(ids)))
        await self.session.execute(delete(ActivityRow).where(ActivityRow.id.in_(ids)))

    async def _rows(self, model: Any, column: Any, values: list[str]) -> list[Any]:
        found: list[Any] = []
        for start in range(0, len(values), 500):  # under SQLite's limit of bound parameters
            chunk = values[start : start + 500]
            found += await self.session.scalars(select(model).where(column.in_(chunk)))
        return found

    async def drop_samples(self) -> int:
        """The illustrative sample themes and their activities, gone (a real import)."""
        samples = select(ThemeRow.month).where(ThemeRow.is_sample.is_(True))
        await self._delete_activities(select(ActivityRow.id).where(ActivityRow.month.in_(samples)))
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


class AttendanceRepository:
    """Sign-ups and check-ins. The seat counter on the activity moves only with a sign-up
    row, in the same transaction, so it always equals the rows' count."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def activity(self, activity_id: int) -> tuple[ActivityRow, bool] | None:
        """The activity and whether it is a sample's."""
        found = (
            await self.session.execute(
                select(ActivityRow, ThemeRow.is_sample)
                .join(ThemeRow, ThemeRow.month == ActivityRow.month)
                .where(ActivityRow.id == activity_id)
            )
        ).first()
        return None if found is None else (found[0], bool(found[1]))

    async def between(self, first: date, last: date) -> list[ActivityRow]:
        """The real (not sample) activities from `first` to `last`, by time."""
        return list(
            await self.session.scalars(
                select(ActivityRow)
                .join(ThemeRow, ThemeRow.month == ActivityRow.month)
                .where(
                    ActivityRow.day >= first,
                    ActivityRow.day <= last,
                    ThemeRow.is_sample.is_(False),
                )
                .order_by(ActivityRow.day, ActivityRow.time, ActivityRow.id)
            )
        )

    async def mine(self, user_id: int, activity_ids: Sequence[int]) -> set[int]:
        """Which of these activities the person is signed up for."""
        if not activity_ids:
            return set()
        return set(
            await self.session.scalars(
                select(SignupRow.activity_id).where(
                    SignupRow.user_id == user_id, SignupRow.activity_id.in_(list(activity_ids))
                )
            )
        )

    async def add_signup(self, activity_id: int, user_id: int, now: datetime) -> bool:
        """False when the person is signed up already."""
        values = {"activity_id": activity_id, "user_id": user_id, "created_at": now}
        return await insert_ignore(
            self.session, cast(Table, SignupRow.__table__), values, ["activity_id", "user_id"]
        )

    async def take_seat(self, activity_id: int) -> bool:
        """One seat more, if one is left: the row lock makes concurrent takers queue, and
        each one re-checks the count it finds."""
        result = await self.session.execute(
            update(ActivityRow)
            .where(
                ActivityRow.id == activity_id,
                ActivityRow.capacity.is_not(None),
                ActivityRow.signed_up < ActivityRow.capacity,
            )
            .values(signed_up=ActivityRow.signed_up + 1)
            .execution_options(synchronize_session=False)
        )
        return rows_changed(result)

    async def remove_signup_row(self, activity_id: int, user_id: int) -> None:
        """A sign-up row just added whose seat could not be taken (the counter never rose)."""
        await self.session.execute(
            delete(SignupRow).where(
                SignupRow.activity_id == activity_id, SignupRow.user_id == user_id
            )
        )

    async def remove_signup(self, activity_id: int, user_id: int) -> bool:
        """The person's seat given back; False when they had none."""
        result = await self.session.execute(
            delete(SignupRow).where(
                SignupRow.activity_id == activity_id, SignupRow.user_id == user_id
            )
        )
        if not rows_changed(result):
            return False
        await self.session.execute(
            update(ActivityRow)
            .where(ActivityRow.id == activity_id, ActivityRow.signed_up > 0)
            .values(signed_up=ActivityRow.signed_up - 1)
            .execution_options(synchronize_session=False)
        )
        return True

    async def secret(self, activity_id: int, fresh: str) -> str:
        """The activity's code key, `fresh` when it had none (the first organiser wins)."""
        await self.session.execute(
            update(ActivityRow)
            .where(ActivityRow.id == activity_id, ActivityRow.secret.is_(None))
            .values(secret=fresh)
            .execution_options(synchronize_session=False)
        )
        found = await self.session.scalar(
            select(ActivityRow.secret).where(ActivityRow.id == activity_id)
        )
        assert found is not None
        return found

    async def checked_in(self, activity_id: int, user_id: int) -> bool:
        found = await self.session.scalar(
            select(CheckinRow.id).where(
                CheckinRow.activity_id == activity_id, CheckinRow.user_id == user_id
            )
        )
        return found is not None

    async def add_checkin(self, activity_id: int, user_id: int, now: datetime, points: int) -> bool:
        """False when the person had checked in already."""
        values = {"activity_id": activity_id, "user_id": user_id, "at": now, "points": points}
        return await insert_ignore(
            self.session, cast(Table, CheckinRow.__table__), values, ["activity_id", "user_id"]
        )

    async def checkins(self, activity_ids: Sequence[int]) -> dict[int, int]:
        """How many checked in, by activity."""
        if not activity_ids:
            return {}
        rows = await self.session.execute(
            select(CheckinRow.activity_id, func.count())
            .where(CheckinRow.activity_id.in_(list(activity_ids)))
            .group_by(CheckinRow.activity_id)
        )
        return {activity_id: int(n) for activity_id, n in rows.all()}

    async def unreminded(
        self, first: date, last: date
    ) -> list[tuple[SignupRow, ActivityRow, User]]:
        """Sign-ups for real activities between the days whose reminder is not yet queued,
        with the person (still reachable)."""
        rows = await self.session.execute(
            select(SignupRow, ActivityRow, User)
            .join(ActivityRow, ActivityRow.id == SignupRow.activity_id)
            .join(ThemeRow, ThemeRow.month == ActivityRow.month)
            .join(User, User.id == SignupRow.user_id)
            .where(
                SignupRow.reminded_at.is_(None),
                ActivityRow.day >= first,
                ActivityRow.day <= last,
                ThemeRow.is_sample.is_(False),
                User.telegram_id.is_not(None),
                User.erased_at.is_(None),
                User.blocked_bot.is_(False),
            )
            .order_by(SignupRow.id)
        )
        return [(s, a, u) for s, a, u in rows.all()]

    async def claim_reminder(self, signup_id: int, now: datetime) -> bool:
        result = await self.session.execute(
            update(SignupRow)
            .where(SignupRow.id == signup_id, SignupRow.reminded_at.is_(None))
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        )
        return rows_changed(result)

    async def signed_up_users(self, activity_id: int) -> set[int]:
        return set(
            await self.session.scalars(
                select(SignupRow.user_id).where(SignupRow.activity_id == activity_id)
            )
        )

    async def of_user(
        self, user_id: int
    ) -> tuple[list[tuple[SignupRow, str]], list[tuple[CheckinRow, str]]]:
        """The person's sign-ups and check-ins, each with its activity's key."""
        signups = await self.session.execute(
            select(SignupRow, ActivityRow.key)
            .join(ActivityRow, ActivityRow.id == SignupRow.activity_id)
            .where(SignupRow.user_id == user_id)
            .order_by(SignupRow.id)
        )
        checkins = await self.session.execute(
            select(CheckinRow, ActivityRow.key)
            .join(ActivityRow, ActivityRow.id == CheckinRow.activity_id)
            .where(CheckinRow.user_id == user_id)
            .order_by(CheckinRow.id)
        )
        return [(r, k) for r, k in signups.all()], [(r, k) for r, k in checkins.all()]

    async def erase_user(self, user_id: int) -> None:
        """The person's sign-ups (their seats freed) and check-ins, gone."""
        held = list(
            await self.session.scalars(
                select(SignupRow.activity_id).where(SignupRow.user_id == user_id)
            )
        )
        for activity_id in held:
            await self.remove_signup(activity_id, user_id)
        await self.session.execute(delete(CheckinRow).where(CheckinRow.user_id == user_id))
