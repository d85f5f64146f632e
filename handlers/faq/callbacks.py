"""Callback data of the FAQ's buttons (the related action's button is the intents' GoCb)."""

from __future__ import annotations

from typing import Literal

from aiogram.filters.callback_data import CallbackData

from knowledge.faq.model import Topic


class FaqCb(CallbackData, prefix="faq"):
    """A FAQ screen or a vote. `t` and `p` are the topic and page a screen belongs to (an
    answer's ⬅️ Back goes there), `i` the entry's id (keys can be too long for Telegram's 64
    bytes), `v` the thumb: 1 👍, 0 👎."""

    a: Literal["home", "topic", "show", "vote"]
    t: Topic = Topic.RIGHTS
    p: int = 0
    i: int = 0
    v: int = 0
