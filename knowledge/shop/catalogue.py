"""积分超市: what one catalogue item is, and the voucher codes. Pure: no database, no Telegram."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date

ALL_CITIES = "all"  # the file's word for an item offered in every city
AS_CODE = "code"  # the file's word for an item delivered as a code (nothing to collect)

# Voucher codes: 8 characters without 0/O/1/I, shown as XXXX-XXXX. 32^8 ≈ 1.1e12 codes, so a
# random draw almost never collides; the unique column catches the one that does.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8
_CODE = re.compile(f"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")


@dataclass(frozen=True, slots=True)
class Item:
    """One line of the catalogue file. `stock` is how many the shop offers in all (see
    knowledge/shop/files.py); `city` is a city's Chinese name or "" for every city;
    `collect` is the place to collect it or "" when it is delivered as a code."""

    key: str
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    price: int
    stock: int
    per_user_limit: int
    city: str
    collect: str
    valid_until: date


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def show_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def read_code(text: str) -> str | None:
    """What someone typed or a scanner read ("abcd-efgh", "ABCD EFGH") as a stored code;
    None when it cannot be one."""
    code = re.sub(r"[\s\-_]", "", text).upper()
    return code if _CODE.match(code) else None
