"""What every chat has: the error handler, /help, /cancel, and the fallback."""

from __future__ import annotations

from aiogram import Router

from bot.feature import Command, Feature, Stage
from bot.i18n import N_
from handlers.common import basic, errors, fallback


def _routers() -> list[tuple[Stage, Router]]:
    return [
        (Stage.FIRST, errors.create_router()),
        (Stage.OPEN, basic.create_router()),  # from any state, before consent too
        (Stage.LAST, fallback.create_router()),
    ]


COMMON = Feature(
    name="common",
    routers=_routers,
    commands=(
        Command(
            "cancel", N_("Leave the current step"), N_("/cancel: leave the current step"),
            personal=True,
        ),
        Command("help", N_("What the bot can do"), N_("/help: this message")),
    ),
)  # fmt: skip
