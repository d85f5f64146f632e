"""Queueing messages and the user's side of the outbox (opt-outs, erasure). No Telegram and
no commits: a message queued in an update's or a job's transaction exists exactly when the
change that caused it does."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.after_commit import after_commit
from bot.db.outbox.models import MessageKind, OutboxStatus
from bot.db.outbox.repository import OutboxRepository
from bot.services.outbox.doorbell import Doorbell
from bot.services.outbox.messages import OutMessage


class OptOut(StrEnum):
    """The bulk kinds a driver can turn off, by the name their unsubscribe button carries."""

    NOTICES = "notices"  # admins' broadcasts
    THEMES = "themes"  # the theme of the month and its activity reminders

    @property
    def kinds(self) -> tuple[MessageKind, ...]:
        if self is OptOut.NOTICES:
            return (MessageKind.BROADCAST,)
        return (MessageKind.THEME, MessageKind.ACTIVITY)

    @classmethod
    def of(cls, kind: MessageKind) -> OptOut | None:
        return next((o for o in cls if kind in o.kinds), None)


class Outbox:
    def __init__(self, session: AsyncSession, doorbell: Doorbell | None = None) -> None:
        self.session, self.doorbell = session, doorbell
        self.repo = OutboxRepository(session)

    async def put(self, messages: OutMessage | Sequence[OutMessage], now: datetime) -> int:
        """Queue one or many messages; returns how many were new (a dedupe key already
        queued is not queued again)."""
        batch = [messages] if isinstance(messages, OutMessage) else list(messages)
        added = await self.repo.put([m.row(now) for m in batch])
        if added and self.doorbell is not None:  # in an update: the sender looks after commit
            after_commit(self.session, self.doorbell.ring_async)
        return added

    async def drop_waiting(self, user_id: int, opt_out: OptOut) -> int:
        """What of a kind the user turned off is still waiting is not sent."""
        return len(await self.repo.drop_for_user(user_id, OutboxStatus.CANCELLED, opt_out.kinds))
