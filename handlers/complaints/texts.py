"""The words of the complaint feature that several screens share."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _

from bot.db.complaints.statuses import CaseAction, CaseStatus, Deadline
from bot.i18n import N_
from knowledge.complaints.categories import Category

_ONE_SECOND = timedelta(seconds=1)

CATEGORY_LABELS = {
    Category.FREIGHT: N_("Freight charge dispute"),
    Category.TOLLS: N_("Highway tolls"),
    Category.PLATFORM: N_("Platform rules and dispatch"),
    Category.ENFORCEMENT: N_("Enforcement and fines"),
    Category.UNPAID_PAY: N_("Unpaid pay"),
    Category.INSURANCE: N_("Insurance and work injury"),
    Category.STATION: N_("Station service"),
    Category.OTHER: N_("Other"),
    Category.CONSULT: N_("Consultation"),
}
CATEGORY_ICONS = {
    Category.FREIGHT: "💴", Category.TOLLS: "🛣", Category.PLATFORM: "📱",
    Category.ENFORCEMENT: "👮", Category.UNPAID_PAY: "💼", Category.INSURANCE: "🩹",
    Category.STATION: "🏠", Category.OTHER: "📝", Category.CONSULT: "🙋",
}  # fmt: skip
STATUS_LABELS = {
    CaseStatus.NEW: N_("Filed, waiting to be accepted"),
    CaseStatus.ACCEPTED: N_("Accepted"),
    CaseStatus.ASSIGNED: N_("Assigned to an office"),
    CaseStatus.IN_PROGRESS: N_("Being handled"),
    CaseStatus.WAITING_DRIVER: N_("Waiting for your answer"),
    CaseStatus.RESOLVED: N_("Resolved, waiting for your feedback"),
    CaseStatus.CLOSED: N_("Closed"),
    CaseStatus.WITHDRAWN: N_("Withdrawn"),
}
# The office's view of the same statuses (the card in the admins' group).
OFFICE_STATUS_LABELS = {
    **STATUS_LABELS,
    CaseStatus.NEW: N_("New: nobody has accepted it"),
    CaseStatus.WAITING_DRIVER: N_("Waiting for the driver's answer"),
    CaseStatus.RESOLVED: N_("Resolved: waiting for the driver's feedback"),
}
ACTION_LABELS = {
    CaseAction.FILED: N_("filed"),
    CaseAction.ACCEPTED: N_("accepted (受理)"),
    CaseAction.ASSIGNED: N_("assigned (分办)"),
    CaseAction.REASSIGNED: N_("reassigned"),
    CaseAction.STARTED: N_("handling started (办理)"),
    CaseAction.NOTE: N_("progress note"),
    CaseAction.ASKED: N_("asked the driver"),
    CaseAction.ANSWERED: N_("the driver answered"),
    CaseAction.ADDED: N_("the driver added information"),
    CaseAction.RESOLVED: N_("resolved (办结)"),
    CaseAction.RATED: N_("follow-up: solved (回访)"),
    CaseAction.REOPENED: N_("follow-up: not solved, reopened"),
    CaseAction.CLOSED: N_("closed (归档)"),
    CaseAction.WITHDRAWN: N_("withdrawn by the driver"),
    CaseAction.EXTENSION_ASKED: N_("extension asked"),
    CaseAction.EXTENSION_APPROVED: N_("extension approved"),
    CaseAction.EXTENSION_REFUSED: N_("extension refused"),
    CaseAction.OVERDUE: N_("overdue"),
    CaseAction.ESCALATED: N_("escalated to the admins"),
    CaseAction.REVIEWED: N_("reviewed (复盘)"),
}
DEADLINE_LABELS = {
    Deadline.ACCEPT: N_("accept by"),
    Deadline.RESPOND: N_("first answer by"),
    Deadline.RESOLVE: N_("resolve by"),
}


def category_label(category: Category) -> str:
    return f"{CATEGORY_ICONS[category]} {_(CATEGORY_LABELS[category])}"


def status_label(status: CaseStatus, office: bool = False) -> str:
    return _((OFFICE_STATUS_LABELS if office else STATUS_LABELS)[status])


def action_label(action: CaseAction) -> str:
    return _(ACTION_LABELS[action])


def due_text(due: datetime, tz: ZoneInfo) -> str:
    """A deadline is the end of a working day: shown as that day."""
    last_day = (due.astimezone(tz) - _ONE_SECOND).date()
    return _("{month}/{day}").format(month=last_day.month, day=last_day.day)


def deadline_line(deadline: Deadline, due: datetime, tz: ZoneInfo) -> str:
    return f"{_(DEADLINE_LABELS[deadline])} {due_text(due, tz)}"


def money_text(fen: int) -> str:
    yuan, cents = divmod(fen, 100)
    return _("{amount} yuan").format(amount=f"{yuan:,}" + (f".{cents:02d}" if cents else ""))


def when_text(at: datetime, tz: ZoneInfo) -> str:
    local = at.astimezone(tz)
    return f"{local:%m-%d %H:%M}"
