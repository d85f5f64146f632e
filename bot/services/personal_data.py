"""/mydata and /deleteme across every feature: each feature that keeps rows about a person
declares a part (bot/feature.py `Feature.personal_data`) saying how to export and erase them.

Every table says in its model whether it holds personal data (`info={"personal": ...}`);
`tests/app/test_personal_data.py` fails for a table that does not say, or that holds personal
data no part covers, so a new table cannot be forgotten.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.users.profiles import UserService


@dataclass(frozen=True, slots=True)
class Part:
    key: str  # the section of the export file
    tables: frozenset[str]  # the tables whose rows about a person this part covers
    export: Callable[[AsyncSession, int, ZoneInfo], Awaitable[Any]]
    # What others are owed because of it (a seat freed for the next driver waiting) is kept
    # as rows: the feature's kit delivers them after the commit (`Kit.deliver_owed`).
    erase: Callable[[AsyncSession, int, datetime, ZoneInfo], Awaitable[None]]


# The user row itself is exported and erased by UserService.
USER_TABLES = frozenset({"users"})


def holds_personal_data(table: Table) -> bool | None:
    """What a table's model says about itself (`info={"personal": ...}`); None: it says
    nothing, which tests/app/test_personal_data.py refuses."""
    value = table.info.get("personal")
    return value if isinstance(value, bool) else None


class PersonalData:
    def __init__(
        self, session: AsyncSession, users: UserService, tz: ZoneInfo, parts: tuple[Part, ...]
    ) -> None:
        self.session, self.users, self.tz, self.parts = session, users, tz, parts

    async def export(self, user_id: int) -> dict[str, Any]:
        """Everything stored about the user, as JSON-ready data."""
        data = await self.users.export(user_id)
        for part in self.parts:
            data[part.key] = await part.export(self.session, user_id, self.tz)
        return data

    async def erase(self, user_id: int, now: datetime) -> None:
        """Every feature lets go of the user first, then the profile is anonymised."""
        for part in self.parts:
            await part.erase(self.session, user_id, now, self.tz)
        await self.users.erase(user_id)
