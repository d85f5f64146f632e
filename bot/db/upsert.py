"""INSERT ... ON CONFLICT DO NOTHING for both dialects, and what a conditional write did."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_ignore(
    session: AsyncSession,
    table: Table,
    values: dict[str, Any] | list[dict[str, Any]],
    index_elements: list[str],
) -> bool:
    """Insert rows unless they conflict on `index_elements`; True when any row was inserted."""
    return await insert_new(session, table, values, index_elements) > 0


async def insert_new(
    session: AsyncSession,
    table: Table,
    values: dict[str, Any] | list[dict[str, Any]],
    index_elements: list[str],
) -> int:
    """insert_ignore, saying how many rows were new."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table).values(values).on_conflict_do_nothing(index_elements=index_elements)
    result = await session.execute(stmt)
    return max(int(result.rowcount or 0), 0)  # type: ignore[attr-defined]


def rows_changed(result: object) -> bool:
    """Whether an INSERT or a conditional UPDATE touched a row: the one who changed it won."""
    return bool(result.rowcount)  # type: ignore[attr-defined]
