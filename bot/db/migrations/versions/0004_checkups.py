"""checkup providers, services, slot templates, slots, bookings, waitlist, reminders

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_ts = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "checkup_providers",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("city", sa.String(32), nullable=False),
        sa.Column("address", sa.String(160), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("phone", sa.String(32), nullable=False),
    )
    op.create_table(
        "checkup_services",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name_zh", sa.String(80), nullable=False),
        sa.Column("name_en", sa.String(80), nullable=False),
        sa.Column("duration_min", sa.Integer(), nullable=False),
        sa.Column("prep_zh", sa.String(300), nullable=False),
        sa.Column("prep_en", sa.String(300), nullable=False),
    )
    op.create_table(
        "checkup_slot_templates",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column(
            "provider_id", sa.String(32), sa.ForeignKey("checkup_providers.id"), nullable=False
        ),
        sa.Column(
            "service_id", sa.String(32), sa.ForeignKey("checkup_services.id"), nullable=False
        ),
        sa.Column("weekdays", sa.String(16), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("days_ahead", sa.Integer(), nullable=False),
        sa.Column("closed_dates", sa.String(2000), nullable=False),
    )
    op.create_table(
        "checkup_slots",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column(
            "provider_id", sa.String(32), sa.ForeignKey("checkup_providers.id"), nullable=False
        ),
        sa.Column(
            "service_id", sa.String(32), sa.ForeignKey("checkup_services.id"), nullable=False
        ),
        sa.Column("starts_at", _ts, nullable=False),
        sa.Column("ends_at", _ts, nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("booked", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("provider_id", "service_id", "starts_at", name="uq_slot_time"),
        sa.CheckConstraint("booked >= 0 AND booked <= capacity", name="ck_slot_capacity"),
    )
    op.create_index("ix_checkup_slots_provider_id", "checkup_slots", ["provider_id"])
    op.create_index("ix_checkup_slots_starts_at", "checkup_slots", ["starts_at"])
    op.create_table(
        "bookings",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("user_id", _id, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("slot_id", _id, sa.ForeignKey("checkup_slots.id"), nullable=False),
        sa.Column(
            "service_id", sa.String(32), sa.ForeignKey("checkup_services.id"), nullable=False
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("request_key", sa.String(64), nullable=True),
        sa.Column("created_at", _ts, nullable=False),
        sa.Column("cancelled_at", _ts, nullable=True),
        sa.UniqueConstraint("code", name="uq_bookings_code"),
        sa.UniqueConstraint("request_key", name="uq_bookings_request_key"),
    )
    op.create_index("ix_bookings_user_id", "bookings", ["user_id"])
    op.create_index("ix_bookings_slot_id", "bookings", ["slot_id"])
    op.create_index(
        "uq_booking_active_service",
        "bookings",
        ["user_id", "service_id"],
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_table(
        "checkup_waitlist",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column("slot_id", _id, sa.ForeignKey("checkup_slots.id"), nullable=False),
        sa.Column("user_id", _id, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", _ts, nullable=False),
        sa.Column("offer_expires_at", _ts, nullable=True),
        sa.UniqueConstraint("slot_id", "user_id", name="uq_waitlist_slot_user"),
    )
    op.create_index("ix_checkup_waitlist_slot_id", "checkup_waitlist", ["slot_id"])
    op.create_table(
        "booking_reminders",
        sa.Column("id", _id, primary_key=True, autoincrement=True),
        sa.Column("booking_id", _id, sa.ForeignKey("bookings.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("due_at", _ts, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("sent_at", _ts, nullable=True),
        sa.UniqueConstraint("booking_id", "kind", name="uq_reminder_kind"),
    )
    op.create_index("ix_booking_reminders_booking_id", "booking_reminders", ["booking_id"])
    op.create_index("ix_booking_reminders_due_at", "booking_reminders", ["due_at"])


def downgrade() -> None:
    for table in (
        "booking_reminders", "checkup_waitlist", "bookings", "checkup_slots",
        "checkup_slot_templates", "checkup_services", "checkup_providers",
    ):  # fmt: skip
        op.drop_table(table)
