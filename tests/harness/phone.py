"""What fits on a phone: the rules of thumb the screen tests check against."""

from __future__ import annotations

import math

from handlers.stations.texts import display_width

# A phone 390 px wide: ~30 Latin or ~16 Chinese characters across a row of buttons (shared
# equally by the buttons of the row), ~34 Latin or ~18 Chinese across a line of text, and
# about 20 lines of text above two rows of buttons and a two-row reply keyboard.
ROW_UNITS = 30.0
LINE_UNITS = 34.0
SCREEN_LINES = 20


def wrapped_lines(text: str) -> int:
    return sum(max(1, math.ceil(display_width(line) / LINE_UNITS)) for line in text.splitlines())


def too_wide(rows: list[list[str]]) -> list[str]:
    """Labels a phone cuts off: wider than their share of the row."""
    return [label for row in rows for label in row if display_width(label) > ROW_UNITS / len(row)]
