"""Per-user flood control: over the limit, one polite answer, then silence for a period.

Each user has an own bucket, so a flooding user never slows anybody else.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiogram import BaseMiddleware
from aiogram.exceptions import TelegramAPIError
from aiogram.types import TelegramObject, Update, User
from aiogram.utils.i18n import I18n
from aiolimiter import AsyncLimiter

from bot.locale_cache import LocaleCache

log = logging.getLogger(__name__)


class Throttle(Protocol):
    async def hit(self, user_id: int) -> tuple[bool, bool]:
        """Count one update; returns (allowed, warn) where warn is True once per flood."""
        ...


class MemoryThrottle:
    """A leaky bucket per user (aiolimiter). Once a user goes over, they are told once and
    then ignored for a whole period, so a flood gets one warning and no stream of replies
    (the bucket would otherwise let one update through every period/rate seconds)."""

    def __init__(
        self,
        rate: int,
        period: float,
        capacity: int = 100_000,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.rate, self.period, self.capacity = rate, period, capacity
        # The event loop's clock by default: the one aiolimiter's buckets drain by.
        self.clock = clock or (lambda: asyncio.get_running_loop().time())
        self._limiters: OrderedDict[int, AsyncLimiter] = OrderedDict()
        self._quiet_until: dict[int, float] = {}

    async def hit(self, user_id: int) -> tuple[bool, bool]:
        quiet_until = self._quiet_until.get(user_id)
        if quiet_until is not None:
            if self.clock() < quiet_until:
                return False, False
            del self._quiet_until[user_id]
        limiter = self._limiters.get(user_id)
        if limiter is None:
            limiter = self._limiters[user_id] = AsyncLimiter(self.rate, self.period)
            if len(self._limiters) > self.capacity:
                evicted, _ = self._limiters.popitem(last=False)
                self._quiet_until.pop(evicted, None)
        else:
            self._limiters.move_to_end(user_id)
        if limiter.has_capacity():
            await limiter.acquire()  # returns at once: capacity was just checked
            return True, False
        self._quiet_until[user_id] = self.clock() + self.period
        return False, True


class RedisThrottle:
    """Fixed-window counter shared by all worker processes; over the limit, a quiet key
    keeps the user ignored for a whole period (one warning per flood, as in memory)."""

    def __init__(self, redis: Any, rate: int, period: float) -> None:
        self.redis, self.rate, self.period = redis, rate, max(1, round(period))

    async def hit(self, user_id: int) -> tuple[bool, bool]:
        window = int(time.time()) // self.period
        key = f"warmdrive:throttle:{user_id}:{window}"
        quiet = f"warmdrive:throttle-quiet:{user_id}"
        async with self.redis.pipeline(transaction=True) as pipe:
            is_quiet, count, _ = (
                await pipe.exists(quiet).incr(key).expire(key, self.period * 2).execute()
            )
        if is_quiet:
            return False, False
        if count <= self.rate:
            return True, False
        # Only the update that sets the key warns, even with several workers.
        warn = bool(await self.redis.set(quiet, 1, ex=self.period, nx=True))
        return False, warn


class ThrottleMiddleware(BaseMiddleware):
    def __init__(self, throttle: Throttle, i18n: I18n, locales: LocaleCache) -> None:
        self.throttle, self.i18n, self.locales = throttle, i18n, locales

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        allowed, warn = await self.throttle.hit(user.id)
        if allowed:
            return await handler(event, data)
        assert isinstance(event, Update)
        log.info("throttled update %s from user %s", event.update_id, user.id)
        if warn:
            await self._warn(event, data, user)
        elif event.callback_query is not None:
            await self._answer_quietly(event, data)
        return None

    async def _warn(self, event: Update, data: dict[str, Any], user: User) -> None:
        locale = self.locales.get(user.id, user.language_code)
        text = self.i18n.gettext(
            "You are sending messages too fast. Please wait a few seconds and try again.",
            locale=locale,
        )
        bot = data["bot"]
        try:
            if event.callback_query is not None:
                await bot.answer_callback_query(event.callback_query.id, text=text)
            elif event.message is not None:
                await bot.send_message(event.message.chat.id, text)
        except TelegramAPIError as exc:  # a warning that cannot be delivered is not an error
            log.info("throttle warning not delivered: %s", exc)

    async def _answer_quietly(self, event: Update, data: dict[str, Any]) -> None:
        # An unanswered callback keeps the button spinning on the user's phone.
        assert event.callback_query is not None
        with contextlib.suppress(TelegramAPIError):
            await data["bot"].answer_callback_query(event.callback_query.id)
