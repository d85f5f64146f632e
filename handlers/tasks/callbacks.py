"""Callback data of the task buttons. `TASKS_PREFIX` is what a button elsewhere (⭐ My points)
carries to open /tasks: `TaskCb(a="list").pack()`."""

from __future__ import annotations

from typing import Literal

from aiogram.filters.callback_data import CallbackData

TASKS_PREFIX = "tk"


class TaskCb(CallbackData, prefix=TASKS_PREFIX):
    """A volunteer's buttons: /tasks, a task's screen, an offer. Everything is checked again
    by the service, so an old or forged button changes nothing it should not."""

    a: Literal["list", "show", "take", "leave", "done", "nophoto", "sub", "unsub"]
    t: int = 0  # the task
    p: int = 0  # the page of /tasks to go back to


class TaskCardCb(CallbackData, prefix="tc"):
    """A button on a task's card in the admins' group."""

    a: Literal["roster", "cancel", "cancel_ok", "back", "ok", "no", "why"]
    t: int  # the task
    k: int = 0  # a place (taker row id), for ok / no / why
    o: str = ""  # a dispute reason


class TaskFormCb(CallbackData, prefix="tf"):
    """A step of the publish form; its answers live in the FSM data."""

    a: Literal["all", "aud", "n", "pub", "edit", "field", "prev", "x"]
    v: str = ""
