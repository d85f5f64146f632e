"""Words for task codes and times, in the reader's language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _

from bot.db.tasks.statuses import DisputeReason, TakerStatus, TaskAudience
from bot.services.tasks.model import TaskErrorCode, TaskView
from handlers.common.texts import q
from knowledge.tasks.form import FormError, FormErrorCode


def window(task: TaskView, tz: ZoneInfo) -> str:
    return window_of(task.starts_at, task.ends_at, tz)


def window_of(starts: datetime, ends: datetime, tz: ZoneInfo) -> str:
    a, b = starts.astimezone(tz), ends.astimezone(tz)
    return f"{a:%m-%d %H:%M}-{b:%H:%M}"


def city_text(city: str | None) -> str:
    return q(city) if city else _("all cities")


def audience_label(audience: TaskAudience) -> str:
    return {
        TaskAudience.VOLUNTEERS: _("volunteers only"),
        TaskAudience.ALL: _("all drivers"),
    }[audience]


def taker_status_label(status: TakerStatus) -> str:
    return {
        TakerStatus.TAKEN: _("you have a place"),
        TakerStatus.WITHDRAWN: _("withdrawn"),
        TakerStatus.DONE: _("reported done, waiting for confirmation"),
        TakerStatus.CONFIRMED: _("confirmed, points paid"),
        TakerStatus.DISPUTED: _("disputed by the organiser"),
        TakerStatus.DROPPED: _("the task was cancelled"),
    }[status]


def place_status_label(status: TakerStatus) -> str:
    """A place as the admins' card shows it (no names)."""
    return {
        TakerStatus.TAKEN: _("taken"),
        TakerStatus.WITHDRAWN: _("withdrawn"),
        TakerStatus.DONE: _("reported done"),
        TakerStatus.CONFIRMED: _("confirmed"),
        TakerStatus.DISPUTED: _("disputed"),
        TakerStatus.DROPPED: _("dropped"),
    }[status]


def reason_label(reason: DisputeReason) -> str:
    return {
        DisputeReason.NOT_SEEN: _("nobody saw you there"),
        DisputeReason.UNFINISHED: _("the work was not finished"),
        DisputeReason.NO_PROOF: _("the photo does not show the work"),
        DisputeReason.OTHER: _("another reason"),
    }[reason]


def task_error(code: TaskErrorCode) -> str:
    return {
        TaskErrorCode.NOT_FOUND: _("That task is no longer available."),
        TaskErrorCode.CANCELLED: _("This task was cancelled."),
        TaskErrorCode.STARTED: _("This task has started: places can no longer be taken."),
        TaskErrorCode.ENDED: _("This task is over and can no longer be cancelled."),
        TaskErrorCode.FULL: _("Sorry, every place on this task is taken."),
        TaskErrorCode.ALREADY: _("You have a place on this task already."),
        TaskErrorCode.VOLUNTEERS_ONLY: _(
            "This task is for volunteers only. Ask an admin to make you a volunteer."
        ),
        TaskErrorCode.NOT_TAKEN: _("You have no place on this task."),
        TaskErrorCode.TOO_LATE: _(
            "It is less than 2 hours to the start: the place can no longer be given back. "
            "If you cannot come, please tell the organiser."
        ),
        TaskErrorCode.NOT_STARTED: _("You can report it done once the task has started."),
        TaskErrorCode.REPORTED: _("You reported this task done already."),
        TaskErrorCode.NOT_ALLOWED: _("Only the organiser or an admin can decide this."),
        TaskErrorCode.NOT_REPORTED: _(
            "This card has changed since it was drawn: look at it again."
        ),
        TaskErrorCode.CONFIRMED: _("Confirmed already: the points are paid."),
        TaskErrorCode.DISPUTED: _("Disputed already."),
    }[code]


def form_error(exc: FormError) -> str:
    return {
        FormErrorCode.EMPTY: _("Please type a few words."),
        FormErrorCode.TOO_LONG: _("That is too long: at most {limit} characters."),
        FormErrorCode.WINDOW_FORMAT: _(
            "Please type the day and the times like this: 12-20 09:00-12:00"
        ),
        FormErrorCode.WINDOW_PAST: _("That time has passed: the task must start in the future."),
        FormErrorCode.WINDOW_ORDER: _("The end must be after the start."),
        FormErrorCode.NOT_A_NUMBER: _("Please send a whole number."),
        FormErrorCode.OUT_OF_RANGE: _("That number is out of range."),
    }[exc.code].format(limit=exc.limit)
