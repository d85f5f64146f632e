"""Callback data of the theme buttons: self-contained (the month to show), so a button on an
old message, a notice included, works as well as a new one."""

from __future__ import annotations

from typing import Literal

from aiogram.filters.callback_data import CallbackData


class MonthCb(CallbackData, prefix="th"):
    m: str  # "YYYY-MM"


class SeatCb(CallbackData, prefix="ths"):
    """Sign up for an activity, or give the seat back; the screen's month is redrawn."""

    a: Literal["in", "out"]
    id: int  # the activity
    m: str  # "YYYY-MM", the month on the screen


class CodeCb(CallbackData, prefix="thc"):
    """The organiser's check-in code of an activity (shown again: a new code)."""

    id: int  # the activity
    p: int = 0  # the message id of the QR photo shown with it (replaced by the new one)
