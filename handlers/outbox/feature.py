"""The outbox: one sender for every message the bot sends on its own (bot/outbox/), the
one-tap unsubscribe on bulk messages, and its part of /mydata and /deleteme."""

from __future__ import annotations

from aiogram import Router

from bot.feature import Feature, Stage
from bot.services.broadcasts.personal_data import PART as BROADCASTS_PART
from bot.services.outbox.personal_data import PART
from handlers.outbox import unsubscribe
from handlers.outbox.kit import OutboxKit


def _routers() -> list[tuple[Stage, Router]]:
    return [(Stage.AGREED, unsubscribe.create_router())]


OUTBOX = Feature(
    name="outbox",
    routers=_routers,
    kit=OutboxKit,
    personal_data=(PART, BROADCASTS_PART),
)
