"""Track whether a user has blocked the bot, so broadcasts can skip them."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import KICKED, MEMBER, ChatMemberUpdatedFilter
from aiogram.types import ChatMemberUpdated

from bot.services.users.profiles import UserService


async def bot_blocked(event: ChatMemberUpdated, users: UserService) -> None:
    if event.chat.type == "private":
        await users.set_blocked(event.chat.id, True)


async def bot_unblocked(event: ChatMemberUpdated, users: UserService) -> None:
    if event.chat.type == "private":
        await users.set_blocked(event.chat.id, False)


def create_router() -> Router:
    router = Router(name="chat_member")
    router.my_chat_member.register(
        bot_blocked, ChatMemberUpdatedFilter(member_status_changed=KICKED)
    )
    router.my_chat_member.register(
        bot_unblocked, ChatMemberUpdatedFilter(member_status_changed=MEMBER)
    )
    return router
