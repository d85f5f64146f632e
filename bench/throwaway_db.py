"""A PostgreSQL database that lives for one benchmark run."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.db.engine import create_engine

DEFAULT_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


@asynccontextmanager
async def throwaway_postgres(admin_url: str, label: str) -> AsyncIterator[str | None]:
    """Yields the new database's URL, or None (said on stderr) when there is no server."""
    if not admin_url:
        yield None
        return
    name = f"warmdrive_bench_{label}_{int(time.time())}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await asyncio.wait_for(conn.execute(text(f'CREATE DATABASE "{name}"')), 10)
    except Exception as exc:  # no server: the caller benches SQLite only
        print(f"PostgreSQL skipped: {exc!r}", file=sys.stderr)
        await admin.dispose()
        yield None
        return
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        await admin.dispose()
