"""The profile feature's services for one update: everything about one person's data."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.feature import BaseKit, Core
from bot.services.personal_data import PersonalData
from bot.services.users.profiles import UserService


@dataclass(frozen=True, slots=True)
class ProfileServices:
    """What the profile and privacy handlers get for one update (injected as `profile`)."""

    personal_data: PersonalData


class ProfileKit(BaseKit):
    def __init__(self, core: Core) -> None:
        self.core = core

    def for_update(self, session: AsyncSession) -> ProfileServices:
        settings = self.core.settings
        users = UserService(session, settings.admin_ids, self.core.profiles)
        return ProfileServices(PersonalData(session, users, settings.tz, self.core.parts))
