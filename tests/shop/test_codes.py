"""Voucher codes, their QR image, and when news that can wait goes out. No database."""

from __future__ import annotations

from datetime import UTC, datetime

from handlers.shop.kit import daytime
from knowledge.shop.catalogue import CODE_ALPHABET, new_code, read_code, show_code
from knowledge.shop.qr import qr_png
from tests.shop.conftest import TZ


def test_codes_are_short_unambiguous_and_read_back_however_typed() -> None:
    codes = {new_code() for _ in range(1000)}
    assert len(codes) == 1000
    assert all(len(c) == 8 and not set(c) & set("0O1I") for c in codes)
    assert set("".join(codes)) <= set(CODE_ALPHABET)
    code = "ABCD2345"
    assert show_code(code) == "ABCD-2345"
    for typed in ("ABCD-2345", "abcd2345", " abcd 2345 ", "Abcd_2345"):
        assert read_code(typed) == code
    for wrong in ("ABCD-234", "ABCD-23450", "ABCO-2345", "ABC1-2345", "", "ABCD-2345-X"):
        assert read_code(wrong) is None


def test_the_qr_image_is_a_png() -> None:
    assert qr_png("ABCD2345").startswith(b"\x89PNG\r\n\x1a\n")


def test_news_that_can_wait_goes_out_by_day() -> None:
    def local(hour: int) -> datetime:
        return datetime(2026, 12, 5, hour, 10, tzinfo=TZ).astimezone(UTC)

    morning = datetime(2026, 12, 5, 8, 0, tzinfo=TZ)
    assert daytime(local(0), TZ) == morning  # just after midnight: this morning
    assert daytime(local(12), TZ) is None
    assert daytime(local(22), TZ) == datetime(2026, 12, 6, 8, 0, tzinfo=TZ)  # tomorrow's
