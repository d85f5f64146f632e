"""A feature whose issue has not landed yet: its menu button answers "coming soon"."""

from __future__ import annotations

from bot.feature import Feature, MenuButton


def coming_soon(name: str, label: str, help_line: str) -> Feature:
    return Feature(name=name, menu=(MenuButton(label, help_line),))
