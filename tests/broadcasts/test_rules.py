"""The compose rules on their own: lengths as Telegram counts them, {name} filled in and
escaped, link lines, typed times."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.services.broadcasts.compose import (
    NAME_ROOM,
    ComposeError,
    ComposeErrorCode,
    Link,
    check_text,
    fill_name,
    parse_links,
    parse_time,
    tomorrow_at_nine,
)
from bot.services.broadcasts.progress import RateMeter
from tests.harness import NOON_MONDAY, local

TZ = ZoneInfo("Asia/Shanghai")


def _code(call: object) -> ComposeErrorCode:
    with pytest.raises(ComposeError) as exc:
        call()  # type: ignore[operator]
    return exc.value.code


def test_lengths_count_what_telegram_shows() -> None:
    assert check_text("<b>" + "a" * 4096 + "</b>", photo=False)  # tags are not shown
    assert check_text("&lt;" * 4096, photo=False)  # an entity is one character
    assert _code(lambda: check_text("a" * 4097, photo=False)) is ComposeErrorCode.TOO_LONG
    assert _code(lambda: check_text("a" * 1025, photo=True)) is ComposeErrorCode.TOO_LONG
    assert _code(lambda: check_text("😀" * 2049, photo=False)) is ComposeErrorCode.TOO_LONG
    # Every {name} counts at its longest, so the filled-in text fits for every driver.
    room = 4096 - NAME_ROOM
    assert check_text("a" * room + "{name}", photo=False)
    assert _code(lambda: check_text("a" * (room + 1) + "{name}", photo=False)) is (
        ComposeErrorCode.TOO_LONG
    )
    assert _code(lambda: check_text("  <b> </b> ", photo=False)) is ComposeErrorCode.EMPTY
    assert _code(lambda: check_text("你好 {名字}", photo=False)) is ComposeErrorCode.PLACEHOLDER


def test_names_are_escaped_cut_and_never_missing() -> None:
    assert fill_name("<b>{name}</b>好", "<i>李</i> & Co", "司机朋友") == (
        "<b>&lt;i&gt;李&lt;/i&gt; &amp; Co</b>好"
    )
    assert fill_name('<a href="https://x.cn/?n={name}">{name}</a>', 'A"B', "x") == (
        '<a href="https://x.cn/?n=A&quot;B">A&quot;B</a>'
    )
    assert fill_name("{name}", None, "司机朋友") == "司机朋友"
    assert fill_name("{name}", "   ", "driver") == "driver"
    long = fill_name("{name}", "张" * 50, "x")
    assert len(long) == NAME_ROOM and long.endswith("…")


def test_link_lines() -> None:
    assert parse_links(" 地图 | https://map.example.cn/a?b=1 \n\n") == (
        Link("地图", "https://map.example.cn/a?b=1"),
    )
    for text, code in [
        ("no bar here", ComposeErrorCode.LINK_FORMAT),
        (" | https://a.example", ComposeErrorCode.LINK_LABEL),
        ("x | ftp://a.example", ComposeErrorCode.LINK_URL),
        ("x | https://localhost", ComposeErrorCode.LINK_URL),
        ("x | https://a b.example", ComposeErrorCode.LINK_URL),
        ("x | javascript:alert(1)", ComposeErrorCode.LINK_URL),
        ("\n".join(f"{i} | https://a.example/{i}" for i in range(4)),
         ComposeErrorCode.TOO_MANY_LINKS),
    ]:  # fmt: skip
        assert _code(lambda text=text: parse_links(text)) is code, text


def test_typed_times() -> None:
    assert parse_time("18:30", NOON_MONDAY, TZ) == local(23, 18, 30)
    assert parse_time("2026-11-25 08:05", NOON_MONDAY, TZ) == local(25, 8, 5)
    assert parse_time("18：30", NOON_MONDAY, TZ) == local(23, 18, 30)  # a full-width colon
    assert _code(lambda: parse_time("11:59", NOON_MONDAY, TZ)) is ComposeErrorCode.TIME_PAST
    assert _code(lambda: parse_time("2027-01-30 09:00", NOON_MONDAY, TZ)) is (
        ComposeErrorCode.TIME_FAR
    )
    for bad in ("25:00", "tomorrow", "2026-02-30 09:00"):
        assert _code(lambda bad=bad: parse_time(bad, NOON_MONDAY, TZ)) is (
            ComposeErrorCode.TIME_FORMAT
        )
    assert tomorrow_at_nine(NOON_MONDAY, TZ) == local(24, 9)


def test_the_rate_is_over_the_last_interval() -> None:
    meter = RateMeter()
    assert meter.observe(1, NOON_MONDAY, 0) is None
    assert meter.observe(1, NOON_MONDAY + timedelta(seconds=5), 100) == 20.0
    assert meter.observe(1, NOON_MONDAY + timedelta(seconds=5), 150) == 20.0  # same moment
    assert meter.observe(1, NOON_MONDAY + timedelta(seconds=10), 110) == 2.0
