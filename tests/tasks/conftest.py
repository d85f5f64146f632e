"""Every task app test has an admins' group."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.sandbox import BotApiServer
from tests.harness.app import App, running_app
from tests.harness.clock import Clock

GROUP = -100888


@pytest.fixture
async def app(
    server: BotApiServer, engine: AsyncEngine, db_url: str, clock: Clock
) -> AsyncIterator[App]:
    async with running_app(
        server, engine, db_url, clock=clock, admin_chat_id=GROUP, outbox_group_per_minute=600
    ) as app:
        yield app
