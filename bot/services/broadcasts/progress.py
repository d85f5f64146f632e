"""How far a broadcast has gone, read from its outbox rows, and its end: done once nothing
is pending, held or in flight, then a report to its author with a CSV of the failures
(recipient user ids, statuses and Telegram's reasons: never names or phones)."""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.broadcasts.models import BroadcastStatus
from bot.db.broadcasts.repository import BroadcastRepository
from bot.db.outbox.models import MessageKind, OutboxStatus, Priority
from bot.db.outbox.repository import OutboxRepository
from bot.services.broadcasts.model import Broadcast
from bot.services.outbox.messages import OutMessage
from knowledge.text_rules import to_spreadsheet

S = BroadcastStatus
WATCH_AFTER_END = timedelta(minutes=10)  # a last status edit that failed is tried again
LEFT = (OutboxStatus.PENDING, OutboxStatus.HELD, OutboxStatus.SENDING)


@dataclass(frozen=True, slots=True)
class Counts:
    sent: int = 0
    failed: int = 0
    blocked: int = 0
    cancelled: int = 0
    left: int = 0  # pending, held or being sent
    sending: int = 0

    @classmethod
    def of(cls, by_status: dict[OutboxStatus, int]) -> Counts:
        return cls(
            sent=by_status.get(OutboxStatus.SENT, 0),
            failed=by_status.get(OutboxStatus.FAILED, 0),
            blocked=by_status.get(OutboxStatus.BLOCKED, 0),
            cancelled=by_status.get(OutboxStatus.CANCELLED, 0),
            left=sum(by_status.get(s, 0) for s in LEFT),
            sending=by_status.get(OutboxStatus.SENDING, 0),
        )

    @property
    def settled(self) -> int:
        return self.sent + self.failed + self.blocked + self.cancelled

    @property
    def total(self) -> int:
        return self.settled + self.left


@dataclass(frozen=True, slots=True)
class StatusView:
    """What a status message shows."""

    broadcast: Broadcast
    counts: Counts
    rate: float | None  # messages settled per second over the last interval
    asking_cancel: bool
    language: str  # the author's

    @property
    def seconds_left(self) -> float | None:
        if not self.rate or self.broadcast.status is not S.RUNNING:
            return None
        return self.counts.left / self.rate


@dataclass(frozen=True, slots=True)
class Shown:
    """A status message as last drawn: its id and a digest of its text and buttons."""

    message_id: int
    digest: str


@dataclass
class RateMeter:
    """Settled messages per second between two looks at a broadcast (memory only: after a
    restart the first look has no rate). Two looks at the same moment keep the rate."""

    last: dict[int, tuple[datetime, int]] = field(default_factory=dict)
    rates: dict[int, float | None] = field(default_factory=dict)

    def observe(self, broadcast_id: int, at: datetime, settled: int) -> float | None:
        before = self.last.get(broadcast_id)
        if before is not None and at <= before[0]:
            return self.rates.get(broadcast_id)
        self.last[broadcast_id] = (at, settled)
        rate = None
        if before is not None:
            rate = max(settled - before[1], 0) / (at - before[0]).total_seconds()
        self.rates[broadcast_id] = rate
        return rate

    def peek(self, broadcast_id: int) -> float | None:
        return self.rates.get(broadcast_id)


async def watched(session: AsyncSession, now: datetime) -> list[Broadcast]:
    rows = await BroadcastRepository(session).watched(now - WATCH_AFTER_END)
    return [Broadcast.of(row) for row in rows]


async def counts(session: AsyncSession, broadcast_id: int) -> Counts:
    return Counts.of(await OutboxRepository(session).broadcast_counts(broadcast_id))


async def finish(session: AsyncSession, b: Broadcast, now: datetime) -> Broadcast | None:
    """A started broadcast with nothing left to send is over: running or paused → done;
    a cancelled one once its messages in flight have settled. Returns it when it ended
    now (so its report is queued exactly once, by whoever made this change)."""
    if b.started_at is None or b.finished_at is not None:
        return None
    c = await counts(session, b.id)
    repo = BroadcastRepository(session)
    if b.status in (S.RUNNING, S.PAUSED) and c.left == 0:
        ended = await repo.move(b.id, (S.RUNNING, S.PAUSED), S.DONE, finished_at=now,
                                cancel_asked_at=None)  # fmt: skip
    elif b.status is S.CANCELLED and c.sending == 0:
        ended = await repo.move(b.id, (S.CANCELLED,), S.CANCELLED, finished_at=now)
    else:
        return None
    if not ended:
        return None
    row = await repo.get(b.id)
    return Broadcast.of(row) if row is not None else None


def _write(path: Path, content: str) -> str:
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8-sig")  # Excel reads Telegram's Chinese right
    return str(path)


def failures_csv(rows: list[tuple[int | None, str, str | None]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["user_id", "status", "last_error"])
    for user_id, status, error in rows:
        writer.writerow(["" if user_id is None else user_id, status,
                         to_spreadsheet(error or "")])  # fmt: skip
    return out.getvalue()


async def report(
    session: AsyncSession, b: Broadcast, caption: str, data_dir: Path, now: datetime
) -> OutMessage | None:
    """The author's report, in their private chat: the caption, and the failures as a CSV
    under the data directory (none: the caption alone). An author who erased their data
    gets none; the status message still shows the counts."""
    chat_id = await BroadcastRepository(session).chat_of(b.author_id)
    if chat_id is None:
        return None
    failed = await OutboxRepository(session).broadcast_failures(b.id)
    document = name = None
    if failed:
        name = f"broadcast-{b.id}-failures.csv"
        content = failures_csv([(r.user_id, str(r.status), r.last_error) for r in failed])
        document = await asyncio.to_thread(_write, data_dir / "broadcasts" / name, content)
    return OutMessage(
        chat_id=chat_id, user_id=b.author_id, kind=MessageKind.REPORT,
        dedupe_key=f"broadcast:{b.id}:report", text=caption, document=document,
        document_name=name, priority=Priority.PERSONAL,
    )  # fmt: skip
