"""The outbox: one sender for every message the bot sends on its own (bot/outbox/), the
one-tap unsubscribe on bulk messages, and its part of /mydata and /deleteme."""

from __future__ import annotations

from bot.feature import Feature
from bot.services.broadcasts.personal_data import PART as BROADCASTS_PART
from bot.services.outbox.personal_data import PART

OUTBOX = Feature(
    name="outbox",
    personal_data=(PART, BROADCASTS_PART),
)
