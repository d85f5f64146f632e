"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import BigInteger, DateTime, Integer, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from knowledge.text_rules import scrub

# SQLite only auto-increments an `INTEGER PRIMARY KEY`, so big ids fall back to INTEGER there.
BigIntId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; always returns timezone-aware UTC datetimes (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class CleanString(TypeDecorator[str]):
    """VARCHAR(n) that never stores what knowledge/text_rules.py forbids (NUL, which
    PostgreSQL refuses with an error, other controls, bidi overrides, ...), whatever code path
    writes: an ORM attribute, a Core insert or update, a bound comparison. The edges validate
    or clean properly first; this only removes characters, so a value never outgrows its
    column. The SQL type is the plain VARCHAR(n): no migration."""

    impl = String
    cache_ok = True

    def __init__(self, length: int, multiline: bool = False) -> None:
        super().__init__(length)
        self.length, self.multiline = length, multiline  # both in SQLAlchemy's cache key

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else scrub(value, self.multiline)


# What handlers and services take as "now": utcnow in production, a fixed time in tests.
Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)
