"""The booking form's rules: which screen the driver's choices lead to, what is left of them
when some went stale, and what confirming or joining a waitlist from the form does.

Plain async Python, no Telegram: one method per screen takes the form's choices and returns
a small frozen screen object; handlers only draw it. Every choice is checked against the
database again whenever it is used, so an old or forged button can at worst drop choices
(the screen before is shown, and `Step.stale` says so).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from bot.db.checkups.statuses import ReminderKind
from bot.services.checkups.bookings import BookingError, BookingErrorCode, BookingService, Offer
from bot.services.checkups.browse import (
    BookingView,
    CheckupBrowser,
    DayAvailability,
    ProviderView,
    ServiceView,
    SlotView,
)
from knowledge.cities import city_by_name

# A screen carries at most this many choices (Telegram shows at most 100 buttons).
MAX_PROVIDERS = 20  # the nearest (or the driver's city's) come first
MAX_SLOTS = 90  # 45 rows of two, and Back

Month = tuple[int, int]  # (year, month)


def parse_month(value: str) -> Month | None:
    """ "2026-11" → (2026, 11); None for anything that is not one."""
    try:
        return int(value[:4]), int(value[5:7])
    except ValueError:
        return None


def parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def parse_slot(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Choices:
    """What the driver has chosen so far, in the order the form asks: service → provider →
    day → slot (the calendar page and a shared location ride along; `moving` is the code of
    the booking a move is for)."""

    service: str | None = None
    provider: str | None = None
    month: Month | None = None  # the calendar page asked for (the first one if None)
    day: date | None = None  # a local day
    slot: int | None = None
    moving: str | None = None
    origin: tuple[float, float] | None = None  # a shared location: providers nearest first

    def back(self) -> Choices:
        """Without the newest choice (a provider takes its calendar page with it)."""
        if self.slot is not None:
            return replace(self, slot=None)
        if self.day is not None:
            return replace(self, day=None)
        if self.provider is not None:
            return replace(self, provider=None, month=None)
        if self.service is not None:
            return replace(self, service=None)
        return self


class ProviderOrder(StrEnum):
    """How the providers are sorted, said only when it is true: a driver in a city without
    any provider is not told that city's come first."""

    NEAREST_TO_YOU = "nearest_to_you"  # from the shared location
    CITY_FIRST = "city_first"  # the driver's city has providers: they come first
    NEAREST_TO_CITY = "nearest_to_city"  # a known city without providers: by its centre
    UNSORTED = "unsorted"  # nothing to sort by: ask for a location


# --- the screens -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ServicesScreen:
    services: tuple[ServiceView, ...]


@dataclass(frozen=True, slots=True)
class ProvidersScreen:
    service: ServiceView
    providers: tuple[ProviderView, ...]
    order: ProviderOrder
    city: str | None  # the driver's city, for CITY_FIRST and NEAREST_TO_CITY


@dataclass(frozen=True, slots=True)
class CalendarScreen:
    service: ServiceView
    provider: ProviderView
    days: Mapping[date, DayAvailability]  # every day with bookable times, all months
    month: Month  # the month shown
    months: tuple[Month, ...]  # every month with bookable times, in order
    moving_code: str | None


@dataclass(frozen=True, slots=True)
class DayScreen:
    service: ServiceView
    provider: ProviderView
    day: date
    slots: tuple[SlotView, ...]
    current_slot_id: int | None  # moving: the slot the booking has now
    moving_code: str | None


@dataclass(frozen=True, slots=True)
class SummaryScreen:
    service: ServiceView
    provider: ProviderView
    slot: SlotView
    moving_code: str | None


@dataclass(frozen=True, slots=True)
class AlreadyBookedScreen:
    """The driver already has this checkup booked: show it, offer to move it."""

    booking: BookingView


@dataclass(frozen=True, slots=True)
class MoveKeptScreen:
    """Back past the first step of a move: the move is given up, the booking stays."""

    code: str


Screen = (
    ServicesScreen
    | ProvidersScreen
    | CalendarScreen
    | DayScreen
    | SummaryScreen
    | AlreadyBookedScreen
    | MoveKeptScreen
)


@dataclass(frozen=True, slots=True)
class Step:
    """A screen and the choices it stands on (None: the form is over). `stale`: a choice
    just made or kept did not survive the check, so the driver sees an earlier step."""

    screen: Screen
    choices: Choices | None
    stale: bool = False


@dataclass(frozen=True, slots=True)
class WeekdayDays:
    """The days of one weekday with free times in the month the calendar shows."""

    weekday: int  # 0 = Monday
    days: tuple[int, ...]


# --- outcomes of the form's writes -------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Booked:
    """A booking (or a move) that landed, as it now is."""

    booking: BookingView
    reminders: frozenset[ReminderKind]
    moved: bool
    offer: Offer | None = None  # a move gave up a seat that is now held for someone


@dataclass(frozen=True, slots=True)
class Refused:
    """A confirm the booking rules refused. `step` is what the form shows now; None: it was
    this very move landing before (a retry), so the form is over and the booking is done.
    `booking` is the driver's booking the refusal is about (too late to move, already
    booked); `quiet`: the screen says it all, no alert."""

    code: BookingErrorCode
    step: Step | None
    booking: BookingView | None = None
    quiet: bool = False


@dataclass(frozen=True, slots=True)
class Waitlisted:
    slot: SlotView
    added: bool  # False: was on it already


@dataclass(frozen=True, slots=True)
class SeatFree:
    """A seat came free at the time tapped: book it the normal way (the form, redrawn)."""

    step: Step


class NotWaitlisted(StrEnum):
    GONE = "gone"  # the time no longer fits the form's choices, is past or closed
    MOVING = "moving"  # a move books a seat; a waitlist offer could not move a booking


class BookingForm:
    """The booking form's screens, on the browser's views and the booking rules."""

    def __init__(self, browser: CheckupBrowser, bookings: BookingService) -> None:
        self.browser, self.bookings = browser, bookings

    # --- screens ---------------------------------------------------------------------------
    async def screen(self, choices: Choices, now: datetime, city: str | None) -> Step:
        """The screen of the newest choice that is still valid; stale choices are dropped."""
        return await self._resolve(choices, now, city)

    async def pick_service(
        self, choices: Choices, service_id: str, user_id: int, now: datetime, city: str | None
    ) -> Step:
        """A new form for the service (a shared location is kept; a move is not). A driver
        who has it booked already is shown that booking, and the choices stay as they were."""
        mine = [b for b in await self.browser.upcoming(user_id, now) if b.service.id == service_id]
        if mine:
            return Step(AlreadyBookedScreen(mine[0]), choices)
        return await self._resolve(Choices(service=service_id, origin=choices.origin), now, city)

    async def pick_provider(
        self, choices: Choices, provider_id: str, now: datetime, city: str | None
    ) -> Step:
        wanted = replace(choices, provider=provider_id, month=None, day=None, slot=None)
        return await self._resolve(wanted, now, city)

    async def pick_month(
        self, choices: Choices, value: str, now: datetime, city: str | None
    ) -> Step:
        wanted = replace(choices, day=None, slot=None)
        month = parse_month(value)
        if month is None:  # no calendar page to show: the provider's calendar is stale
            if wanted.provider is None:
                return await self._resolve(wanted, now, city)
            return await self._resolve(wanted.back(), now, city, stale=True)
        return await self._resolve(replace(wanted, month=month), now, city)

    async def pick_day(self, choices: Choices, value: str, now: datetime, city: str | None) -> Step:
        day = parse_day(value)
        wanted = replace(choices, day=day, slot=None)
        return await self._resolve(wanted, now, city, stale=day is None)

    async def pick_slot(
        self, choices: Choices, value: str, now: datetime, city: str | None
    ) -> Step:
        slot = parse_slot(value)
        return await self._resolve(replace(choices, slot=slot), now, city, stale=slot is None)

    async def back(self, choices: Choices, now: datetime, city: str | None) -> Step:
        """The step before (stale choices dropped quietly). Back past the provider of a move
        gives the move up."""
        wanted = choices.back()
        if choices.moving is not None and wanted.provider is None:
            return Step(MoveKeptScreen(choices.moving), None)
        step = await self._resolve(wanted, now, city)
        return replace(step, stale=False)

    async def weekday(self, choices: Choices, weekday: int, now: datetime) -> WeekdayDays | None:
        """A tap on a weekday in the calendar's head: that weekday's days with free times in
        the month shown. None when the form shows no calendar."""
        if not 0 <= weekday < 7 or choices.provider is None or choices.service is None:
            return None
        every = await self.browser.calendar(choices.provider, choices.service, now)
        if choices.month is not None:
            month = choices.month
        elif every:
            month = min((d.day.year, d.day.month) for d in every)
        else:
            month = (0, 0)
        days = tuple(
            d.day.day for d in every
            if (d.day.year, d.day.month) == month and d.day.weekday() == weekday and not d.full
        )  # fmt: skip
        return WeekdayDays(weekday, days)

    async def landed(self, user_id: int, slot_id: int, moved: bool) -> Booked | None:
        """A confirm tapped on a form that is over: the booking it made, if it landed (its
        answer may never have reached the driver)."""
        done = await self.browser.active_in_slot(user_id, slot_id)
        if done is None:
            return None
        return Booked(done, await self.browser.pending_reminders(done.code), moved)

    # --- writes ----------------------------------------------------------------------------
    async def confirm(
        self, choices: Choices, user_id: int, now: datetime, request_key: str, city: str | None
    ) -> Booked | Refused:
        """Book the chosen slot, or move the booking to it."""
        assert choices.slot is not None
        offer = None
        try:
            if choices.moving is not None:
                row, offer = await self.bookings.reschedule(
                    user_id, choices.moving, choices.slot, now
                )
            else:
                row = await self.bookings.book(user_id, choices.slot, now, request_key=request_key)
        except BookingError as exc:
            return await self._refused(choices, exc, now, city)
        view = await self.browser.booking(row.code)
        assert view is not None
        reminders = await self.browser.pending_reminders(view.code)
        return Booked(view, reminders, choices.moving is not None, offer)

    async def _refused(
        self, choices: Choices, exc: BookingError, now: datetime, city: str | None
    ) -> Refused:
        code = exc.code
        if code is BookingErrorCode.SAME_SLOT and choices.moving is not None:
            return Refused(code, None)  # this very move, landed before a retry
        already = {BookingErrorCode.ALREADY_BOOKED, BookingErrorCode.TOO_LATE}
        if code in already and exc.booking is not None:
            existing = await self.browser.booking(exc.booking.code)
            # The form starts over; its Back button leads to the list of checkups.
            fresh = Choices()
            if existing is None or code is BookingErrorCode.TOO_LATE:
                step = await self._resolve(fresh, now, city)
                return Refused(code, step, existing, existing is None)
            return Refused(code, Step(AlreadyBookedScreen(existing), fresh), existing, True)
        return Refused(code, await self._resolve(choices.back(), now, city))

    async def join_waitlist(
        self, choices: Choices, value: str, user_id: int, now: datetime, city: str | None
    ) -> Waitlisted | SeatFree | NotWaitlisted | Step:
        """Waitlist the driver for a full time of the form's day. A `Step` is a screen to
        show instead: the driver has booked this checkup meanwhile (in another form)."""
        slot_id = parse_slot(value)
        slot = None if slot_id is None else await self._slot(replace(choices, slot=slot_id), now)
        if slot is None:
            return NotWaitlisted.GONE
        if choices.moving is not None:
            return NotWaitlisted.MOVING
        if slot.free:  # a seat came free meanwhile
            return SeatFree(await self._resolve(choices, now, city))
        try:
            added = await self.bookings.join_waitlist(user_id, slot.id, now)
        except BookingError as exc:  # changed since the look above
            if exc.code is BookingErrorCode.NOT_FULL:
                return SeatFree(await self._resolve(choices, now, city))
            if exc.code is BookingErrorCode.ALREADY_BOOKED and exc.booking is not None:
                existing = await self.browser.booking(exc.booking.code)
                if existing is not None:
                    return Step(AlreadyBookedScreen(existing), choices)
            return NotWaitlisted.GONE
        return Waitlisted(slot, added)

    # --- the steps -------------------------------------------------------------------------
    async def _resolve(
        self, wanted: Choices, now: datetime, city: str | None, stale: bool = False
    ) -> Step:
        choices = wanted
        while True:
            screen = await self._screen(choices, now, city)
            if screen is not None:
                return Step(screen, choices, stale or choices != wanted)
            choices = choices.back()

    async def _screen(self, c: Choices, now: datetime, city: str | None) -> Screen | None:
        """The screen of the newest choice; None when that choice is stale (or skipped one
        before it: a forged button)."""
        if c.slot is not None:
            return await self._summary(c, now)
        if c.day is not None:
            return await self._day(c, c.day, now)
        if c.provider is not None:
            return await self._calendar(c, c.provider, now)
        if c.service is not None:
            return await self._providers(c, c.service, now, city)
        return ServicesScreen(tuple(await self.browser.services(now)))

    async def _providers(
        self, c: Choices, service_id: str, now: datetime, city: str | None
    ) -> ProvidersScreen | None:
        service = await self.browser.service(service_id)
        found = await self.browser.providers(service_id, now, c.origin, city)
        providers = tuple(found[:MAX_PROVIDERS])
        if service is None or not providers:
            return None
        if c.origin is not None:
            order = ProviderOrder.NEAREST_TO_YOU
        elif city and any(p.city == city for p in providers):
            order = ProviderOrder.CITY_FIRST
        elif city and city_by_name(city) is not None:  # sorted by the distance from its centre
            order = ProviderOrder.NEAREST_TO_CITY
        else:
            order = ProviderOrder.UNSORTED
        return ProvidersScreen(service, providers, order, city)

    async def _calendar(self, c: Choices, provider_id: str, now: datetime) -> CalendarScreen | None:
        if c.service is None:
            return None
        service = await self.browser.service(c.service)
        provider = await self.browser.provider(provider_id)
        days = {d.day: d for d in await self.browser.calendar(provider_id, c.service, now)}
        if service is None or provider is None or not days:
            return None
        months = tuple(sorted({(d.year, d.month) for d in days}))
        month = c.month if c.month in months else months[0]
        assert month is not None
        return CalendarScreen(service, provider, days, month, months, c.moving)

    async def _day(self, c: Choices, day: date, now: datetime) -> DayScreen | None:
        if c.service is None or c.provider is None:
            return None
        service = await self.browser.service(c.service)
        provider = await self.browser.provider(c.provider)
        found = await self.browser.day_slots(c.provider, c.service, day, now)
        slots = tuple(found[:MAX_SLOTS])
        if service is None or provider is None or not slots:
            return None
        current = None
        if c.moving is not None:
            booking = await self.browser.booking(c.moving)
            current = booking.slot.id if booking is not None else None
        return DayScreen(service, provider, day, slots, current, c.moving)

    async def _slot(self, c: Choices, now: datetime) -> SlotView | None:
        """The chosen slot, if it still fits the choices and can be booked."""
        if c.slot is None:
            return None
        slot = await self.browser.slot(c.slot)
        fits = (
            slot is not None
            and slot.provider_id == c.provider
            and slot.service_id == c.service
            and not slot.closed
            and slot.starts_at > now
        )
        return slot if fits else None

    async def _summary(self, c: Choices, now: datetime) -> SummaryScreen | None:
        slot = await self._slot(c, now)
        if slot is None or c.service is None or c.provider is None:
            return None
        service = await self.browser.service(c.service)
        provider = await self.browser.provider(c.provider)
        if service is None or provider is None or not slot.free:
            return None
        return SummaryScreen(service, provider, slot, c.moving)
