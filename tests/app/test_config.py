"""Configuration: good values load, bad ones fail at start with one line naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_and_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", "11, 22;33")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    monkeypatch.setenv("ADMIN_CHAT_ID", "")
    settings = load_settings(_env_file=None)
    assert settings.admin_ids == frozenset({11, 22, 33})
    assert settings.database_url == "postgresql+asyncpg://u@h/db"
    assert settings.admin_chat_id is None
    assert settings.timezone == "Asia/Shanghai" and settings.default_language == "zh"


@pytest.mark.parametrize(
    ("var", "value"),
    [
        ("ADMIN_IDS", "12,abc"),
        ("TIMEZONE", "Mars/Olympus"),
        ("DATABASE_URL", "mysql://localhost/x"),
        ("DEFAULT_LANGUAGE", "fr"),
        ("TELEGRAM_API_BASE", "ftp://x"),
        ("ADMIN_CHAT_ID", "admins"),
        ("THROTTLE_RATE", "0"),
        ("BOT_TOKEN", "abc"),
        ("REDIS_URL", "notaurl"),
        ("WEBHOOK_SECRET", "has spaces!"),
        ("WEBHOOK_LISTEN", "8080"),
    ],
)
def test_bad_value_names_variable(monkeypatch: pytest.MonkeyPatch, var: str, value: str) -> None:
    monkeypatch.setenv(var, value)
    with pytest.raises(ConfigError) as exc:
        load_settings(_env_file=None)
    assert str(exc.value).startswith(f"invalid {var}:")
    assert "\n" not in str(exc.value)


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_bad_config_is_one_clear_line(tmp_path: Path) -> None:
    result = _cli({"TIMEZONE": "Nowhere/Land", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "warmdrive: invalid TIMEZONE: unknown time zone (expected e.g. Asia/Shanghai)"
    ]
    assert "Traceback" not in result.stderr


def test_cli_migrate_creates_schema(tmp_path: Path) -> None:
    result = _cli({"DATABASE_URL": f"sqlite:///{tmp_path}/fresh.db"}, "migrate")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "fresh.db").exists()
