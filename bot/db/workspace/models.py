"""The admins' group as a workspace: the forum topic each queue posts to (诉求, 随手拍, ...)."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, holds_personal


class TopicRow(Base):
    """The topic the bot opened for a queue in a forum group, so every card of the queue goes
    there (a chat that is not a forum has none)."""

    __tablename__ = "chat_topics"
    __table_args__ = holds_personal(False)

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    thread_id: Mapped[int] = mapped_column(BigInteger)
