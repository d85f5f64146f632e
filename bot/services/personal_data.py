"""/mydata and /deleteme across every feature: each feature that keeps rows about a person
adds a part here saying how to export and how to erase them.

`tests/app/test_personal_data.py` checks the schema against this file: every table is either
covered by a part or listed in NO_PERSONAL_DATA, so a new table cannot be forgotten.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.checkups import personal_data as checkup_personal_data
from bot.services.checkups.bookings import Offer
from bot.services.users.profiles import UserService


@dataclass(frozen=True, slots=True)
class Part:
    key: str  # the section of the export file
    tables: frozenset[str]  # the tables whose rows about a person this part covers
    export: Callable[[AsyncSession, int, ZoneInfo], Awaitable[Any]]
    # Returns the waitlist offers its erasure made (seats others now get), to notify.
    erase: Callable[[AsyncSession, int, datetime, ZoneInfo], Awaitable[list[Offer]]]


PARTS: tuple[Part, ...] = (
    Part(
        "checkups",
        frozenset({"bookings", "checkup_waitlist", "booking_reminders"}),
        checkup_personal_data.export,
        checkup_personal_data.erase,
    ),
)
# The user row itself is exported and erased by UserService.
USER_TABLES = frozenset({"users"})
# Reference data and bookkeeping: nothing here says anything about a person.
NO_PERSONAL_DATA = frozenset(
    {
        "processed_updates",
        "stations",
        "checkup_providers",
        "checkup_services",
        "checkup_slot_templates",
        "checkup_slots",
        "checkup_closures",
        "alembic_version",
    }
)


class PersonalData:
    def __init__(self, session: AsyncSession, users: UserService, tz: ZoneInfo) -> None:
        self.session, self.users, self.tz = session, users, tz

    async def export(self, user_id: int) -> dict[str, Any]:
        """Everything stored about the user, as JSON-ready data."""
        data = await self.users.export(user_id)
        for part in PARTS:
            data[part.key] = await part.export(self.session, user_id, self.tz)
        return data

    async def erase(self, user_id: int, now: datetime) -> list[Offer]:
        """Every feature lets go of the user first, then the profile is anonymised."""
        offers: list[Offer] = []
        for part in PARTS:
            offers += await part.erase(self.session, user_id, now, self.tz)
        await self.users.erase(user_id)
        return offers
