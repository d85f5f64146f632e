"""Free-text app tests have the shipped FAQ, the sample offices (a consultation is a case)
and an admins' group, as a real start has."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.sandbox import BotApiServer
from bot.services.complaints.offices import load_sample_if_empty
from tests.harness.app import TOKEN, App, running_app
from tests.harness.clock import NOON_MONDAY, Clock

GROUP = -100777


@pytest.fixture
async def app(
    server: BotApiServer, engine: AsyncEngine, db_url: str, clock: Clock
) -> AsyncIterator[App]:
    async with running_app(server, engine, db_url, clock=clock, admin_chat_id=GROUP) as app:
        server.bot(TOKEN).register_group(GROUP)
        async with app.session_factory() as session:
            await load_sample_if_empty(session, NOON_MONDAY)
            await session.commit()
        await app.kits["faq"].start()
        yield app
