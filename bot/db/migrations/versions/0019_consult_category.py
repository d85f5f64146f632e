"""Complaints: the consultation category (咨询), a driver's question for a person

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

_BEFORE = (
    "freight", "tolls", "platform", "enforcement", "unpaid_pay", "insurance", "station", "other",
)  # fmt: skip
_AFTER = (*_BEFORE, "consult")
_NAME = "complaint_category"
_CHECK = re.compile(rf"CONSTRAINT {_NAME} CHECK \(category IN \([^)]*\)\)")
_COPY = "_complaints_0019"


def _sqlite_rebuild(values: tuple[str, ...]) -> None:
    """SQLite changes a CHECK only by rebuilding the table. Batch mode would drop
    `complaints` under its events, files, extensions and alerts, which fails with
    foreign keys on and rows there. Instead, inside one transaction with the checks
    deferred: copy the rows aside, drop the table, create it again under its own name with
    the new CHECK (its definition otherwise exactly as stored), and put the rows back, so
    every child row finds its parent again before the commit checks."""
    bind = op.get_bind()
    dbapi = bind.connection.dbapi_connection
    assert dbapi is not None  # a live connection is migrating
    driver = getattr(dbapi, "_connection", dbapi)  # aiosqlite's connection, or pysqlite's
    if not driver.in_transaction:  # the driver begins one only before a write
        bind.exec_driver_sql("BEGIN")
    table_sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'complaints'"
    ).scalar_one()
    check = f"CONSTRAINT {_NAME} CHECK (category IN ({', '.join(repr(v) for v in values)}))"
    new_sql, found = _CHECK.subn(check, table_sql)
    if found != 1:
        raise RuntimeError(f"complaints: constraint {_NAME} not found in {table_sql!r}")
    indexes = (
        bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'complaints' "
            "AND sql IS NOT NULL"
        )
        .scalars()
        .all()
    )
    columns = ", ".join(
        f'"{row[1]}"' for row in bind.exec_driver_sql("PRAGMA table_info(complaints)")
    )
    bind.exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # until this transaction ends
    bind.exec_driver_sql(f"CREATE TABLE {_COPY} AS SELECT {columns} FROM complaints")
    bind.exec_driver_sql("DROP TABLE complaints")
    bind.exec_driver_sql(new_sql)
    bind.exec_driver_sql(f"INSERT INTO complaints ({columns}) SELECT {columns} FROM {_COPY}")
    bind.exec_driver_sql(f"DROP TABLE {_COPY}")
    for index_sql in indexes:
        bind.exec_driver_sql(index_sql)


def _allow(values: tuple[str, ...]) -> None:
    if op.get_context().dialect.name == "postgresql":
        op.drop_constraint(_NAME, "complaints", type_="check")
        op.create_check_constraint(_NAME, "complaints", sa.column("category").in_(values))
    else:
        _sqlite_rebuild(values)


def upgrade() -> None:
    # Routes and deadlines keep their category as plain text: nothing to change there (a
    # consultation takes the catch-all route and the deadlines of "other" until named).
    _allow(_AFTER)


def downgrade() -> None:
    # The older code knows no consultations: they become "other", and rules naming them go.
    op.execute("UPDATE complaints SET category = 'other' WHERE category = 'consult'")
    op.execute("DELETE FROM complaint_routes WHERE category = 'consult'")
    op.execute("DELETE FROM complaint_deadlines WHERE category = 'consult'")
    _allow(_BEFORE)
