"""Engine and session factory. Created by the app factory, never at import time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.db.write_tracking import TrackedSession


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers run beside the writer; NORMAL sync is durable at checkpoints and fast.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Under a burst of writers SQLite picks the next lock holder unfairly: wait rather than fail.
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _begin_before_savepoint(conn: Connection, name: str) -> None:
    """SQLite's driver opens a transaction only before a write; a SAVEPOINT issued first then
    opens one of its own, and releasing it would commit the update's work half-way (nothing
    could undo it later). So a savepoint that would come first gets a real BEGIN before it:
    reads still run outside a transaction (no write lock held while a handler waits for
    Telegram), and a savepoint undoes only its own statements, as on PostgreSQL."""
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None  # a live connection is executing
    driver = getattr(dbapi, "_connection", dbapi)  # aiosqlite's connection, or pysqlite's
    if not driver.in_transaction:
        conn.exec_driver_sql("BEGIN")


def create_engine(database_url: str, **kwargs: Any) -> AsyncEngine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "savepoint", _begin_before_savepoint)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        engine, expire_on_commit=False, autoflush=False, sync_session_class=TrackedSession
    )
