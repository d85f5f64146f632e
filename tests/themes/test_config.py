"""THEME_NOTICE_TIME: a local HH:MM, 09:00 unless set; anything else fails at start."""

from __future__ import annotations

from datetime import time

import pytest

from bot.config import ConfigError, load_settings


def test_the_notice_time_defaults_to_nine_and_reads_hh_mm(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings(_env_file=None).theme_notice_at == time(9, 0)
    monkeypatch.setenv("THEME_NOTICE_TIME", "7:30")
    settings = load_settings(_env_file=None)
    assert settings.theme_notice_time == "07:30" and settings.theme_notice_at == time(7, 30)


@pytest.mark.parametrize("value", ["9", "24:00", "09:60", "nine", "09:00:00", ""])
def test_a_bad_notice_time_names_the_variable(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("THEME_NOTICE_TIME", value)
    with pytest.raises(ConfigError) as exc:
        load_settings(_env_file=None)
    assert str(exc.value).startswith("invalid THEME_NOTICE_TIME: expected a time HH:MM")
