"""Callback data of the broadcast buttons."""

from __future__ import annotations

from typing import Literal

from aiogram.filters.callback_data import CallbackData


class FormCb(CallbackData, prefix="bcf"):
    """A step of the compose form; the draft's id and the choices live in the FSM state,
    so a button only says what was tapped (buttons of an older form are refused)."""

    a: Literal[
        "nolinks", "keep", "one", "en", "aud", "city", "occ", "role", "lang", "pick",
        "prev", "now", "h1", "tom", "ok", "back", "x",
    ]  # fmt: skip
    v: str = ""


class ControlCb(CallbackData, prefix="bcc"):
    """A broadcast's status message and /broadcasts: self-contained (the broadcast id);
    only admins may press, checked on every tap."""

    a: Literal["pause", "resume", "cancel", "yes", "no", "open", "list"]
    b: int = 0


class PreviewCb(CallbackData, prefix="bcp"):
    """The unsubscribe button of a preview: in the admin's chat it only explains itself."""
