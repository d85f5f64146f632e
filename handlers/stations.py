"""附近驿站: the nearest stations to a shared or typed location, filters, details, navigation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Literal

from aiogram import Bot, Router
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    ContentType,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    TelegramObject,
)
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.db.types import Clock
from bot.services.stations import (
    PAGE_SIZE,
    RADIUS_KM,
    NearbyResult,
    StationError,
    StationService,
)
from handlers.editing import edit_in_place
from handlers.filters import N_, Button, ContentIs, IsCommand, private_only
from handlers.menu import main_menu_kb
from handlers.station_texts import (
    FILTER_LABELS,
    KIND_LABELS,
    OPEN_FILTER_LABEL,
    details_text,
    distance_text,
    list_line,
)
from handlers.texts import add_map_buttons, location_request_kb, q
from knowledge.stations import SERVICE_FILTERS, StationKind

BACK_TO_MENU = N_("⬅️ Back to menu")
SCALE = 100_000  # coordinates ride in callback data as integers of 1e-5 degree (~1 m)

ERRORS = {
    "location_invalid": N_(
        "Those coordinates are not a real place. Please share your location again."
    ),
    "station_unknown": N_("This station is no longer listed."),
}


class NearestSteps(StatesGroup):
    place = State()


class NearCb(CallbackData, prefix="nr"):
    lat: int
    lon: int
    f: str = ""  # service filter key
    o: bool = False  # open now only
    k: str = ""  # station kind, when the driver typed one ("鹰潭 司机之家")
    p: int = 0  # page


class StationCb(CallbackData, prefix="st"):
    id: str
    a: Literal["d", "v"]  # details, or a venue message


def location_kb() -> ReplyKeyboardMarkup:
    return location_request_kb(BACK_TO_MENU, _("A city, a station, or lat,lon"))


async def _inject_service(
    handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
    event: TelegramObject,
    data: dict[str, Any],
) -> Any:
    """Every handler here works through one StationService for its update."""
    data["station_service"] = StationService(data["session"], data["stations"])
    return await handler(event, data)


async def ask_location(message: Message, state: FSMContext) -> None:
    await state.set_state(NearestSteps.place)
    await message.answer(
        _(
            "Where are you? Tap “📍 Share my location”, or type a city or a station name "
            "(e.g. 自贡, 鹰潭 司机之家) or coordinates like 29.35,104.77."
        ),
        reply_markup=location_kb(),
    )


def results_text(result: NearbyResult, cb: NearCb, now: datetime, label: str | None) -> str:
    active = [_(KIND_LABELS[StationKind(cb.k)])] if cb.k else []
    if cb.f:
        active.append(_(FILTER_LABELS[cb.f]))
    if cb.o:
        active.append(_(OPEN_FILTER_LABEL))
    head = (
        _("📍 Stations near {place}").format(place=q(label)) if label else _("📍 Stations near you")
    )
    lines = [f"<b>{head}</b>"]
    if active:
        lines.append(_("Filter: {filters}").format(filters=" ".join(active)))
    lines.append("")
    if result.views:
        start = cb.p * PAGE_SIZE
        lines += [list_line(start + i + 1, v, now) for i, v in enumerate(result.views)]
    elif result.nearest_beyond is not None:
        far = result.nearest_beyond
        assert far.distance_km is not None
        lines.append(
            _("Nothing within {radius} km. The nearest one is {distance} away:").format(
                radius=int(RADIUS_KM), distance=distance_text(far.distance_km)
            )
        )
        lines.append(list_line(1, far, now))
    elif cb.p > 0:
        lines.append(_("No more stations within {radius} km.").format(radius=int(RADIUS_KM)))
    else:
        lines.append(_("No station matches yet. Try another filter."))
    return "\n".join(lines)


def results_kb(result: NearbyResult, cb: NearCb) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    shown = result.views or ([result.nearest_beyond] if result.nearest_beyond else [])
    for i, view in enumerate(shown):
        number = cb.p * PAGE_SIZE + i + 1
        kb.button(
            text=f"{number}. {view.station.name}"[:60],
            callback_data=StationCb(id=view.station.id, a="d"),
        )
    rows = [1] * len(shown)
    if cb.k:  # a kind the driver typed ("鹰潭 司机之家"): one tap shows every kind
        kb.button(
            text="✅ " + _(KIND_LABELS[StationKind(cb.k)]) + " ✖",
            callback_data=cb.model_copy(update={"k": "", "p": 0}),
        )
        rows.append(1)
    for key, label in FILTER_LABELS.items():
        mark = "✅ " if cb.f == key else ""
        kb.button(
            text=mark + _(label),
            callback_data=cb.model_copy(update={"f": "" if cb.f == key else key, "p": 0}),
        )
    mark = "✅ " if cb.o else ""
    kb.button(
        text=mark + _(OPEN_FILTER_LABEL),
        callback_data=cb.model_copy(update={"o": not cb.o, "p": 0}),
    )
    rows += [3, 3]
    nav = 0
    if cb.p > 0:
        kb.button(text=_("⬅️ Previous"), callback_data=cb.model_copy(update={"p": cb.p - 1}))
        nav += 1
    if result.has_more:
        kb.button(text=_("More ➡️"), callback_data=cb.model_copy(update={"p": cb.p + 1}))
        nav += 1
    if nav:
        rows.append(nav)
    kb.adjust(*rows)
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


async def _answer_results(
    message: Message,
    state: FSMContext,
    service: StationService,
    lat: float,
    lon: float,
    now: datetime,
    label: str | None = None,
    kind: StationKind | None = None,
) -> None:
    came_from_prompt = await state.get_state() == NearestSteps.place.state
    cb = NearCb(lat=round(lat * SCALE), lon=round(lon * SCALE), k=kind.value if kind else "")
    try:
        result = await _search(service, cb, now)
    except StationError as exc:
        await ask_again(message, state, _(ERRORS[exc.code]))
        return
    await state.clear()
    if came_from_prompt:  # put the main menu back in place of the location keyboard
        await message.answer(_("Looking for stations…"), reply_markup=main_menu_kb())
    await message.answer(results_text(result, cb, now, label), reply_markup=results_kb(result, cb))


async def ask_again(message: Message, state: FSMContext, text: str) -> None:
    """Any answer that shows the location keyboard also waits for a place."""
    await state.set_state(NearestSteps.place)
    await message.answer(text, reply_markup=location_kb())


async def nearest_command(message: Message, state: FSMContext) -> None:
    await ask_location(message, state)


async def location_shared(
    message: Message,
    state: FSMContext,
    station_service: StationService,
    clock: Clock,
) -> None:
    assert message.location is not None
    await _answer_results(
        message,
        state,
        station_service,
        message.location.latitude,
        message.location.longitude,
        clock(),
    )


async def place_typed(
    message: Message,
    state: FSMContext,
    station_service: StationService,
    clock: Clock,
) -> None:
    try:
        place = await station_service.find_place(message.text or "")
    except StationError as exc:
        await ask_again(message, state, _(ERRORS[exc.code]))
        return
    if place is None:
        await ask_again(
            message,
            state,
            _(
                "I could not find “{text}”. Try a city (e.g. 温州), a station name, "
                "or share your location."
            ).format(text=q((message.text or "")[:40])),
        )
        return
    await _answer_results(
        message, state, station_service, place.lat, place.lon, clock(), place.label, place.kind
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


async def results_page(
    query: CallbackQuery,
    callback_data: NearCb,
    station_service: StationService,
    clock: Clock,
) -> None:
    message = query.message
    valid = callback_data.f in {"", *SERVICE_FILTERS} and callback_data.k in {"", *StationKind}
    if not isinstance(message, Message) or not valid:
        await query.answer(_("This button is no longer valid."))
        return
    now = clock()
    try:
        result = await _search(station_service, callback_data, now)
    except StationError as exc:
        await query.answer(_(ERRORS[exc.code]), show_alert=True)
        return
    await query.answer()
    label = station_service.place_label(callback_data.lat / SCALE, callback_data.lon / SCALE)
    await edit_in_place(
        message, results_text(result, callback_data, now, label), results_kb(result, callback_data)
    )


async def station_details(
    query: CallbackQuery,
    callback_data: StationCb,
    bot: Bot,
    station_service: StationService,
    clock: Clock,
) -> None:
    now = clock()
    try:
        view = await station_service.details(callback_data.id, now)
    except StationError as exc:
        await query.answer(_(ERRORS[exc.code]), show_alert=True)
        return
    await query.answer()
    station = view.station
    chat_id = query.from_user.id if query.message is None else query.message.chat.id
    if callback_data.a == "v":
        address = station.address or station.city or f"{station.lat:.5f}, {station.lon:.5f}"
        await bot.send_venue(chat_id, station.lat, station.lon, station.name, address)
        return
    kb = InlineKeyboardBuilder()
    add_map_buttons(kb, station.lat, station.lon, station.name, station.address)
    kb.button(text=_("📍 Location in Telegram"), callback_data=StationCb(id=station.id, a="v"))
    kb.adjust(3, 1)
    await bot.send_message(chat_id, details_text(view, now), reply_markup=kb.as_markup())


def create_router() -> Router:
    router = Router(name="stations")
    private_only(router)
    router.message.middleware(_inject_service)
    router.callback_query.middleware(_inject_service)
    router.message.register(nearest_command, Command("nearest"))
    router.message.register(back_to_menu, StateFilter(NearestSteps.place), Button(BACK_TO_MENU))
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
    router.callback_query.register(station_details, StationCb.filter())
    return router
