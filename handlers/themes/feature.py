"""一月一主题: the theme of the month and its activities (📅), the month's notice on the 1st
and a reminder the day before each activity, and the admins' themes file; sign-up for the
activities with seats (a personal reminder before the start), and check-in at the place with
the organiser's rotating code for the activity's points."""

from __future__ import annotations

from aiogram import Router

from bot.cli import themes as cli
from bot.cli.files import import_export
from bot.feature import Command, Feature, Job, MenuButton, Stage
from bot.i18n import N_
from bot.services.themes.personal_data import PART
from handlers.themes import checkin, organiser, screen
from handlers.themes.kit import ThemesKit
from scheduler.jobs import themes as jobs


def _routers() -> list[tuple[Stage, Router]]:
    return [
        (Stage.OPEN, organiser.create_router()),  # admins who never agreed may use it too
        (Stage.AGREED, screen.create_router()),
        (Stage.AGREED, checkin.create_router()),
        (Stage.LAST, checkin.create_code_router()),  # six digits nothing else took
    ]


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
        Command(
            "attend", N_("Check in at an activity"),
            N_("/attend CODE: check in at an activity with the organiser's code"),
            personal=True,
        ),
        Command(
            "checkin_code", N_("Check-in codes of today's activities"),
            N_("/checkin_code: show today's activities' check-in codes and counts"),
            admin=True,
        ),
        Command(
            "activity_report", N_("This month's sign-ups and check-ins"),
            N_("/activity_report: sign-ups and check-ins of this month's activities"),
            admin=True,
        ),
    ),
    jobs=(
        Job("announce_theme", jobs.announce_theme, "interval", {"minutes": 10}),
        Job("remind_activities", jobs.remind_activities, "interval", {"minutes": 10}),
        # The personal reminders are due REMIND_BEFORE the start: 5 minutes late at most.
        Job("remind_signups", jobs.remind_signups, "interval", {"minutes": 5}),
    ),
    cli=(
        import_export("themes", "the themes of the month (YAML)", cli.import_file, cli.export_file),
    ),
    personal_data=(PART,),
)  # fmt: skip
