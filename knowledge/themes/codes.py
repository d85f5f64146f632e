"""The rotating check-in code an organiser shows at the place: six digits, an HMAC of the
activity's random secret and the time step (like TOTP, RFC 6238), so a photo of the screen
sent to a friend stops working within a few minutes. The code of the current step and of
the one before are accepted (a driver typing it as it changes)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime

STEP_SECONDS = 90  # how long one code is shown; it stays valid for one more step
DIGITS = 6
# How far back a code is recognised as one of this activity's, to say "expired" rather
# than "wrong" (30 minutes).
RECOGNISED_STEPS = 20
CODE_PATTERN = re.compile(r"^\d{6}$")


def new_secret() -> str:
    return secrets.token_hex(16)


def step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def code_at(secret: str, at_step: int) -> str:
    digest = hmac.new(bytes.fromhex(secret), at_step.to_bytes(8, "big"), hashlib.sha256).digest()
    offset = digest[-1] & 0x0F
    number = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{number % 10**DIGITS:0{DIGITS}d}"


def current_code(secret: str, now: datetime) -> str:
    return code_at(secret, step(now))


def age(secret: str, code: str, now: datetime) -> int | None:
    """How many steps old `code` is for this secret (0: current, 1: the one before...), or
    None when it was not one of its last RECOGNISED_STEPS codes."""
    if not CODE_PATTERN.match(code):
        return None
    now_step = step(now)
    for back in range(RECOGNISED_STEPS + 1):
        if hmac.compare_digest(code_at(secret, now_step - back), code):
            return back
    return None


def accepted(steps_old: int | None) -> bool:
    """The current code and the previous one count."""
    return steps_old is not None and steps_old <= 1


def normalise(text: str) -> str | None:
    """What a driver typed ("123456", "123 456", full-width digits) as six ASCII digits;
    None when it is not a code."""
    compact = "".join(text.split())
    if len(compact) != DIGITS or not compact.isdecimal():
        return None
    return "".join(str(int(c)) for c in compact)
