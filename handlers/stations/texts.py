"""How stations read in a message: kinds, services, distance, opening state."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiogram.utils.i18n import gettext as _

from bot.services.stations.service import StationView
from handlers.common.filters import N_
from handlers.common.texts import city_label, q
from knowledge.stations.station import SERVICE_ICONS, Service, StationKind

KIND_LABELS: dict[StationKind, str] = {
    StationKind.DRIVER_HOME: N_("Driver Home"),
    StationKind.STATION: N_("Station"),
    StationKind.SERVICE_CENTRE: N_("Service Centre"),
    StationKind.SERVICE_AREA: N_("Service Area"),
    StationKind.CANTEEN: N_("Canteen"),
    StationKind.OTHER: N_("Rest point"),
}

SERVICE_LABELS: dict[Service, str] = {
    Service.REST: N_("rest area"),
    Service.BED: N_("beds"),
    Service.SHOWER: N_("shower"),
    Service.LAUNDRY: N_("laundry"),
    Service.TOILET: N_("toilet"),
    Service.WATER: N_("drinking water"),
    Service.MICROWAVE: N_("microwave to heat meals"),
    Service.MEALS: N_("meals"),
    Service.LODGING: N_("cheap lodging"),
    Service.EV_CHARGING: N_("EV charging"),
    Service.PHONE_CHARGING: N_("phone charging"),
    Service.WIFI: N_("Wi-Fi"),
    Service.TRUCK_PARKING: N_("truck parking"),
    Service.VEHICLE_REPAIR: N_("vehicle check and repair"),
    Service.LEGAL_AID: N_("legal aid"),
    Service.MEDICAL_KIT: N_("medical kit"),
    Service.READING: N_("reading corner"),
    Service.AIR_CONDITIONING: N_("air conditioning / heating"),
}

# The list names services in words (short ones), most wanted first; emoji alone are not read
# at a glance. Both charging services read "charging" there, and beds go unsaid next to
# lodging; details tell them apart.
SERVICE_WORDS: dict[Service, str] = {
    Service.SHOWER: N_("shower"),
    Service.LODGING: N_("lodging"),
    Service.BED: N_("beds"),
    Service.MEALS: N_("meals"),
    Service.MICROWAVE: N_("microwave"),
    Service.EV_CHARGING: N_("charging"),
    Service.PHONE_CHARGING: N_("charging"),
    Service.TRUCK_PARKING: N_("truck parking"),
    Service.VEHICLE_REPAIR: N_("repairs"),
    Service.LAUNDRY: N_("laundry"),
    Service.LEGAL_AID: N_("legal aid"),
    Service.TOILET: N_("toilet"),
    Service.WATER: N_("water"),
    Service.WIFI: N_("Wi-Fi"),
    Service.AIR_CONDITIONING: N_("A/C"),
    Service.MEDICAL_KIT: N_("first aid"),
    Service.REST: N_("rest"),
    Service.READING: N_("books"),
}


_COVERED_BY = {Service.BED: Service.LODGING}


@dataclass(frozen=True, slots=True)
class Filter:
    icon: str
    word: str  # msgid: the button and the "Filter:" line
    phrase: str  # msgid: "no station {phrase} within 50 km"


FILTERS: dict[str, Filter] = {
    "shower": Filter("🚿", N_("Shower"), N_("with a shower")),
    "charge": Filter("🔌", N_("Charging"), N_("with charging")),
    "meal": Filter("♨️", N_("Hot meal"), N_("with hot meals")),
    "sleep": Filter("🛏", N_("Lodging"), N_("with a bed or lodging")),
    "truck": Filter("🚛", N_("Truck parking"), N_("with truck parking")),
}
OPEN_FILTER = Filter("🟢", N_("Open now"), N_("open now"))
SELECTED = "✅"  # takes the place of a selected filter's icon: the label keeps its width

# A message line on a phone 390 px wide holds ~18 Chinese characters or ~34 Latin ones.
LINE_UNITS = 34.0


def _emoji(code: int) -> bool:
    return code >= 0x1F000 or 0x2190 <= code <= 0x2BFF  # pictographs; arrows, symbols, dingbats


def display_width(text: str) -> float:
    """Width in Latin letters: Chinese characters, full-width forms (also “” and ·, wide in
    Chinese fonts) and emoji count 1.875 (16 of them fill what 30 letters do), spaces half,
    variation selectors nothing."""
    width = 0.0
    for ch in text:
        if ch == " ":
            width += 0.5
        elif unicodedata.combining(ch) or ch in "\ufe0f\u200d":
            continue
        elif unicodedata.east_asian_width(ch) in "WFA" or _emoji(ord(ch)):
            width += 1.875
        else:
            width += 1.0
    return width


def filter_label(item: Filter, selected: bool) -> str:
    return f"{SELECTED if selected else item.icon} {_(item.word)}"


WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
_OSM_DAYS = {"Mo": 0, "Tu": 1, "We": 2, "Th": 3, "Fr": 4, "Sa": 5, "Su": 6}
_DAY_RANGE = re.compile(r"\b(Mo|Tu|We|Th|Fr|Sa|Su)-(Mo|Tu|We|Th|Fr|Sa|Su)\b")
_DAY = re.compile(r"\b(Mo|Tu|We|Th|Fr|Sa|Su)\b")


def hours_text(expression: str) -> str:
    """OSM opening hours in words a driver reads at a glance ("Mo-Fr 08:00-20:00" →
    "周一至周五 08:00-20:00"); anything unusual is left as written."""
    if not expression:
        return _("not known")
    if expression.strip() == "24/7":
        return _("24 hours, every day")
    day = {code: _(WEEKDAYS[i]) for code, i in _OSM_DAYS.items()}
    text = _DAY_RANGE.sub(lambda m: _("{first} to {last}").format(
        first=day[m[1]], last=day[m[2]]), expression)  # fmt: skip
    text = _DAY.sub(lambda m: day[m[1]], text)
    text = re.sub(r"\bPH\b", _("public holidays"), text)
    text = re.sub(r"\boff\b", _("closed"), text)
    text = text.replace("; ", ";").replace(", ", ",")
    return text.replace(";", _(";")).replace(",", _(", "))


def distance_text(km: float) -> str:
    if km < 0.995:  # 0.996 km reads "1.0 km", not "1000 m"
        return _("{m} m").format(m=max(10, round(km * 100) * 10))
    return _("{km} km").format(km=f"{km:.1f}" if km < 100 else f"{km:.0f}")


def _when(moment: datetime, now: datetime) -> str:
    """A time of day, with "tomorrow" or the date when it is not today (both local)."""
    clock = f"{moment:%H:%M}"
    if moment.date() == now.date():
        return clock
    if moment.date() == now.date() + timedelta(days=1):
        return _("tomorrow {time}").format(time=clock)
    if moment.date() < now.date() + timedelta(days=7):
        return f"{_(WEEKDAYS[moment.weekday()])} {clock}"
    return _("{month}/{day} {time}").format(month=moment.month, day=moment.day, time=clock)


def open_state_text(view: StationView, now: datetime) -> str:
    hours = view.hours
    if view.closed:
        return _("⛔ Temporarily closed")
    if hours is None:
        return _("❔ Hours not known")
    if hours.always:
        return _("🟢 Open 24 hours")
    local_now = now.astimezone(hours.next_change.tzinfo) if hours.next_change else now
    if hours.open:
        if hours.next_change is None:
            return _("🟢 Open now")
        return _("🟢 Open now, closes {when}").format(when=_when(hours.next_change, local_now))
    if hours.next_change is None:
        return _("🔴 Closed")
    return _("🔴 Closed, opens {when}").format(when=_when(hours.next_change, local_now))


def services_text(services: frozenset[Service], budget: float) -> str:
    """The station's services in words, most wanted first, as many as fit `budget`
    (display width) with "+N" for the rest."""
    words: list[str] = []
    for service in SERVICE_WORDS:
        if service not in services or _COVERED_BY.get(service) in services:
            continue
        if (word := _(SERVICE_WORDS[service])) not in words:
            words.append(word)
    if not words:
        return "—"
    separator = _(", ")
    for shown in range(len(words), 0, -1):
        rest = len(words) - shown
        text = separator.join(words[:shown]) + (f" +{rest}" if rest else "")
        if display_width(text) <= budget:
            return text
    return f"{words[0]} +{len(words) - 1}"


INDENT = "    "


def list_line(number: int, view: StationView, now: datetime) -> str:
    """One station in the list: its name, then distance and opening state, then services."""
    station = view.station
    state = open_state_text(view, now)
    second = (
        f"{distance_text(view.distance_km)} · {state}" if view.distance_km is not None else state
    )
    budget = LINE_UNITS - display_width(INDENT)
    return (
        f"{number}. <b>{q(station.name)}</b>\n"
        f"{INDENT}{second}\n"
        f"{INDENT}{q(services_text(station.services, budget))}"
    )


def details_text(view: StationView, now: datetime) -> str:
    station = view.station
    city = city_label(station.city) if station.city else ""
    place = " ".join(p for p in (city, station.district) if p)
    about = [_(KIND_LABELS[station.kind]), q(place)]
    if view.distance_km is not None:  # from the centre of the list it was picked from
        about.append(distance_text(view.distance_km))
    lines = [
        f"<b>{q(station.name)}</b>",
        " · ".join(p for p in about if p),
        "",
        _("📍 Address: {address}").format(address=q(station.address or place or "—")),
        _("🕘 Hours: {hours} ({state})").format(
            hours=q(hours_text(station.opening_hours)), state=open_state_text(view, now)
        ),
    ]
    if station.phone:
        lines.append(_("📞 Phone: {phone}").format(phone=q(station.phone)))
    if station.services:
        names = [
            f"{SERVICE_ICONS[s]} {_(SERVICE_LABELS[s])}" for s in Service if s in station.services
        ]
        lines.append(_("Services: {services}").format(services=_(", ").join(names)))
    if station.note:
        lines.append(f"📝 {q(station.note)}")
    if station.is_sample:
        lines += ["", _("⚠️ Sample data for illustration: check before you go.")]
    return "\n".join(lines)
