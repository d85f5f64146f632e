"""`python -m bot stations import/export` against both databases, and what the bot sees."""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli.files import Undecodable, decode_text
from bot.db.stations.repository import StationRepository
from bot.i18n import create_i18n
from bot.services.stations.service import StationCatalog, StationService, load_sample_if_empty
from handlers.stations.texts import hours_text, open_state_text
from knowledge.stations.files import CSV_COLUMNS, parse_csv, parse_geojson
from tests.harness.cli import run_cli

ROOT = Path(__file__).resolve().parents[2]
HEADER = ",".join(CSV_COLUMNS)
ROW_A = "real-a,自贡汇东司机之家,driver_home,自贡,自流井区,汇东路,29.35,104.78,,24/7,shower,,open"
ROW_B = "real-b,贡井驿站,station,自贡,贡井区,,29.35,104.71,,Mo-Su 08:00-20:00,water,,open"


def _cli_process(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": db_url}
    env.pop("BOT_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", "stations", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


async def _cli(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return await run_cli(db_url, "stations", *args)


async def test_import_is_all_or_nothing_and_counts(
    db_url: str, session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    async with session_factory() as session:
        assert await load_sample_if_empty(session) > 10
        await session.commit()
    catalog = StationCatalog(session_factory)
    await catalog.refresh()
    samples = len(catalog.index)

    bad = tmp_path / "bad.csv"
    bad.write_text(f"{HEADER}\n{ROW_A}\nreal-c,,station,自贡,,,29,104,,,,,open\n", "utf-8")
    result = await _cli(db_url, "import", str(bad))
    assert result.returncode == 1
    assert "bad.csv: line 3: missing name" in result.stderr
    assert "nothing imported" in result.stderr
    async with session_factory() as session:
        assert await StationRepository(session).get("real-a") is None  # not even the good row

    good = tmp_path / "good.csv"
    good.write_text(f"{HEADER}\n{ROW_A}\n{ROW_B}\n", "utf-8")
    result = await _cli(db_url, "import", str(good))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "added 2, updated 0, unchanged 0",
        f"removed {samples} sample stations (illustrative data)",
    ]
    good.write_text(f"{HEADER}\n{ROW_A.replace('汇东路', '汇东路8号')}\n{ROW_B}\n", "utf-8")
    assert (
        await _cli(db_url, "import", str(good))
    ).stdout.strip() == "added 0, updated 1, unchanged 1"

    # A running bot picks the change up (the scheduler calls refresh()).
    assert await catalog.refresh() is True
    assert sorted(catalog.index.by_id) == ["real-a", "real-b"]
    assert await catalog.refresh() is False  # nothing changed since

    out = tmp_path / "all.geojson"
    assert (await _cli(db_url, "export", str(out))).returncode == 0
    exported = parse_geojson(out.read_text("utf-8"))
    assert exported.ok and {s.id for s in exported.stations} == {"real-a", "real-b"}


@pytest.mark.parametrize(
    ("hours", "now", "expected"),
    [
        ("Mo-Su 22:00-06:00", "2026-11-23T23:00:00+08:00", "🟢 营业中，明天 06:00 关门"),
        ("Mo-Su 22:00-06:00", "2026-11-24T01:00:00+08:00", "🟢 营业中，06:00 关门"),
        ("Mo-Su 22:00-06:00", "2026-11-23T12:00:00+08:00", "🔴 已关门，22:00 开门"),
        ("Mo-Su 08:00-20:00", "2026-11-23T21:00:00+08:00", "🔴 已关门，明天 08:00 开门"),
        ("Mo-Fr 08:00-18:00", "2026-11-28T10:00:00+08:00", "🔴 已关门，周一 08:00 开门"),
        ("Mo 08:00-09:00", "2026-11-23T10:00:00+08:00", "🔴 已关门，11月30日 08:00 开门"),
        ("24/7", "2026-11-23T03:00:00+08:00", "🟢 24 小时营业"),
        ("", "2026-11-23T03:00:00+08:00", "❔ 营业时间未知"),
    ],
)
def test_open_state_wording(hours: str, now: str, expected: str) -> None:
    from knowledge.stations.station import Station, StationKind

    station = Station(
        id="t", name="t", kind=StationKind.STATION, city="", district="", address="",
        lat=29.0, lon=104.0, phone="", opening_hours=hours, services=frozenset(), note="",
    )  # fmt: skip
    at = datetime.fromisoformat(now)
    view = StationService(None, None).view(station, None, at)  # type: ignore[arg-type]
    i18n = create_i18n("zh")
    with i18n.context(), i18n.use_locale("zh"):
        assert open_state_text(view, at.astimezone(ZoneInfo("Asia/Shanghai"))) == expected
        assert hours_text("Mo-Fr 08:30-12:00,14:30-17:30; PH off") == (
            "周一至周五 08:30-12:00、14:30-17:30；节假日 休息"
        )


# --- hostile or foreign files (issue 9, item 18) -------------------------------------------


def _row(**changes: str) -> str:
    fields = dict(zip(CSV_COLUMNS, ROW_A.split(","), strict=True))
    fields.update(changes)
    return ",".join(f'"{v}"' if any(c in v for c in ',"\n') else v for v in fields.values())


async def test_control_characters_are_refused_on_both_databases(
    db_url: str, session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    rows = [
        _row(id="nul", name="自贡\x00司机之家"),  # line 2
        _row(id="rlo", city="自贡\u202e"),  # line 3
        _row(id="nl", name="两行\n名字"),  # lines 4-5: reported where the record starts
        _row(id="zw", address="汇东\u200b路"),  # line 6
        _row(id="tab", phone="0813\t1"),  # line 7
        _row(id="note", note="1元住宿\n10元套餐"),  # line 8: a note may have lines
        _row(id="svc", services="shower;\x00"),  # line 10
    ]
    bad.write_text("\n".join([HEADER, *rows]) + "\n", "utf-8")
    result = await _cli(db_url, "import", str(bad))
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [
        f"{bad}: line 2: name contains a NUL character (U+0000)",
        f"{bad}: line 3: city contains a bidirectional control (U+202E)",
        f"{bad}: line 4: name contains a line break (U+000A)",
        f"{bad}: line 6: address contains an invisible formatting character (U+200B)",
        f"{bad}: line 7: phone contains a tab (U+0009)",
        f"{bad}: line 10: services contains a NUL character (U+0000)",
        "6 error(s); nothing imported",
    ]
    async with session_factory() as session:
        assert await StationRepository(session).count() == 0

    good = tmp_path / "good.csv"
    good.write_text(f"{HEADER}\n{rows[5]}\n", "utf-8")
    assert (await _cli(db_url, "import", str(good))).returncode == 0
    async with session_factory() as session:
        stored = await StationRepository(session).get("note")
        assert stored is not None and stored.note == "1元住宿\n10元套餐"


def test_geojson_escapes_are_checked_too() -> None:
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [104.78, 29.35]},
        "properties": {"id": "a", "name": "x", "address": "PLACEHOLDER"},
    }
    text = json.dumps({"type": "FeatureCollection", "features": [feature]})
    for escape, problem in [
        ("\\u0000", "a NUL character (U+0000)"),
        ("\\ud800", "a lone surrogate (U+D800)"),  # no database can store one
        ("\\u2066", "a bidirectional control (U+2066)"),
    ]:
        result = parse_geojson(text.replace("PLACEHOLDER", escape))
        assert result.errors == [f"feature 1: address contains {problem}"]


def test_deep_nesting_is_an_error_not_a_traceback() -> None:
    assert parse_geojson("[" * 100_000).errors == ["not valid JSON: nested too deeply"]


def test_oversized_field_is_a_line_error_not_a_traceback() -> None:
    huge = _row(note="x" * 200_000)
    result = parse_csv(f"{HEADER}\n{ROW_B}\n{huge}\n")
    assert result.errors == ["line 3: field larger than field limit (131072)"]


async def test_gb18030_and_utf16_files_import(
    db_url: str, session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    # What Excel writes on a Chinese PC: "CSV" in GBK (GB18030 is its superset), and
    # "Unicode text": UTF-16 with a byte order mark, tab-separated.
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(f"{HEADER}\r\n{ROW_A}\r\n".encode("gb18030"))
    result = await _cli(db_url, "import", str(gbk))
    assert result.returncode == 0, result.stderr
    tabs = tmp_path / "unicode.txt"
    tabs.write_bytes(f"{HEADER}\n{ROW_B}\n".replace(",", "\t").encode("utf-16"))
    result = await _cli(db_url, "import", str(tabs))
    assert result.returncode == 0, result.stderr
    async with session_factory() as session:
        repo = StationRepository(session)
        a, b = await repo.get("real-a"), await repo.get("real-b")
        assert a is not None and (a.name, a.address) == ("自贡汇东司机之家", "汇东路")
        assert b is not None and (b.name, b.opening_hours) == ("贡井驿站", "Mo-Su 08:00-20:00")


def test_undecodable_file_says_how_to_save_it(tmp_path: Path) -> None:
    bad = tmp_path / "latin.csv"
    bad.write_bytes(f"{HEADER}\n".encode() + b"a1,Caf\xe9 \xff,station,,,,29,104,,,,,open\n")
    result = _cli_process(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}", "import", str(bad))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"cannot read {bad}: not UTF-8 or GB18030 text; in Excel use Save As → CSV UTF-8"
    ]


def test_decoding_is_plain_and_deterministic() -> None:
    text = f"{HEADER}\n{ROW_A}\n"
    for data in (
        text.encode(),
        codecs.BOM_UTF8 + text.encode(),
        text.replace("\n", "\r\n").encode("gb18030"),
        text.encode("gbk"),
        text.encode("utf-16"),
        codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
    ):
        assert decode_text(data) == text
    # One stray byte in a UTF-8 file: said where, never read as GB18030 mojibake.
    broken = text.encode().replace("汇东路".encode(), b"\xe9")
    with pytest.raises(Undecodable) as exc:
        decode_text(broken)
    assert str(exc.value) == "not valid UTF-8: line 2 has the byte 0xE9"
    with pytest.raises(Undecodable, match="UTF-16"):
        decode_text(codecs.BOM_UTF16_LE + b"\x00\xd8")  # a lone surrogate


async def test_export_escapes_formulas_and_reimports_the_same(
    db_url: str, session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    tricky = _row(
        id="tricky", name="=SUM(1)", city="@x", district="-东区", address="''=已引用",
        lon="-73.5", phone="+86 138 0013 8000", note="-5 元\n=第二行",
    )  # fmt: skip
    source = tmp_path / "in.csv"
    source.write_text(f"{HEADER}\n{tricky}\n{ROW_B}\n", "utf-8")
    assert (await _cli(db_url, "import", str(source))).returncode == 0
    async with session_factory() as session:
        before = await StationRepository(session).all()
    assert before[1].address == "'=已引用"  # the file's own quote was taken off, as on export

    out = tmp_path / "out.csv"
    assert (await _cli(db_url, "export", str(out))).returncode == 0
    exported = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    cells = next(row for row in exported if row["id"] == "tricky")
    assert (cells["name"], cells["city"], cells["district"], cells["address"]) == (
        "'=SUM(1)", "'@x", "'-东区", "''=已引用",
    )  # fmt: skip
    assert (cells["phone"], cells["lon"]) == ("'+86 138 0013 8000", "-73.500000")  # a number
    assert cells["note"].startswith("'-5 元")  # the cell starts the formula, not its lines
    for cell in cells.values():
        assert cell[:1] not in ("=", "+", "@") and (cell[:1] != "-" or cell == cells["lon"])

    assert (
        await _cli(db_url, "import", str(out))
    ).stdout.strip() == "added 0, updated 0, unchanged 2"
    async with session_factory() as session:
        assert await StationRepository(session).all() == before
    assert parse_csv(out.read_text("utf-8")).stations == before
