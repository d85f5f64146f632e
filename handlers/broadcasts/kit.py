"""The broadcast feature's process-wide part (the runner with its rate meter, the words a
notice carries) and its services for one update."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.feature import BaseKit, Core
from bot.services.broadcasts.delivery import Wording
from bot.services.broadcasts.model import LANGUAGES
from bot.services.broadcasts.service import BroadcastService
from bot.services.outbox.service import OptOut
from handlers.broadcasts.status import Board
from handlers.common.filters import N_
from handlers.outbox.buttons import unsubscribe_button
from scheduler.jobs.broadcasts import BroadcastRunner

NOBODY = N_("driver")  # what {name} becomes for a driver without a name


@dataclass(frozen=True, slots=True)
class BroadcastServices:
    """What broadcast handlers get for one update (injected as `broadcasts`)."""

    service: BroadcastService
    kit: BroadcastsKit
    tz: ZoneInfo


class BroadcastsKit(BaseKit):
    def __init__(self, core: Core) -> None:
        self.core = core
        settings = core.settings
        self.runner = BroadcastRunner(
            core.session_factory, settings.tz, settings.data_dir, settings.default_language,
            core.doorbell,
        )  # fmt: skip
        self._wording: Wording | None = None

    def for_update(self, session: AsyncSession) -> BroadcastServices:
        tz = self.core.settings.tz
        return BroadcastServices(BroadcastService(session, tz), self, tz)

    def wording(self) -> Wording:
        if self._wording is None:
            i18n, buttons, nobody = self.core.i18n, {}, {}
            for language in LANGUAGES:
                with i18n.context(), i18n.use_locale(language):
                    buttons[language] = unsubscribe_button(OptOut.NOTICES)
                    nobody[language] = _(NOBODY)
            self._wording = Wording(buttons, nobody, self.core.settings.default_language)
        return self._wording

    def board(self, bot: Bot) -> Board:
        return Board(bot, self.core.i18n, self.core.settings.tz)

    async def start_now(self, bot: Bot, broadcast_id: int, now: datetime) -> None:
        """A broadcast confirmed for now starts at once (the job would, a few seconds later)
        and its status message shows it."""
        await self.runner.start_due(self.wording(), now)
        await self.runner.show(self.board(bot), broadcast_id, now)
