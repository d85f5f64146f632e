"""Driver stations: the fixed vocabularies and the station record. Pure data, no I/O."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class StationKind(enum.StrEnum):
    DRIVER_HOME = "driver_home"  # 司机之家
    STATION = "station"  # 驿站
    SERVICE_CENTRE = "service_centre"  # 党群服务中心
    SERVICE_AREA = "service_area"  # 服务区
    CANTEEN = "canteen"  # 食堂
    OTHER = "other"


class Service(enum.StrEnum):
    REST = "rest"
    BED = "bed"
    SHOWER = "shower"
    LAUNDRY = "laundry"
    TOILET = "toilet"
    WATER = "water"
    MICROWAVE = "microwave"
    MEALS = "meals"
    LODGING = "lodging"
    EV_CHARGING = "ev_charging"
    PHONE_CHARGING = "phone_charging"
    WIFI = "wifi"
    TRUCK_PARKING = "truck_parking"
    VEHICLE_REPAIR = "vehicle_repair"
    LEGAL_AID = "legal_aid"
    MEDICAL_KIT = "medical_kit"
    READING = "reading"
    AIR_CONDITIONING = "air_conditioning"


SERVICE_ICONS: dict[Service, str] = {
    Service.REST: "🛋",
    Service.BED: "🛏",
    Service.SHOWER: "🚿",
    Service.LAUNDRY: "🧺",
    Service.TOILET: "🚻",
    Service.WATER: "🚰",
    Service.MICROWAVE: "♨️",
    Service.MEALS: "🍚",
    Service.LODGING: "🏨",
    Service.EV_CHARGING: "🔌",
    Service.PHONE_CHARGING: "🔋",
    Service.WIFI: "📶",
    Service.TRUCK_PARKING: "🚛",
    Service.VEHICLE_REPAIR: "🔧",
    Service.LEGAL_AID: "⚖️",
    Service.MEDICAL_KIT: "💊",
    Service.READING: "📚",
    Service.AIR_CONDITIONING: "❄️",
}

# The filters a driver can tap: each is satisfied by any one of its services.
SERVICE_FILTERS: dict[str, frozenset[Service]] = {
    "shower": frozenset({Service.SHOWER}),
    "charge": frozenset({Service.EV_CHARGING, Service.PHONE_CHARGING}),
    "meal": frozenset({Service.MICROWAVE, Service.MEALS}),
    "sleep": frozenset({Service.LODGING, Service.BED}),
    "truck": frozenset({Service.TRUCK_PARKING}),
}


class StationStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # temporarily closed by an admin: never offered as open


@dataclass(frozen=True, slots=True)
class Station:
    id: str
    name: str
    kind: StationKind
    city: str
    district: str
    address: str
    lat: float
    lon: float
    phone: str
    opening_hours: str
    services: frozenset[Service]
    note: str
    status: StationStatus = StationStatus.OPEN
    is_sample: bool = False

    def has_any(self, services: frozenset[Service]) -> bool:
        return not self.services.isdisjoint(services)
