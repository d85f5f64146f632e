"""Reading and writing the points shop's catalogue file (YAML).

Like the themes and checkups files, validation walks the composed node tree
(knowledge/yaml_files.py): every problem is reported with its line, no YAML tag is ever
constructed into an object, and a file is accepted only whole.

    items:
      - key: zg-bus-card-50          # stable: a re-import updates the item by it
        name_zh: 50元公交卡
        name_en: Bus card, 50 yuan
        description_zh: ...
        description_en: ...
        price: 500                   # points, > 0
        stock: 20                    # how many the shop offers in all (see below), >= 0
        per_user_limit: 1            # vouchers one driver may hold, >= 1
        city: 自贡                    # a city the bot knows, or all
        collect: 自贡市司机之家服务台     # where to collect it, or code (delivered as a code)
        valid_until: 2027-06-30      # the last day it can be redeemed and used

`stock` is the total the shop offers, not what is left: what is left is the stock minus the
vouchers that hold one (unused or used; an expired or cancelled voucher puts its unit back).
So exporting and importing again changes nothing, and restocking means raising the number.
An item the file leaves out is withdrawn (its vouchers stay valid), never deleted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from yaml.nodes import MappingNode

from knowledge.cities import match_city
from knowledge.shop.catalogue import ALL_CITIES, AS_CODE, Item
from knowledge.text_rules import clean_line, problem
from knowledge.yaml_files import (
    KEY_PATTERN,
    Entry,
    Errors,
    ParseResult,
    YamlSyntaxError,
    compose,
    dump,
    one_section,
    read_day,
)

SECTION = "items"
FIELDS = frozenset({
    "key", "name_zh", "name_en", "description_zh", "description_en", "price", "stock",
    "per_user_limit", "city", "collect", "valid_until",
})  # fmt: skip
# The database columns' sizes; descriptions short enough for one phone screen.
LIMITS = {
    "name_zh": 40, "name_en": 80, "description_zh": 200, "description_en": 400, "collect": 200,
}  # fmt: skip
MAX_PRICE = 1_000_000
MAX_STOCK = 1_000_000
MAX_LIMIT = 100
MAX_ITEMS = 500
NUMBER_PATTERN = re.compile(r"^\d{1,9}$")


@dataclass
class ShopParseResult(ParseResult):
    items: tuple[Item, ...] | None = None
    errors: list[str] = field(default_factory=list)


class _Entry(Entry):
    def raw(self, name: str) -> tuple[int, str] | None:
        """A required scalar's source text (stripped); None (reported) when absent or blank."""
        found = self.scalar(name)
        if found is None:
            return None
        line, node = found
        value = node.value.strip()
        if not value:
            self.fail(line, f"{name} is empty")
            return None
        return line, value

    def text(self, name: str) -> str:
        found = self.raw(name)
        if found is None:
            return ""
        line, value = found
        bad = problem(value)
        if bad:
            self.fail(line, f"{name} contains {bad}")
            return ""
        value = clean_line(value)
        if name in LIMITS and len(value) > LIMITS[name]:
            self.fail(line, f"{name} is longer than {LIMITS[name]} characters")
        return value

    def number(self, name: str, lowest: int, highest: int) -> int:
        found = self.raw(name)
        if found is None:
            return lowest
        line, value = found
        if not NUMBER_PATTERN.match(value) or not lowest <= int(value) <= highest:
            self.fail(line, f"{name} must be a whole number from {lowest} to {highest}, "
                            f"got {value!r}")  # fmt: skip
            return lowest
        return int(value)


def _key(entry: _Entry, keys: dict[str, int]) -> str:
    key = entry.text("key")
    line = entry.line_of("key")
    if key and not KEY_PATTERN.match(key):
        entry.fail(line, f"key must be 1-64 letters, digits, '-', '_' or '.': {key!r}")
    elif key in keys:
        entry.fail(line, f"duplicate item key {key!r} (first on line {keys[key]})")
    elif key:
        keys[key] = line
    return key


def _city(entry: _Entry) -> str:
    value = entry.text("city")
    if not value or value.lower() == ALL_CITIES:
        return ""
    city = match_city(value, min_score=100)
    if city is None:
        known = "a known city, e.g. 自贡 or Zigong, or all"
        entry.fail(entry.line_of("city"), f"unknown city {value!r} ({known})")
        return ""
    return city.zh


def _collect(entry: _Entry) -> str:
    value = entry.text("collect")
    return "" if value.lower() == AS_CODE else value


def _valid_until(entry: _Entry) -> date:
    found = entry.raw("valid_until")
    if found is None:
        return date.min
    line, value = found
    day = read_day(value)
    if day is None:
        entry.fail(line, f"valid_until must be a date YYYY-MM-DD, got {value!r}")
        return date.min
    return day


def _item(node: MappingNode, keys: dict[str, int], errors: Errors) -> Item | None:
    entry = _Entry(node, FIELDS, errors)
    item = Item(
        key=_key(entry, keys),
        name_zh=entry.text("name_zh"),
        name_en=entry.text("name_en"),
        description_zh=entry.text("description_zh"),
        description_en=entry.text("description_en"),
        price=entry.number("price", 1, MAX_PRICE),
        stock=entry.number("stock", 0, MAX_STOCK),
        per_user_limit=entry.number("per_user_limit", 1, MAX_LIMIT),
        city=_city(entry),
        collect=_collect(entry),
        valid_until=_valid_until(entry),
    )
    return None if entry.failed else item


def parse_shop_yaml(text: str) -> ShopParseResult:
    """Validate a whole catalogue file; the items come back only when nothing is wrong."""
    try:
        root = compose(text, context_line=False)
    except YamlSyntaxError as exc:
        return ShopParseResult(errors=[str(exc)])
    errors = Errors()
    keys: dict[str, int] = {}
    items = [
        _item(node, keys, errors)
        for node in one_section(root, errors, SECTION, "items", "item", MAX_ITEMS)
    ]
    if errors:
        return ShopParseResult(errors=errors.messages())
    return ShopParseResult(items=tuple(i for i in items if i is not None))


def _fields(i: Item) -> dict[str, Any]:
    return {
        "key": i.key, "name_zh": i.name_zh, "name_en": i.name_en,
        "description_zh": i.description_zh, "description_en": i.description_en,
        "price": i.price, "stock": i.stock, "per_user_limit": i.per_user_limit,
        "city": i.city or ALL_CITIES, "collect": i.collect or AS_CODE,
        "valid_until": i.valid_until.isoformat(),
    }  # fmt: skip


def dump_shop_yaml(items: tuple[Item, ...] | list[Item]) -> str:
    """The items in the layout parse_shop_yaml reads, in key order."""
    return dump({SECTION: [_fields(i) for i in sorted(items, key=lambda i: i.key)]})
