"""Open311 GeoReport v2, the read side, for 随手拍 snap reports: the service list, a report as
a service request, and the query parameters of GET requests.json. No Telegram, no aiohttp
(bot/web/open311.py serves it) and no personal data: a request carries what the city sees of
a report, never who filed it (no user id, name, phone, voice or Telegram file ids).

https://wiki.open311.org/GeoReport_v2
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from bot.db.snaps.models import SnapRow
from bot.db.snaps.statuses import OPEN_SNAP_STATUSES, RejectReason, SnapStatus
from knowledge.snaps.categories import SnapCategory

LOCALES = ("zh", "en")
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-03T00:00:00Z"  # when what this module serves last changed
CONTACT = "The operators of the WarmDrive (暖驶) Telegram bot"
DEFAULT_WINDOW = timedelta(days=90)  # no start_date and no end_date: the last 90 days
MAX_RESULTS = 1000
MAX_IDS = 1000  # service_request_id values in one query

SERVICE_FIELDS = ("service_code", "service_name", "description", "metadata", "type", "keywords",
                  "group")  # fmt: skip
REQUEST_FIELDS = (
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long",
    "media_url",
)  # fmt: skip

# Not the message catalogs: this API has its own small vocabulary. (name, description)
SERVICE_TEXTS: dict[str, dict[SnapCategory, tuple[str, str]]] = {
    "zh": {
        SnapCategory.POTHOLE: ("路面坑洼", "路面上的坑洞、塌陷或破损。"),
        SnapCategory.DEBRIS: ("抛洒物/障碍物", "路面上的抛洒物、遗落物或其他障碍物。"),
        SnapCategory.TRAFFIC_FACILITY: ("交通设施损坏", "损坏的交通标志、信号灯、护栏或标线。"),
        SnapCategory.WATER_ICE: ("积水/结冰", "路面积水、结冰或积雪。"),
        SnapCategory.HAZARD: ("安全隐患", "其他危及行车安全的隐患。"),
        SnapCategory.PUBLIC_FACILITY: ("市政设施", "损坏的井盖、路灯等市政设施。"),
        SnapCategory.OBSTRUCTION: ("占道/违停", "占用道路或违法停放的车辆、物品。"),
        SnapCategory.OTHER: ("其他", "其他道路问题。"),
    },
    "en": {
        SnapCategory.POTHOLE: ("Pothole", "A pothole, sunken or broken road surface."),
        SnapCategory.DEBRIS: (
            "Debris or obstacle",
            "Spilled load, debris or another obstacle on the road.",
        ),
        SnapCategory.TRAFFIC_FACILITY: (
            "Damaged sign or traffic light",
            "A damaged traffic sign, traffic light, guard rail or road marking.",
        ),
        SnapCategory.WATER_ICE: ("Standing water or ice", "Standing water, ice or snow."),
        SnapCategory.HAZARD: ("Other safety hazard", "Another hazard to traffic safety."),
        SnapCategory.PUBLIC_FACILITY: (
            "Public facility",
            "A damaged manhole cover, street light or other public facility.",
        ),
        SnapCategory.OBSTRUCTION: (
            "Obstruction or illegal parking",
            "The road blocked, or a vehicle parked illegally.",
        ),
        SnapCategory.OTHER: ("Other", "Another problem on the road."),
    },
}
GROUPS = {"zh": "道路随手拍", "en": "Road reports"}
KEYWORDS = {
    SnapCategory.POTHOLE: "pothole,road,坑洼,路面",
    SnapCategory.DEBRIS: "debris,obstacle,抛洒物,障碍物",
    SnapCategory.TRAFFIC_FACILITY: "sign,traffic light,guard rail,交通标志,信号灯,护栏",
    SnapCategory.WATER_ICE: "water,ice,snow,积水,结冰",
    SnapCategory.HAZARD: "hazard,safety,安全隐患",
    SnapCategory.PUBLIC_FACILITY: "manhole,street light,井盖,路灯,市政设施",
    SnapCategory.OBSTRUCTION: "obstruction,parking,占道,违停",
    SnapCategory.OTHER: "other,其他",
}

STATUS_NOTES: dict[str, dict[SnapStatus, str]] = {
    "zh": {
        SnapStatus.NEW: "待核实",
        SnapStatus.VERIFIED: "已核实",
        SnapStatus.FORWARDED: "已转交承办单位",
        SnapStatus.HANDLED: "承办单位已处置",
        SnapStatus.CLOSED: "已办结",
        SnapStatus.REJECTED: "未受理",
    },
    "en": {
        SnapStatus.NEW: "new",
        SnapStatus.VERIFIED: "verified",
        SnapStatus.FORWARDED: "forwarded to an office",
        SnapStatus.HANDLED: "handled by the office",
        SnapStatus.CLOSED: "closed",
        SnapStatus.REJECTED: "rejected",
    },
}
REJECT_NOTES: dict[str, dict[RejectReason, str]] = {
    "zh": {
        RejectReason.SPAM: "无效信息",
        RejectReason.DUPLICATE: "重复",
        RejectReason.NOT_ACTIONABLE: "无法处理",
    },
    "en": {
        RejectReason.SPAM: "spam",
        RejectReason.DUPLICATE: "duplicate",
        RejectReason.NOT_ACTIONABLE: "not actionable",
    },
}

# What a status filter means; rejected reports are never shown (spam stays private).
OPEN_STATUSES = tuple(s for s in SnapStatus if s in OPEN_SNAP_STATUSES)
CLOSED_STATUSES = tuple(
    s for s in SnapStatus if s not in OPEN_SNAP_STATUSES and s is not SnapStatus.REJECTED
)
PUBLIC_STATUSES = OPEN_STATUSES + CLOSED_STATUSES


class Open311Error(Exception):
    """A request the API refuses: `code` is the HTTP status, `description` says why."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description

    def body(self) -> list[dict[str, Any]]:
        """The GeoReport v2 error format."""
        return [{"code": self.code, "description": self.description}]


def pick_locale(value: str | None, default: str = "zh") -> str:
    """A supported language from "en", "en-US", "zh_CN"...; anything else: `default`."""
    if default not in LOCALES:
        default = LOCALES[0]
    if not value:
        return default
    language = value.strip().replace("_", "-").split("-", 1)[0].lower()
    return language if language in LOCALES else default


def services(locale: str) -> list[dict[str, Any]]:
    """GET services.json: one service per category, in the categories' order."""
    texts = SERVICE_TEXTS[pick_locale(locale)]
    group = GROUPS[pick_locale(locale)]
    return [
        {
            "service_code": category.value,
            "service_name": texts[category][0],
            "description": texts[category][1],
            "metadata": False,
            "type": "realtime",
            "keywords": KEYWORDS[category],
            "group": group,
        }
        for category in SnapCategory
    ]


def discovery(base_url: str) -> dict[str, Any]:
    """GET discovery.json; `base_url` is where this API is (…/open311/v2, no trailing /)."""
    return {
        "changeset": CHANGESET,
        "contact": CONTACT,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base_url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json"],
            }
        ],
    }


def is_public(row: SnapRow) -> bool:
    return row.number is not None and row.status in PUBLIC_STATUSES


def public_status(status: SnapStatus) -> str:
    return "open" if status in OPEN_SNAP_STATUSES else "closed"


def status_notes(row: SnapRow, locale: str) -> str:
    locale = pick_locale(locale)
    note = STATUS_NOTES[locale][row.status]
    if row.status is SnapStatus.REJECTED and row.reject_reason is not None:
        note = f"{note}: {REJECT_NOTES[locale][row.reject_reason]}"
    return note


def iso(when: datetime, tz: tzinfo) -> str:
    return when.astimezone(tz).isoformat(timespec="seconds")


def request_dict(
    row: SnapRow, office_name: str | None, media_url: str | None, tz: tzinfo, locale: str
) -> dict[str, Any]:
    """A report as a GeoReport v2 service request: exactly REQUEST_FIELDS, nothing personal."""
    if row.number is None:
        raise ValueError(f"report {row.id} has no number yet")
    locale = pick_locale(locale)
    return {
        "service_request_id": row.number,
        "status": public_status(row.status),
        "status_notes": status_notes(row, locale),
        "service_name": SERVICE_TEXTS[locale][row.category][0],
        "service_code": row.category.value,
        "description": "" if row.erased else row.text,
        "agency_responsible": office_name,
        "service_notice": None,
        "requested_datetime": iso(row.created_at, tz),
        "updated_datetime": iso(row.updated_at, tz),
        "expected_datetime": None,
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None if row.lat is None else round(row.lat, 5),
        "long": None if row.lon is None else round(row.lon, 5),
        "media_url": None if row.erased else media_url,
    }


@dataclass(frozen=True, slots=True)
class Query:
    """GET requests.json's parameters, checked. `numbers` set: only those reports (the other
    filters are ignored, as the spec says); else `statuses` (never REJECTED), `categories`
    (None: all) and created between `start` and `end` (None: open-ended)."""

    numbers: tuple[str, ...] = ()
    statuses: tuple[SnapStatus, ...] = PUBLIC_STATUSES
    categories: tuple[SnapCategory, ...] | None = None
    start: datetime | None = None
    end: datetime | None = None
    limit: int = MAX_RESULTS
    locale: str = "zh"


def _split(value: str | None) -> list[str]:
    if value is None:
        return []
    return [part.strip() for part in value.split(",") if part.strip()]


def parse_datetime(name: str, value: str, tz: tzinfo) -> datetime:
    """A W3C / ISO 8601 datetime (or date); without an offset it is local time in `tz`."""
    text = value.strip()
    try:
        when = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise Open311Error(
            400, f"{name}: expected a W3C datetime like 2026-01-31T08:00:00+08:00, got {value!r}"
        ) from None
    return when.replace(tzinfo=tz) if when.tzinfo is None else when


def parse_query(
    params: Mapping[str, str],
    now: datetime,
    *,
    tz: tzinfo | None = None,
    default_locale: str = "zh",
) -> Query:
    """The query of GET requests.json, or Open311Error(400, ...) saying what is wrong."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    zone = tz if tz is not None else now.tzinfo
    locale = pick_locale(params.get("locale"), default_locale)
    numbers = tuple(dict.fromkeys(_split(params.get("service_request_id"))))
    if len(numbers) > MAX_IDS:
        raise Open311Error(400, f"service_request_id: at most {MAX_IDS} ids at once")
    if numbers:
        if any(len(n) > 20 for n in numbers):
            raise Open311Error(400, "service_request_id: ids look like SP-2026-000012")
        return Query(numbers=numbers, locale=locale)

    statuses: tuple[SnapStatus, ...] = PUBLIC_STATUSES
    wanted = {s.lower() for s in _split(params.get("status"))}
    if wanted:
        unknown = wanted - {"open", "closed"}
        if unknown:
            raise Open311Error(400, f"status: expected open or closed, got {sorted(unknown)}")
        statuses = tuple(s for s in PUBLIC_STATUSES if public_status(s) in wanted)

    categories: tuple[SnapCategory, ...] | None = None
    codes = _split(params.get("service_code"))
    if codes:
        known = {c.value: c for c in SnapCategory}
        unknown_codes = [c for c in codes if c not in known]
        if unknown_codes:
            raise Open311Error(400, f"service_code: unknown {', '.join(unknown_codes)}")
        categories = tuple(dict.fromkeys(known[c] for c in codes))

    start_text, end_text = params.get("start_date"), params.get("end_date")  # "": not given
    start = parse_datetime("start_date", start_text, zone) if start_text else None
    end = parse_datetime("end_date", end_text, zone) if end_text else None
    if start is None and end is None:
        start = now - DEFAULT_WINDOW
    if start is not None and end is not None and end < start:
        raise Open311Error(400, "end_date is before start_date")
    return Query(statuses=statuses, categories=categories, start=start, end=end, locale=locale)
