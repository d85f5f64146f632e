"""A queue's topic in the admins' group when that group is a forum: opened once (its thread id
kept in chat_topics), so every card of the queue lands in it. In a plain group: no topic."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.upsert import insert_ignore
from bot.db.workspace.models import TopicRow

log = logging.getLogger(__name__)


async def known_topic(session: AsyncSession, chat_id: int, key: str) -> int | None:
    return await session.scalar(
        select(TopicRow.thread_id).where(TopicRow.chat_id == chat_id, TopicRow.key == key)
    )


async def topic(session: AsyncSession, bot: Bot | None, chat_id: int, key: str,
                name: str) -> int | None:  # fmt: skip
    """The queue's thread id; opens the topic the first time in a forum. None: post to the
    group itself (not a forum, or Telegram would not say; tried again next time)."""
    thread = await known_topic(session, chat_id, key)
    if thread is not None or bot is None:
        return thread
    try:
        chat = await bot.get_chat(chat_id)
        if not chat.is_forum:
            return None
        created = await bot.create_forum_topic(chat_id, name)
    except TelegramAPIError as exc:
        log.warning("no %s topic in chat %s: %s", key, chat_id, exc)
        return None
    row = {"chat_id": chat_id, "key": key, "thread_id": created.message_thread_id}
    await insert_ignore(session, TopicRow.__table__, row, ["chat_id", "key"])  # type: ignore[arg-type]
    return await known_topic(session, chat_id, key)
