"""Callback data of the snap report buttons."""

from __future__ import annotations

from typing import Literal

from aiogram.filters.callback_data import CallbackData


class SnapCb(CallbackData, prefix="sf"):
    """A step of the report form; its answers so far live in the FSM state."""

    a: Literal["nophoto", "next", "gps", "noloc", "cat", "new", "metoo", "ok", "back", "x"]
    v: str = ""


class SnapCardCb(CallbackData, prefix="sc"):
    """A button on a report's card in the admins' group: the report and the version the card
    showed, so a card that is behind (or a forged button) changes nothing."""

    a: Literal["verify", "reject", "why", "fwd", "office", "done", "back", "voice"]
    r: int  # the report id
    v: int  # the report version the card showed
    o: str = ""  # an office id, or a reject reason


class SnapDoneCb(CallbackData, prefix="sd"):
    """In the handler's private chat: mark the report handled without an after photo."""

    a: Literal["nophoto", "x"]
    r: int
    v: int


class SnapAskCb(CallbackData, prefix="sq"):
    """The reporter's answer to "still a problem?" 28 days after it was handled."""

    a: Literal["fixed", "still"]
    r: int
