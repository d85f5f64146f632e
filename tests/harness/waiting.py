"""Waiting on another process (a real bot, a sender) until something is so: polled, with a
deadline, since nothing in this process is told when it happens."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def until(check: Callable[[], Awaitable[T]], timeout: float = 60) -> T:  # noqa: ASYNC109
    """The first truthy result of `check`; fails the test after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        found = await check()
        if found:
            return found
        if loop.time() > deadline:
            raise AssertionError(f"not so within {timeout}s")
        await asyncio.sleep(0.05)
