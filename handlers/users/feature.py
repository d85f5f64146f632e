"""The people: first contact and consent, onboarding, profile, language, their data, and the
admins' user commands."""

from __future__ import annotations

from aiogram import Router

from bot.feature import Command, Feature, Stage
from bot.i18n import N_
from bot.services.users.kit import ProfileKit
from handlers.users import admin, chat_member, language, onboarding, privacy, profile, start


def _onboarding_routers() -> list[tuple[Stage, Router]]:
    return [
        (Stage.OPEN, start.create_router()),
        (Stage.GATE, start.create_gate_router()),
        (Stage.AGREED, onboarding.create_router()),
    ]


ONBOARDING = Feature(
    name="onboarding",
    routers=_onboarding_routers,
    commands=(
        Command(
            "start", N_("Start, or show the menu"), N_("/start: start, or show the menu"),
            personal=True,
        ),
    ),
)  # fmt: skip

# Served before the consent gate: an admin listed in ADMIN_IDS who never opened a private
# chat with the bot still gets answers in the admins' group.
ADMIN = Feature(
    name="admin",
    routers=lambda: [(Stage.OPEN, admin.create_router())],
    commands=(
        Command("stats", N_("User numbers"), N_("/stats: user numbers"), admin=True),
        Command(
            "setrole", N_("Change a user's role"),
            N_("/setrole ID ROLE: make a user a driver, volunteer or admin"), admin=True,
        ),
    ),
)  # fmt: skip


def _profile_routers() -> list[tuple[Stage, Router]]:
    return [
        (Stage.OPEN, chat_member.create_router()),
        (Stage.OPEN, language.create_router()),
        (Stage.OPEN, privacy.create_router()),
        (Stage.AGREED, profile.create_router()),
    ]


PROFILE = Feature(
    name="profile",
    routers=_profile_routers,
    kit=ProfileKit,
    commands=(
        Command("profile", N_("Your details"), N_("/profile: your details"), personal=True),
        Command(
            "language", N_("中文 / English"), N_("/language: 中文 / English"), personal=True
        ),
        Command(
            "mydata", N_("Download your data"),
            N_("/mydata: download the data we hold about you"), personal=True,
        ),
        Command(
            "deleteme", N_("Erase your data"), N_("/deleteme: erase your data"), personal=True
        ),
    ),
)  # fmt: skip
