"""The outbox's process-wide part: what its handlers get per update, and the sender."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.feature import BaseKit, Core
from bot.services.outbox.service import Outbox


@dataclass(frozen=True, slots=True)
class OutboxServices:
    """What the outbox's handlers get for one update (injected as `outbox`)."""

    outbox: Outbox


class OutboxKit(BaseKit):
    def __init__(self, core: Core) -> None:
        self.core = core

    def for_update(self, session: AsyncSession) -> OutboxServices:
        return OutboxServices(Outbox(session, self.core.doorbell))
