"""When the theme of the month and the activity reminders go out, and to whom. The messages
are queued in the caller's transaction (the job commits), so a notice exists exactly when its
claim does: a second run or a second scheduler finds the claim taken and queues nothing, and
every message has a dedupe key besides.

- The month's notice: from day 1 at THEME_NOTICE_TIME (local), once, to every opted-in
  driver. A bot that was down then announces at its first run later, up to day
  ANNOUNCE_DAYS; after that the month is half gone and the theme stays in the 📅 menu only.
- An activity's reminder: the day before it, from REMIND_AT (local), once, to the opted-in
  drivers of its city (of every city when it has none). Missed that whole day (the bot was
  down), it is not sent on the day itself: "see you tomorrow" would come too late.
- Both wait for the recipient's quiet hours to end; sample themes are never sent.
- A signed-up driver's own reminder (MessageKind.SIGNUP, personal): REMIND_BEFORE the start
  (at ALL_DAY_REMIND on the day for one without a time), once per sign-up and start time,
  with the place and the time. Someone signed up does not get the day-before bulk reminder
  as well: theirs is the personal one, nearer the time. Missed until the start, it is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.outbox.models import MessageKind
from bot.db.themes.models import ActivityRow
from bot.db.themes.repository import AttendanceRepository, ThemeRepository
from bot.services.outbox.audience import (
    Filter,
    Reader,
    after_quiet_hours,
    quiet_hours,
    readers,
)
from bot.services.outbox.messages import Button, OutMessage
from bot.services.outbox.service import Outbox
from bot.services.themes.browse import (
    ActivityView,
    ThemeView,
    activity_view,
    for_reader,
    theme_view,
)
from knowledge.months import month_key
from knowledge.themes.window import window

ANNOUNCE_DAYS = 7
REMIND_AT = time(10, 0)


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str  # Telegram HTML
    buttons: tuple[tuple[Button, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class MonthNotice:
    theme: ThemeView
    activities: tuple[ActivityView, ...]  # the reader's city's and every city's
    elsewhere: int  # how many more in other cities


class Renderer(Protocol):
    """The Telegram side: a message in the reader's language (handlers/themes/notices.py)."""

    def month_notice(self, notice: MonthNotice, reader: Reader) -> Rendered: ...

    def activity_reminder(
        self, activity: ActivityView, theme: ThemeView, reader: Reader
    ) -> Rendered: ...

    def signup_reminder(self, activity: ActivityView, reader: Reader) -> Rendered: ...


def announcing(local: datetime, notice_at: time) -> bool:
    """Whether a month's notice is due at this local time (if not yet announced)."""
    if local.day == 1:
        return local.time() >= notice_at
    return local.day <= ANNOUNCE_DAYS


class ThemeNotices:
    def __init__(
        self, session: AsyncSession, tz: ZoneInfo, notice_at: time, renderer: Renderer
    ) -> None:
        self.session, self.tz, self.notice_at, self.renderer = session, tz, notice_at, renderer
        self.repo = ThemeRepository(session)

    async def announce(self, now: datetime) -> int:
        """Queue this month's notice if it is due and not yet announced; how many queued."""
        local = now.astimezone(self.tz)
        month = month_key(local.date())
        if not announcing(local, self.notice_at):
            return 0
        if not await self.repo.claim_announcement(month, now):
            return 0
        row = await self.repo.theme(month)
        assert row is not None  # just claimed
        theme = theme_view(row)
        activities = [activity_view(a, local.date()) for a in await self.repo.activities([month])]

        def message(reader: Reader) -> OutMessage:
            mine, elsewhere = for_reader(activities, reader.city)
            notice = MonthNotice(theme, tuple(mine), elsewhere)
            rendered = self.renderer.month_notice(notice, reader)
            return self._message(reader, MessageKind.THEME, f"theme:{month}", rendered, now)

        return await self._queue(MessageKind.THEME, Filter(), message, now)

    async def remind(self, now: datetime) -> int:
        """Queue the reminders of tomorrow's activities once it is REMIND_AT; how many."""
        local = now.astimezone(self.tz)
        if local.time() < REMIND_AT:
            return 0
        queued = 0
        for row in await self.repo.unreminded(local.date() + timedelta(days=1)):
            if await self.repo.claim_reminder(row.id, now):
                queued += await self._remind(row, local.date(), now)
        return queued

    async def _remind(self, row: ActivityRow, today: date, now: datetime) -> int:
        theme_row = await self.repo.theme(row.month)
        assert theme_row is not None  # an activity belongs to its month's theme
        theme, activity = theme_view(theme_row), activity_view(row, today)
        # The day is in the key: an activity moved to another day is news again.
        dedupe = f"activity:{row.key}:{row.day.isoformat()}"

        def message(reader: Reader) -> OutMessage:
            rendered = self.renderer.activity_reminder(activity, theme, reader)
            return self._message(reader, MessageKind.ACTIVITY, dedupe, rendered, now)

        audience = Filter(city=row.city or None)
        signed_up = await AttendanceRepository(self.session).signed_up_users(row.id)
        return await self._queue(MessageKind.ACTIVITY, audience, message, now, skip=signed_up)

    async def remind_signed_up(self, now: datetime) -> int:
        """Queue the personal reminders that are due (before the start); how many."""
        repo, outbox, queued = AttendanceRepository(self.session), Outbox(self.session), 0
        today = now.astimezone(self.tz).date()
        for signup, row, user in await repo.unreminded(today, today + timedelta(days=1)):
            span = window(row.day, row.time, self.tz)
            until = span.end if span.all_day else span.start  # a whole day: during it
            if not span.remind_at <= now < until:
                continue
            if not await repo.claim_reminder(signup.id, now):
                continue
            assert user.telegram_id is not None  # unreminded() takes reachable people only
            reader = Reader(
                user.id, user.telegram_id, user.language, user.display_name or "", user.city,
                quiet_hours(user.quiet_start, user.quiet_end),
            )  # fmt: skip
            rendered = self.renderer.signup_reminder(activity_view(row, today), reader)
            queued += await outbox.put(
                OutMessage(
                    chat_id=reader.chat_id,
                    kind=MessageKind.SIGNUP,
                    # The start is in the key: an activity moved to another time is news.
                    dedupe_key=f"signup:{row.id}:{span.start:%Y%m%d%H%M}:u{user.id}",
                    text=rendered.text,
                    user_id=user.id,
                    buttons=rendered.buttons,
                ),
                now,
            )
        return queued

    def _message(
        self, reader: Reader, kind: MessageKind, key: str, rendered: Rendered, now: datetime
    ) -> OutMessage:
        return OutMessage(
            chat_id=reader.chat_id,
            kind=kind,
            dedupe_key=f"{key}:u{reader.user_id}",
            text=rendered.text,
            user_id=reader.user_id,
            buttons=rendered.buttons,
            not_before=after_quiet_hours(now, reader.quiet, self.tz),
        )

    async def _queue(
        self,
        kind: MessageKind,
        audience: Filter,
        message: Callable[[Reader], OutMessage],
        now: datetime,
        skip: frozenset[int] | set[int] = frozenset(),
    ) -> int:
        outbox, queued = Outbox(self.session), 0
        async for chunk in readers(self.session, kind, audience):
            batch = [message(reader) for reader in chunk if reader.user_id not in skip]
            if batch:
                queued += await outbox.put(batch, now)
        return queued
