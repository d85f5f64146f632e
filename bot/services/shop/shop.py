"""积分超市, the driver's side: what is on offer, the checks before the confirm step, and the
redemption itself, all of it in one savepoint: a unit of stock (a conditional UPDATE), a slot
of the per-user limit (a unique row), the voucher, and the ledger's debit (which refuses to
overdraw). Any refusal rolls all of it back. The confirm button's nonce is the redemption's
key, so a double tap or a repeated update gives one voucher and one debit."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.shop.models import ShopItemRow, VoucherRow, VoucherStatus
from bot.db.shop.repository import ShopRepository
from bot.services.points.ledger import Ledger, NotEnoughPoints
from bot.services.shop.views import (
    Names,
    Offer,
    Refusal,
    Refused,
    ShopPage,
    VoucherView,
    expiry_of,
    offer_of,
    voucher_of,
)
from knowledge.shop.catalogue import new_code

PAGE_SIZE = 6  # items per shop screen: one button each, with the paging row, fit a phone
NONCE = re.compile(r"^[A-Za-z0-9_-]{6,16}$")
# Beyond the slots, tries a redemption gets when a concurrent one took its slot or drew
# the same code (a code collision is about one in 10^12).
EXTRA_TRIES = 3


@dataclass(frozen=True, slots=True)
class Redeemed:
    voucher: VoucherView
    new: bool  # False: this confirm had redeemed before (a double tap, a repeated update)


class ShopService:
    def __init__(self, session: AsyncSession, ledger: Ledger, tz: ZoneInfo) -> None:
        self.session = session
        self.repo = ShopRepository(session)
        self.ledger = ledger
        self.tz = tz

    async def page(self, user_id: int, city: str | None, now: datetime, page: int) -> ShopPage:
        balance = await self.ledger.balance(user_id)
        rows = await self.repo.offered(city, now.astimezone(self.tz).date())
        ordered = sorted(rows, key=lambda r: (r.price > balance, r.price, r.name_zh, r.id))
        pages = max(math.ceil(len(ordered) / PAGE_SIZE), 1)
        page = min(max(page, 0), pages - 1)
        shown = ordered[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        offers = tuple(offer_of(r, balance, 0) for r in shown)
        return ShopPage(offers, balance, page, pages, any(r.is_sample for r in rows))

    async def _available(self, item_id: int, city: str | None, now: datetime) -> ShopItemRow:
        row = await self.repo.item(item_id)
        today = now.astimezone(self.tz).date()
        if (
            row is None or row.withdrawn_at is not None or row.valid_until < today
            or row.city not in ("", city or "")
        ):  # fmt: skip
            raise Refused(Refusal.GONE)
        return row

    async def offer(self, user_id: int, item_id: int, city: str | None, now: datetime) -> Offer:
        """One item as the driver sees it; raises Refused(GONE) when it is not on offer."""
        row = await self._available(item_id, city, now)
        held = len(await self.repo.taken_slots(row.id, user_id))
        return offer_of(row, await self.ledger.balance(user_id), held)

    async def check(self, user_id: int, item_id: int, city: str | None, now: datetime) -> Offer:
        """What the confirm step asks about; raises Refused when it could not go through now."""
        offer = await self.offer(user_id, item_id, city, now)
        if offer.sold_out:
            raise Refused(Refusal.SOLD_OUT)
        if offer.held_by_you >= offer.per_user_limit:
            raise Refused(Refusal.LIMIT)
        if not offer.affordable:
            raise Refused(Refusal.NOT_ENOUGH)
        return offer

    async def redeem(
        self, user_id: int, item_id: int, nonce: str, city: str | None, now: datetime
    ) -> Redeemed:
        if not NONCE.match(nonce):
            raise Refused(Refusal.GONE)
        key = f"{user_id}:{item_id}:{nonce}"
        known = await self._by_key(key)
        if known is not None:
            return Redeemed(known, new=False)
        item = await self._available(item_id, city, now)
        today = now.astimezone(self.tz).date()
        # Where the stock's UPDATE goes: on SQLite the first write takes the database's one
        # write lock, so it comes before the reads (a read first would pin a snapshot that a
        # concurrent commit makes stale); on PostgreSQL the item row's lock lasts from the
        # UPDATE to the commit, so the row every redeemer queues on is touched last.
        stock_first = self.repo.one_writer()
        for _try in range(item.per_user_limit + EXTRA_TRIES):
            savepoint = await self.session.begin_nested()
            try:
                if stock_first:
                    await self._take_unit(item.id, today)
                taken = await self.repo.taken_slots(item.id, user_id)
                free = [n for n in range(1, item.per_user_limit + 1) if n not in taken]
                if not free:
                    raise Refused(Refusal.LIMIT)
                code = new_code()
                voucher_id = await self.repo.add_voucher({
                    "code": code, "redeem_key": key, "item_id": item.id, "user_id": user_id,
                    "slot": free[0], "price": item.price, "status": VoucherStatus.UNUSED,
                    "created_at": now, "expires_at": expiry_of(item.valid_until, self.tz),
                })  # fmt: skip
                await self.ledger.redeem(user_id, item.price, f"voucher:{voucher_id}", now,
                                         ref=code)  # fmt: skip
                if not stock_first:
                    await self._take_unit(item.id, today)
            except NotEnoughPoints:
                await savepoint.rollback()
                raise Refused(Refusal.NOT_ENOUGH) from None
            except Refused:
                await savepoint.rollback()
                raise
            except IntegrityError:
                await savepoint.rollback()
                twin = await self._by_key(key)  # the same confirm, redeemed meanwhile
                if twin is not None:
                    return Redeemed(twin, new=False)
                continue  # a concurrent redemption took the slot (or drew the code)
            await savepoint.commit()
            made = VoucherView(
                voucher_id, code, user_id, Names(item.name_zh, item.name_en), item.collect,
                item.price, VoucherStatus.UNUSED, expiry_of(item.valid_until, self.tz),
                item.valid_until, None, None,
            )  # fmt: skip
            return Redeemed(made, new=True)
        raise Refused(Refusal.LIMIT)

    async def _take_unit(self, item_id: int, today: date) -> None:
        if not await self.repo.take_unit(item_id, today):
            raise Refused(Refusal.SOLD_OUT)

    async def _by_key(self, key: str) -> VoucherView | None:
        row = await self.repo.voucher_by_key(key)
        return None if row is None else await self._view(row)

    async def _view(self, row: VoucherRow) -> VoucherView:
        item = await self.repo.item(row.item_id)
        assert item is not None
        return voucher_of(row, item, self.tz)

    async def vouchers(self, user_id: int, limit: int) -> list[VoucherView]:
        return [await self._view(r) for r in await self.repo.vouchers_of(user_id, limit)]

    async def voucher(self, user_id: int, voucher_id: int) -> VoucherView | None:
        """The driver's own voucher; None for anyone else's (a forged button)."""
        row = await self.repo.voucher(voucher_id)
        if row is None or row.user_id != user_id:
            return None
        return await self._view(row)
