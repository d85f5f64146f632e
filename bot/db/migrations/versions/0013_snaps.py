"""随手拍 snap reports: reports, photos, followers, events; snap messages in the outbox

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_ts = sa.DateTime(timezone=True)
_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

_CATEGORIES = (
    "pothole", "debris", "traffic_facility", "water_ice", "hazard", "public_facility",
    "obstruction", "other",
)  # fmt: skip
_STATUSES = ("new", "verified", "forwarded", "handled", "rejected", "closed")
_ACTIONS = (
    "filed", "me_too", "verified", "rejected", "forwarded", "handled", "asked", "still_there",
    "confirmed",
)  # fmt: skip


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


_KINDS_BEFORE = (
    "reminder", "offer", "closure", "broadcast", "theme", "activity", "report", "case", "points",
)  # fmt: skip
_KINDS = (*_KINDS_BEFORE, "snap")


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
    _widen("outbox", "kind", "message_kind", _KINDS_BEFORE, _KINDS)
    op.create_table(
        "snap_reports",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column("number", sa.String(20), nullable=True, unique=True),
        sa.Column("user_id", _id, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("submit_key", sa.String(64), nullable=False, unique=True),
        sa.Column("category", _enum(_CATEGORIES, "snap_category"), nullable=False),
        sa.Column("status", _enum(_STATUSES, "snap_status"), nullable=False),
        sa.Column(
            "reject_reason",
            _enum(("spam", "duplicate", "not_actionable"), "snap_reject_reason"),
            nullable=True,
        ),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column(
            "location_source", _enum(("photo", "shared"), "snap_location_source"), nullable=True
        ),
        sa.Column("text", sa.String(500), nullable=False),
        sa.Column("voice_file_id", sa.String(255), nullable=True),
        sa.Column("office_id", sa.String(32), sa.ForeignKey("complaint_offices.id"), nullable=True),
        sa.Column("handled_note", sa.String(500), nullable=True),
        sa.Column("created_at", _ts, nullable=False),
        sa.Column("updated_at", _ts, nullable=False),
        sa.Column("verified_at", _ts, nullable=True),
        sa.Column("handled_at", _ts, nullable=True),
        sa.Column("closed_at", _ts, nullable=True),
        sa.Column("followup_due", _ts, nullable=True),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("card_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("card_message_id", sa.BigInteger(), nullable=True),
        sa.Column("card_photo", sa.Boolean(), nullable=False),
        sa.Column("card_version", sa.Integer(), nullable=False),
        sa.Column("card_shown", sa.Integer(), nullable=False),
        sa.Column("erased", sa.Boolean(), nullable=False, server_default=sa.text("false")),
    )
    op.create_index("ix_snap_reports_user", "snap_reports", ["user_id", "id"])
    op.create_index("ix_snap_reports_status", "snap_reports", ["status", "created_at"])
    op.create_index("ix_snap_reports_followup", "snap_reports", ["followup_due"])
    op.create_table(
        "snap_photos",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column("report_id", _id, sa.ForeignKey("snap_reports.id"), nullable=False),
        sa.Column("kind", _enum(("before", "after"), "snap_photo_kind"), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(200), nullable=False),
        sa.Column("file_id", sa.String(255), nullable=True),
        sa.Column("phash", sa.String(16), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("created_at", _ts, nullable=False),
        sa.UniqueConstraint("report_id", "kind", "n"),
    )
    op.create_index("ix_snap_photos_report_id", "snap_photos", ["report_id"])
    op.create_index("ix_snap_photos_phash", "snap_photos", ["phash"])
    op.create_table(
        "snap_followers",
        sa.Column("report_id", _id, sa.ForeignKey("snap_reports.id"), primary_key=True),
        sa.Column("user_id", _id, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("created_at", _ts, nullable=False),
    )
    op.create_index("ix_snap_followers_user_id", "snap_followers", ["user_id"])
    op.create_table(
        "snap_events",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column("report_id", _id, sa.ForeignKey("snap_reports.id"), nullable=False),
        sa.Column("at", _ts, nullable=False),
        sa.Column("actor_id", _id, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("action", _enum(_ACTIONS, "snap_action"), nullable=False),
        sa.Column("from_status", _enum(_STATUSES, "snap_from"), nullable=True),
        sa.Column("to_status", _enum(_STATUSES, "snap_to"), nullable=True),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("update_key", sa.String(64), nullable=True, unique=True),
    )
    op.create_index("ix_snap_events_report", "snap_events", ["report_id", "id"])


def downgrade() -> None:
    op.drop_table("snap_events")
    op.drop_table("snap_followers")
    op.drop_table("snap_photos")
    op.drop_table("snap_reports")
    _widen("outbox", "kind", "message_kind", _KINDS, _KINDS_BEFORE)
