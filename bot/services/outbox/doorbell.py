"""A process's doorbell: whoever queues a message rings it after the commit, and the sender in
this process looks at the queue at once instead of at its next poll. (Senders in other
processes find the row at their next poll, a second at most.)"""

from __future__ import annotations

from collections.abc import Callable


class Doorbell:
    def __init__(self) -> None:
        self._listeners: list[Callable[[], None]] = []

    def subscribe(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def ring(self) -> None:
        for listener in self._listeners:
            listener()

    async def ring_async(self) -> None:  # for after-commit callbacks
        self.ring()
