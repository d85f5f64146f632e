"""Sign-up and check-in for the month's activities: the rules.

- Sign-up: only for an activity with a capacity, of a real (not sample) theme, before it
  starts. A seat is a sign-up row (unique per person) plus the activity's counter, raised by a
  conditional UPDATE that fails when no seat is left, so concurrent taps can never overbook.
- Check-in: the organiser's rotating code (knowledge/themes/codes.py), within the activity's
  window (knowledge/themes/window.py). Sign-up is not needed: walk-ins are welcome. The check-in
  row is unique per person, and the points are one ledger transfer keyed by activity and
  person, so a second code, a repeated update or a race earns nothing more. An activity
  without points still records who came.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.points.models import Reason
from bot.db.themes.models import ActivityRow
from bot.db.themes.repository import AttendanceRepository
from bot.services.points.ledger import Ledger, PointsRules
from knowledge.themes import codes
from knowledge.themes.window import Window, window


class SignupOutcome(enum.StrEnum):
    SIGNED_UP = "signed_up"
    ALREADY = "already"  # a double tap, or an old button
    FULL = "full"
    STARTED = "started"  # sign-up closed at the start
    UNAVAILABLE = "unavailable"  # no such activity, no sign-up for it, or a sample
    CANCELLED = "cancelled"
    NOT_SIGNED_UP = "not_signed_up"  # a cancel with no seat to give back


class CheckinOutcome(enum.StrEnum):
    CHECKED_IN = "checked_in"
    ALREADY = "already"
    TOO_EARLY = "too_early"
    OVER = "over"
    WRONG_CODE = "wrong_code"
    EXPIRED = "expired"  # one of the activity's codes, but too old


@dataclass(frozen=True, slots=True)
class Attended:
    outcome: CheckinOutcome
    activity: ActivityRow | None = None  # the activity the code belongs to, when known
    points: int = 0  # what this check-in earned
    opens: datetime | None = None  # for TOO_EARLY: when check-in opens


@dataclass(frozen=True, slots=True)
class CodeScreen:
    """What the organiser shows at the place."""

    activity: ActivityRow
    code: str
    valid_until: datetime  # the code after this one replaces it on the screen
    window: Window
    signed_up: int
    checked_in: int


@dataclass(frozen=True, slots=True)
class ActivityCount:
    activity: ActivityRow
    signed_up: int
    checked_in: int


def activity_window(row: ActivityRow, tz: ZoneInfo) -> Window:
    return window(row.day, row.time, tz)


class Attendance:
    def __init__(self, session: AsyncSession, tz: ZoneInfo) -> None:
        self.session, self.tz = session, tz
        self.repo = AttendanceRepository(session)

    # --- sign-up ----------------------------------------------------------------------------

    async def sign_up(self, activity_id: int, user_id: int, now: datetime) -> SignupOutcome:
        found = await self.repo.activity(activity_id)
        if found is None or found[1] or found[0].capacity is None:
            return SignupOutcome.UNAVAILABLE
        row = found[0]
        if now >= activity_window(row, self.tz).start:
            return SignupOutcome.STARTED
        if not await self.repo.add_signup(activity_id, user_id, now):
            return SignupOutcome.ALREADY
        if not await self.repo.take_seat(activity_id):
            await self.repo.remove_signup_row(activity_id, user_id)
            return SignupOutcome.FULL
        return SignupOutcome.SIGNED_UP

    async def cancel(self, activity_id: int, user_id: int, now: datetime) -> SignupOutcome:
        found = await self.repo.activity(activity_id)
        if found is None:
            return SignupOutcome.UNAVAILABLE
        if now >= activity_window(found[0], self.tz).start:
            return SignupOutcome.STARTED
        if not await self.repo.remove_signup(activity_id, user_id):
            return SignupOutcome.NOT_SIGNED_UP
        return SignupOutcome.CANCELLED

    # --- the organiser's code ---------------------------------------------------------------

    async def today(self, now: datetime) -> list[ActivityCount]:
        """Today's real activities with their sign-up and check-in counts."""
        day = now.astimezone(self.tz).date()
        return await self._counts(day, day)

    async def this_month(self, now: datetime) -> list[ActivityCount]:
        """This month's real activities with their counts (/activity_report)."""
        day = now.astimezone(self.tz).date()
        first = day.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return await self._counts(first, last)

    async def _counts(self, first: date, last: date) -> list[ActivityCount]:
        rows = await self.repo.between(first, last)
        checked = await self.repo.checkins([r.id for r in rows])
        return [ActivityCount(r, r.signed_up, checked.get(r.id, 0)) for r in rows]

    async def code(self, activity_id: int, now: datetime) -> CodeScreen | None:
        """The current code of a real activity; None when there is no such activity."""
        found = await self.repo.activity(activity_id)
        if found is None or found[1]:
            return None
        row = found[0]
        secret = await self.repo.secret(activity_id, codes.new_secret())
        step = codes.step(now)
        until = datetime.fromtimestamp((step + 1) * codes.STEP_SECONDS, now.tzinfo)
        checked = (await self.repo.checkins([activity_id])).get(activity_id, 0)
        return CodeScreen(
            row, codes.code_at(secret, step), until, activity_window(row, self.tz),
            row.signed_up, checked,
        )  # fmt: skip

    # --- check-in ---------------------------------------------------------------------------

    async def check_in(
        self, user_id: int, code: str, now: datetime, activity_id: int | None = None
    ) -> Attended:
        """A code typed (any activity around today) or from the QR link (that activity)."""
        if activity_id is not None:
            found = await self.repo.activity(activity_id)
            candidates = [found[0]] if found is not None and not found[1] else []
        else:
            day = now.astimezone(self.tz).date()
            candidates = await self.repo.between(day - timedelta(days=1), day + timedelta(days=1))
        matches = [
            (steps, row)
            for row in candidates
            if row.secret is not None and (steps := codes.age(row.secret, code, now)) is not None
        ]
        if not matches:
            return Attended(CheckinOutcome.WRONG_CODE)
        steps, row = min(matches, key=lambda m: m[0])
        if await self.repo.checked_in(row.id, user_id):
            return Attended(CheckinOutcome.ALREADY, row)
        if not codes.accepted(steps):
            return Attended(CheckinOutcome.EXPIRED, row)
        span = activity_window(row, self.tz)
        if now < span.opens:
            return Attended(CheckinOutcome.TOO_EARLY, row, opens=span.opens)
        if not span.open_at(now):
            return Attended(CheckinOutcome.OVER, row)
        if not await self.repo.add_checkin(row.id, user_id, now, row.points):
            return Attended(CheckinOutcome.ALREADY, row)
        if row.points:
            ledger = Ledger(self.session, self.tz, PointsRules())
            posted = await ledger.award(
                user_id, row.points, f"activity:{row.id}:{user_id}", Reason.ACTIVITY, now,
                ref=row.key,
            )  # fmt: skip
            if not posted.new:  # paid before (a check-in row erased since): nothing more
                return Attended(CheckinOutcome.ALREADY, row)
        return Attended(CheckinOutcome.CHECKED_IN, row, row.points)
