"""The task form's typed answers: the time window, counts and texts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from knowledge.tasks.form import (
    PLACES_RANGE,
    FormError,
    FormErrorCode,
    clean_text,
    parse_count,
    parse_window,
)  # fmt: skip
from tests.tasks.helpers import TZ

NOW = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)  # 2026-12-02 12:00 in Shanghai


@pytest.mark.parametrize(
    "typed",
    [
        "12-20 09:00-12:00",
        "12/20 9:00~12:00",
        "12月20日 09:00-12:00",
        "2026-12-20 09:00 - 12:00",
        "12-20 09：00-12：00",
    ],
)
def test_a_window_in_its_usual_spellings(typed: str) -> None:
    window = parse_window(typed, NOW, TZ)
    assert window.starts_at == datetime(2026, 12, 20, 1, 0, tzinfo=UTC)
    assert window.ends_at == datetime(2026, 12, 20, 4, 0, tzinfo=UTC)


def test_early_next_year_without_a_year() -> None:
    assert parse_window("01-05 09:00-10:00", NOW, TZ).starts_at.year == 2027


@pytest.mark.parametrize(("typed", "code"), [
    ("tomorrow", FormErrorCode.WINDOW_FORMAT),
    ("02-30 09:00-10:00", FormErrorCode.WINDOW_FORMAT),
    ("12-20 25:00-26:00", FormErrorCode.WINDOW_FORMAT),
    ("12-20 12:00-09:00", FormErrorCode.WINDOW_ORDER),
    ("12-20 09:00-09:00", FormErrorCode.WINDOW_ORDER),
    ("12-02 11:00-13:00", FormErrorCode.WINDOW_PAST),  # started an hour ago
    ("12-01 09:00-10:00", FormErrorCode.WINDOW_PAST),  # yesterday: a slip, not next year
])  # fmt: skip
def test_bad_windows(typed: str, code: FormErrorCode) -> None:
    with pytest.raises(FormError) as caught:
        parse_window(typed, NOW, TZ)
    assert caught.value.code is code


def test_counts_and_texts() -> None:
    assert parse_count(" 7 ", PLACES_RANGE) == 7
    for bad, code in (
        ("0", FormErrorCode.OUT_OF_RANGE),
        ("101", FormErrorCode.OUT_OF_RANGE),
        ("-1", FormErrorCode.NOT_A_NUMBER),
        ("2.5", FormErrorCode.NOT_A_NUMBER),
    ):
        with pytest.raises(FormError) as caught:
            parse_count(bad, PLACES_RANGE)
        assert caught.value.code is code
    assert clean_text("  标题 ", 10) == "标题"
    with pytest.raises(FormError):
        clean_text("   ", 10)
    with pytest.raises(FormError):
        clean_text("x" * 11, 10)
