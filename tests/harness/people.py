"""People in the database for service-level tests: a user row with a name and a phone."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.users.models import Role, User


async def person(session: AsyncSession, telegram_id: int, role: Role = Role.DRIVER) -> int:
    user = User(telegram_id=telegram_id, display_name=f"用户{telegram_id}", language="zh",
                role=role, phone=f"1380000{telegram_id:04d}")  # fmt: skip
    session.add(user)
    await session.flush()
    return user.id
