"""The process's outbox sender, built from the settings and the features' kits."""

from __future__ import annotations

from aiogram import Bot

from bot.db.types import Clock
from bot.feature import Core, Kit
from bot.outbox.sender import Sender, SenderConfig


def sender_config(core: Core) -> SenderConfig:
    s = core.settings
    return SenderConfig(
        rate=s.outbox_rate,
        private_interval=s.outbox_private_interval,
        group_interval=60.0 / s.outbox_group_per_minute,
        batch=s.outbox_batch,
        concurrency=s.outbox_concurrency,
        lease=s.outbox_lease,
        max_attempts=s.outbox_max_attempts,
    )


def create_sender(
    core: Core, bot: Bot, kits: dict[str, Kit], clock: Clock | None = None, name: str | None = None
) -> Sender:
    """`bot` should be one without the retry middleware (create_bot(..., retry=False))."""
    sender = Sender(
        bot,
        core.session_factory,
        sender_config(core),
        undeliverable=[kit.undeliverable for kit in kits.values()],
        profiles=core.profiles,
        clock=clock or core.clock,
        name=name,
    )
    core.doorbell.subscribe(sender.wake)
    return sender
