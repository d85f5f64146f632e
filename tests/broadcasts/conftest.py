"""Broadcast tests' app: reports written under the test's directory, and an outbox sender
that stands still (the harness drains it after every update), so a test reads the rows as
queued and moves them itself; `deliver(app)` runs the real sender (the end-to-end test)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.outbox.sender import Sender
from bot.sandbox import BotApiServer
from tests.harness import App, Clock, running_app


async def _idle(now: object = None) -> int:
    return 0


@pytest.fixture
async def app(
    server: BotApiServer, engine: AsyncEngine, db_url: str, clock: Clock, tmp_path: Path
) -> AsyncIterator[App]:
    async with running_app(server, engine, db_url, clock, data_dir=tmp_path) as app:
        app.sender.drain = _idle  # type: ignore[method-assign]
        yield app


async def deliver(app: App) -> int:
    """The real outbox sender: everything due now goes out."""
    return await Sender.drain(app.sender)
