"""A voucher's QR image: the code's text, so any phone's scanner reads what /redeem takes."""

from __future__ import annotations

import io

import segno


def qr_png(text: str) -> bytes:
    out = io.BytesIO()
    # Medium error correction and a large scale: readable off a cracked phone screen.
    segno.make_qr(text, error="m").save(out, kind="png", scale=10, border=4)
    return out.getvalue()
