"""The test kit: the app under test (the real dispatcher from the factory talking HTTP to the
local Bot API server), the clock, chat helpers and phone-screen rules. Tests import from here;
`tests/conftest.py` loads the fixtures (`server`, `clock`, `app`)."""

from tests.harness.app import (
    ADMIN,
    DRIVER,
    EN_DRIVER,
    TOKEN,
    App,
    FastSession,
    make_bot,
    running_app,
    test_settings,
)
from tests.harness.chat import (
    alerts,
    answers,
    button_rows,
    buttons,
    last_with_buttons,
    methods,
    press_again,
    shown,
    tap,
    texts,
)
from tests.harness.clock import NOON_MONDAY, Clock, local

__all__ = [
    "ADMIN",
    "DRIVER",
    "EN_DRIVER",
    "NOON_MONDAY",
    "TOKEN",
    "App",
    "Clock",
    "FastSession",
    "alerts",
    "answers",
    "button_rows",
    "buttons",
    "last_with_buttons",
    "local",
    "make_bot",
    "methods",
    "press_again",
    "running_app",
    "shown",
    "tap",
    "test_settings",
    "texts",
]
