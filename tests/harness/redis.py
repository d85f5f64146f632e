"""Redis for the tests of the several-workers configuration: skipped with the reason when no
Redis answers, but a failure where CI requires it (WARMDRIVE_REQUIRE_REDIS=1, set by .ci/run)."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRE_REDIS = os.environ.get("WARMDRIVE_REQUIRE_REDIS") == "1"


async def reachable_redis(flush: bool = False) -> Any:
    """A client of the test Redis (the caller closes it), or a skip / failure saying why."""
    from redis import asyncio as redis_asyncio

    client = redis_asyncio.Redis.from_url(REDIS_URL)
    try:
        await asyncio.wait_for(client.flushdb() if flush else client.ping(), 3)
    except (OSError, TimeoutError, redis_asyncio.ConnectionError) as exc:
        await client.aclose()
        reason = f"Redis not reachable at {REDIS_URL}: {exc!r}"
        if REQUIRE_REDIS:
            pytest.fail(reason)
        pytest.skip(reason)
    return client
