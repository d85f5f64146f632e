"""积分超市 the points shop: a catalogue of items bought with points, vouchers with a short code
and a QR image, redeemed once at a station with /redeem."""

from __future__ import annotations

from bot.feature import Feature

SHOP = Feature(name="shop")
