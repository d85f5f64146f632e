"""Words for the points shop's screens, in the reader's language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _

from bot.db.shop.models import VoucherStatus
from bot.services.shop.views import Refusal, VoucherView
from handlers.common.texts import q


def refusal_text(reason: Refusal) -> str:
    return {
        Refusal.NOT_ENOUGH: _("You do not have enough points for this yet."),
        Refusal.SOLD_OUT: _("Sorry, this item is out of stock."),
        Refusal.LIMIT: _("You already hold as many of these as one driver may."),
        Refusal.GONE: _("This item is no longer in the shop."),
    }[reason]


def status_text(v: VoucherView, tz: ZoneInfo) -> str:
    if v.status is VoucherStatus.UNUSED:
        return _("unused, valid until {day}").format(day=f"{v.valid_until:%Y-%m-%d}")
    if v.status is VoucherStatus.USED:
        return _("used on {day}").format(day=when(v.used_at, tz))
    if v.status is VoucherStatus.EXPIRED:
        return _("expired, {points} points refunded").format(points=v.price)
    return _("cancelled")


def collect_line(collect: str) -> str:
    if not collect:
        return _("🔢 Delivered as a code: give this code where you use it.")
    return _("📍 Collect at: {place}").format(place=q(collect))


def when(at: datetime | None, tz: ZoneInfo) -> str:
    return "—" if at is None else f"{at.astimezone(tz):%Y-%m-%d %H:%M}"
