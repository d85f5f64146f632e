"""How stations read in a message: kinds, services, distance, opening state."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from aiogram.utils.i18n import gettext as _

from bot.services.stations import StationView
from handlers.filters import N_
from handlers.texts import q
from knowledge.stations import SERVICE_ICONS, Service, StationKind

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

FILTER_LABELS: dict[str, str] = {
    "shower": N_("🚿 Shower"),
    "charge": N_("🔌 Charging"),
    "meal": N_("♨️ Hot meal"),
    "sleep": N_("🛏 Lodging"),
    "truck": N_("🚛 Truck parking"),
}
OPEN_FILTER_LABEL = N_("🟢 Open now")


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
    if km < 1:
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


def icons(services: frozenset[Service]) -> str:
    return "".join(SERVICE_ICONS[s] for s in Service if s in services)


def list_line(number: int, view: StationView, now: datetime) -> str:
    station = view.station
    distance = distance_text(view.distance_km) if view.distance_km is not None else ""
    return (
        f"{number}. <b>{q(station.name)}</b> · {distance}\n"
        f"    {open_state_text(view, now)} · {_(KIND_LABELS[station.kind])}\n"
        f"    {icons(station.services) or '—'}"
    )


def details_text(view: StationView, now: datetime) -> str:
    station = view.station
    place = " ".join(p for p in (station.city, station.district) if p)
    lines = [
        f"<b>{q(station.name)}</b>",
        f"{_(KIND_LABELS[station.kind])} · {q(place)}" if place else _(KIND_LABELS[station.kind]),
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
