"""Free text: what a driver types outside a flow starts the flow it asks for (the nearest
list with its filter, a complaint with its category, an FAQ answer ...), offers choices when
unsure, and offers a person when nothing fits (knowledge/intents/)."""

from __future__ import annotations

from aiogram import Router

from bot.cli.intents import INTENTS_CLI
from bot.feature import Feature, Job, Stage
from bot.services.intents.kit import IntentsKit
from handlers.intents import router
from scheduler.jobs import intents as jobs


def _routers() -> list[tuple[Stage, Router]]:
    # Last but for the fallback: every flow's own handlers see their text first.
    return [(Stage.LAST, router.create_router())]


INTENTS = Feature(
    name="intents",
    routers=_routers,
    kit=IntentsKit,
    jobs=(
        Job("refresh_intent_matcher", jobs.refresh_matcher, "interval", {"seconds": 60}),
        Job("prune_intent_misses", jobs.prune_misses, "cron", {"hour": 4, "minute": 43}),
    ),
    cli=(INTENTS_CLI,),
)
