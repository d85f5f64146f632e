"""Every checkup test's app has the sample providers and slots, on the shared clock."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.sandbox import BotApiServer
from tests.checkups.helpers import checkup_app
from tests.harness.app import App
from tests.harness.clock import Clock


@pytest.fixture
async def app(
    server: BotApiServer, engine: AsyncEngine, db_url: str, clock: Clock
) -> AsyncIterator[App]:
    async with checkup_app(server, engine, db_url, clock) as app:
        yield app
