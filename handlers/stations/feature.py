"""附近驿站: the nearest driver homes and stations, and the admins' station commands."""

from __future__ import annotations

from aiogram import Router

from bot.cli import stations as cli
from bot.cli.files import import_export
from bot.feature import Command, Feature, Job, MenuButton, Stage
from bot.i18n import N_
from bot.services.stations.kit import StationsKit
from handlers.stations import admin, nearest
from scheduler.jobs.stations import refresh_station_index


def _routers() -> list[tuple[Stage, Router]]:
    return [(Stage.OPEN, admin.create_router()), (Stage.AGREED, nearest.create_router())]


STATIONS = Feature(
    name="stations",
    routers=_routers,
    kit=StationsKit,
    menu=(
        MenuButton(
            N_("📍 Nearby stations"),
            N_("📍 Nearby stations: the nearest driver home or station that is open now"),
            nearest.ask_location,
        ),
    ),
    commands=(
        Command(
            "nearest", N_("Nearest driver stations"), N_("/nearest: the nearest driver stations"),
            personal=True,
        ),
        Command(
            "station_close", N_("Mark a station temporarily closed"),
            N_("/station_close NAME, /station_open NAME: mark a station temporarily closed or "
               "open (a part of its name, or its id)"),
            admin=True,
        ),
        Command("station_open", N_("Reopen a station"), admin=True),
    ),
    jobs=(Job("refresh_station_index", refresh_station_index, "interval", {"seconds": 60}),),
    cli=(
        import_export(
            "stations", "stations (CSV or GeoJSON)", cli.import_file, cli.export_file
        ),
    ),
)  # fmt: skip
