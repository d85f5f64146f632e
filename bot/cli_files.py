"""What the import/export commands share: reading a file, a migrated session for one job."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade


def read_input(path: Path) -> str | None:
    """The file's text; None (after saying why on stderr) when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"cannot read {path}: {exc}", file=sys.stderr)
        return None


def write_output(path: Path, text: str) -> bool:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"cannot write {path}: {exc}", file=sys.stderr)
        return False
    return True


def report_errors(path: Path, errors: list[str]) -> int:
    for error in errors:
        print(f"{path}: {error}", file=sys.stderr)
    print(f"{len(errors)} error(s); nothing imported", file=sys.stderr)
    return 1


@asynccontextmanager
async def job_session(settings: Settings) -> AsyncIterator[AsyncSession]:
    """A session on an up-to-date database, for one command; the caller commits."""
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with create_session_factory(engine)() as session:
            yield session
    finally:
        await engine.dispose()
