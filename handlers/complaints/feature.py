"""诉求: complaints filed by drivers and worked by handling offices through the chain
受理 → 分办 → 办理 → 办结 → 回访 → 归档 (复盘 for the cases that need it), from the admins'
group; 咨询, a driver's question for a person, is a case in the same chain."""

from __future__ import annotations

from aiogram import Router

from bot.cli import complaints as cli
from bot.cli.complaints_export import EXPORT
from bot.cli.files import import_export
from bot.feature import Command, Feature, Job, MenuButton, Stage
from bot.i18n import N_
from bot.services.complaints.personal_data import PART
from handlers.complaints import consult, filing, mine, work
from handlers.complaints.kit import ComplaintsKit
from scheduler.jobs import complaints as jobs


def _routers() -> list[tuple[Stage, Router]]:
    return [
        (Stage.OPEN, work.create_router()),
        (Stage.AGREED, filing.create_router()),
        (Stage.AGREED, consult.create_router()),
        (Stage.AGREED, mine.create_router()),
    ]


COMPLAINTS = Feature(
    name="complaints",
    routers=_routers,
    kit=ComplaintsKit,
    menu=(
        MenuButton(
            N_("📝 File a complaint"),
            N_("📝 File a complaint: we follow it up until it is solved"),
            filing.start_filing,
        ),
    ),
    commands=(
        Command("complain", N_("File a complaint"), N_("/complain: file a complaint"),
                personal=True),
        Command("mycases", N_("Your complaints"),
                N_("/mycases: your complaints, their status and deadlines"), personal=True),
        Command("case", N_("Show a complaint case"),
                N_("/case SQ-…: a complaint case's card and, in private, its timeline"),
                admin=True),
        Command("handler", N_("Make someone a handler of an office"),
                N_("/handler TELEGRAM_ID OFFICE|none: who handles an office's complaints"),
                admin=True),
    ),
    jobs=(
        Job("redraw_case_cards", jobs.redraw_cards, "interval", {"seconds": 30}),
        Job("complaint_deadlines", jobs.deadline_alerts, "interval", {"seconds": 300}),
        Job("complaint_morning", jobs.morning_lists, "cron", {"hour": 9, "minute": 0}),
        Job("complaint_week", jobs.weekly_summary, "cron", {"day_of_week": 0, "hour": 9,
                                                            "minute": 30}),
        Job("complaint_month", jobs.month_report, "cron", {"hour": 10, "minute": 0}),
    ),
    cli=(import_export("offices", "complaint handling offices, routes, deadlines (YAML)",
                       cli.import_file, cli.export_file), EXPORT),
    personal_data=(PART,),
)  # fmt: skip
