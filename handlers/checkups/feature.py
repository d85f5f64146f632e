"""体检预约: free checkups booked in time slots, /mybookings, the waitlist, reminders, and the
admins' day lists."""

from __future__ import annotations

from aiogram import Router

from bot.cli import checkups as cli
from bot.cli.files import import_export
from bot.feature import Command, Feature, Job, MenuButton, Stage
from bot.i18n import N_
from bot.services.checkups.personal_data import PART
from handlers.checkups import admin, flow, mine
from handlers.checkups.kit import CheckupsKit
from scheduler.jobs import checkups as jobs


def _routers() -> list[tuple[Stage, Router]]:
    return [
        (Stage.OPEN, admin.create_router()),
        (Stage.AGREED, flow.create_router()),
        (Stage.AGREED, mine.create_router()),
    ]


# Due rows are polled every minute: a reminder is at most a minute late, and one that fell due
# while the bot was down goes out at the first run after the restart.
CHECKUPS = Feature(
    name="checkups",
    routers=_routers,
    kit=CheckupsKit,
    menu=(
        MenuButton(
            N_("🩺 Checkup booking"),
            N_("🩺 Checkup booking: book a free health checkup in a time slot"),
            flow.start_booking,
        ),
    ),
    commands=(
        Command("book", N_("Book a free checkup"), N_("/book: book a free checkup"),
                personal=True),
        Command("mybookings", N_("Your checkup bookings"),
                N_("/mybookings: your checkups: cancel or move them"), personal=True),
        Command("bookings_today", N_("Checkup bookings of a day"),
                N_("/bookings_today [DATE]: the checkup bookings of a day, with check-in buttons"),
                admin=True),
        Command("checkin", N_("Mark a checkup attended or a no-show"),
                N_("/checkin CODE [noshow]: mark a checkup attended or a no-show"), admin=True),
        Command("close_day", N_("Close a checkup provider for a day"),
                N_("/close_day PROVIDER DATE [reason]: close a provider's day and tell its "
                   "drivers"), admin=True),
    ),
    jobs=(
        Job("extend_checkup_slots", jobs.extend_checkup_slots, "cron", {"hour": 0, "minute": 5}),
        Job("send_booking_reminders", jobs.send_booking_reminders, "interval", {"seconds": 60}),
        Job("send_booking_notices", jobs.send_booking_notices, "interval", {"seconds": 60}),
    ),
    cli=(
        import_export(
            "checkups", "checkup providers, services and slot templates (YAML)",
            cli.import_file, cli.export_file,
        ),
    ),
    personal_data=(PART,),
)  # fmt: skip
