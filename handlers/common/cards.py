"""Redrawing a card in the admins' group from its row (bot/db/cards.py): the card is edited
to the row's latest version, and a card still on its way or an edit Telegram refused now is
left for the feature's card job to try again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.cards import CardRows
from bot.db.outbox.repository import OutboxRepository
from handlers.common.editing import redraw_card

# What a card shows for its row, drawn in the row's session: text, keyboard, and whether the
# card is a photo (its caption is edited).
Draw = Callable[[AsyncSession, Any], Awaitable[tuple[str, InlineKeyboardMarkup | None, bool]]]


async def redraw_from_row(
    session_factory: async_sessionmaker[AsyncSession], bot: Bot, model: type[Any], row_id: int,
    card_key: str, what: str, draw: Draw,
) -> bool:  # fmt: skip
    """Show the row's latest version on its card; False: the card job tries again."""
    async with session_factory() as session:
        rows = CardRows(session, model)
        row = await rows.get(row_id)
        if row is None or row.card_chat_id is None or row.card_shown >= row.card_version:
            return True
        message_id = await OutboxRepository(session).card_message_id(row.card_message_id, card_key)
        if message_id is None:
            return False  # the card is still on its way
        version = row.card_version
        text, kb, caption = await draw(session, row)
        if not await redraw_card(
            bot, row.card_chat_id, message_id, text, kb, caption=caption, what=what
        ):
            return False
        await rows.mark(row_id, version, message_id)
        await session.commit()
        return True


async def redraw_behind(
    session_factory: async_sessionmaker[AsyncSession], model: type[Any],
    redraw: Callable[[int], Awaitable[bool]], limit: int = 50,
) -> int:  # fmt: skip
    """The card job: every card behind its row; how many now show it."""
    async with session_factory() as session:
        ids = await CardRows(session, model).behind(limit)
    done = 0
    for row_id in ids:
        done += await redraw(row_id)
    return done
