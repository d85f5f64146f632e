"""The button that starts a flow as if its menu button was tapped: the choices offered for
ambiguous text, and the related action under an FAQ answer, carry one of these."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class GoCb(CallbackData, prefix="go", sep="|"):
    """`a` is an action as the FAQ file writes it (knowledge/faq/model.py): "checkup",
    "points", "shop", "tasks", or kind and code such as "complaint:freight",
    "snap:pothole", "nearest:shower"; intents add their own names ("faq:<key>", "human",
    "my_bookings", ...). Checked again when pressed: a forged one starts nothing. Its parts
    are split by "|", since actions hold ":"."""

    a: str
    c: bool = False  # offered as a choice: pressing it settles the offer
