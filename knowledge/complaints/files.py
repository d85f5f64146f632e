"""Reading and writing the offices file (YAML): handling offices, the routes that send a case
to one, the deadlines in working days, and calendar days the holiday library may not know.

Like the other files, validation walks the composed node tree (knowledge/yaml_files.py), so
every problem is reported with its line and no YAML tag becomes an object; a file is accepted
only whole.

    offices:
      - id: wz-transport              # short: it rides in callback data
        name: 温州市公路与运输管理中心
        name_en: Wenzhou Road and Transport Centre   # optional
        city: 温州                      # optional
        phone: "12328"                  # optional
        handlers: [100200300]           # optional Telegram ids made its handlers
    routes:                             # the most specific wins; one catch-all is required
      - category: freight               # a category code, or "*" for any
        city: 温州                      # optional
        office: wz-transport
    deadlines:                          # optional; working days
      default: {accept: 1, respond: 2, resolve: 5}
      insurance: {resolve: 10}          # missing keys come from default
      consult: {resolve: 3}             # questions for a person: missing keys (or all) as other
    calendar:                           # optional: for years the library does not know
      holidays: [2027-01-01]
      workdays: [2027-02-20]            # make-up working days
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from knowledge.complaints.categories import DEADLINES_LIKE, Category
from knowledge.complaints.offices import DEFAULT_DEADLINES, Deadlines, Office, OfficeBook, Route
from knowledge.text_rules import clean_line, problem
from knowledge.yaml_files import (
    Entry,
    Errors,
    YamlSyntaxError,
    compose,
    describe,
    dump,
    node_line,
    node_tag,
)

SECTIONS = ("offices", "routes", "deadlines", "calendar")
ID_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
LIMITS = {"name": 80, "name_en": 80, "city": 32, "phone": 32}
OFFICE_FIELDS = frozenset({"id", "name", "name_en", "city", "phone", "handlers"})
ROUTE_FIELDS = frozenset({"category", "city", "office"})
DEADLINE_FIELDS = frozenset({"accept", "respond", "resolve"})
CALENDAR_FIELDS = frozenset({"holidays", "workdays"})
MAX_DAYS = 30
ANY = "*"


@dataclass(frozen=True, slots=True)
class OfficesParseResult:
    book: OfficeBook | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.book is not None and not self.errors


class _Entry(Entry):
    def text(self, name: str, required: bool = True) -> str | None:
        found = self.scalar(name, required)
        if found is None:
            return None
        line, node = found
        if node_tag(node) not in ("str", "int"):  # a tag is never constructed, nor taken as text
            self.fail(line, f"{name} must be text, got {describe(node)}")
            return None
        bad = problem(node.value)
        if bad:
            self.fail(line, f"{name} contains {bad}")
            return None
        value = clean_line(node.value).strip()
        if not value:
            if required:
                self.fail(line, f"{name} is empty")
            return None
        if name in LIMITS and len(value) > LIMITS[name]:
            self.fail(line, f"{name} is longer than {LIMITS[name]} characters")
        return value

    def days(self, name: str) -> int | None:
        found = self.get(name, required=False)
        if found is None:
            return None
        line, node = found
        if node_tag(node) != "int":
            self.fail(line, f"{name} must be a whole number of working days")
            return None
        value = int(node.value)
        if not 0 <= value <= MAX_DAYS:
            self.fail(line, f"{name} must be between 0 and {MAX_DAYS} working days")
            return None
        return value


def _list(node: Node, what: str, errors: Errors) -> list[Node]:
    if not isinstance(node, SequenceNode):
        errors.add(node_line(node), f"{what} must be a list")
        return []
    return list(node.value)


def _office(
    node: Node, errors: Errors, seen_ids: dict[str, int], seen_handlers: dict[int, int]
) -> Office | None:
    if not isinstance(node, MappingNode):
        errors.add(node_line(node), "each office must be a mapping of fields")
        return None
    entry = _Entry(node, OFFICE_FIELDS, errors)
    ident = entry.text("id")
    if ident is not None:
        if not ID_PATTERN.match(ident):
            entry.fail(entry.line_of("id"), "id may hold only A-Z, a-z, 0-9, _ . - (at most 32)")
        elif ident in seen_ids:
            entry.fail(
                entry.line_of("id"),
                f"office {ident!r} given twice (first on line {seen_ids[ident]})",
            )
        else:
            seen_ids[ident] = entry.line
    name = entry.text("name")
    handlers: list[int] = []
    found = entry.get("handlers", required=False)
    if found is not None:
        for item in _list(found[1], "handlers", errors):
            if node_tag(item) != "int" or int(item.value) <= 0:
                entry.fail(node_line(item), "handlers are Telegram user ids (positive numbers)")
                continue
            telegram_id = int(item.value)
            if telegram_id in seen_handlers:
                entry.fail(
                    node_line(item),
                    f"handler {telegram_id} is listed twice (first on "
                    f"line {seen_handlers[telegram_id]})",
                )
                continue
            seen_handlers[telegram_id] = node_line(item)
            handlers.append(telegram_id)
    office = Office(
        ident or "",
        name or "",
        entry.text("name_en", False),
        entry.text("city", False),
        entry.text("phone", False),
        tuple(handlers),
    )
    return None if entry.failed else office


def _route(
    node: Node,
    errors: Errors,
    offices: dict[str, int],
    seen: dict[tuple[str | None, str | None], int],
) -> Route | None:
    if not isinstance(node, MappingNode):
        errors.add(node_line(node), "each route must be a mapping of fields")
        return None
    entry = _Entry(node, ROUTE_FIELDS, errors)
    raw = entry.text("category")
    category: Category | None = None
    if raw is not None and raw != ANY:
        try:
            category = Category(raw)
        except ValueError:
            known = ", ".join(c.value for c in Category)
            entry.fail(entry.line_of("category"), f"unknown category {raw!r} ({known} or *)")
    city = entry.text("city", False)
    office = entry.text("office")
    if office is not None and office not in offices:
        entry.fail(entry.line_of("office"), f"unknown office {office!r}")
    key = (category.value if category else None, (city or "").removesuffix("市") or None)
    if not entry.failed:
        if key in seen:
            entry.fail(
                entry.line,
                f"the same category and city are routed twice (first on line {seen[key]})",
            )
        else:
            seen[key] = entry.line
    return None if entry.failed else Route(category, city, office or "")


def _merge(given: dict[str, int | None], base: Deadlines) -> Deadlines:
    """The days given, the base's for the rest."""

    def pick(name: str) -> int:
        value = given.get(name)
        return getattr(base, name) if value is None else value

    return Deadlines(pick("accept"), pick("respond"), pick("resolve"))


def _deadlines(node: Node, errors: Errors) -> dict[Category, Deadlines]:
    if not isinstance(node, MappingNode):
        errors.add(node_line(node), "deadlines must be a mapping of categories")
        return {}
    given: dict[str, tuple[int, dict[str, int | None]]] = {}
    for key, value in node.value:
        name = key.value if isinstance(key, ScalarNode) else None
        if name != "default" and name not in {c.value for c in Category}:
            errors.add(node_line(key), f"unknown category {key.value!r} in deadlines")
            continue
        if not isinstance(value, MappingNode):
            errors.add(node_line(value), f"deadlines of {name} must be a mapping")
            continue
        entry = _Entry(value, DEADLINE_FIELDS, errors)
        given[name] = (node_line(key), {f: entry.days(f) for f in sorted(DEADLINE_FIELDS)})
    base = given.get("default", (0, {}))[1]
    default = _merge(base, DEFAULT_DEADLINES)
    result: dict[Category, Deadlines] = {}
    for category in sorted(Category, key=lambda c: c in DEADLINES_LIKE):  # the likes last
        like = DEADLINES_LIKE.get(category)
        if like is not None and category.value not in given:
            result[category] = result[like]  # not named: as its like (checked there)
            continue
        line, own = given.get(category.value, (given.get("default", (0, {}))[0], {}))
        days = _merge(own, default if like is None else result[like])
        if not days.accept <= days.respond <= days.resolve:
            errors.add(line or 1, f"deadlines of {category.value}: accept <= respond <= resolve")
        result[category] = days
    return {c: result[c] for c in Category}


def _dates(node: Node, what: str, errors: Errors) -> set[date]:
    days: set[date] = set()
    for item in _list(node, what, errors):
        try:
            days.add(date.fromisoformat(item.value) if isinstance(item, ScalarNode) else None)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            errors.add(node_line(item), f"{what} are dates like 2027-01-01")
    return days


def parse_offices_yaml(text: str) -> OfficesParseResult:
    """Validate a whole offices file; the book is returned only when nothing is wrong."""
    try:
        root = compose(text, context_line=False)
    except YamlSyntaxError as exc:
        return OfficesParseResult(errors=[str(exc)])
    errors = Errors()
    if not isinstance(root, MappingNode):
        errors.add(
            1 if root is None else node_line(root),
            "expected the sections offices, routes (deadlines, calendar optional)",
        )
        return OfficesParseResult(errors=errors.messages())
    sections: dict[str, tuple[int, Node]] = {}
    for key, value in root.value:
        name = key.value if isinstance(key, ScalarNode) else None
        if name not in SECTIONS:
            errors.add(node_line(key), f"unknown section {key.value!r}")
        elif name in sections:
            errors.add(node_line(key), f"section {name!r} given twice")
        else:
            sections[name] = (node_line(key), value)
    for required in ("offices", "routes"):
        if required not in sections:
            errors.add(node_line(root), f"missing section {required!r}")
    ids: dict[str, int] = {}
    handlers: dict[int, int] = {}
    offices = (
        [
            o
            for node in _list(sections["offices"][1], "offices", errors)
            if (o := _office(node, errors, ids, handlers))
        ]
        if "offices" in sections
        else []
    )
    if "offices" in sections and not ids:
        errors.add(sections["offices"][0], "at least one office is needed")
    seen: dict[tuple[str | None, str | None], int] = {}
    routes = (
        [
            r
            for node in _list(sections["routes"][1], "routes", errors)
            if (r := _route(node, errors, ids, seen))
        ]
        if "routes" in sections
        else []
    )
    if "routes" in sections and (None, None) not in seen:
        errors.add(sections["routes"][0], 'a catch-all route is needed: category "*" and no city')
    deadlines = (
        _deadlines(sections["deadlines"][1], errors)
        if "deadlines" in sections
        else {c: DEFAULT_DEADLINES for c in Category}
    )
    holidays: set[date] = set()
    workdays: set[date] = set()
    if "calendar" in sections:
        node = sections["calendar"][1]
        if not isinstance(node, MappingNode):
            errors.add(node_line(node), "calendar must be a mapping")
        else:
            entry = _Entry(node, CALENDAR_FIELDS, errors)
            if (found := entry.get("holidays", False)) is not None:
                holidays = _dates(found[1], "holidays", errors)
            if (found := entry.get("workdays", False)) is not None:
                workdays = _dates(found[1], "workdays", errors)
            for day in sorted(holidays & workdays):
                errors.add(sections["calendar"][0], f"{day} is both a holiday and a workday")
    if errors:
        return OfficesParseResult(errors=errors.messages())
    return OfficesParseResult(
        OfficeBook(
            tuple(offices), tuple(routes), deadlines, frozenset(holidays), frozenset(workdays)
        )
    )


def _optional(fields: dict[str, Any], **values: Any) -> dict[str, Any]:
    return fields | {k: v for k, v in values.items() if v not in (None, "", ())}


def dump_offices_yaml(book: OfficeBook) -> str:
    default = book.deadlines.get(Category.OTHER, DEFAULT_DEADLINES)
    deadlines: dict[str, Any] = {
        "default": {
            "accept": default.accept,
            "respond": default.respond,
            "resolve": default.resolve,
        }
    }
    for category, days in book.deadlines.items():
        if days != default:
            deadlines[category.value] = {
                "accept": days.accept,
                "respond": days.respond,
                "resolve": days.resolve,
            }
    document: dict[str, Any] = {
        "offices": [
            _optional(
                {"id": o.id, "name": o.name},
                name_en=o.name_en,
                city=o.city,
                phone=o.phone,
                handlers=list(o.handlers),
            )
            for o in book.offices
        ],
        "routes": [
            _optional({"category": r.category.value if r.category else ANY}, city=r.city)
            | {"office": r.office}
            for r in book.routes
        ],
        "deadlines": deadlines,
    }
    if book.holidays or book.workdays:
        document["calendar"] = _optional(
            {}, holidays=sorted(book.holidays), workdays=sorted(book.workdays)
        )
    return dump(document)
