"""The themes feature's process-wide part (the notice renderer) and its services for one
update."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.feature import BaseKit, Core
from bot.services.themes.browse import ThemeBrowser
from handlers.themes.notices import ThemeRenderer


@dataclass(frozen=True, slots=True)
class ThemeServices:
    """What theme handlers get for one update (injected as `themes`)."""

    browser: ThemeBrowser
    tz: ZoneInfo


class ThemesKit(BaseKit):
    def __init__(self, core: Core) -> None:
        self.core = core
        self.renderer = ThemeRenderer(core.i18n)

    def for_update(self, session: AsyncSession) -> ThemeServices:
        return ThemeServices(ThemeBrowser(session), self.core.settings.tz)
