"""Users table access. Repositories add and flush; the update's session commits."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.upsert import insert_ignore
from bot.db.users.models import Role, User


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_telegram_id(self, telegram_id: int) -> User | None:
        return await self.session.scalar(select(User).where(User.telegram_id == telegram_id))

    async def by_id(self, user_id: int) -> User | None:
        return await self.session.get(User, user_id)

    async def create_if_missing(
        self, telegram_id: int, language: str, role: Role, admin_from_config: bool
    ) -> User:
        # ON CONFLICT keeps two first updates of one user (e.g. from two chats) from clashing.
        await insert_ignore(
            self.session,
            User.__table__,  # type: ignore[arg-type]
            {
                "telegram_id": telegram_id,
                "language": language,
                "role": role.value,
                "admin_from_config": admin_from_config,
                "notifications": True,
                "blocked_bot": False,
            },
            ["telegram_id"],
        )
        user = await self.by_telegram_id(telegram_id)
        assert user is not None
        return user

    async def count_by_role(self) -> dict[str, int]:
        rows = await self.session.execute(
            select(User.role, func.count()).where(User.erased_at.is_(None)).group_by(User.role)
        )
        return {str(role): n for role, n in rows.all()}

    async def count_by_occupation(self) -> dict[str | None, int]:
        rows = await self.session.execute(
            select(User.occupation, func.count())
            .where(User.onboarded_at.is_not(None), User.erased_at.is_(None))
            .group_by(User.occupation)
        )
        return {(str(o) if o else None): n for o, n in rows.all()}

    async def count_consented(self) -> int:
        stmt = select(func.count()).where(User.consent_at.is_not(None), User.erased_at.is_(None))
        return int(await self.session.scalar(stmt) or 0)
