"""志愿任务 volunteer tasks: admins publish (派单), volunteers take a place (接单) and report
done (解单), the publisher confirms and the points follow."""

from __future__ import annotations

from aiogram import Router

from bot.feature import Command, Feature, Job, Stage
from bot.i18n import N_
from bot.services.tasks.personal_data import PART
from handlers.tasks import card, form, screen
from handlers.tasks.kit import TasksKit
from scheduler.jobs import tasks as jobs


def _routers() -> list[tuple[Stage, Router]]:
    # The admin's form and the card's buttons before the consent gate, like every admin
    # command; the volunteer's screens after it.
    return [
        (Stage.OPEN, form.create_router()),
        (Stage.OPEN, card.create_router()),
        (Stage.AGREED, screen.create_router()),
    ]


TASKS = Feature(
    name="tasks",
    routers=_routers,
    kit=TasksKit,
    commands=(
        Command(
            "tasks",
            N_("Volunteer tasks"),
            N_("/tasks: volunteer tasks near you, your tasks, and notices of new ones"),
            personal=True,
        ),
        Command(
            "task_new",
            N_("Publish a volunteer task"),
            N_("/task_new: publish a volunteer task (with a preview)"),
            admin=True,
        ),
    ),
    jobs=(
        Job("task_reminders", jobs.remind, "interval", {"seconds": 60}),
        Job("redraw_task_cards", jobs.redraw_cards, "interval", {"seconds": 30}),
    ),
    personal_data=(PART,),
)
