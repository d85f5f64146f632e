"""Reading and writing checkup catalogs (YAML): providers, services and slot templates.

Validation walks the composed YAML node tree rather than `yaml.safe_load` output, so every
problem can be reported with its line. Only plain scalars, lists and mappings are read, as
safe_load would read them: no tag is ever constructed into an object, and merge keys (`<<`) are
refused as unknown fields. A file is accepted only when every entry is good: the result then
holds a catalog and no errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any, TypeVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from knowledge.checkups.catalog import (
    CheckupCatalog,
    CheckupService,
    Provider,
    ProviderKind,
    SlotTemplate,
)
from knowledge.text_rules import clean_line, clean_text, problem
from knowledge.yaml_files import (
    YAML_TAG,
    Entry,
    Errors,
    IndentedDumper,
    ParseResult,
    YamlSyntaxError,
    compose,
    describe,
    dump,
    is_text,
    node_line,
    node_tag,
)

_T = TypeVar("_T")

SECTIONS = ("providers", "services", "templates")
ID_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")  # short: ids ride in callback data
# The database columns' sizes: a longer value must fail here, with its line number.
LIMITS = {
    "name": 80, "city": 32, "address": 160, "phone": 32,
    "name_zh": 80, "name_en": 80, "prep_zh": 300, "prep_en": 300,
}  # fmt: skip
MULTILINE = frozenset({"prep_zh", "prep_en"})  # shown as a paragraph of their own
PROVIDER_FIELDS = frozenset({"id", "name", "kind", "city", "address", "lat", "lon", "phone"})
SERVICE_FIELDS = frozenset({"id", "name_zh", "name_en", "duration_min", "prep_zh", "prep_en"})
TEMPLATE_FIELDS = frozenset(
    {"provider", "service", "weekdays", "start", "end", "slot_minutes", "capacity", "days_ahead",
     "closed_dates"}
)  # fmt: skip
MINUTES = (5, 480)  # service durations and slot lengths
MAX_SLOTS_A_DAY = 60
CAPACITY = (1, 500)
DAYS_AHEAD = (1, 180)
DEFAULT_DAYS_AHEAD = 30
# Times and dates are read from the scalar's source text: YAML 1.1 would turn a plain 18:00
# into the number 1080 (base 60) and a plain 2027-02-05 into a date.
TIME_PATTERN = re.compile(r"^(\d{1,2}):(\d{2})$")
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")

_SCALARS = yaml.constructor.SafeConstructor()  # only its int/float converters are used


@dataclass
class CheckupsParseResult(ParseResult):
    catalog: CheckupCatalog | None = None
    errors: list[str] = field(default_factory=list)


# --- node values ---------------------------------------------------------------------------


def _scalar_number(node: Node) -> int | float | None:
    """An int- or float-tagged scalar's value, read the way safe_load reads it; None for
    anything else (an explicit `!!int abc` included)."""
    if not isinstance(node, ScalarNode) or node_tag(node) not in ("int", "float"):
        return None
    try:
        if node_tag(node) == "int":
            return int(_SCALARS.construct_yaml_int(node))
        return float(_SCALARS.construct_yaml_float(node))
    except ValueError:
        return None


# --- one list entry ------------------------------------------------------------------------


class _Entry(Entry):
    """One list item's fields, read as a checkups file has them."""

    def text(self, name: str, required: bool = True) -> str:
        found = self.get(name, required)
        if found is None:
            return ""
        line, node = found
        if node_tag(node) == "null":  # `phone:` left blank means no phone
            if required:
                self.fail(line, f"{name} is empty")
            return ""
        if not is_text(node):
            self.fail(line, f"{name} must be text, got {describe(node)}")
            return ""
        value = node.value.strip()
        bad = problem(value, multiline=name in MULTILINE)
        if bad:
            self.fail(line, f"{name} contains {bad}")
            return ""
        value = clean_text(value) if name in MULTILINE else clean_line(value)
        if required and not value:
            self.fail(line, f"{name} is empty")
        elif len(value) > LIMITS.get(name, 10_000):
            self.fail(line, f"{name} is longer than {LIMITS[name]} characters")
        return value

    def ident(self, name: str = "id") -> str | None:
        """A valid id, or None (already reported)."""
        value = self.text(name)
        if value and not ID_PATTERN.match(value):
            self.fail(
                self.fields[name][0],
                f"{name} must be 1-32 letters, digits, '-', '_' or '.': {value!r}",
            )
            return None
        return value or None

    def number(self, name: str, low: float, high: float) -> float:
        found = self.get(name)
        if found is None:
            return 0.0
        line, node = found
        value = _scalar_number(node)
        if value is None:
            self.fail(line, f"{name} must be a number, got {describe(node)}")
            return 0.0
        if not low <= value <= high:  # also rejects NaN; compared before float() can overflow
            self.fail(line, f"{name} {node.value} is outside [{low:g}, {high:g}]")
            return 0.0
        return float(value)

    def integer(self, name: str, bounds: tuple[int, int], default: int | None = None) -> int:
        found = self.get(name, required=default is None)
        if found is None:
            return default if default is not None else 0
        line, node = found
        value = _scalar_number(node)
        if not isinstance(value, int):
            self.fail(line, f"{name} must be a whole number, got {describe(node)}")
            return 0
        if not bounds[0] <= value <= bounds[1]:
            self.fail(line, f"{name} {value} is outside [{bounds[0]}, {bounds[1]}]")
        return value

    def time(self, name: str) -> time | None:
        found = self.get(name)
        if found is None:
            return None
        line, node = found
        match = TIME_PATTERN.match(node.value) if isinstance(node, ScalarNode) else None
        if match is None or int(match[1]) > 23 or int(match[2]) > 59:
            shown = repr(node.value) if isinstance(node, ScalarNode) else describe(node)
            self.fail(line, f"{name} must be a time HH:MM between 00:00 and 23:59, got {shown}")
            return None
        return time(int(match[1]), int(match[2]))

    def items(self, name: str, required: bool) -> list[ScalarNode]:
        """The scalars of a list field (a required one must not be empty)."""
        found = self.get(name, required)
        if found is None or (not required and node_tag(found[1]) == "null"):
            return []
        line, node = found
        if not isinstance(node, SequenceNode):
            self.fail(line, f"{name} must be a list, got {describe(node)}")
            return []
        if required and not node.value:
            self.fail(line, f"{name} is empty")
        scalars = []
        for item in node.value:
            if isinstance(item, ScalarNode):
                scalars.append(item)
            else:
                self.fail(node_line(item), f"{name} must hold single values, got {describe(item)}")
        return scalars


# --- the three sections --------------------------------------------------------------------


def _kind(entry: _Entry) -> ProviderKind:
    raw = entry.text("kind")
    try:
        return ProviderKind(raw)
    except ValueError:
        if raw:  # a missing or empty kind was already reported
            expected = ", ".join(kind.value for kind in ProviderKind)
            entry.fail(entry.fields["kind"][0], f"unknown kind {raw!r} (expected {expected})")
        entry.failed = True
        return ProviderKind.HOSPITAL  # placeholder, never used: the entry failed


def _provider(entry: _Entry, ident: str) -> Provider | None:
    provider = Provider(
        id=ident,
        name=entry.text("name"),
        kind=_kind(entry),
        city=entry.text("city"),
        address=entry.text("address"),
        lat=entry.number("lat", -90, 90),
        lon=entry.number("lon", -180, 180),
        phone=entry.text("phone", required=False),
    )
    return None if entry.failed else provider


def _service(entry: _Entry, ident: str) -> CheckupService | None:
    service = CheckupService(
        id=ident,
        name_zh=entry.text("name_zh"),
        name_en=entry.text("name_en"),
        duration_min=entry.integer("duration_min", MINUTES),
        prep_zh=entry.text("prep_zh", required=False),  # some services need no preparation
        prep_en=entry.text("prep_en", required=False),
    )
    return None if entry.failed else service


def _read_unique(
    nodes: Iterable[MappingNode],
    what: str,
    allowed: frozenset[str],
    build: Callable[[_Entry, str], _T | None],
    errors: Errors,
) -> tuple[dict[str, int], list[_T]]:
    """Entries with unique ids. Returns every valid id with the line it was first given on
    (also for entries that failed otherwise, so templates naming them get no second error)."""
    first_line: dict[str, int] = {}
    built: list[_T] = []
    for node in nodes:
        entry = _Entry(node, allowed, errors)
        ident = entry.ident()
        if ident is None:
            build(entry, "")  # still report the other fields' problems
            continue
        id_line = entry.fields["id"][0]
        if ident in first_line:
            entry.fail(
                id_line, f"duplicate {what} id {ident!r} (first on line {first_line[ident]})"
            )
        else:
            first_line[ident] = id_line
        value = build(entry, ident)
        if value is not None and not entry.failed:
            built.append(value)
    return first_line, built


def _reference(entry: _Entry, name: str, known: dict[str, int]) -> str:
    ident = entry.ident(name)
    if ident is not None and ident not in known:
        entry.fail(entry.fields[name][0], f"unknown {name} {ident!r}")
    return ident or ""


def _weekdays(entry: _Entry) -> frozenset[int]:
    """ISO weekdays (1 = Monday) in the file, 0-based (0 = Monday) in SlotTemplate."""
    days: set[int] = set()
    for item in entry.items("weekdays", required=True):
        day = _scalar_number(item)
        if not isinstance(day, int) or not 1 <= day <= 7:
            entry.fail(
                node_line(item), f"weekday must be 1 (Monday) to 7 (Sunday), got {item.value!r}"
            )
            continue
        if day - 1 in days:
            entry.fail(node_line(item), f"weekday {day} is listed twice")
        days.add(day - 1)
    return frozenset(days)


def _closed_dates(entry: _Entry) -> frozenset[date]:
    dates: set[date] = set()
    for item in entry.items("closed_dates", required=False):
        try:
            if not DATE_PATTERN.match(item.value):
                raise ValueError
            day = date.fromisoformat(item.value)
        except ValueError:
            entry.fail(
                node_line(item), f"closed date must be a date YYYY-MM-DD, got {item.value!r}"
            )
            continue
        if day in dates:
            entry.fail(node_line(item), f"closed date {day.isoformat()} is listed twice")
        dates.add(day)
    return frozenset(dates)


def _template(
    entry: _Entry, providers: dict[str, int], services: dict[str, int]
) -> SlotTemplate | None:
    provider_id = _reference(entry, "provider", providers)
    service_id = _reference(entry, "service", services)
    weekdays = _weekdays(entry)
    start, end = entry.time("start"), entry.time("end")
    slot_minutes = entry.integer("slot_minutes", MINUTES)
    capacity = entry.integer("capacity", CAPACITY)
    days_ahead = entry.integer("days_ahead", DAYS_AHEAD, default=DEFAULT_DAYS_AHEAD)
    closed_dates = _closed_dates(entry)
    if start is None or end is None:
        return None
    window = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    if window <= 0:  # slots never cross midnight: SlotTemplate cuts one day's window
        entry.fail(entry.fields["end"][0], f"end {end:%H:%M} is not after start {start:%H:%M}")
    elif MINUTES[0] <= slot_minutes <= MINUTES[1] and slot_minutes > window:
        entry.fail(
            entry.fields["slot_minutes"][0],
            f"slot_minutes {slot_minutes} does not fit between {start:%H:%M} and {end:%H:%M}",
        )
    elif MINUTES[0] <= slot_minutes <= MINUTES[1] and window // slot_minutes > MAX_SLOTS_A_DAY:
        entry.fail(  # a driver picks a time from buttons, and a message holds 100 at most
            entry.fields["slot_minutes"][0],
            f"{window // slot_minutes} slots a day between {start:%H:%M} and {end:%H:%M}; "
            f"at most {MAX_SLOTS_A_DAY} (use longer slots or a shorter window)",
        )
    if entry.failed:
        return None
    return SlotTemplate(
        provider_id=provider_id,
        service_id=service_id,
        weekdays=weekdays,
        start=start,
        end=end,
        slot_minutes=slot_minutes,
        capacity=capacity,
        days_ahead=days_ahead,
        closed_dates=closed_dates,
    )


def _check_overlaps(templates: list[tuple[int, SlotTemplate]], errors: Errors) -> None:
    """Two templates cutting the same provider's service hours on one weekday would make
    clashing slots (the database keeps one slot per provider, service and start time)."""
    for index, (line, template) in enumerate(templates):
        for earlier_line, earlier in templates[:index]:
            if (
                (earlier.provider_id, earlier.service_id)
                == (template.provider_id, template.service_id)
                and earlier.weekdays & template.weekdays
                and earlier.start < template.end
                and template.start < earlier.end
            ):
                errors.add(
                    line,
                    f"overlaps the template on line {earlier_line} "
                    "(same provider and service, shared weekday, overlapping hours)",
                )
                break


# --- the file ------------------------------------------------------------------------------


def _sections(root: Node | None, errors: Errors) -> dict[str, list[MappingNode]]:
    """Each section's entries; every structural problem is reported."""
    found: dict[str, list[MappingNode]] = {name: [] for name in SECTIONS}
    expected = "expected sections providers, services and templates"
    if root is None:
        errors.add(1, f"the file is empty; {expected}")
        return found
    if not isinstance(root, MappingNode):
        errors.add(node_line(root), f"{expected}, got {describe(root)}")
        return found
    first_line: dict[str, int] = {}
    for key, value in root.value:
        name = key.value if is_text(key) else None
        if name not in SECTIONS:
            errors.add(node_line(key), f"unknown section {key.value!r} ({expected})")
        elif name in first_line:
            errors.add(
                node_line(key), f"section {name!r} given twice (first on line {first_line[name]})"
            )
        elif not isinstance(value, SequenceNode):
            errors.add(node_line(key), f"{name} must be a list, got {describe(value)}")
        elif not value.value:
            errors.add(node_line(key), f"{name} has no entries")
        else:
            for item in value.value:
                if isinstance(item, MappingNode):
                    found[name].append(item)
                else:
                    errors.add(node_line(item), f"each entry in {name} must be a mapping of fields")
        if name in SECTIONS:
            first_line.setdefault(name, node_line(key))
    for name in SECTIONS:
        if name not in first_line:
            errors.add(node_line(root), f"missing section {name!r}")
    return found


def parse_checkups_yaml(text: str) -> CheckupsParseResult:
    """Validate a whole checkups file; the catalog is returned only when nothing is wrong."""
    try:
        root = compose(text)
    except YamlSyntaxError as exc:
        return CheckupsParseResult(errors=[str(exc)])
    errors = Errors()
    sections = _sections(root, errors)
    provider_ids, providers = _read_unique(
        sections["providers"], "provider", PROVIDER_FIELDS, _provider, errors
    )
    service_ids, services = _read_unique(
        sections["services"], "service", SERVICE_FIELDS, _service, errors
    )
    templates: list[tuple[int, SlotTemplate]] = []
    for node in sections["templates"]:
        entry = _Entry(node, TEMPLATE_FIELDS, errors)
        template = _template(entry, provider_ids, service_ids)
        if template is not None:
            templates.append((entry.line, template))
    _check_overlaps(templates, errors)
    if errors:
        return CheckupsParseResult(errors=errors.messages())
    catalog = CheckupCatalog(
        providers=tuple(providers),
        services=tuple(services),
        templates=tuple(template for _, template in templates),
    )
    return CheckupsParseResult(catalog=catalog)


# --- writing -------------------------------------------------------------------------------


class _Flow(list[Any]):
    """A short list written on one line, like `weekdays: [1, 2, 3]`."""


class _Dumper(IndentedDumper):
    """Writes a _Flow list on one line (a subclass: the shared dumper stays unchanged)."""


_Dumper.add_representer(
    _Flow, lambda dumper, data: dumper.represent_sequence(YAML_TAG + "seq", data, flow_style=True)
)


def _provider_fields(provider: Provider) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "id": provider.id,
        "name": provider.name,
        "kind": ProviderKind(provider.kind).value,
        "city": provider.city,
        "address": provider.address,
        "lat": float(provider.lat),
        "lon": float(provider.lon),
    }
    if provider.phone:
        fields["phone"] = provider.phone
    return fields


def _service_fields(service: CheckupService) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "id": service.id,
        "name_zh": service.name_zh,
        "name_en": service.name_en,
        "duration_min": service.duration_min,
    }
    for name in ("prep_zh", "prep_en"):
        if getattr(service, name):
            fields[name] = getattr(service, name)
    return fields


def _template_fields(template: SlotTemplate) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "provider": template.provider_id,
        "service": template.service_id,
        "weekdays": _Flow(day + 1 for day in sorted(template.weekdays)),
        "start": f"{template.start:%H:%M}",  # to the minute: the file has no seconds
        "end": f"{template.end:%H:%M}",
        "slot_minutes": template.slot_minutes,
        "capacity": template.capacity,
        "days_ahead": template.days_ahead,
    }
    if template.closed_dates:
        fields["closed_dates"] = _Flow(day.isoformat() for day in sorted(template.closed_dates))
    return fields


def dump_checkups_yaml(catalog: CheckupCatalog) -> str:
    """The catalog in the layout parse_checkups_yaml reads (optional fields left out when
    they hold their default)."""
    sections = {
        "providers": [_provider_fields(p) for p in catalog.providers],
        "services": [_service_fields(s) for s in catalog.services],
        "templates": [_template_fields(t) for t in catalog.templates],
    }
    # One dump per section, so a blank line can separate them as in a hand-written file.
    return "\n".join(dump({name: entries}, _Dumper) for name, entries in sections.items())
