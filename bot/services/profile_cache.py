"""Committed user profiles kept in memory, so a menu tap needs no query to know its user.

Only profiles read unchanged from the database go in; any write to a user drops the entry, and
the next update reads the committed row again. Used in single-process mode only: with several
workers another process could change a user behind this cache's back.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.services.users import UserProfile


class ProfileCache:
    def __init__(self, capacity: int = 100_000) -> None:
        self.capacity = capacity
        self._data: OrderedDict[int, UserProfile] = OrderedDict()

    def get(self, telegram_id: int) -> UserProfile | None:
        profile = self._data.get(telegram_id)
        if profile is not None:
            self._data.move_to_end(telegram_id)
        return profile

    def put(self, telegram_id: int, profile: UserProfile) -> None:
        self._data[telegram_id] = profile
        self._data.move_to_end(telegram_id)
        if len(self._data) > self.capacity:
            self._data.popitem(last=False)

    def drop(self, telegram_id: int | None) -> None:
        if telegram_id is not None:
            self._data.pop(telegram_id, None)
