"""The catalogue in the database: an import stored whole (items updated by key, the ones left
out withdrawn), the stored items read back as the file's data, and the sample of a first run.
The caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.shop.models import ShopItemRow
from bot.db.shop.repository import ShopRepository
from knowledge import DATA_DIR
from knowledge.shop.catalogue import Item
from knowledge.shop.files import parse_shop_yaml

SAMPLE_FILE = DATA_DIR / "shop_sample.yaml"


@dataclass(frozen=True, slots=True)
class CatalogueCounts:
    items: int
    withdrawn: int
    samples_removed: int = 0


def item_of(row: ShopItemRow) -> Item:
    return Item(
        row.key, row.name_zh, row.name_en, row.description_zh, row.description_en, row.price,
        row.stock, row.per_user_limit, row.city, row.collect, row.valid_until,
    )  # fmt: skip


async def store_items(
    session: AsyncSession, items: tuple[Item, ...], now: datetime, is_sample: bool = False
) -> CatalogueCounts:
    """The file becomes the catalogue: its items stored by key, the others withdrawn (their
    vouchers still point at them). A real import removes the sample items nobody redeemed."""
    repo = ShopRepository(session)
    for i in items:
        await repo.store_item(
            {"key": i.key, "name_zh": i.name_zh, "name_en": i.name_en,
             "description_zh": i.description_zh, "description_en": i.description_en,
             "price": i.price, "stock": i.stock, "per_user_limit": i.per_user_limit,
             "city": i.city, "collect": i.collect, "valid_until": i.valid_until,
             "is_sample": is_sample},
            now,
        )  # fmt: skip
    withdrawn = await repo.withdraw_others([i.key for i in items], now)
    removed = 0 if is_sample else await repo.drop_samples()
    await session.flush()
    return CatalogueCounts(len(items), withdrawn, removed)


async def load_items(session: AsyncSession) -> tuple[Item, ...]:
    """The items on offer, as the file holds them (for the export)."""
    return tuple(item_of(row) for row in await ShopRepository(session).items())


async def load_sample_if_empty(session: AsyncSession, now: datetime) -> CatalogueCounts | None:
    """First run: the illustrative catalogue shipped with the bot, marked as a sample."""
    if await ShopRepository(session).has_items():
        return None
    result = parse_shop_yaml(SAMPLE_FILE.read_text(encoding="utf-8"))
    if not result.ok or result.items is None:
        raise RuntimeError("sample shop catalogue invalid: " + "; ".join(result.errors[:5]))
    return await store_items(session, result.items, now, is_sample=True)
