"""Every HTTP client session a test opens must be closed by the end of that test.

A forgotten aiohttp session is reported by its finaliser only when the garbage collector gets
to it, which is during some later test, and that test's protocol check then fails for nothing
it did. Recording the sessions as they are opened lets the test that leaked one fail instead.
"""

from __future__ import annotations

from collections.abc import Iterator

import aiohttp
import pytest

# Held strongly until the test's teardown: a forgotten session stays visible here instead of
# reaching the garbage collector in someone else's test.
_opened: list[aiohttp.ClientSession] = []
_kept: list[aiohttp.ClientSession] = []
_original_init = aiohttp.ClientSession.__init__


def _recording_init(self: aiohttp.ClientSession, *args: object, **kwargs: object) -> None:
    _original_init(self, *args, **kwargs)  # type: ignore[arg-type]
    _opened.append(self)


aiohttp.ClientSession.__init__ = _recording_init  # type: ignore[method-assign]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    result = yield
    left_open = [s for s in _opened if not s.closed]
    _opened.clear()
    _kept.extend(left_open)  # never collected: their finalisers would blame a later test
    if left_open:
        pytest.fail(f"{item.nodeid} left {len(left_open)} aiohttp session(s) open", pytrace=False)
    return result
