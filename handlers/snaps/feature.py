"""随手拍: drivers report road hazards with photos and a place; admins verify them (points for
the reporter), forward them to an office and mark them handled; the reporter and everyone who
saw the same problem hear each step, and are asked four weeks later whether it stays fixed."""

from __future__ import annotations

from aiogram import Router

from bot.feature import Command, Feature, Job, MenuButton, Stage
from bot.i18n import N_
from bot.services.snaps.personal_data import PART
from handlers.snaps import filing, work
from handlers.snaps.kit import SnapsKit
from scheduler.jobs import snaps as jobs


def _routers() -> list[tuple[Stage, Router]]:
    return [(Stage.OPEN, work.create_router()), (Stage.AGREED, filing.create_router())]


SNAPS = Feature(
    name="snaps",
    routers=_routers,
    kit=SnapsKit,
    menu=(
        MenuButton(
            N_("📸 Snap report"),
            N_("📸 Snap report: report a road hazard with a photo and the place"),
            filing.start_report,
        ),
    ),
    commands=(
        Command("snap", N_("Report a road hazard"),
                N_("/snap: report a road hazard with a photo"), personal=True),
    ),
    jobs=(
        Job("redraw_snap_cards", jobs.redraw_cards, "interval", {"seconds": 30}),
        Job("snap_followups", jobs.followups, "interval", {"seconds": 3600}),
        Job("snap_files_sweep", jobs.sweep_files, "interval", {"seconds": 3600}),
    ),
    personal_data=(PART,),
)  # fmt: skip
