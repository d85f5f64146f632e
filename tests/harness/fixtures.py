"""The pytest fixtures every feature's tests share (the database ones are in tests/conftest.py):
the local Bot API server, the clock, the app."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.sandbox import BotApiServer
from tests.harness.app import App, running_app
from tests.harness.clock import Clock


@pytest.fixture
async def server() -> AsyncIterator[BotApiServer]:
    async with BotApiServer() as server:
        yield server


@pytest.fixture
def clock() -> Clock:
    """Monday noon in Shanghai until the test moves it (`clock.now = ...`)."""
    return Clock()


@pytest.fixture
async def app(
    server: BotApiServer, engine: AsyncEngine, db_url: str, clock: Clock
) -> AsyncIterator[App]:
    async with running_app(server, engine, db_url, clock) as app:
        yield app
