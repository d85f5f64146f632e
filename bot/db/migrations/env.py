"""Alembic environment. Migrations run on a connection handed in by bot.db.migrate."""

from __future__ import annotations

from alembic import context

from bot.db.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `python -m bot migrate`, not the alembic CLI")

context.configure(
    connection=connection,
    target_metadata=metadata(),
    # SQLite cannot ALTER most things in place; batch mode copies the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
