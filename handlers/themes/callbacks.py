"""Callback data of the theme buttons: self-contained (the month to show), so a button on an
old message, a notice included, works as well as a new one."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class MonthCb(CallbackData, prefix="th"):
    m: str  # "YYYY-MM"
