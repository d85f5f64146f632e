"""Committed user profiles kept in memory, so a menu tap needs no query to know its user.

Only profiles read unchanged from the database go in. A write to a user drops the entry when
the write is made and again after its commit; a read that started before a drop may not put
its (possibly old) result back. Used in single-process mode only: with several workers another
process could change a user behind this cache's back.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.services.users.profiles import UserProfile


class ProfileCache:
    def __init__(self, capacity: int = 100_000) -> None:
        self.capacity = capacity
        self._data: OrderedDict[int, UserProfile] = OrderedDict()
        self._clock = itertools.count(1)
        self._dropped_at: OrderedDict[int, int] = OrderedDict()

    def get(self, telegram_id: int) -> UserProfile | None:
        profile = self._data.get(telegram_id)
        if profile is not None:
            self._data.move_to_end(telegram_id)
        return profile

    def ticket(self) -> int:
        """Take before reading a row; hand to put() with what was read."""
        return next(self._clock)

    def put(self, telegram_id: int, profile: UserProfile, ticket: int) -> bool:
        if self._dropped_at.get(telegram_id, 0) >= ticket:
            return False  # the row changed after this read began
        self._data[telegram_id] = profile
        self._data.move_to_end(telegram_id)
        if len(self._data) > self.capacity:
            self._data.popitem(last=False)
        return True

    def drop(self, telegram_id: int | None) -> None:
        if telegram_id is None:
            return
        self._data.pop(telegram_id, None)
        self._dropped_at[telegram_id] = next(self._clock)
        self._dropped_at.move_to_end(telegram_id)
        if len(self._dropped_at) > self.capacity:
            self._dropped_at.popitem(last=False)
