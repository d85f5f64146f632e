"""Test databases: every DB test runs on SQLite and on PostgreSQL.

SQLite: each test gets a copy of a file migrated once per session.
PostgreSQL: one throw-away database per session (migrated once), tables emptied per test.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.db.engine import create_engine
from bot.db.migrate import upgrade
from bot.db.schema import metadata

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
# CI sets this so a missing PostgreSQL fails the run instead of skipping half of it.
REQUIRE_POSTGRES = os.environ.get("WARMDRIVE_REQUIRE_POSTGRES") == "1"

T = TypeVar("T")


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code, even inside a running loop (own thread)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def make_sqlite_template(directory: Path) -> Path:
    path = directory / "template.sqlite3"
    _run(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


def sqlite_copy(template: Path, directory: Path) -> str:
    path = directory / "test.sqlite3"
    shutil.copy(template, path)
    return f"sqlite+aiosqlite:///{path}"


async def _admin_execute(statement: str) -> None:
    engine = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


def create_postgres_database() -> str:
    """Create and migrate a fresh database; raises OSError when no server answers."""
    name = f"warmdrive_test_{uuid.uuid4().hex[:12]}"
    _run(asyncio.wait_for(_admin_execute(f'CREATE DATABASE "{name}"'), timeout=10))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    _run(_migrate(url))
    return url


def drop_postgres_database(url: str) -> None:
    name = make_url(url).database
    _run(_admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def truncate_all(url: str) -> None:
    tables = ", ".join(f'"{t.name}"' for t in metadata().sorted_tables)
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()
