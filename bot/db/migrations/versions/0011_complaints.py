"""Complaints: forum topics of the admins' group, offices, routes, deadlines, the holidays
file, handlers, cases, evidence, audit events, extensions and deadline alerts; the handler
role; case messages in the outbox

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_ts = sa.DateTime(timezone=True)
_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _office() -> sa.ForeignKey:
    return sa.ForeignKey("complaint_offices.id")


_CATEGORIES = (
    "freight", "tolls", "platform", "enforcement", "unpaid_pay", "insurance", "station", "other",
)  # fmt: skip
_STATUSES = (
    "new", "accepted", "assigned", "in_progress", "waiting_driver", "resolved", "closed",
    "withdrawn",
)  # fmt: skip
_ACTIONS = (
    "filed", "accepted", "assigned", "reassigned", "started", "note", "asked", "answered",
    "added", "resolved", "rated", "reopened", "closed", "withdrawn", "ext_asked",
    "ext_approved", "ext_refused", "overdue", "escalated", "reviewed",
)  # fmt: skip
_ROLES_BEFORE = ("driver", "volunteer", "admin")
_ROLES = (*_ROLES_BEFORE, "handler")
_KINDS_BEFORE = ("reminder", "offer", "closure", "broadcast", "theme", "activity", "report")
_KINDS = (*_KINDS_BEFORE, "case")


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


def _widen(table: str, column: str, name: str, old: tuple[str, ...], new: tuple[str, ...]) -> None:
    """Give a VARCHAR + CHECK enum column more values (its named CHECK constraint changes)."""
    if op.get_context().dialect.name == "postgresql":
        op.drop_constraint(name, table, type_="check")
        op.create_check_constraint(name, table, sa.column(column).in_(new))
        return
    with op.batch_alter_table(table, recreate="always") as batch:
        batch.alter_column(
            column, existing_type=_enum(old, name), type_=_enum(new, name), existing_nullable=False
        )


def upgrade() -> None:
    _widen("users", "role", "user_role", _ROLES_BEFORE, _ROLES)
    _widen("outbox", "kind", "message_kind", _KINDS_BEFORE, _KINDS)
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("thread_id", sa.BigInteger(), nullable=True))

    op.create_table(
        "chat_topics",
        sa.Column("chat_id", sa.BigInteger(), primary_key=True),
        sa.Column("key", sa.String(32), primary_key=True),
        sa.Column("thread_id", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "complaint_offices",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("name_en", sa.String(80), nullable=True),
        sa.Column("city", sa.String(32), nullable=True),
        sa.Column("phone", sa.String(32), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.create_table(
        "complaint_routes",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column("category", sa.String(16), nullable=True),
        sa.Column("city", sa.String(32), nullable=True),
        sa.Column(
            "office_id", sa.String(32), sa.ForeignKey("complaint_offices.id"), nullable=False
        ),
    )
    op.create_table(
        "complaint_deadlines",
        sa.Column("category", sa.String(16), primary_key=True),
        sa.Column("accept", sa.Integer(), nullable=False),
        sa.Column("respond", sa.Integer(), nullable=False),
        sa.Column("resolve", sa.Integer(), nullable=False),
    )
    op.create_table(
        "complaint_calendar",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("workday", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "complaint_handlers",
        sa.Column("user_id", _id, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column(
            "office_id", sa.String(32), sa.ForeignKey("complaint_offices.id"), nullable=False
        ),
        sa.Column("added_at", _ts, nullable=False),
    )
    op.create_index("ix_complaint_handlers_office_id", "complaint_handlers", ["office_id"])
    op.create_table(
        "complaints",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column("number", sa.String(20), nullable=False, unique=True),
        sa.Column("user_id", _id, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("filing_key", sa.String(64), nullable=False, unique=True),
        sa.Column("category", _enum(_CATEGORIES, "complaint_category"), nullable=False),
        sa.Column("description", sa.String(2000), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("other_party", sa.String(120), nullable=True),
        sa.Column("happened", sa.String(64), nullable=True),
        sa.Column("city", sa.String(32), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("contact_phone", sa.String(32), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("status", _enum(_STATUSES, "case_status"), nullable=False),
        sa.Column("office_id", sa.String(32), _office(), nullable=True),
        sa.Column("owner_id", _id, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("assignee_id", _id, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", _ts, nullable=False),
        sa.Column("accepted_at", _ts, nullable=True),
        sa.Column("first_response_at", _ts, nullable=True),
        sa.Column("resolved_at", _ts, nullable=True),
        sa.Column("closed_at", _ts, nullable=True),
        sa.Column("accept_due", _ts, nullable=False),
        sa.Column("respond_due", _ts, nullable=False),
        sa.Column("resolve_due", _ts, nullable=False),
        sa.Column("resolution", sa.String(2000), nullable=True),
        sa.Column("no_fault", sa.Boolean(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("solved", sa.Boolean(), nullable=True),
        sa.Column("reopened", sa.Integer(), nullable=False),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("review_needed", sa.Boolean(), nullable=False),
        sa.Column("review", sa.String(2000), nullable=True),
        sa.Column("card_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("card_message_id", sa.BigInteger(), nullable=True),
        sa.Column("card_version", sa.Integer(), nullable=False),
        sa.Column("card_shown", sa.Integer(), nullable=False),
        sa.Column("erased", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_complaints_user", "complaints", ["user_id", "id"])
    op.create_index("ix_complaints_status", "complaints", ["status", "office_id"])
    op.create_index("ix_complaints_owner", "complaints", ["owner_id", "status"])
    op.create_index("ix_complaints_created", "complaints", ["created_at"])
    op.create_table(
        "complaint_events",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column("complaint_id", _id, sa.ForeignKey("complaints.id"), nullable=False),
        sa.Column("at", _ts, nullable=False),
        sa.Column("actor_id", _id, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("action", _enum(_ACTIONS, "case_action"), nullable=False),
        sa.Column("from_status", _enum(_STATUSES, "case_from"), nullable=True),
        sa.Column("to_status", _enum(_STATUSES, "case_to"), nullable=True),
        sa.Column("note", sa.String(2000), nullable=True),
        sa.Column("office_id", sa.String(32), nullable=True),
        sa.Column("assignee_id", sa.BigInteger(), nullable=True),
        sa.Column("update_key", sa.String(64), nullable=True, unique=True),
    )
    op.create_index("ix_complaint_events_case", "complaint_events", ["complaint_id", "id"])
    op.create_table(
        "complaint_evidence",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column("complaint_id", _id, sa.ForeignKey("complaints.id"), nullable=False),
        sa.Column("event_id", _id, sa.ForeignKey("complaint_events.id"), nullable=True),
        sa.Column("kind", _enum(("photo", "document", "voice"), "evidence_kind"), nullable=False),
        sa.Column("file_id", sa.String(255), nullable=False),
        sa.Column("file_unique_id", sa.String(64), nullable=False),
        sa.Column("file_name", sa.String(128), nullable=True),
        sa.Column("created_at", _ts, nullable=False),
    )
    op.create_index("ix_complaint_evidence_complaint_id", "complaint_evidence", ["complaint_id"])
    op.create_table(
        "complaint_extensions",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column("complaint_id", _id, sa.ForeignKey("complaints.id"), nullable=False),
        sa.Column("requested_by", _id, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column(
            "status", _enum(("pending", "approved", "refused"), "extension_status"), nullable=False
        ),
        sa.Column("decided_by", _id, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", _ts, nullable=False),
        sa.Column("decided_at", _ts, nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
    )
    op.create_index(
        "ix_complaint_extensions_complaint_id", "complaint_extensions", ["complaint_id"]
    )
    op.create_table(
        "complaint_alerts",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column("complaint_id", _id, sa.ForeignKey("complaints.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column(
            "deadline", _enum(("accept", "respond", "resolve"), "deadline_kind"), nullable=False
        ),
        sa.Column("due_at", _ts, nullable=False),
        sa.Column("sent_at", _ts, nullable=False),
        sa.UniqueConstraint(
            "complaint_id", "kind", "deadline", "due_at", name="uq_complaint_alert"
        ),
    )


def downgrade() -> None:
    for table in (
        "complaint_alerts", "complaint_extensions", "complaint_evidence", "complaint_events",
        "complaints", "complaint_handlers", "complaint_calendar", "complaint_deadlines",
        "complaint_routes", "complaint_offices", "chat_topics",
    ):  # fmt: skip
        op.drop_table(table)
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("thread_id")
    _widen("outbox", "kind", "message_kind", _KINDS, _KINDS_BEFORE)
    _widen("users", "role", "user_role", _ROLES, _ROLES_BEFORE)
