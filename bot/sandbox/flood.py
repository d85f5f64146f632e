"""Telegram's flood control, for tests that switch it on: about 30 messages a second in all,
one a second to a private chat, 20 a minute to a group. Over a limit, a send gets 429 with
`retry_after`, as Telegram answers. Off by default: a bot's replies in a conversation come in
short bursts that Telegram lets through."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import ApiError


@dataclass
class FloodRules:
    per_second: int = 30
    private_interval: float = 1.0
    group_per_minute: int = 20
    # Telegram does not count to the millisecond, and two requests seldom take exactly as
    # long to arrive: a chat's next message may come this much early.
    slack: float = 0.1
    clock: Callable[[], float] = time.monotonic
    _recent: deque[float] = field(default_factory=deque)
    _chats: dict[int, deque[float]] = field(default_factory=dict)
    refused: int = 0  # how many sends it answered with 429

    def check(self, chat_id: int | None) -> None:
        now = self.clock()
        while self._recent and now - self._recent[0] >= 1.0:
            self._recent.popleft()
        if len(self._recent) >= self.per_second:
            self._refuse(1.0 - (now - self._recent[0]))
        if chat_id is not None:
            window, limit = (60.0, self.group_per_minute) if chat_id < 0 else (
                self.private_interval, 1)  # fmt: skip
            sent = self._chats.setdefault(chat_id, deque())
            while sent and now - sent[0] >= window - self.slack:
                sent.popleft()
            if len(sent) >= limit:
                self._refuse(window - (now - sent[0]))
            sent.append(now)
        self._recent.append(now)

    def _refuse(self, wait: float) -> None:
        self.refused += 1
        retry_after = max(1, math.ceil(wait))
        raise ApiError(429, f"Too Many Requests: retry after {retry_after}",
                       {"retry_after": retry_after})  # fmt: skip
