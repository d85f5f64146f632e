"""The points feature's words shared by its screens: what each ledger reason is called."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.db.points.models import Reason


def reason_label(reason: Reason) -> str:
    return {
        Reason.REPORT: _("snap report verified"),
        Reason.FIRST_REPORT: _("bonus for your first report"),
        Reason.GRANT: _("given by an admin"),
        Reason.DEDUCT: _("taken by an admin"),
        Reason.REVERSAL: _("correction"),
        Reason.SPEND: _("spent"),
        Reason.FORFEIT: _("forfeited"),
        Reason.REDEEM: _("redeemed in the points shop"),
        Reason.REFUND: _("refund of an unused voucher"),
        Reason.TASK: _("volunteer task done"),
        Reason.ACTIVITY: _("checked in at an activity"),
    }[reason]
