"""The theme notices' Telegram side: each message rendered in its reader's language, with the
one-tap unsubscribe every bulk message carries. The jobs get it from the kit."""

from __future__ import annotations

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.services.outbox.audience import Reader
from bot.services.outbox.messages import Button
from bot.services.outbox.service import OptOut
from bot.services.themes.browse import ActivityView, ThemeView
from bot.services.themes.notices import MonthNotice, Rendered
from handlers.outbox.buttons import unsubscribe_button
from handlers.themes.callbacks import MonthCb
from handlers.themes.texts import notice_text, reminder_text, signup_reminder_text


class ThemeRenderer:
    def __init__(self, i18n: I18n) -> None:
        self.i18n = i18n

    def month_notice(self, notice: MonthNotice, reader: Reader) -> Rendered:
        with self.i18n.context(), self.i18n.use_locale(reader.language):
            show = Button(
                _("📅 All activities"), callback_data=MonthCb(m=notice.theme.month).pack()
            )
            return Rendered(notice_text(notice), ((show,), (unsubscribe_button(OptOut.THEMES),)))

    def activity_reminder(
        self, activity: ActivityView, theme: ThemeView, reader: Reader
    ) -> Rendered:
        with self.i18n.context(), self.i18n.use_locale(reader.language):
            rows: list[tuple[Button, ...]] = []
            if activity.link:
                rows.append((Button(_("🔗 Open the link"), url=activity.link),))
            rows.append((unsubscribe_button(OptOut.THEMES),))
            return Rendered(reminder_text(activity, theme), tuple(rows))

    def signup_reminder(self, activity: ActivityView, reader: Reader) -> Rendered:
        """Personal: no unsubscribe button (cancelling the seat is on the 📅 screen)."""
        with self.i18n.context(), self.i18n.use_locale(reader.language):
            rows: list[tuple[Button, ...]] = []
            if activity.link:
                rows.append((Button(_("🔗 Open the link"), url=activity.link),))
            month = activity.day.strftime("%Y-%m")
            rows.append((Button(_("📅 All activities"), callback_data=MonthCb(m=month).pack()),))
            return Rendered(signup_reminder_text(activity), tuple(rows))
