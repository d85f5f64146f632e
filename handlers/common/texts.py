"""Shared renderings of stored values in the user's language."""

from __future__ import annotations

from html import escape

from aiogram.types import KeyboardButton, ReplyKeyboardMarkup
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.db.users.models import Occupation, Role
from handlers.common.filters import N_
from knowledge.cities import city_by_name
from knowledge.maps import map_links

OCCUPATION_LABELS: dict[Occupation, str] = {
    Occupation.TRUCK: N_("🚚 Truck driver"),
    Occupation.RIDE_HAILING: N_("🚕 Ride-hailing"),
    Occupation.DELIVERY: N_("🛵 Food delivery"),
    Occupation.COURIER: N_("📦 Courier"),
    Occupation.OTHER: N_("🙂 Other"),
}

ROLE_LABELS: dict[Role, str] = {
    Role.DRIVER: N_("Driver"),
    Role.VOLUNTEER: N_("Volunteer"),
    Role.ADMIN: N_("Admin"),
    Role.HANDLER: N_("Handler"),
}

SKIP = N_("⏭ Skip")


def location_request_kb(second_button: str, placeholder: str) -> ReplyKeyboardMarkup:
    """“📍 Share my location” and one more button (msgid), for steps that want a place."""
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=_("📍 Share my location"), request_location=True)],
            [KeyboardButton(text=_(second_button))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
        input_field_placeholder=placeholder,
    )


def add_map_buttons(
    kb: InlineKeyboardBuilder, lat: float, lon: float, name: str, address: str = ""
) -> None:
    """Buttons that open Amap, Baidu and Tencent Maps at the place (three, in that order).

    Labels short enough for the three to share one row on a phone (in English "Baidu Maps"
    and "Tencent Maps" were cut off)."""
    links = map_links(lat, lon, name, address)
    kb.button(text=_("🧭 Amap"), url=links.amap)
    kb.button(text=_("🧭 Baidu"), url=links.baidu)
    kb.button(text=_("🧭 Tencent"), url=links.tencent)


def q(value: object) -> str:
    """User-supplied text, escaped for parse_mode=HTML."""
    return escape(str(value), quote=False)


def city_label(city: str) -> str:
    """A stored city (its Chinese name) in the user's language, when it is a known city."""
    if get_i18n().current_locale == "zh":
        return city
    known = city_by_name(city)
    return known.en if known else city


def occupation_label(occupation: Occupation | None) -> str:
    return _(OCCUPATION_LABELS[occupation]) if occupation else _("not set")


def role_label(role: Role) -> str:
    return _(ROLE_LABELS[role])
