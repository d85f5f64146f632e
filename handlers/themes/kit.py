"""The themes feature's process-wide part (the notice renderer, the bot's username for the
check-in links) and its services for one update."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.feature import BaseKit, Core
from bot.services.themes.attendance import Attendance
from bot.services.themes.browse import ThemeBrowser
from handlers.themes.notices import ThemeRenderer


@dataclass(frozen=True, slots=True)
class ThemeServices:
    """What theme handlers get for one update (injected as `themes`)."""

    browser: ThemeBrowser
    attendance: Attendance
    session: AsyncSession
    tz: ZoneInfo


class ThemesKit(BaseKit):
    def __init__(self, core: Core) -> None:
        self.core = core
        self.renderer = ThemeRenderer(core.i18n)

    def for_update(self, session: AsyncSession) -> ThemeServices:
        tz = self.core.settings.tz
        return ThemeServices(ThemeBrowser(session, tz), Attendance(session, tz), session, tz)
