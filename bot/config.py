"""Settings from the environment and an optional `.env` file (pydantic-settings)."""

from __future__ import annotations

import re
from datetime import time
from functools import cached_property
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SUPPORTED_LANGUAGES = ("zh", "en")
_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts as a secret_token
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
TELEGRAM_API_DEFAULT = "https://api.telegram.org"


class ConfigError(Exception):
    """A configuration value is invalid; the message is one line naming the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    bot_token: SecretStr | None = None
    database_url: str = "sqlite+aiosqlite:///./data/warmdrive.sqlite3"
    telegram_api_base: str = TELEGRAM_API_DEFAULT
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    admin_chat_id: int | None = None
    timezone: str = "Asia/Shanghai"
    default_language: str = "zh"
    redis_url: str | None = None
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1:8080"
    # Offline sandbox (no BOT_TOKEN, or --sandbox): where the web chat and local Bot API listen.
    sandbox_listen: str = "127.0.0.1:8080"
    # Polling: how many updates are handled at once; same-chat updates are serialised anyway.
    tasks_concurrency_limit: int = Field(default=64, ge=1, le=10_000)
    # Per-user flood control: at most `throttle_rate` updates per `throttle_period` seconds.
    throttle_rate: int = Field(default=10, ge=1)
    throttle_period: float = Field(default=5.0, gt=0)
    log_level: str = "INFO"
    # Shown when a late cancel is refused and the provider has no phone of its own.
    booking_help_phone: str = ""
    # When the theme of the month is announced on the 1st, local time in TIMEZONE (HH:MM).
    theme_notice_time: str = "09:00"
    # Files the bot writes for admins (a broadcast's CSV of failures), under this directory.
    data_dir: Path = Path("data")
    # 随手拍 photos (knowledge/snaps/photos.py): stored under `snap_files_dir` (default:
    # data_dir/files) by `snap_photo_pattern`; a photo over `snap_max_photo_mb` is refused.
    snap_files_dir: Path | None = None
    snap_photo_pattern: str = "snaps/{year}/{month:02d}/{report}-{n}.jpg"
    snap_max_photo_mb: float = Field(default=10.0, gt=0, le=20)
    # Open311 GeoReport v2 (read side): beside the webhook server, else on this address
    # (HOST:PORT; empty: not served in polling mode). The sandbox serves it on its own port.
    open311_listen: str | None = None
    # The outbox sender (bot/outbox/sender.py): Telegram allows about 30 messages/s in bulk,
    # one per second to a chat and 20 per minute to a group.
    # Points (bot/services/points/ledger.py): for a verified snap report, the bonus for
    # someone's first, and what reports may earn one person in a calendar month (0: no cap).
    points_per_report: int = Field(default=10, ge=0, le=10_000)
    points_first_report_bonus: int = Field(default=20, ge=0, le=10_000)
    points_monthly_cap: int = Field(default=200, ge=0, le=1_000_000)
    outbox_rate: float = Field(default=25.0, gt=0, le=10_000)
    outbox_private_interval: float = Field(default=1.0, ge=0, le=60)
    outbox_group_per_minute: int = Field(default=20, ge=1, le=600)
    outbox_batch: int = Field(default=100, ge=1, le=5_000)  # at most this many can go twice
    outbox_concurrency: int = Field(default=8, ge=1, le=256)
    outbox_lease: float = Field(default=60.0, gt=0)  # seconds before a dead sender's rows return
    outbox_max_attempts: int = Field(default=10, ge=1, le=100)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError:
                raise ValueError("expected comma-separated numeric Telegram user ids") from None
        return value

    @field_validator("bot_token", mode="before")
    @classmethod
    def _check_token(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not _TOKEN.match(value):
            raise ValueError("expected a token like 123456789:AA... from @BotFather")
        return value

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _check_secret(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not _SECRET.match(value):
            raise ValueError("expected 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("expected a redis://, rediss:// or unix:// URL")
        return value

    @field_validator(
        "admin_chat_id",
        "redis_url",
        "webhook_url",
        "open311_listen",
        "snap_files_dir",
        mode="before",
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        if value.startswith("sqlite:"):
            value = "sqlite+aiosqlite:" + value[len("sqlite:") :]
        elif value.startswith(("postgresql:", "postgres:")):
            value = "postgresql+asyncpg:" + value.split(":", 1)[1]
        if not value.startswith(("sqlite+aiosqlite:", "postgresql+asyncpg:")):
            raise ValueError("expected a sqlite:/// or postgresql:// URL")
        return value

    @field_validator("telegram_api_base", "webhook_url")
    @classmethod
    def _check_http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown time zone (expected e.g. Asia/Shanghai)") from None
        return value

    @field_validator("default_language")
    @classmethod
    def _check_language(cls, value: str) -> str:
        if value not in SUPPORTED_LANGUAGES:
            raise ValueError(f"expected one of {', '.join(SUPPORTED_LANGUAGES)}")
        return value

    @field_validator("webhook_listen", "sandbox_listen")
    @classmethod
    def _check_listen(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("expected HOST:PORT, e.g. 0.0.0.0:8080")
        return value

    @field_validator("theme_notice_time")
    @classmethod
    def _check_theme_notice_time(cls, value: str) -> str:
        match = _CLOCK.match(value.strip())
        if match is None or int(match[1]) > 23 or int(match[2]) > 59:
            raise ValueError("expected a time HH:MM between 00:00 and 23:59, e.g. 09:00")
        return f"{int(match[1]):02d}:{match[2]}"

    @field_validator("log_level")
    @classmethod
    def _check_log_level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("expected DEBUG, INFO, WARNING or ERROR")
        return value

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def theme_notice_at(self) -> time:
        hour, minute = self.theme_notice_time.split(":")
        return time(int(hour), int(minute))

    @property
    def snap_files_root(self) -> Path:
        return self.snap_files_dir or self.data_dir / "files"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(**overrides: object) -> Settings:
    """Build settings; turn any validation error into one line naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err.get("loc") else "?"
        msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        raise ConfigError(f"invalid {field.upper()}: {msg}") from None
