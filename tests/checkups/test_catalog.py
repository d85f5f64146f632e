"""Checkup providers, services and templates in the database; the CLI; slot generation."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.checkups.models import CheckupProviderRow, SlotRow
from bot.services.checkups.catalog import SAMPLE_FILE, extend_slots
from knowledge.checkups.files import parse_checkups_yaml
from tests.checkups.helpers import load_sample
from tests.harness.cli import run_cli

TZ = ZoneInfo("Asia/Shanghai")
Factory = async_sessionmaker[AsyncSession]


async def _count(factory: Factory, model: type) -> int:
    async with factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_sample_loads_once_and_slots_move_forward(session_factory: Factory) -> None:
    counts = await load_sample(session_factory, date(2026, 11, 23), TZ)
    assert counts is not None and (counts.providers, counts.services) == (4, 5)
    first = await _count(session_factory, SlotRow)
    assert first == counts.slots_added > 100
    assert await load_sample(session_factory, date(2026, 11, 23), TZ) is None
    async with session_factory() as session:
        assert await extend_slots(session, date(2026, 11, 23), TZ) == 0  # nothing new
        added = await extend_slots(session, date(2026, 11, 24), TZ)  # a day later
        await session.commit()
    assert added > 0 and await _count(session_factory, SlotRow) == first + added
    async with session_factory() as session:
        starts = await session.scalars(select(SlotRow.starts_at))
        # Evening and weekend slots, never on the closed New Year dates.
        local = [s.astimezone(TZ) for s in starts]
        assert any(s.hour >= 18 for s in local) and any(s.weekday() >= 5 for s in local)
        assert not any(s.date() == date(2027, 2, 5) for s in local)


async def _cli(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return await run_cli(db_url, "checkups", *args)


async def test_cli_import_is_all_or_nothing(
    db_url: str, session_factory: Factory, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    text = SAMPLE_FILE.read_text("utf-8")
    bad.write_text(text.replace("capacity: 5", "capacity: 0", 1), "utf-8")
    result = await _cli(db_url, "import", str(bad))
    assert result.returncode == 1 and "nothing imported" in result.stderr
    assert "capacity" in result.stderr and ": line " in result.stderr
    assert await _count(session_factory, CheckupProviderRow) == 0

    good = tmp_path / "good.yaml"
    good.write_text(text, "utf-8")
    result = await _cli(db_url, "import", str(good))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("4 providers, 5 services, 10 slot templates;")
    again = await _cli(db_url, "import", str(good))
    assert again.stdout.strip().endswith("; 0 new slots")  # existing slots are kept

    out = tmp_path / "export.yaml"
    assert (await _cli(db_url, "export", str(out))).returncode == 0
    exported = parse_checkups_yaml(out.read_text("utf-8")).catalog
    original = parse_checkups_yaml(text).catalog
    assert exported is not None and original is not None
    assert set(exported.templates) == set(original.templates)
    assert set(exported.providers) == set(original.providers)


async def test_cli_refuses_a_nul_and_reads_gb18030(
    db_url: str, session_factory: Factory, tmp_path: Path
) -> None:
    text = SAMPLE_FILE.read_text("utf-8")
    bad = tmp_path / "nul.yaml"
    bad.write_text(
        text.replace("name: 自贡市第三人民医院", 'name: "自贡市\\0第三人民医院"'), "utf-8"
    )
    result = await _cli(db_url, "import", str(bad))
    assert result.returncode == 1, result.stderr
    line = text[: text.index("name: 自贡市第三人民医院")].count("\n") + 1
    assert result.stderr.splitlines() == [
        f"{bad}: line {line}: name contains a NUL character (U+0000)",
        "1 error(s); nothing imported",
    ]
    assert await _count(session_factory, CheckupProviderRow) == 0

    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes(text.encode("gb18030"))
    result = await _cli(db_url, "import", str(gbk))
    assert result.returncode == 0, result.stderr
    async with session_factory() as session:
        names = set(await session.scalars(select(CheckupProviderRow.name)))
    assert "自贡市第三人民医院" in names
