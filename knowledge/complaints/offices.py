"""Handling offices (承办单位), the rules that route a case to one, and the deadlines."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from knowledge.complaints.categories import DEADLINES_LIKE, Category
from knowledge.complaints.workdays import WorkCalendar


@dataclass(frozen=True, slots=True)
class Office:
    id: str
    name: str
    name_en: str | None = None
    city: str | None = None
    phone: str | None = None
    handlers: tuple[int, ...] = ()  # Telegram user ids the file makes its handlers


@dataclass(frozen=True, slots=True)
class Route:
    category: Category | None  # None: any category
    city: str | None  # None: any city
    office: str


@dataclass(frozen=True, slots=True)
class Deadlines:
    """Working days to accept, to answer first, to resolve."""

    accept: int = 1
    respond: int = 2
    resolve: int = 5


DEFAULT_DEADLINES = Deadlines()


def _city(name: str | None) -> str | None:
    return None if name is None else name.strip().removesuffix("市") or None


@dataclass(frozen=True, slots=True)
class OfficeBook:
    offices: tuple[Office, ...]
    routes: tuple[Route, ...]
    deadlines: Mapping[Category, Deadlines] = field(default_factory=dict)
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()

    def office(self, office_id: str) -> Office | None:
        return next((o for o in self.offices if o.id == office_id), None)

    def route(self, category: Category, city: str | None) -> Office:
        """The most specific rule wins: category and city, category, city, then any."""
        wanted = _city(city)

        def rank(route: Route) -> int | None:
            if route.category not in (None, category):
                return None
            if route.city is not None and _city(route.city) != wanted:
                return None
            return (route.category is not None) * 2 + (route.city is not None)

        ranked = [(r, route) for route in self.routes if (r := rank(route)) is not None]
        if not ranked:
            if not self.offices:
                raise LookupError("no offices")
            return self.offices[0]
        best = max(ranked, key=lambda pair: pair[0])[1]
        office = self.office(best.office)
        if office is None:
            raise LookupError(best.office)
        return office

    def deadlines_for(self, category: Category) -> Deadlines:
        found = self.deadlines.get(category)
        if found is None and category in DEADLINES_LIKE:
            found = self.deadlines.get(DEADLINES_LIKE[category])
        return DEFAULT_DEADLINES if found is None else found

    def calendar(self) -> WorkCalendar:
        return WorkCalendar(self.holidays, self.workdays)
