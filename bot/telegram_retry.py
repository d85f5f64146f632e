"""Retry a Bot API call that failed for a passing reason, within a small time budget.

Passing: a 5xx (JSON, or the HTML page a proxy in front of Telegram sends), a 429 whose
`retry_after` fits the budget, a connection that could not be made or was dropped, a
timeout. Some of these leave it open whether Telegram acted: a connection dropped after the
request went out, or an answer that is only late. For a call that creates something new
(send*, forward*, copy*) that doubt settles it: it is repeated only when Telegram surely did
not act (it answered with an error, or the connection was never made), since a second copy
of a message is worse than a retry the user makes. Edits, answers and reads are repeated
after any of them (a repeated edit that had landed is "not modified", which the edit helper
absorbs). This is HTTP's own rule: aiohttp re-sends only idempotent requests after a reset.

Without this a 502 or a refused connection fails the whole update: its changes roll back and
the user sees nothing. The budget keeps a reply from holding a worker for long; what is
still failing after it fails the update as before.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import GetUpdates, TelegramMethod
from aiohttp import ClientConnectorError

log = logging.getLogger(__name__)

CREATING_PREFIXES = ("send", "forward", "copy")


def creates_something(method: TelegramMethod[Any]) -> bool:
    """A call that, done twice, shows the user two of something."""
    return method.__api_method__.startswith(CREATING_PREFIXES)


def never_reached(exc: TelegramNetworkError) -> bool:
    """The request never got to Telegram: the connection itself could not be made."""
    return isinstance(exc.__cause__, ClientConnectorError)


def retry_delay(exc: Exception, method: TelegramMethod[Any], backoff: float) -> float | None:
    """How long to wait before trying `method` again after `exc`; None: do not retry."""
    if isinstance(exc, TelegramRetryAfter):
        return float(exc.retry_after)
    if isinstance(exc, TelegramServerError | ClientDecodeError):
        return backoff  # ClientDecodeError: a non-JSON page, e.g. a proxy's "502 Bad Gateway"
    if isinstance(exc, TelegramNetworkError):
        if creates_something(method) and not never_reached(exc):
            return None  # it may have been sent: a second copy would be worse than none
        return backoff
    return None


class RetryMiddleware(BaseRequestMiddleware):
    def __init__(
        self,
        budget: float = 5.0,
        first_backoff: float = 0.2,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.budget, self.first_backoff = budget, first_backoff
        self.sleep, self.clock = sleep, clock

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: TelegramMethod[Any],
    ) -> Any:
        if isinstance(method, GetUpdates):  # the polling loop has its own backoff
            return await make_request(bot, method)
        deadline = self.clock() + self.budget
        backoff = self.first_backoff
        while True:
            try:
                return await make_request(bot, method)
            except (TelegramServerError, TelegramNetworkError, TelegramRetryAfter,
                    ClientDecodeError) as exc:  # fmt: skip
                wait = retry_delay(exc, method, backoff)
                if wait is None or self.clock() + wait > deadline:
                    raise
                # Debug only: what outlasts the budget is reported by whoever called.
                log.debug(
                    "%s failed (%s); retrying in %.1fs", method.__api_method__, _reason(exc), wait
                )
            await self.sleep(wait)
            backoff = min(backoff * 2, 2.0)


def _reason(exc: Exception) -> str:
    if isinstance(exc, ClientDecodeError):
        return "an answer that is not JSON"
    return f"{type(exc).__name__}: {exc}"
