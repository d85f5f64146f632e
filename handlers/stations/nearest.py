"""附近驿站: the nearest stations to a shared or typed location, filters, details, navigation.

One message per search: the list, its filter panel and a station's details are edits of that
message (edit_in_place, so a double tap changes nothing). Its buttons carry the whole search
(NearCb), so nothing is kept in the FSM once the place is known and an old button still works.

The list is sent alone, without a message that puts the main menu back: a message that carries
a reply keyboard can never be edited (so it could not be the list), and deleting one takes its
keyboard off the chat in Telegram's apps. The location keyboard stays instead ("📍 Share my
location" again, or "⬅️ Back to menu"), and the prompt's state with it: the keyboard shown
means "waiting for a place".
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from aiogram import Bot, Router
from aiogram.filters import Command, Filter, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    ContentType,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
)
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.db.types import Clock
from bot.services.stations.kit import StationServices
from bot.services.stations.service import (
    FAR_KM,
    PAGE_SIZE,
    RADIUS_KM,
    KindOnly,
    NearbyResult,
    Origin,
    Place,
    PlaceChoice,
    StationError,
    StationErrorCode,
    StationService,
    StationView,
)
from handlers.common.editing import edit_in_place
from handlers.common.filters import N_, Button, ContentIs, IsCommand, private_only
from handlers.common.menu import main_menu_kb
from handlers.common.texts import add_map_buttons, city_label, location_request_kb, q
from handlers.stations.texts import (
    FILTERS,
    KIND_LABELS,
    OPEN_FILTER,
    SELECTED,
    details_text,
    distance_text,
    filter_label,
    list_line,
)
from knowledge.cities import city_by_name
from knowledge.stations.station import SERVICE_FILTERS, StationKind

BACK_TO_MENU = N_("⬅️ Back to menu")
SCALE = 100_000  # coordinates ride in callback data as integers of 1e-5 degree (~1 m)
MAX_PAGE = 200  # 1,000 stations within 50 km is more than any real search pages through

ERRORS = {
    StationErrorCode.LOCATION_INVALID: N_(
        "Those coordinates are not a real place. Please share your location again."
    ),
    StationErrorCode.STATION_UNKNOWN: N_("This station is no longer listed."),
}


class NearestSteps(StatesGroup):
    place = State()


class NearCb(CallbackData, prefix="nr"):
    """A list: its centre and where that came from, its filters and page."""

    lat: int
    lon: int
    f: str = ""  # service filter key
    o: bool = False  # open now only
    k: str = ""  # station kind, when the driver typed one ("鹰潭 司机之家")
    p: int = 0  # page
    s: Origin = Origin.HERE
    v: bool = False  # the filter panel is open


class PickCb(CallbackData, prefix="np"):
    """A station of a list, by its short key, with the list's search (for "back")."""

    lat: int
    lon: int
    f: str
    o: bool
    k: str
    p: int
    s: Origin
    key: str

    def search(self) -> NearCb:
        return NearCb(lat=self.lat, lon=self.lon, f=self.f, o=self.o, k=self.k, p=self.p, s=self.s)


class StationCb(CallbackData, prefix="st"):
    id: str
    a: Literal["d", "v"]  # details (the buttons of lists sent before PickCb), or a venue


class OldStationButton(Filter):
    """A button of ours whose data no longer parses (sent by an older version, or forged)."""

    async def __call__(self, query: CallbackQuery) -> bool:
        prefix = (query.data or "").split(":", 1)[0]
        return prefix in {NearCb.__prefix__, PickCb.__prefix__, StationCb.__prefix__}


def location_kb() -> ReplyKeyboardMarkup:
    return location_request_kb(BACK_TO_MENU, _("A city, a station, or lat,lon"))


async def ask_location(message: Message, state: FSMContext, service: str = "") -> None:
    """The menu button and /nearest; `service` (a filter key, from free text such as
    "哪里能洗澡") is remembered, so the list opens filtered once the place is known."""
    await state.clear()  # whatever flow was open is left (its form loses its buttons)
    await state.set_state(NearestSteps.place)
    wanted = service if service in SERVICE_FILTERS else ""
    if wanted:
        await state.update_data(filter=wanted)
        text = _(
            "Where are you? I will list the stations {what} near you. Tap “📍 Share my "
            "location”, or type a city or a station name."
        ).format(what=_(FILTERS[wanted].phrase))
    else:
        text = _(
            "Where are you? Tap “📍 Share my location”, or type a city or a station name "
            "(e.g. Zigong, Yingtan driver home) or coordinates like 29.35,104.77."
        )
    await message.answer(text, reply_markup=location_kb())


async def open_nearest(
    message: Message,
    state: FSMContext,
    stations: StationServices,
    clock: Clock,
    want: str = "",
    city: str = "",
    station: str = "",
) -> None:
    """Free text's way in: the list around a station or a city it named ("暖心之家",
    "自贡哪里能洗澡"), else the question where the driver is; either way filtered by the
    service it named (`want`, a filter key)."""
    wanted = want if want in SERVICE_FILTERS else ""
    await stations.catalog.ensure_loaded()
    named = stations.catalog.index.by_id.get(station) if station else None
    found = city_by_name(city) if city else None
    if named is not None:
        place = Place(named.lat, named.lon, Origin.STATION, station=named)
    elif found is not None:
        place = Place(found.lat, found.lon, Origin.CITY, city=found)
    else:
        await ask_location(message, state, wanted)
        return
    await state.clear()
    await _answer_results(message, state, stations.service, place, clock(), wanted)


# --- the list -----------------------------------------------------------------------------
def place_name(place: Place) -> str | None:
    """What the list is called after: None for the driver's own location."""
    if place.origin is Origin.HERE:
        return None
    if place.origin is Origin.CITY and place.city is not None:
        return city_label(place.city.zh)
    if place.origin is Origin.STATION and place.station is not None:
        return place.station.name
    return f"({place.lat:.4f}, {place.lon:.4f})"


def _active_filters(cb: NearCb) -> list[str]:
    active = [_(KIND_LABELS[StationKind(cb.k)])] if cb.k else []
    if cb.f:
        active.append(filter_label(FILTERS[cb.f], selected=False))
    if cb.o:
        active.append(filter_label(OPEN_FILTER, selected=False))
    return active


def _what(cb: NearCb) -> str:
    """What was searched for, as in "no {station with a shower} within 50 km"."""
    noun = _(KIND_LABELS[StationKind(cb.k)]) if cb.k else _("station")
    phrases = [_(FILTERS[cb.f].phrase)] if cb.f else []
    if cb.o:
        phrases.append(_(OPEN_FILTER.phrase))
    if not phrases:
        return noun
    return _("{noun} {conditions}").format(noun=noun, conditions=_(", ").join(phrases))


def results_text(result: NearbyResult, cb: NearCb, now: datetime, place: Place) -> str:
    name = place_name(place)
    head = (
        _("📍 Stations near {place}").format(place=q(name)) if name else _("📍 Stations near you")
    )
    lines = [f"<b>{head}</b>"]
    if active := _active_filters(cb):
        lines.append(_("Filter: {filters}").format(filters=" ".join(active)))
    lines.append("")
    if result.views:
        start = cb.p * PAGE_SIZE
        lines += [list_line(start + i + 1, v, now) for i, v in enumerate(result.views)]
    elif cb.p > 0:
        lines.append(_("No more stations within {radius} km.").format(radius=int(RADIUS_KM)))
    else:
        lines.append(
            _("No {what} within {radius} km.").format(what=_what(cb), radius=int(RADIUS_KM))
        )
        far = result.nearest_beyond
        if far is not None and far.distance_km is not None:
            lines.append(
                _("The nearest one is {distance} away:").format(
                    distance=distance_text(far.distance_km)
                )
            )
            lines.append(list_line(1, far, now))
        elif active:
            lines.append(
                _("None within {far} km either: try another filter.").format(far=int(FAR_KM))
            )
        else:
            lines.append(_("None within {far} km either.").format(far=int(FAR_KM)))
    return "\n".join(lines)


def _shown(result: NearbyResult) -> list[StationView]:
    return result.views or ([result.nearest_beyond] if result.nearest_beyond else [])


def results_kb(result: NearbyResult, cb: NearCb) -> InlineKeyboardMarkup:
    """Station numbers in one row, then "Filter" and paging: two rows under the list. The
    filters open in place of them (the panel) and close again when one is chosen."""
    if cb.v:
        return filter_panel_kb(cb)
    kb = InlineKeyboardBuilder()
    shown = _shown(result)
    fields = cb.model_dump(exclude={"v"})
    for i, view in enumerate(shown):
        key = StationService.key_of(view.station)
        kb.button(text=str(cb.p * PAGE_SIZE + i + 1), callback_data=PickCb(**fields, key=key))
    kb.button(text=_("🔍 Filter"), callback_data=cb.model_copy(update={"v": True}))
    nav = 1
    if cb.p > 0:
        kb.button(text=_("⬅️ Prev"), callback_data=cb.model_copy(update={"p": cb.p - 1}))
        nav += 1
    if result.has_more:
        kb.button(text=_("More ➡️"), callback_data=cb.model_copy(update={"p": cb.p + 1}))
        nav += 1
    kb.adjust(*([len(shown)] if shown else []), nav)
    return kb.as_markup()


def filter_panel_kb(cb: NearCb) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    closed = {"p": 0, "v": False}
    for key, item in FILTERS.items():
        kb.button(
            text=filter_label(item, selected=cb.f == key),
            callback_data=cb.model_copy(update={"f": "" if cb.f == key else key, **closed}),
        )
    kb.button(
        text=filter_label(OPEN_FILTER, selected=cb.o),
        callback_data=cb.model_copy(update={"o": not cb.o, **closed}),
    )
    rows = [2, 2, 2]
    if cb.k:  # a kind the driver typed ("鹰潭 司机之家"): one tap shows every kind
        kb.button(
            text=f"{SELECTED} {_(KIND_LABELS[StationKind(cb.k)])}",
            callback_data=cb.model_copy(update={"k": "", **closed}),
        )
        rows.append(1)
    kb.button(text=_("✖ Hide filters"), callback_data=cb.model_copy(update={"v": False}))
    kb.adjust(*rows, 1)
    return kb.as_markup()


async def _search(service: StationService, cb: NearCb, now: datetime) -> NearbyResult:
    return await service.nearby(
        cb.lat / SCALE,
        cb.lon / SCALE,
        now,
        filter_key=cb.f,
        open_only=cb.o,
        kind=StationKind(cb.k) if cb.k else None,
        page=cb.p,
    )


def _search_of(place: Place, filter_key: str = "") -> NearCb:
    return NearCb(
        lat=round(place.lat * SCALE),
        lon=round(place.lon * SCALE),
        f=filter_key,
        k=place.kind.value if place.kind else "",
        s=place.origin,
    )


async def _wanted(state: FSMContext) -> str:
    """The service filter free text asked for before the place was known."""
    wanted = (await state.get_data()).get("filter", "")
    return wanted if wanted in SERVICE_FILTERS else ""


async def _answer_results(
    message: Message,
    state: FSMContext,
    service: StationService,
    place: Place,
    now: datetime,
    filter_key: str = "",
) -> None:
    cb = _search_of(place, filter_key)
    try:
        result = await _search(service, cb, now)
    except StationError as exc:
        await ask_again(message, state, _(ERRORS[exc.code]))
        return
    await message.answer(results_text(result, cb, now, place), reply_markup=results_kb(result, cb))


async def ask_again(message: Message, state: FSMContext, text: str) -> None:
    """Any answer that shows the location keyboard also waits for a place."""
    await state.set_state(NearestSteps.place)
    await message.answer(text, reply_markup=location_kb())


async def nearest_command(message: Message, state: FSMContext) -> None:
    await ask_location(message, state)


async def location_shared(
    message: Message,
    state: FSMContext,
    stations: StationServices,
    clock: Clock,
) -> None:
    assert message.location is not None
    place = Place(message.location.latitude, message.location.longitude, Origin.HERE)
    await _answer_results(message, state, stations.service, place, clock(), await _wanted(state))


def choice_view(choice: PlaceChoice, filter_key: str = "") -> tuple[str, InlineKeyboardMarkup]:
    """Several stations fit a typed name about equally: name them, a number button each."""
    lines = ["<b>" + _("Which one do you mean?") + "</b>", ""]
    kb = InlineKeyboardBuilder()
    for i, station in enumerate(choice.stations, 1):
        city = f" · {q(city_label(station.city))}" if station.city else ""
        lines.append(f"{i}. <b>{q(station.name)}</b>{city}")
        place = Place(station.lat, station.lon, Origin.STATION, station=station)
        kb.button(text=str(i), callback_data=_search_of(place, filter_key))
    if choice.more:
        lines += ["", _("{count} more fit as well: add the city to the name.").format(
            count=choice.more)]  # fmt: skip
    kb.adjust(len(choice.stations))
    return "\n".join(lines), kb.as_markup()


async def place_typed(
    message: Message,
    state: FSMContext,
    stations: StationServices,
    clock: Clock,
) -> None:
    text = message.text or ""
    try:
        found = await stations.service.find_place(text)
    except StationError as exc:
        await ask_again(message, state, _(ERRORS[exc.code]))
        return
    if isinstance(found, Place):
        await _answer_results(message, state, stations.service, found, clock(),
                              await _wanted(state))  # fmt: skip
    elif isinstance(found, PlaceChoice):
        choice_text, kb = choice_view(found, await _wanted(state))
        await message.answer(choice_text, reply_markup=kb)
    elif isinstance(found, KindOnly):
        example = f"{city_label('鹰潭')} {_(KIND_LABELS[found.kind])}"
        await ask_again(
            message,
            state,
            _("Where should I look? Type a city with it (e.g. {example}) or share your location.")
            .format(example=q(example)),
        )  # fmt: skip
    else:
        await ask_again(
            message,
            state,
            _(
                "I could not find “{text}”. Try a city (e.g. Wenzhou), a station name, "
                "or share your location."
            ).format(text=q(text[:40])),
        )


async def back_to_menu(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(_("Back to the menu."), reply_markup=main_menu_kb())


async def venue_forwarded(message: Message, state: FSMContext) -> None:
    await ask_again(
        message,
        state,
        _("That is a saved place, not where you are. Please tap “📍 Share my location”."),
    )


async def place_expected(message: Message, state: FSMContext) -> None:
    await ask_again(
        message,
        state,
        _("Please share your location with the button below, or type a city or station name."),
    )


def _valid(cb: NearCb | PickCb) -> bool:
    return (
        cb.f in {"", *SERVICE_FILTERS}
        and cb.k in {"", *StationKind}
        and 0 <= cb.p <= MAX_PAGE
        and -90 * SCALE <= cb.lat <= 90 * SCALE
        and -180 * SCALE <= cb.lon <= 180 * SCALE
    )


async def results_page(
    query: CallbackQuery,
    callback_data: NearCb,
    stations: StationServices,
    clock: Clock,
) -> None:
    message = query.message
    if not isinstance(message, Message) or not _valid(callback_data):
        await query.answer(_("This button is no longer valid."))
        return
    now = clock()
    try:
        result = await _search(stations.service, callback_data, now)
    except StationError as exc:
        await query.answer(_(ERRORS[exc.code]), show_alert=True)
        return
    await query.answer()
    cb = callback_data
    place = stations.service.place(cb.lat / SCALE, cb.lon / SCALE, cb.s)
    await edit_in_place(message, results_text(result, cb, now, place), results_kb(result, cb))


# --- a station ----------------------------------------------------------------------------
def details_kb(view: StationView, back: NearCb | None) -> InlineKeyboardMarkup:
    station = view.station
    kb = InlineKeyboardBuilder()
    add_map_buttons(kb, station.lat, station.lon, station.name, station.address)
    kb.button(text=_("📍 Location in Telegram"), callback_data=StationCb(id=station.id, a="v"))
    if back is not None:
        kb.button(text=_("⬅️ Back to the list"), callback_data=back)
    kb.adjust(3, 1, 1)
    return kb.as_markup()


async def station_picked(
    query: CallbackQuery,
    callback_data: PickCb,
    stations: StationServices,
    clock: Clock,
) -> None:
    message = query.message
    if not isinstance(message, Message) or not _valid(callback_data):
        await query.answer(_("This button is no longer valid."))
        return
    now = clock()
    cb = callback_data
    try:
        view = await stations.service.details_by_key(
            cb.key, now, centre=(cb.lat / SCALE, cb.lon / SCALE)
        )
    except StationError as exc:
        await query.answer(_(ERRORS[exc.code]), show_alert=True)
        return
    await query.answer()
    await edit_in_place(message, details_text(view, now), details_kb(view, cb.search()))


async def station_details(
    query: CallbackQuery,
    callback_data: StationCb,
    bot: Bot,
    stations: StationServices,
    clock: Clock,
) -> None:
    now = clock()
    try:
        view = await stations.service.details(callback_data.id, now)
    except StationError as exc:
        await query.answer(_(ERRORS[exc.code]), show_alert=True)
        return
    await query.answer()
    station = view.station
    message = query.message
    if callback_data.a == "v" or not isinstance(message, Message):
        chat_id = query.from_user.id if message is None else message.chat.id
        address = station.address or station.city or f"{station.lat:.5f}, {station.lon:.5f}"
        await bot.send_venue(chat_id, station.lat, station.lon, station.name, address)
        return
    await edit_in_place(message, details_text(view, now), details_kb(view, None))


async def old_button(query: CallbackQuery) -> None:
    await query.answer(_("This button is no longer valid."))


def create_router() -> Router:
    router = Router(name="stations")
    private_only(router)
    router.message.register(nearest_command, Command("nearest"))
    # The location keyboard stays under the list, so its "back" works in any state.
    router.message.register(back_to_menu, Button(BACK_TO_MENU))
    router.message.register(
        venue_forwarded, StateFilter(NearestSteps.place, None), ContentIs(ContentType.VENUE)
    )
    router.message.register(
        location_shared, StateFilter(NearestSteps.place, None), ContentIs(ContentType.LOCATION)
    )
    router.message.register(
        place_typed, StateFilter(NearestSteps.place), ContentIs(ContentType.TEXT), ~IsCommand()
    )
    router.message.register(place_expected, StateFilter(NearestSteps.place), ~IsCommand())
    router.callback_query.register(results_page, NearCb.filter())
    router.callback_query.register(station_picked, PickCb.filter())
    router.callback_query.register(station_details, StationCb.filter())
    router.callback_query.register(old_button, OldStationButton())
    return router
