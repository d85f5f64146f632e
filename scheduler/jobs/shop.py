"""The points shop's jobs: unused vouchers past their last day expire and are refunded (each
once, in its own transaction with the message to its owner), and owners hear a few days
before. The work is the feature's kit's (`ctx.kits["shop"]`): the scheduler never imports
handlers."""

from __future__ import annotations

import logging
from typing import Protocol, cast

from bot.feature import JobContext

log = logging.getLogger(__name__)


class _Kit(Protocol):
    async def expire_due(self) -> int: ...

    async def remind_expiring(self) -> int: ...


async def expire_vouchers(ctx: JobContext) -> int:
    done = await cast(_Kit, ctx.kits["shop"]).expire_due()
    if done:
        log.info("expired and refunded %d vouchers", done)
    return done


async def remind_vouchers(ctx: JobContext) -> int:
    return await cast(_Kit, ctx.kits["shop"]).remind_expiring()
