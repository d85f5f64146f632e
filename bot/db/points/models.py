"""The points ledger: accounts and immutable double-entry transfers.

Every movement of points is one transfer from a debit account to a credit account, so the sum
of all balances is always zero: points a user earns come out of the system account `issued`,
points spent go to `spent`, forfeited ones to `expired`. A transfer is never updated or
deleted; a correction is a new transfer (a reversal names the one it reverses).

A user account's `debits` and `credits` are the sums of its transfers, kept in the transfer's
own transaction by one conditional UPDATE, so it can never go below zero, even under concurrent
spends. System accounts keep no running sums (every award would queue on one row): their
balances are summed from the transfers. `python -m bot points check` recomputes all of it.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

import bot.db.users.models  # noqa: F401  (accounts and transfers point at users)
from bot.db.base import Base, holds_personal, str_enum
from bot.db.types import BigIntId, CleanString, UTCDateTime


class AccountKind(enum.StrEnum):
    USER = "user"
    SYSTEM = "system"


class SystemAccount(enum.StrEnum):
    ISSUED = "issued"  # where every earned point comes from (its balance is minus all issued)
    SPENT = "spent"  # what users spent in the shop (refunds come back from it)
    EXPIRED = "expired"  # what users lost: expired, forfeited on erasure


class Reason(enum.StrEnum):
    REPORT = "report"  # a snap report verified
    FIRST_REPORT = "first_report"  # the bonus for someone's first verified report
    GRANT = "grant"  # an admin's grant
    DEDUCT = "deduct"  # an admin's deduction
    REVERSAL = "reversal"  # undoes another transfer
    SPEND = "spend"  # spent on something
    FORFEIT = "forfeit"  # the balance of someone who erased their data
    REDEEM = "redeem"  # a shop item redeemed for a voucher
    REFUND = "refund"  # an expired, unused voucher's points back
    TASK = "task"  # a volunteer task its publisher confirmed done
    ACTIVITY = "activity"  # checked in at an activity of the month


class AccountRow(Base):
    __tablename__ = "points_accounts"
    __table_args__ = (
        CheckConstraint("kind = 'system' OR credits - debits >= 0", name="points_never_negative"),
        CheckConstraint("(kind = 'user') = (code IS NULL)", name="points_account_owner"),
        holds_personal(True),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    kind: Mapped[AccountKind] = mapped_column(str_enum(AccountKind, "points_account_kind"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    code: Mapped[SystemAccount | None] = mapped_column(
        str_enum(SystemAccount, "points_system_account"), unique=True
    )
    debits: Mapped[int] = mapped_column(BigInteger, default=0)
    credits: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TransferRow(Base):
    __tablename__ = "points_transfers"
    __table_args__ = (
        CheckConstraint("amount > 0", name="points_amount_positive"),
        CheckConstraint("debit_id <> credit_id", name="points_two_accounts"),
        Index("ix_points_transfers_debit", "debit_id", "id"),
        Index("ix_points_transfers_credit", "credit_id", "id"),
        holds_personal(True),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    # The effect's idempotency key ("report:123", "update:456"): the same effect twice is
    # one transfer.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    debit_id: Mapped[int] = mapped_column(ForeignKey("points_accounts.id"))
    credit_id: Mapped[int] = mapped_column(ForeignKey("points_accounts.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[Reason] = mapped_column(str_enum(Reason, "points_reason"))
    ref: Mapped[str | None] = mapped_column(String(32))  # e.g. the report's number
    note: Mapped[str | None] = mapped_column(CleanString(200))  # an admin's reason
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("points_transfers.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
