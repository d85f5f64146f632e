"""Feature routers, in the order updates try them."""

from __future__ import annotations

from aiogram import Router

from handlers.checkups import admin as checkup_admin
from handlers.checkups import flow as checkups
from handlers.checkups import mine as my_bookings
from handlers.common import basic, errors, fallback, menu
from handlers.stations import admin as station_admin
from handlers.stations import nearest as stations
from handlers.users import admin, chat_member, language, onboarding, privacy, profile, start


def build_routers() -> list[Router]:
    """Fresh routers each call: a router can belong to one dispatcher only."""
    return [
        errors.create_router(),
        # The most frequent update, a menu tap, is matched first; the router checks consent.
        menu.create_router(
            {menu.NEARBY: stations.ask_location, menu.CHECKUPS: checkups.start_booking}
        ),
        chat_member.create_router(),
        basic.create_router(),  # /help, /cancel: from any state, before consent too
        language.create_router(),
        privacy.create_router(),
        start.create_router(),
        # Admins are served before the consent gate: one listed in ADMIN_IDS who never opened
        # a private chat with the bot still gets answers in the admins' group.
        admin.create_router(),
        station_admin.create_router(),
        checkup_admin.create_router(),
        start.create_gate_router(),  # nothing below runs for a user who has not agreed
        stations.create_router(),
        checkups.create_router(),
        my_bookings.create_router(),
        profile.create_router(),
        onboarding.create_router(),
        fallback.create_router(),
    ]
