"""一月一主题: the theme of the month and its activities (📅), the month's notice on the 1st
and a reminder the day before each activity, and the admins' themes file."""

from __future__ import annotations

from aiogram import Router

from bot.cli import themes as cli
from bot.cli.files import import_export
from bot.feature import Command, Feature, Job, MenuButton, Stage
from bot.i18n import N_
from handlers.themes import screen
from handlers.themes.kit import ThemesKit
from scheduler.jobs import themes as jobs


def _routers() -> list[tuple[Stage, Router]]:
    return [(Stage.AGREED, screen.create_router())]


# Both jobs poll every 10 minutes: the notice is at most that late, and one that fell due
# while the bot was down goes out at the first run after the restart (within its window).
THEMES = Feature(
    name="themes",
    routers=_routers,
    kit=ThemesKit,
    menu=(
        MenuButton(
            N_("📅 This month"),
            N_("📅 This month: the theme and activities of the month"),
            screen.show_this_month,
        ),
    ),
    commands=(
        Command(
            "month", N_("This month's theme and activities"),
            N_("/month: this month's theme and activities"), personal=True,
        ),
    ),
    jobs=(
        Job("announce_theme", jobs.announce_theme, "interval", {"minutes": 10}),
        Job("remind_activities", jobs.remind_activities, "interval", {"minutes": 10}),
    ),
    cli=(
        import_export("themes", "the themes of the month (YAML)", cli.import_file, cli.export_file),
    ),
)  # fmt: skip
