"""Each user's chosen language, kept in memory for code that runs before the DB is read."""

from __future__ import annotations

from collections import OrderedDict


class LocaleCache:
    def __init__(self, default: str, capacity: int = 200_000) -> None:
        self.default, self.capacity = default, capacity
        self._data: OrderedDict[int, str] = OrderedDict()

    def set(self, user_id: int, locale: str) -> None:
        self._data[user_id] = locale
        self._data.move_to_end(user_id)
        if len(self._data) > self.capacity:
            self._data.popitem(last=False)

    def get(self, user_id: int, telegram_hint: str | None = None) -> str:
        known = self._data.get(user_id)
        if known is not None:
            return known
        return "en" if (telegram_hint or "").startswith("en") else self.default
