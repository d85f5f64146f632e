"""Reading and writing station files (CSV and GeoJSON). Validation reports every bad row with
its line number; a file is accepted only when every row is good."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from knowledge.stations.hours import HoursError, parse_hours
from knowledge.stations.station import Service, Station, StationKind, StationStatus
from knowledge.text_rules import clean_line, clean_text, from_spreadsheet, problem, to_spreadsheet

CSV_COLUMNS = (
    "id", "name", "kind", "city", "district", "address", "lat", "lon", "phone",
    "opening_hours", "services", "note", "status",
)  # fmt: skip
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")  # short: it rides in callback data
# The database columns' sizes: a longer value must fail here, with its line number.
LIMITS = {
    "name": 80, "city": 32, "district": 32, "address": 160, "phone": 32, "note": 300,
    "opening_hours": 255,
}  # fmt: skip
MULTILINE = frozenset({"note"})  # shown as a paragraph of its own
# Free text: escaped against formulas in CSV exports (knowledge/text_rules.py); the other
# columns are numbers, ids and codes, which cannot start a formula (or, -73.5, must not be
# touched).
TEXT_COLUMNS = ("name", "city", "district", "address", "phone", "opening_hours", "note")


@dataclass
class ParseResult:
    stations: list[Station] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _float(value: str, name: str, low: float, high: float) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{name} is not a number: {value!r}") from None
    if not low <= number <= high:  # also rejects NaN
        raise ValueError(f"{name} {number} is outside [{low:g}, {high:g}]")
    return number


def station_from_fields(row: dict[str, Any], is_sample: bool = False) -> Station:
    """One station from string fields; ValueError says what is wrong."""
    if "_error" in row:
        raise ValueError(row["_error"])

    def text(name: str) -> str:
        value = row.get(name)
        value = "" if value is None else str(value).strip()
        bad = problem(value, multiline=name in MULTILINE)
        if bad:
            raise ValueError(f"{name} contains {bad}")
        value = clean_text(value) if name in MULTILINE else clean_line(value)
        if len(value) > LIMITS.get(name, 10_000):
            raise ValueError(f"{name} is longer than {LIMITS[name]} characters")
        return value

    station_id = text("id")
    if not ID_PATTERN.match(station_id):
        raise ValueError(f"id must be 1-32 letters, digits, '-', '_' or '.': {station_id!r}")
    name = text("name")
    if not name:
        raise ValueError("missing name")
    try:
        kind = StationKind(text("kind") or "other")
    except ValueError:
        raise ValueError(f"unknown kind {text('kind')!r}") from None
    hours = text("opening_hours")  # empty: unknown, never shown as open
    if hours:
        try:
            parse_hours(hours)
        except HoursError as exc:
            raise ValueError(f"unparsable opening_hours {hours!r}: {exc}") from None
    services: set[Service] = set()
    raw_services = row.get("services") or ""
    items = raw_services if isinstance(raw_services, list) else str(raw_services).split(";")
    for item in (str(i).strip() for i in items):
        bad = problem(item)
        if bad:
            raise ValueError(f"services contains {bad}")
        if not item:
            continue
        try:
            services.add(Service(item))
        except ValueError:
            raise ValueError(f"unknown service {item!r}") from None
    try:
        status = StationStatus(text("status") or "open")
    except ValueError:
        raise ValueError(f"unknown status {text('status')!r}") from None
    return Station(
        id=station_id,
        name=name,
        kind=kind,
        city=text("city"),
        district=text("district"),
        address=text("address"),
        lat=_float(text("lat"), "lat", -90, 90),
        lon=_float(text("lon"), "lon", -180, 180),
        phone=text("phone"),
        opening_hours=hours,
        services=frozenset(services),
        note=text("note"),
        status=status,
        is_sample=is_sample,
    )


def _collect(rows: Iterable[tuple[int, dict[str, Any]]], is_sample: bool) -> ParseResult:
    result = ParseResult()
    first_line: dict[str, int] = {}
    for line, row in rows:
        try:
            station = station_from_fields(row, is_sample)
        except ValueError as exc:
            result.errors.append(f"line {line}: {exc}")
            continue
        if station.id in first_line:
            result.errors.append(
                f"line {line}: duplicate id {station.id!r} (first on line {first_line[station.id]})"
            )
            continue
        first_line[station.id] = line
        result.stations.append(station)
    if not result.stations and not result.errors:
        result.errors.append("no stations in the file")
    return result


def parse_csv(text: str, is_sample: bool = False) -> ParseResult:
    text = text.lstrip("\ufeff")
    first = text.partition("\n")[0]
    # Excel's "Unicode text" is tab-separated; our header has neither tabs nor quotes.
    delimiter = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader, [])]
    except csv.Error as exc:
        return ParseResult(errors=[f"line 1: {exc}"])
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        return ParseResult(errors=[f"line 1: missing columns: {', '.join(missing)}"])

    def rows() -> Iterable[tuple[int, dict[str, Any]]]:
        start = reader.line_num + 1  # a record may span lines: report where it starts
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # e.g. a field over the csv module's 128 KiB limit
                yield start, {"_error": str(exc)}
                return  # the reader cannot resume inside a broken record
            line, start = start, reader.line_num + 1
            if not any(f.strip() for f in fields):
                continue  # blank line
            if len(fields) != len(header):
                yield line, {"_error": f"expected {len(header)} fields, got {len(fields)}"}
                continue
            row = dict(zip(header, fields, strict=True))
            for name in TEXT_COLUMNS:
                row[name] = from_spreadsheet(row[name])
            yield line, row

    return _collect(rows(), is_sample)


def parse_geojson(text: str) -> ParseResult:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return ParseResult(errors=[f"line {exc.lineno}: not valid JSON: {exc.msg}"])
    except RecursionError:  # "[[[[..." deeper than Python's stack
        return ParseResult(errors=["not valid JSON: nested too deeply"])
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        return ParseResult(errors=["not a GeoJSON FeatureCollection"])

    def rows() -> Iterable[tuple[int, dict[str, Any]]]:
        for number, feature in enumerate(features, start=1):
            props = feature.get("properties") if isinstance(feature, dict) else None
            geometry = feature.get("geometry") if isinstance(feature, dict) else None
            if not isinstance(props, dict) or not isinstance(geometry, dict):
                yield number, {"_error": "expected a Feature with properties and a geometry"}
                continue
            coords = geometry.get("coordinates")
            coords = coords if isinstance(coords, list) else []
            yield number, {**props, "lon": [*coords, "", ""][0], "lat": [*coords, "", ""][1]}

    result = _collect(rows(), is_sample=False)
    # GeoJSON has no lines per station: report the feature's position instead.
    result.errors = [e.replace("line ", "feature ", 1) for e in result.errors]
    return result


def parse_file(name: str, text: str) -> ParseResult:
    lowered = name.lower()
    if lowered.endswith((".geojson", ".json")):
        return parse_geojson(text)
    return parse_csv(text)


def _fields(station: Station) -> dict[str, str]:
    return {
        "id": station.id,
        "name": station.name,
        "kind": station.kind.value,
        "city": station.city,
        "district": station.district,
        "address": station.address,
        "lat": f"{station.lat:.6f}",
        "lon": f"{station.lon:.6f}",
        "phone": station.phone,
        "opening_hours": station.opening_hours,
        "services": ";".join(sorted(s.value for s in station.services)),
        "note": station.note,
        "status": station.status.value,
    }


def to_csv(stations: Iterable[Station]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for station in stations:
        fields = _fields(station)
        writer.writerow(
            {k: to_spreadsheet(v) if k in TEXT_COLUMNS else v for k, v in fields.items()}
        )
    return out.getvalue()


def to_geojson(stations: Iterable[Station]) -> str:
    features = []
    for station in stations:
        props: dict[str, Any] = _fields(station)
        del props["lat"], props["lon"]
        props["services"] = sorted(s.value for s in station.services)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [station.lon, station.lat]},
                "properties": props,
            }
        )
    return json.dumps(
        {"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=1
    )
