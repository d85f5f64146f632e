"""Starting a flow from a reading, as if its button was tapped: each intent's entry point is
the feature's own handler, called with aiogram's dependency injection (it takes from the
update's data what it declares, plus the preset it accepts: a service filter, a category, a
city, a station or the question itself).

Actions come as the FAQ file writes them ("complaint:freight", "nearest:shower", "checkup")
or as a reading's label ("nearest:shower@自贡", "faq:call-12348", "human"); both are checked
here, so a forged button starts nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram.dispatcher.event.handler import CallableObject
from aiogram.types import Message

from handlers.checkups import flow as checkups_flow
from handlers.checkups import mine as checkups_mine
from handlers.common.basic import help_command
from handlers.complaints import consult, filing
from handlers.complaints import mine as complaints_mine
from handlers.faq.views import send_answer
from handlers.points.screen import my_points
from handlers.shop.screens import my_vouchers, open_shop
from handlers.snaps import filing as snaps_filing
from handlers.stations.nearest import open_nearest
from handlers.tasks.screen import tasks_command
from handlers.themes.screen import show_this_month
from knowledge.complaints.categories import Category
from knowledge.intents.book import Intent
from knowledge.snaps.categories import SnapCategory
from knowledge.stations.station import SERVICE_FILTERS, Service

Target = Callable[..., Awaitable[Any]]

FLOWS: dict[Intent, Target] = {
    Intent.NEAREST: open_nearest,
    Intent.CHECKUP: checkups_flow.start_booking,
    Intent.MY_BOOKINGS: checkups_mine.my_bookings,
    Intent.COMPLAINT: filing.start_filing,
    Intent.MY_CASES: complaints_mine.mycases,
    Intent.SNAP: snaps_filing.start_report,
    Intent.POINTS: my_points,
    Intent.SHOP: open_shop,
    Intent.MY_VOUCHERS: my_vouchers,
    Intent.TASKS: tasks_command,
    Intent.ACTIVITIES: show_this_month,
    Intent.HELP: help_command,
    Intent.HUMAN: consult.ask_a_person,
}
_COMPLAINTS = frozenset(c.value for c in Category) - {"consult"}
_SNAPS = frozenset(c.value for c in SnapCategory)


@dataclass(frozen=True, slots=True)
class Action:
    intent: Intent
    slot: str = ""
    city: str = ""
    faq: str = ""


def _filter_of(code: str) -> str:
    """A service filter key, from a filter key or a station service code (the FAQ file names
    services: "nearest:meals" is the hot-meal filter); "" when no filter covers it."""
    if code in SERVICE_FILTERS:
        return code
    if code in Service.__members__.values():
        return next((k for k, s in SERVICE_FILTERS.items() if Service(code) in s), "")
    return ""


def parse_action(text: str) -> Action | None:
    """An action string as buttons carry it, or None when it names nothing we have."""
    head, _at, city = text.partition("@")
    kind, _colon, slot = head.partition(":")
    if kind == "faq":
        return Action(Intent.FAQ, faq=slot) if slot and not city else None
    if kind not in {i.value for i in FLOWS}:
        return None
    intent = Intent(kind)
    if intent is Intent.NEAREST:  # a service no filter covers (Wi-Fi) lists every station
        known = not slot or slot in SERVICE_FILTERS or slot in Service.__members__.values()
        return Action(intent, _filter_of(slot), city) if known else None
    if city:
        return None
    if intent is Intent.COMPLAINT and slot and slot not in _COMPLAINTS:
        return None
    if intent is Intent.SNAP and slot and slot not in _SNAPS:
        return None
    if slot and intent not in (Intent.COMPLAINT, Intent.SNAP):
        return None
    return Action(intent, slot)


async def launch(action: Action, message: Message, data: dict[str, Any], *, question: str = "",
                 station: str = "") -> bool:  # fmt: skip
    """Start the action's flow in the message's chat; False when it cannot be (an FAQ entry
    an import removed)."""
    if action.intent is Intent.FAQ:
        entry = await data["intents"].reader.entry(data["intents"].session, action.faq)
        if entry is None:
            return False
        await send_answer(message, data["faq"], entry)
        return True
    presets = {"preset": action.slot or None, "want": action.slot, "city": action.city,
               "station": station, "question": question or None}  # fmt: skip
    await CallableObject(FLOWS[action.intent]).call(message, **{**data, **presets})
    return True
