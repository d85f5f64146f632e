"""Starting a broadcast: its audience expanded, in chunks, into one outbox row per driver,
in the caller's transaction. The status moves scheduled → running only once (a conditional
update), and every row has the key `broadcast:{id}:u{user}`, so a second scheduler, a
restart or a retried transaction queues each driver once. Resuming puts the held rows back,
each after its driver's quiet hours as they are now."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.broadcasts.models import BroadcastStatus
from bot.db.broadcasts.repository import BroadcastRepository
from bot.db.outbox.models import MessageKind
from bot.services.broadcasts.compose import fill_name
from bot.services.broadcasts.model import Broadcast
from bot.services.outbox.audience import Reader, after_quiet_hours, quiet_hours, readers
from bot.services.outbox.messages import Button, OutMessage
from bot.services.outbox.service import Outbox

CHUNK = 2000


@dataclass(frozen=True, slots=True)
class Wording:
    """The words a notice carries besides the admin's, per language (the Telegram side
    renders them from the catalogs): the unsubscribe button, and the word {name} becomes
    for a driver without a name."""

    unsubscribe: Mapping[str, Button]
    nobody: Mapping[str, str]
    default: str = "zh"

    def button(self, language: str) -> Button:
        return self.unsubscribe.get(language) or self.unsubscribe[self.default]

    def nameless(self, language: str) -> str:
        return self.nobody.get(language) or self.nobody[self.default]


def dedupe_key(broadcast_id: int, user_id: int) -> str:
    return f"broadcast:{broadcast_id}:u{user_id}"


def message_for(
    b: Broadcast, reader: Reader, wording: Wording, start: datetime, tz: ZoneInfo
) -> OutMessage:
    language = reader.language
    links = tuple((Button(link.label, url=link.url),) for link in b.links)
    return OutMessage(
        chat_id=reader.chat_id,
        user_id=reader.user_id,
        kind=MessageKind.BROADCAST,
        dedupe_key=dedupe_key(b.id, reader.user_id),
        text=fill_name(b.text_for(language), reader.name, wording.nameless(language)),
        photo=b.photo,
        buttons=(*links, (wording.button(language),)),
        not_before=after_quiet_hours(start, reader.quiet, tz),
        broadcast_id=b.id,
    )


async def start(
    session: AsyncSession, broadcast_id: int, now: datetime, tz: ZoneInfo, wording: Wording
) -> int | None:
    """Start a due broadcast: None if it is not (any more) this caller's to start, else how
    many drivers it was queued for."""
    repo = BroadcastRepository(session)
    if not await repo.move(
        broadcast_id, (BroadcastStatus.SCHEDULED,), BroadcastStatus.RUNNING, started_at=now
    ):
        return None
    row = await repo.get(broadcast_id)
    assert row is not None
    b = Broadcast.of(row)
    outbox = Outbox(session)
    async for chunk in readers(session, MessageKind.BROADCAST, b.target.filter(), CHUNK):
        await outbox.put([message_for(b, r, wording, now, tz) for r in chunk], now)
    queued = await outbox.repo.broadcast_size(broadcast_id)
    await repo.set(broadcast_id, recipients=queued)
    return queued


async def retime(session: AsyncSession, broadcast_id: int, now: datetime, tz: ZoneInfo) -> int:
    """Rows put back after a pause that are due now wait for their driver's quiet hours
    (a resume at 23:00 must not wake anyone); returns how many were postponed."""
    repo = BroadcastRepository(session)
    later: dict[datetime, list[int]] = {}
    for row_id, start_, end in await repo.quiet_of_pending(broadcast_id, now):
        at = after_quiet_hours(now, quiet_hours(start_, end), tz)
        if at > now:
            later.setdefault(at, []).append(row_id)
    for at, ids in later.items():
        await repo.postpone(ids, at)
    return sum(len(ids) for ids in later.values())
