"""`python -m bot points check` exits 0 on sound books and 1, naming the fault, on a broken
one (a CLI over a SQLite file; the invariants themselves are tested on both databases)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.__main__ import main
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade
from bot.db.points.models import AccountRow
from tests.harness.people import person
from tests.points.test_ledger import NOW, ledger


async def _books(url: str, break_them: bool) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    async with create_session_factory(engine)() as session:
        if break_them:  # an account's running sum no longer matches its transfers
            await session.execute(update(AccountRow).values(credits=AccountRow.credits + 5))
        else:
            user = await person(session, 4242)
            admin = await person(session, 4243)
            await ledger(session).grant(user, 40, "cli-test", admin, "送考志愿者", NOW)
        await session.commit()
    await engine.dispose()


def test_points_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                      capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    url = f"sqlite+aiosqlite:///{tmp_path / 'points.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    asyncio.run(_books(url, break_them=False))
    assert main(["points", "check"]) == 0
    assert "points check" in capsys.readouterr().out
    asyncio.run(_books(url, break_them=True))
    assert main(["points", "check"]) == 1
    out = capsys.readouterr().out
    assert "drift" in out and "violation" in out
