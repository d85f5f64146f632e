"""Callback data of the checkup buttons, shared by the flow, /mybookings and the notices."""

from __future__ import annotations

from typing import Literal

from aiogram.filters.callback_data import CallbackData


class BookCb(CallbackData, prefix="bk"):
    """A step of the booking flow. The flow's choices so far live in the FSM state, so a
    button only says what was tapped; buttons of an older flow message are refused."""

    a: Literal["svc", "prov", "near", "cal", "day", "slot", "wait", "ok", "back", "noop", "wd", "x"]
    v: str = ""


class MineCb(CallbackData, prefix="mb"):
    """/mybookings: self-contained (a booking code), checked against the driver who taps."""

    a: Literal["list", "cancel", "yes", "move"]
    c: str = ""


class OfferCb(CallbackData, prefix="of"):
    a: Literal["y", "n"]
    w: int


class DayListCb(CallbackData, prefix="ad"):
    """An admin's day list: check a booking in (`in`) or mark it a no-show (`no`), turn the
    page (`pg`), or send the full list with names and phones to one's private chat (`dm`).
    Self-contained (day, page, code); only admins may press, checked on every tap."""

    a: Literal["in", "no", "pg", "dm"]
    d: str  # the local day, YYYY-MM-DD
    p: int = 0  # the page shown
    c: str = ""
