"""The broadcast's rules for handlers: a draft composed step by step by its author, the
audience counted before sending, one confirm per broadcast, and pause / resume / cancel by
any admin (checked here, whoever calls). No Telegram, no commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.broadcasts.models import BroadcastStatus
from bot.db.broadcasts.repository import BroadcastRepository
from bot.db.outbox.models import MessageKind, OutboxStatus
from bot.db.outbox.repository import OutboxRepository
from bot.db.users.models import Role, User
from bot.services.broadcasts.compose import (
    ComposeError,
    Link,
    check_text,
    check_time,
)
from bot.services.broadcasts.delivery import retime
from bot.services.broadcasts.model import Broadcast, Target
from bot.services.outbox import audience

S = BroadcastStatus
CANCEL_ASK = timedelta(minutes=1)  # how long the status message asks "cancel it?"
CITY_BUTTONS = 12


class BroadcastErrorCode(StrEnum):
    NOT_ADMIN = "not_admin"
    GONE = "gone"  # no such broadcast, or no longer in a state for this
    CONFIRMED = "confirmed"  # confirmed before (a double tap)
    NOBODY = "nobody"  # the audience is empty


class BroadcastError(Exception):
    def __init__(self, code: BroadcastErrorCode, broadcast: Broadcast | None = None) -> None:
        super().__init__(code)
        self.code, self.broadcast = code, broadcast


@dataclass(frozen=True, slots=True)
class Listed:
    broadcast: Broadcast
    counts: dict[OutboxStatus, int]


class BroadcastService:
    def __init__(self, session: AsyncSession, tz: ZoneInfo) -> None:
        self.session, self.tz = session, tz
        self.repo = BroadcastRepository(session)
        self.outbox = OutboxRepository(session)

    async def _admin(self, user_id: int) -> None:
        user = await self.session.get(User, user_id)
        if user is None or user.role is not Role.ADMIN or user.erased_at is not None:
            raise BroadcastError(BroadcastErrorCode.NOT_ADMIN)

    async def get(self, broadcast_id: int) -> Broadcast | None:
        row = await self.repo.get(broadcast_id)
        return Broadcast.of(row) if row is not None else None

    async def _draft(self, broadcast_id: int, author_id: int) -> Broadcast:
        b = await self.get(broadcast_id)
        if b is None or b.author_id != author_id:
            raise BroadcastError(BroadcastErrorCode.GONE)
        if b.status is not S.DRAFT:
            raise BroadcastError(BroadcastErrorCode.CONFIRMED, b)
        return b

    # --- composing -------------------------------------------------------------------------
    async def new_draft(self, author_id: int, html: str, photo: str | None) -> Broadcast:
        """The first step: the text (checked: ComposeError) and the photo, as a draft."""
        await self._admin(author_id)
        text = check_text(html, photo is not None)
        return Broadcast.of(await self.repo.add_draft(author_id, text, photo))

    async def set_text(
        self, broadcast_id: int, author_id: int, html: str, photo: str | None
    ) -> Broadcast:
        b = await self._draft(broadcast_id, author_id)
        text = check_text(html, photo is not None)
        english = b.text_en
        if english is not None and photo is not None:
            try:
                check_text(english, True)
            except ComposeError:
                english = None  # too long for a caption now: asked for again
        await self.repo.change_draft(
            broadcast_id, author_id, text_zh=text, photo=photo, text_en=english
        )
        return await self._draft(broadcast_id, author_id)

    async def set_links(
        self, broadcast_id: int, author_id: int, links: tuple[Link, ...]
    ) -> Broadcast:
        await self._draft(broadcast_id, author_id)
        values = [{"text": link.label, "url": link.url} for link in links]
        await self.repo.change_draft(broadcast_id, author_id, links=values)
        return await self._draft(broadcast_id, author_id)

    async def set_english(self, broadcast_id: int, author_id: int, html: str | None) -> Broadcast:
        """The English version (checked like the first text), or None: one for everyone."""
        b = await self._draft(broadcast_id, author_id)
        text = check_text(html, b.photo is not None) if html is not None else None
        await self.repo.change_draft(broadcast_id, author_id, text_en=text)
        return await self._draft(broadcast_id, author_id)

    async def set_target(self, broadcast_id: int, author_id: int, target: Target) -> int:
        """Choose the audience; returns how many it would reach now."""
        await self._draft(broadcast_id, author_id)
        await self.repo.change_draft(broadcast_id, author_id, audience=target.as_data())
        return await self.count(target)

    async def count(self, target: Target) -> int:
        return await audience.count(self.session, MessageKind.BROADCAST, target.filter())

    async def cities(self) -> list[str]:
        return await self.repo.cities(CITY_BUTTONS)

    async def is_draft(self, broadcast_id: int, author_id: int) -> bool:
        b = await self.get(broadcast_id)
        return b is not None and b.author_id == author_id and b.status is S.DRAFT

    async def draft(self, broadcast_id: int, author_id: int) -> Broadcast:
        return await self._draft(broadcast_id, author_id)

    async def confirm(
        self,
        broadcast_id: int,
        author_id: int,
        at: datetime | None,
        now: datetime,
        chat_id: int,
        message_id: int,
    ) -> Broadcast:
        """Schedule it (at None: now), with `message_id` as its status message. Exactly
        once: a second confirm finds it confirmed (BroadcastError CONFIRMED)."""
        await self._admin(author_id)
        b = await self._draft(broadcast_id, author_id)
        if at is not None:
            check_time(at, now)  # the moment picked may have passed meanwhile
        if await self.count(b.target) == 0:
            raise BroadcastError(BroadcastErrorCode.NOBODY, b)
        moved = await self.repo.move(
            broadcast_id, (S.DRAFT,), S.SCHEDULED, scheduled_at=at or now,
            status_chat_id=chat_id, status_message_id=message_id, status_shown=None,
        )  # fmt: skip
        if not moved:
            raise BroadcastError(BroadcastErrorCode.CONFIRMED, await self.get(broadcast_id))
        confirmed = await self.get(broadcast_id)
        assert confirmed is not None
        return confirmed

    # --- while it runs ---------------------------------------------------------------------
    async def _control(
        self, actor_id: int, broadcast_id: int, from_: tuple[S, ...], to: S, **values: object
    ) -> Broadcast:
        await self._admin(actor_id)
        if not await self.repo.move(broadcast_id, from_, to, cancel_asked_at=None, **values):
            raise BroadcastError(BroadcastErrorCode.GONE, await self.get(broadcast_id))
        b = await self.get(broadcast_id)
        assert b is not None
        return b

    async def pause(self, actor_id: int, broadcast_id: int) -> Broadcast:
        b = await self._control(actor_id, broadcast_id, (S.RUNNING,), S.PAUSED)
        await self.outbox.set_broadcast_status(
            broadcast_id, (OutboxStatus.PENDING,), OutboxStatus.HELD
        )
        return b

    async def resume(self, actor_id: int, broadcast_id: int, now: datetime) -> Broadcast:
        b = await self._control(actor_id, broadcast_id, (S.PAUSED,), S.RUNNING)
        await self.outbox.set_broadcast_status(
            broadcast_id, (OutboxStatus.HELD,), OutboxStatus.PENDING
        )
        await retime(self.session, broadcast_id, now, self.tz)
        return b

    async def cancel(self, actor_id: int, broadcast_id: int, now: datetime) -> Broadcast:
        """Nothing more goes out; what was sent stays sent. One that never started is
        over at once; a started one when its last messages in flight have settled."""
        b = await self.get(broadcast_id)
        never_started = b is not None and b.started_at is None
        extra = {"finished_at": now} if never_started else {}
        b = await self._control(
            actor_id, broadcast_id, (S.SCHEDULED, S.RUNNING, S.PAUSED), S.CANCELLED, **extra
        )
        await self.outbox.set_broadcast_status(
            broadcast_id, (OutboxStatus.PENDING, OutboxStatus.HELD), OutboxStatus.CANCELLED
        )
        return b

    async def ask_cancel(self, actor_id: int, broadcast_id: int, now: datetime) -> Broadcast:
        await self._admin(actor_id)
        b = await self.get(broadcast_id)
        if b is None or b.status not in (S.SCHEDULED, S.RUNNING, S.PAUSED):
            raise BroadcastError(BroadcastErrorCode.GONE, b)
        await self.repo.set(broadcast_id, cancel_asked_at=now)
        asked = await self.get(broadcast_id)
        assert asked is not None
        return asked

    async def keep(self, actor_id: int, broadcast_id: int) -> Broadcast:
        await self._admin(actor_id)
        await self.repo.set(broadcast_id, cancel_asked_at=None)
        b = await self.get(broadcast_id)
        if b is None:
            raise BroadcastError(BroadcastErrorCode.GONE)
        return b

    async def move_status_message(
        self, actor_id: int, broadcast_id: int, chat_id: int, message_id: int, shown: str
    ) -> None:
        """The status message is now this one, showing `shown` (a digest); the caller takes
        the old one's buttons off."""
        await self._admin(actor_id)
        await self.repo.set(
            broadcast_id, status_chat_id=chat_id, status_message_id=message_id, status_shown=shown
        )

    async def recent(self, actor_id: int, limit: int = 10) -> list[Listed]:
        await self._admin(actor_id)
        return [
            Listed(Broadcast.of(row), await self.outbox.broadcast_counts(row.id))
            for row in await self.repo.recent(limit)
        ]


def asking_cancel(b: Broadcast, now: datetime) -> bool:
    return b.cancel_asked_at is not None and now - b.cancel_asked_at < CANCEL_ASK
