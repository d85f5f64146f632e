"""Telegram's sending limits, kept by one sender: about 30 messages/s in all (we default to
25), one per second to a private chat, 20 per minute to a group, and a 429's `retry_after`
honoured by the whole sender, not only by the request that got it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from aiolimiter import AsyncLimiter


class Pacer:
    def __init__(
        self,
        rate: float,
        private_interval: float,
        group_interval: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # A tenth of a second's worth at a time: a one-second bucket would let a full second
        # burst through on top of the steady rate, 50 in a second at 25/s.
        self.limiter = AsyncLimiter(max(rate / 10, 1.0), max(rate / 10, 1.0) / rate)
        self.private_interval, self.group_interval = private_interval, group_interval
        self.clock = clock
        self._chat_free_at: dict[int, float] = {}
        self._paused_until = 0.0

    def interval(self, chat_id: int) -> float:
        return self.group_interval if chat_id < 0 else self.private_interval

    def pause(self, seconds: float) -> None:
        """A 429: nobody sends until it has passed."""
        self._paused_until = max(self._paused_until, self.clock() + seconds)

    async def wait_turn(self, chat_id: int) -> None:
        """Wait until this chat may get its next message and the sender is not paused, then
        take a slot of the global rate (and look again: a 429 may have come meanwhile)."""
        while True:
            now = self.clock()
            ready = max(self._paused_until, self._chat_free_at.get(chat_id, 0.0))
            if ready > now:
                await asyncio.sleep(ready - now)
                continue
            await self.limiter.acquire()
            if self._paused_until <= self.clock():
                break
        # A little over the interval: two requests seldom take exactly as long to arrive.
        self._chat_free_at[chat_id] = self.clock() + self.interval(chat_id) * 1.05
        if len(self._chat_free_at) > 50_000:  # a broadcast's chats: forget those long free
            now = self.clock()
            self._chat_free_at = {c: t for c, t in self._chat_free_at.items() if t > now}
