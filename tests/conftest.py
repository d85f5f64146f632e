"""Shared fixtures: databases (SQLite and PostgreSQL), the local Bot API server, the app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db.engine import create_engine, create_session_factory
from bot.services.points.ledger import check
from tests import db_backends

pytest_plugins = ["tests.harness.fixtures", "tests.harness.leaks"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return db_backends.make_sqlite_template(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    try:
        url = db_backends.create_postgres_database()
    except (OSError, TimeoutError) as exc:
        reason = f"PostgreSQL not reachable at {db_backends.POSTGRES_ADMIN_URL}: {exc!r}"
        if db_backends.REQUIRE_POSTGRES:
            pytest.fail(reason)
        pytest.skip(reason)
    yield url
    db_backends.drop_postgres_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return db_backends.sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path)
    url: str = request.getfixturevalue("postgres_url")
    await db_backends.truncate_all(url)
    return url


@pytest.fixture
async def engine(db_url: str, request: pytest.FixtureRequest) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(db_url)
    yield engine
    try:
        # `points check` after every DB test: whatever a test did, the books still balance.
        if "breaks_the_books" not in request.keywords:
            async with create_session_factory(engine)() as session:
                found = await check(session)
            assert found == [], f"points check fails after the test: {found}"
    finally:
        await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@pytest.fixture
async def session(
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    async with session_factory() as session:
        yield session
