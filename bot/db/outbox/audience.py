"""The SQL behind an audience: the users a bulk message may reach (agreed to the terms, not
blocked, not erased, opted in to the kind), by city, occupation, role or language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.outbox.models import MessageKind
from bot.db.users.models import Occupation, Role, User


@dataclass(frozen=True, slots=True)
class Filter:
    """An audience: everyone, or those of one city, occupation, role or language."""

    city: str | None = None
    occupation: Occupation | None = None
    role: Role | None = None
    language: str | None = None


def _opted_in(kind: MessageKind) -> ColumnElement[bool]:
    if kind is MessageKind.BROADCAST:
        return User.notifications.is_(True)
    if kind in (MessageKind.THEME, MessageKind.ACTIVITY):
        return User.theme_notices.is_(True)
    return User.id.is_not(None)  # personal: nobody opts out


def _where(kind: MessageKind, audience: Filter) -> list[ColumnElement[bool]]:
    where = [
        User.telegram_id.is_not(None),
        User.consent_at.is_not(None),
        User.erased_at.is_(None),
        User.blocked_bot.is_(False),
        _opted_in(kind),
    ]
    if audience.city is not None:
        where.append(User.city == audience.city)
    if audience.occupation is not None:
        where.append(User.occupation == audience.occupation)
    if audience.role is not None:
        where.append(User.role == audience.role)
    if audience.language is not None:
        where.append(User.language == audience.language)
    return where


class AudienceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def count(self, kind: MessageKind, audience: Filter) -> int:
        total = await self.session.scalar(
            select(func.count(User.id)).where(*_where(kind, audience))
        )
        return int(total or 0)

    async def page(
        self, kind: MessageKind, audience: Filter, after: int, limit: int
    ) -> Sequence[Any]:
        """The next `limit` users by id after `after`: id, telegram_id, language,
        display_name, city, quiet_start, quiet_end."""
        rows = await self.session.execute(
            select(
                User.id, User.telegram_id, User.language, User.display_name, User.city,
                User.quiet_start, User.quiet_end,
            )
            .where(*_where(kind, audience), User.id > after)
            .order_by(User.id)
            .limit(limit)
        )  # fmt: skip
        return rows.all()
