"""Every snap app test has the sample offices, an admins' group and its own files folder."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.sandbox import BotApiServer
from bot.services.complaints.offices import load_sample_if_empty
from tests.harness.app import App, running_app
from tests.harness.clock import NOON_MONDAY, Clock

GROUP = -100777


@pytest.fixture
async def app(
    server: BotApiServer, engine: AsyncEngine, db_url: str, clock: Clock, tmp_path: Path
) -> AsyncIterator[App]:
    async with running_app(
        server, engine, db_url, clock=clock, admin_chat_id=GROUP, outbox_group_per_minute=600,
        snap_files_dir=tmp_path / "files",
    ) as app:  # fmt: skip
        async with app.session_factory() as session:
            await load_sample_if_empty(session, NOON_MONDAY)
            await session.commit()
        yield app
