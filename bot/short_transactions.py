"""Writes that happen beside an update, in short transactions of their own: registering a user
on first contact (so the update's own transaction holds no write lock while it talks to
Telegram) and recording that a user blocked the bot (whatever becomes of the update).

Whoever opens a transaction ends it: the update middleware, a job runner, a CLI command, and
these two; never a service or a repository.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.users.profile_cache import ProfileCache
from bot.services.users.profiles import UserProfile, UserService, register


async def ensure_user(
    factory: async_sessionmaker[AsyncSession],
    users: UserService,
    telegram_id: int,
    display_name: str | None,
    language_hint: str | None,
    default_language: str,
) -> UserProfile:
    """The user behind an update, registered first on first contact."""
    profile = await users.load(telegram_id, display_name, language_hint)
    if profile is not None:
        return profile
    async with factory() as session:
        await register(session, users.admin_ids, telegram_id, language_hint, default_language)
        await session.commit()
    profile = await users.load(telegram_id, display_name, language_hint)
    assert profile is not None
    return profile


async def mark_blocked(
    factory: async_sessionmaker[AsyncSession], cache: ProfileCache | None, telegram_id: int
) -> None:
    """Record, outside any update's transaction, that the user has blocked the bot."""
    async with factory() as session:
        await UserService(session, cache=cache).set_blocked(telegram_id, True)
        await session.commit()
    if cache is not None:
        cache.drop(telegram_id)
