"""/station_close and /station_open: an id acts at once, a name shows cards to tap (admins
only; everyone else is refused)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Literal

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.after_commit import after_commit
from bot.services.stations.kit import StationServices
from bot.services.stations.service import StationError, StatusChange
from handlers.common.editing import edit_in_place, settle_ui
from handlers.common.filters import IsAdmin
from handlers.common.refusals import refuse, refuse_press
from handlers.common.texts import city_label, q
from knowledge.stations.station import Station, StationStatus

STATION_ADMIN_COMMANDS = ("station_close", "station_open")


class StationAdminCb(CallbackData, prefix="sa"):
    """Close (c) or reopen (o) a station from a card in the admins' chat."""

    id: str
    a: Literal["c", "o"]


STATUS_ACTIONS: dict[StationStatus, Literal["c", "o"]] = {
    StationStatus.CLOSED: "c",
    StationStatus.OPEN: "o",
}


def station_status_text(status: StationStatus) -> str:
    return _("⛔ temporarily closed") if status is StationStatus.CLOSED else _("🟢 open")


def station_card(number: int, station: Station) -> str:
    city = f"{q(city_label(station.city))} · " if station.city else ""
    return (
        f"{number}. <b>{q(station.name)}</b>\n"
        f"    {city}{station_status_text(station.status)} · <code>{q(station.id)}</code>"
    )


def status_result_text(change: StatusChange, status: StationStatus) -> str:
    station = change.station
    if status is StationStatus.CLOSED:
        text = (
            _("{name} ({id}) is now marked temporarily closed.")
            if change.changed
            else _("{name} ({id}) was already marked temporarily closed.")
        )
    else:
        text = (
            _("{name} ({id}) is open again.")
            if change.changed
            else _("{name} ({id}) was already open.")
        )
    return text.format(name=q(station.name), id=q(station.id))


def undo_kb(station: Station) -> InlineKeyboardMarkup:
    """The card after a change offers the opposite one, in case the wrong station was hit."""
    kb = InlineKeyboardBuilder()
    if station.status is StationStatus.CLOSED:
        kb.button(text=_("🟢 Reopen"), callback_data=StationAdminCb(id=station.id, a="o"))
    else:
        kb.button(text=_("⛔ Close"), callback_data=StationAdminCb(id=station.id, a="c"))
    return kb.as_markup()


async def station_status_command(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    stations: StationServices,
) -> None:
    """/station_close ID or NAME (/station_open alike): an id acts at once; a name, part of
    one or a misspelt one shows the matching stations as cards to tap."""
    arg = (command.args or "").strip()
    status = StationStatus.CLOSED if command.command == "station_close" else StationStatus.OPEN
    if not arg:
        await message.answer(
            _(
                "Usage: /{command} NAME or /{command} ID. A name may be part of one, e.g. "
                "/{command} 暖心之家: I will list the stations that match, tap the one you mean."
            ).format(command=command.command)
        )
        return
    service = stations.service
    if " " not in arg:
        try:
            change = await service.set_status(arg, status)
        except StationError:
            pass  # not an id: read it as a name
        else:
            result = status_result_text(change, status)
            after_commit(session, lambda: _answer(message, result))  # once it is stored
            return
    found, more = await service.find_stations(arg)
    if not found:
        await message.answer(
            _("No station matches “{text}”. Send a part of its name, or its id.").format(
                text=q(arg[:40])
            )
        )
        return
    head = (
        _("Which station should be marked temporarily closed?")
        if status is StationStatus.CLOSED
        else _("Which station should be reopened?")
    )
    lines = [f"<b>{head}</b>", ""] + [station_card(i, s) for i, s in enumerate(found, 1)]
    if more:
        lines += ["", _("{count} more match: send more of the name.").format(count=more)]
    icon = "⛔" if status is StationStatus.CLOSED else "🟢"
    kb = InlineKeyboardBuilder()
    for i, station in enumerate(found, 1):
        kb.button(
            text=f"{icon} {i}",
            callback_data=StationAdminCb(id=station.id, a=STATUS_ACTIONS[status]),
        )
    kb.adjust(len(found))
    await message.answer("\n".join(lines), reply_markup=kb.as_markup())


async def station_status_pressed(
    query: CallbackQuery,
    callback_data: StationAdminCb,
    session: AsyncSession,
    stations: StationServices,
) -> None:
    status = StationStatus.CLOSED if callback_data.a == "c" else StationStatus.OPEN
    try:
        change = await stations.service.set_status(callback_data.id, status)
    except StationError:
        await query.answer(_("This station is no longer listed."), show_alert=True)
        return
    text, kb = status_result_text(change, status), undo_kb(change.station)
    toast = station_status_text(status)
    message = query.message

    async def show() -> None:  # only once the change is committed
        steps: list[Awaitable[object]] = [query.answer(toast)]
        if isinstance(message, Message):
            steps.append(edit_in_place(message, text, kb))
        await settle_ui(*steps)

    after_commit(session, show)


async def _answer(message: Message, text: str) -> None:
    await message.answer(text)


def create_router() -> Router:
    router = Router(name="station_admin")
    router.message.filter(Command(*STATION_ADMIN_COMMANDS))
    router.message.register(station_status_command, Command(*STATION_ADMIN_COMMANDS), IsAdmin())
    router.message.register(refuse)
    router.callback_query.register(station_status_pressed, StationAdminCb.filter(), IsAdmin())
    router.callback_query.register(refuse_press, StationAdminCb.filter())
    return router
