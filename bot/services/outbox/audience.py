"""Who a bulk message may reach, and when: drivers who agreed to the terms, have not blocked
the bot or erased their data, and have not opted out of the message's kind; each one after
their quiet hours (default 22:00-07:00 in TIMEZONE)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.outbox.audience import AudienceRepository, Filter
from bot.db.outbox.models import MessageKind

DEFAULT_QUIET = (time(22, 0), time(7, 0))

__all__ = [
    "DEFAULT_QUIET", "Filter", "Reader", "after_quiet_hours", "count", "in_quiet_hours",
    "quiet_hours", "readers",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Reader:
    user_id: int
    chat_id: int
    language: str
    name: str
    city: str | None
    quiet: tuple[time, time]  # equal ends: none


def quiet_hours(start: time | None, end: time | None) -> tuple[time, time]:
    """The user's quiet hours; never set means the default."""
    return (start, end) if start is not None and end is not None else DEFAULT_QUIET


def in_quiet_hours(local: time, quiet: tuple[time, time]) -> bool:
    start, end = quiet
    if start == end:
        return False
    return start <= local < end if start < end else local >= start or local < end


def after_quiet_hours(at: datetime, quiet: tuple[time, time], tz: ZoneInfo) -> datetime:
    """`at` itself when outside the quiet hours, else the moment they end."""
    local = at.astimezone(tz)
    if not in_quiet_hours(local.time(), quiet):
        return at
    until = datetime.combine(local.date(), quiet[1], tz)
    return until if until > local else until + timedelta(days=1)


async def count(session: AsyncSession, kind: MessageKind, audience: Filter) -> int:
    """How many a message to this audience would reach now (shown before sending)."""
    return await AudienceRepository(session).count(kind, audience)


async def readers(
    session: AsyncSession, kind: MessageKind, audience: Filter, chunk: int = 2000
) -> AsyncIterator[list[Reader]]:
    """The audience in chunks, by user id (a broadcast to 100k drivers never holds them all)."""
    after = 0
    while True:
        rows = await AudienceRepository(session).page(kind, audience, after, chunk)
        if not rows:
            return
        yield [
            Reader(r.id, r.telegram_id, r.language, r.display_name or "", r.city,
                   quiet_hours(r.quiet_start, r.quiet_end))
            for r in rows
        ]  # fmt: skip
        after = rows[-1].id
