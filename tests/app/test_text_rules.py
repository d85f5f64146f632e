"""The one text rule (knowledge/text_rules.py): what may be stored, cleaning, CSV cells."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.db.stations.models import StationRow
from bot.db.users.models import User
from bot.sandbox import TgUser
from bot.services.users.profiles import ProfileError, normalise_city
from knowledge.text_rules import (
    clean_line,
    clean_text,
    from_spreadsheet,
    problem,
    scrub,
    to_spreadsheet,
)
from tests.harness import App, texts

BIDI = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("自贡\x00司机之家", "a NUL character (U+0000)"),
        ("名字\n第二行", "a line break (U+000A)"),
        ("a\rb", "a line break (U+000D)"),
        ("a\u2028b", "a line break (U+2028)"),
        ("a\tb", "a tab (U+0009)"),
        ("a\x07b", "a control character (U+0007)"),
        ("a\x9bb", "a control character (U+009B)"),  # C1
        ("a\ud800b", "a lone surrogate (U+D800)"),
        ("a\u200bb", "an invisible formatting character (U+200B)"),
        ("a\ufeffb", "an invisible formatting character (U+FEFF)"),
        ("a\u00adb", "an invisible formatting character (U+00AD)"),
        *((f"x{c}y", f"a bidirectional control (U+{ord(c):04X})") for c in BIDI),
    ],
)
def test_what_may_not_be_stored(value: str, expected: str) -> None:
    assert problem(value) == expected
    assert problem(scrub(value)) is None
    assert problem(clean_line(value)) is None


@pytest.mark.parametrize(
    "value",
    [
        "自贡汇东司机之家",
        "1元住宿　10元套餐",  # ideographic space
        "Café\u00a0Nord",  # no-break space
        "👨\u200d🔧 修车",  # ZWJ emoji sequence
        "می\u200cخواهم",  # ZWNJ (Persian)
        "☎\ufe0f",  # variation selector
        "\ue000",  # private use
        "=SUM(1) +86 -73.5 @x '",  # what matters in CSV only
    ],
)
def test_ordinary_text_is_kept(value: str) -> None:
    assert problem(value) is None
    assert scrub(value) == value


def test_multi_line_fields_keep_line_breaks() -> None:
    assert problem("1. 禁食\n2. 带身份证", multiline=True) is None
    assert problem("a\r\nb", multiline=True) is None
    assert problem("a\n\u202eb", multiline=True) == "a bidirectional control (U+202E)"
    assert problem("a\tb", multiline=True) == "a tab (U+0009)"
    assert clean_text(" 1. 禁食  \r\n\r\n\r\n\n2.\t带\x00身份证\u2028 ") == "1. 禁食\n\n2. 带身份证"
    assert scrub("a\r\nb\u2029c", multiline=True) == "a\nb\nc"


def test_typed_text_is_cleaned() -> None:
    assert clean_line("  温\u200b州\n市区\t\t北  ") == "温州 市区 北"
    assert clean_line("\u202egpj.exe") == "gpj.exe"
    assert clean_line("\x00\x01") == ""
    assert clean_line("Cafe\u0301") == "Café"  # NFC: decomposed é as typed on some phones
    assert len(clean_line("Cafe\u0301")) == 4


def test_scrub_only_removes() -> None:
    assert scrub("a\x00b\u202ec") == "abc"
    assert scrub("a\r\n\nb") == "a b"
    assert scrub("Cafe\u0301") == "Cafe\u0301"  # no NFC: the database never sees it grow
    for value in ("x" * 80, "\u0958" * 80, "a\n\n\n" * 20):
        assert len(scrub(value)) <= len(value)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=SUM(1)", "'=SUM(1)"),
        ("+86 138 0013 8000", "'+86 138 0013 8000"),
        ("-5 元", "'-5 元"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("'=SUM(1)", "''=SUM(1)"),  # already quoted once: one more, so it comes back as is
        ("'s Hertogenbosch", "'s Hertogenbosch"),
        ("自贡", "自贡"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_spreadsheet_cells_round_trip(value: str, cell: str) -> None:
    assert to_spreadsheet(value) == cell
    assert from_spreadsheet(cell) == value


def test_unquoted_cells_read_as_written() -> None:
    # A hand-written file, or one a spreadsheet saved without the quote.
    for value in ("=SUM(1)", "+86 138 0013 8000", "-73.5", "@x", "'s Hertogenbosch", "'"):
        assert from_spreadsheet(value) == value


async def test_database_never_stores_what_the_rule_forbids(session: AsyncSession) -> None:
    # Straight through the ORM and Core, past every import check: PostgreSQL would refuse
    # the NUL with an error ("invalid byte sequence for encoding UTF8: 0x00").
    session.add(
        StationRow(
            id="s", name="自贡\x00司机\u202e之家", kind="station", city="自\n贡",
            lat=29.0, lon=104.0, note="1元住宿\r\n10元\x00套餐\u2066",
        )
    )  # fmt: skip
    session.add(User(telegram_id=1, display_name="张\u202e师傅\x00", city="\x00温州"))
    await session.commit()
    await session.execute(update(StationRow).values(address="汇东\x00路\u200b"))
    await session.commit()
    session.expunge_all()  # read what the database holds, not the objects in memory

    station = (await session.scalars(select(StationRow))).one()
    assert (station.name, station.city, station.address) == ("自贡司机之家", "自 贡", "汇东路")
    assert station.note == "1元住宿\n10元套餐"  # a multi-line column keeps its lines
    user = (await session.scalars(select(User))).one()
    assert (user.display_name, user.city) == ("张师傅", "温州")
    # A bound comparison is cleaned too, so a lookup with a NUL is no error either.
    found = await session.scalars(
        select(StationRow.id).where(StationRow.name == "自贡司机之家\x00")
    )
    assert found.all() == ["s"]


async def test_a_hidden_character_in_a_telegram_name_costs_no_writes(
    app: App, engine: AsyncEngine
) -> None:
    user = TgUser(4242, "张\u202e师傅", last_name="\u200b")
    await app.onboard(user)
    row = await app.user_row(user.id)
    assert row is not None and row.display_name == "张师傅"

    writes: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE USERS"):
            writes.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:  # the stored name is the name as cleaned, so nothing looks changed
        for _ in range(3):
            assert texts(await app.text(user, "⭐ 我的积分"))
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    assert writes == []


def test_typed_city_is_cleaned_before_it_is_matched() -> None:
    assert normalise_city("温\u200b州") == "温州"
    assert normalise_city("\u202e新津镇\n北") == "新津镇 北"
    with pytest.raises(ProfileError):
        normalise_city("\u202e\u200b x")
