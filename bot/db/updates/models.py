"""Handled Telegram updates, so a redelivery is ignored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, holds_personal
from bot.db.types import UTCDateTime


class ProcessedUpdate(Base):
    """One row per handled Telegram update, so a redelivery after a restart is ignored."""

    __tablename__ = "processed_updates"
    __table_args__ = holds_personal(False)

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
