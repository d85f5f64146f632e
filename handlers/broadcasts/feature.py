"""Admins' broadcasts: /broadcast composes a notice (text or photo, link buttons, an
English version, the audience, a preview, the time), the outbox delivers it, one status
message follows it with pause / resume / cancel, and /broadcasts lists them."""

from __future__ import annotations

from aiogram import Router

from bot.feature import Command, Feature, Job, Stage
from bot.i18n import N_
from handlers.broadcasts import control, form
from handlers.broadcasts.kit import BroadcastsKit
from scheduler.jobs import broadcasts as jobs


def _routers() -> list[tuple[Stage, Router]]:
    # Before the consent gate, like every admin command: an admin from ADMIN_IDS who never
    # agreed to the driver terms can still broadcast.
    return [(Stage.OPEN, form.create_router()), (Stage.OPEN, control.create_router())]


# Polled every few seconds: "now" starts at once after the confirm anyway; a scheduled one
# starts at most 5 s late, and one due while the bot was down at the first run after.
BROADCASTS = Feature(
    name="broadcasts",
    routers=_routers,
    kit=BroadcastsKit,
    commands=(
        Command("broadcast", N_("Send a notice to drivers"),
                N_("/broadcast: send a notice to drivers (all, or by city, occupation, role "
                   "or language)"), admin=True),
        Command("broadcasts", N_("Notices sent and scheduled"),
                N_("/broadcasts: notices sent and scheduled, their status, pause or cancel"),
                admin=True),
    ),
    jobs=(
        Job("start_broadcasts", jobs.start_broadcasts, "interval", {"seconds": 5}),
        Job("show_broadcast_progress", jobs.show_broadcast_progress, "interval",
            {"seconds": 5}),
        Job("drop_broadcast_drafts", jobs.drop_broadcast_drafts, "cron",
            {"hour": 4, "minute": 31}),
    ),
)  # fmt: skip
