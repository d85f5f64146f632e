"""Callback data of the complaint buttons."""

from __future__ import annotations

from typing import Literal

from aiogram.filters.callback_data import CallbackData


class FileCb(CallbackData, prefix="cf"):
    """A step of the filing form; its answers so far live in the FSM state."""

    a: Literal["cat", "skip", "anon", "named", "ok", "edit", "x", "back", "noop", "done"]
    v: str = ""


class CardCb(CallbackData, prefix="cc"):
    """A button on a case card in the admins' group (or a handler's chat). Self-contained:
    the case and the version of it the card showed; a card that is behind is refused, and
    who may press is checked on every tap."""

    a: Literal[
        "take", "assign", "office", "who", "start", "note", "ask", "resolve", "nofault",
        "ext", "review", "files", "show", "back",
    ]  # fmt: skip
    c: int  # the case id
    v: int  # the case version the card showed
    o: str = ""  # an office id (assign)
    u: int = 0  # a handler's user id (assign)


class ExtCb(CallbackData, prefix="ce"):
    """An admin's decision on an extension request."""

    a: Literal["yes", "no"]
    e: int


class MineCb(CallbackData, prefix="cm"):
    """/mycases and the driver's buttons on case news. Checked against the driver who taps:
    another driver's case id is "not found"."""

    a: Literal["list", "open", "add", "answer", "withdraw", "sure", "rate", "solved", "page"]
    c: int = 0
    r: int = 0  # a rating 1-5, or a page


class ConsultCb(CallbackData, prefix="ck"):
    """The consultation's confirm (send, cancel); the question lives in the FSM state."""

    a: Literal["send", "x"]
