"""Every complaint app test has the sample offices and an admins' group."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.sandbox import BotApiServer
from bot.services.complaints.offices import load_sample_if_empty
from tests.harness.app import App, running_app
from tests.harness.clock import NOON_MONDAY, Clock

GROUP = -100555


@pytest.fixture
async def app(
    server: BotApiServer, engine: AsyncEngine, db_url: str, clock: Clock
) -> AsyncIterator[App]:
    async with running_app(
        server, engine, db_url, clock=clock, admin_chat_id=GROUP, outbox_group_per_minute=600
    ) as app:
        async with app.session_factory() as session:
            await load_sample_if_empty(session, NOON_MONDAY)
            await session.commit()
        yield app
