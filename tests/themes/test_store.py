"""Themes in the database: import → export → import, a re-import that keeps what was sent,
the sample on a first run, and the CLI (all or nothing)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli.themes import export_file, import_file
from bot.config import Settings
from bot.db.themes.models import ActivityRow, ThemeRow
from bot.services.themes.catalog import load_sample_if_empty, load_themes, store_themes
from knowledge.themes.files import dump_themes_yaml, parse_themes_yaml
from knowledge.themes.programme import Theme
from tests.themes.helpers import THEMES, at
from tests.themes.test_files import SAMPLE

Factory = async_sessionmaker[AsyncSession]
ROOT = Path(__file__).resolve().parents[2]


def _themes(text: str = THEMES) -> tuple[Theme, ...]:
    result = parse_themes_yaml(text)
    assert result.themes is not None, result.errors
    return result.themes


async def _store(factory: Factory, text: str = THEMES, is_sample: bool = False) -> None:
    async with factory() as session:
        await store_themes(session, _themes(text), is_sample=is_sample)
        await session.commit()


async def _load(factory: Factory) -> tuple[Theme, ...]:
    async with factory() as session:
        return await load_themes(session)


async def _activities(factory: Factory) -> dict[str, ActivityRow]:
    async with factory() as session:
        return {row.key: row for row in await session.scalars(select(ActivityRow))}


async def test_import_export_import_gives_the_same_themes(session_factory: Factory) -> None:
    await _store(session_factory)
    exported = dump_themes_yaml(await _load(session_factory))
    assert await _load(session_factory) == _themes()
    await _store(session_factory, exported)
    assert await _load(session_factory) == _themes()
    assert dump_themes_yaml(await _load(session_factory)) == exported


async def test_a_reimport_updates_by_key_and_keeps_what_was_sent(session_factory: Factory) -> None:
    await _store(session_factory)
    sent = at(2027, 3, 1, 9)
    async with session_factory() as session:
        await session.execute(update(ThemeRow).values(announced_at=sent))
        await session.execute(update(ActivityRow).values(reminded_at=sent))
        await session.commit()
    before = await _activities(session_factory)
    changed = (
        THEMES.replace("应急救援实操课", "急救实操课")  # retitled: the same activity
        .replace("date: 2027-03-09", "date: 2027-03-10")  # moved: its reminder is news again
        .replace("平安行车月", "安全行车月")
    )
    cut = changed.index("      - key: online-course")  # dropped from March
    changed = changed[:cut] + changed[changed.index("  - month: 2027-04") :]
    await _store(session_factory, changed)
    after = await _activities(session_factory)
    assert set(after) == {"ls-hazard-walk", "zg-first-aid", "wz-etc"}
    aid = after["zg-first-aid"]
    assert aid.id == before["zg-first-aid"].id and aid.title_zh == "急救实操课"
    assert aid.reminded_at == sent
    walk = after["ls-hazard-walk"]
    assert walk.day == date(2027, 3, 10) and walk.reminded_at is None
    async with session_factory() as session:
        march = await session.get(ThemeRow, "2027-03")
        assert march is not None and march.title_zh == "安全行车月"
        assert march.announced_at == sent


async def test_months_left_out_of_a_file_stay(session_factory: Factory) -> None:
    await _store(session_factory)
    april_only = "themes:\n" + THEMES[THEMES.index("  - month: 2027-04") :]
    await _store(session_factory, april_only.replace("便民服务月", "办事月"))
    themes = {t.month: t for t in await _load(session_factory)}
    assert set(themes) == {"2027-03", "2027-04"} and themes["2027-04"].title_zh == "办事月"
    assert len(themes["2027-03"].activities) == 3


async def test_the_sample_loads_once_and_a_real_import_replaces_it(
    session_factory: Factory,
) -> None:
    async with session_factory() as session:
        counts = await load_sample_if_empty(session)
        await session.commit()
    assert counts is not None and counts.themes == 13 and counts.activities >= 13
    async with session_factory() as session:
        assert await load_sample_if_empty(session) is None  # not empty any more
        rows = list(await session.scalars(select(ThemeRow)))
    assert len(rows) == 13 and all(row.is_sample for row in rows)
    assert await _load(session_factory) == _themes(SAMPLE.read_text(encoding="utf-8"))

    await _store(session_factory)  # the first real file: the sample is gone
    assert [t.month for t in await _load(session_factory)] == ["2027-03", "2027-04"]
    async with session_factory() as session:
        assert not any(row.is_sample for row in await session.scalars(select(ThemeRow)))


# --- the command line (a SQLite file of its own: the commands run their own event loop) -------


def _settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/cli.sqlite3", _env_file=None)


def test_cli_import_is_all_or_nothing_and_export_round_trips(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(tmp_path)
    bad = tmp_path / "bad.yaml"
    bad.write_text(THEMES.replace("city: 自贡", "city: 火星"), encoding="utf-8")
    assert import_file(settings, bad) == 1
    err = capsys.readouterr().err
    assert f"{bad}: line 21: unknown city '火星'" in err and "1 error(s); nothing imported" in err
    out = tmp_path / "out.yaml"
    assert export_file(settings, out) == 0
    assert out.read_text(encoding="utf-8") == "themes: []\n"  # nothing was stored

    good = tmp_path / "good.yaml"
    good.write_bytes(THEMES.encode("gb18030"))  # what a Chinese PC saves
    assert import_file(settings, good) == 0
    assert "2 themes, 4 activities" in capsys.readouterr().out
    assert export_file(settings, out) == 0
    assert parse_themes_yaml(out.read_text(encoding="utf-8")).themes == _themes()
    assert import_file(settings, out) == 0


def test_the_command_is_declared(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/cmd.sqlite3", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "themes", "import", str(SAMPLE)],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "13 themes" in done.stdout
