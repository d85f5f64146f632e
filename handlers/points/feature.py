"""积分: the points ledger seen by people. ⭐ My points shows the balance and its history;
admins grant or deduct with a reason; `python -m bot points check` verifies the books."""

from __future__ import annotations

from aiogram import Router

from bot.cli.points import CHECK
from bot.feature import Command, Feature, Job, MenuButton, Stage
from bot.i18n import N_
from bot.services.points.personal_data import PART
from handlers.points import screen
from handlers.points.kit import PointsKit
from scheduler.jobs import points as jobs


def _routers() -> list[tuple[Stage, Router]]:
    return [(Stage.AGREED, screen.create_router())]


POINTS = Feature(
    name="points",
    routers=_routers,
    kit=PointsKit,
    menu=(
        MenuButton(
            N_("⭐ My points"),
            N_("⭐ My points: your balance, what you earned it for, how to earn more"),
            screen.my_points,
        ),
    ),
    commands=(
        Command("points", N_("Your points"), N_("/points: your points and their history"),
                personal=True),
        Command("points_grant", N_("Give or take points"),
                N_("/points_grant TELEGRAM_ID AMOUNT REASON: give points (negative: take)"),
                admin=True),
        Command("points_report", N_("A month's points summary"),
                N_("/points_report [YYYY-MM]: points issued and spent in a month, with a chart"),
                admin=True),
    ),
    jobs=(Job("points_month_summary", jobs.month_summary, "cron", {"hour": 9, "minute": 30}),),
    cli=(CHECK,),
    personal_data=(PART,),
)  # fmt: skip
