"""Callback data of the points shop's buttons."""

from __future__ import annotations

from typing import Literal

from aiogram.filters.callback_data import CallbackData


class ShopCb(CallbackData, prefix="shop"):
    """A shop screen: `i` is the item (or voucher) it is about, `p` the list's page, `n` the
    confirm button's nonce (the redemption's key, so a double tap redeems once)."""

    a: Literal["home", "list", "item", "ask", "ok", "mine", "qr"]
    i: int = 0
    p: int = 0
    n: str = ""
