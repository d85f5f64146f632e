"""The declarative base every feature's models share, and column helpers.

Each feature keeps its tables in bot/db/<feature>/models.py; bot/db/schema.py finds them.
Tables change only through Alembic migrations in bot/db/migrations.
"""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import Enum
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


def str_enum(cls: type[enum.StrEnum], name: str) -> Enum:
    # VARCHAR + CHECK instead of a native PG enum: adding a value later is a plain migration.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda e: [m.value for m in e],
    )


def holds_personal(holds: bool) -> dict[str, Any]:
    """A `__table_args__` entry saying whether the table holds anything about a person: every
    table says so, and /mydata and /deleteme must cover those that do (personal_data.py)."""
    return {"info": {"personal": holds}}
