"""积分超市 for drivers, on the ⭐ My points message edited in place: the list (their city's
items and every city's, the affordable ones first), an item, the confirm step, the voucher
with its QR image; and /myvouchers. A refusal (not enough points, sold out, the limit, an item
gone, a forged or stale button) is a toast or an alert and changes nothing."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable
from typing import TypeVar

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.after_commit import after_commit
from bot.db.types import Clock
from bot.services.shop.views import Refused, VoucherView
from bot.services.users.profiles import UserProfile
from handlers.common.editing import edit_in_place, settle_ui, show_outcome
from handlers.common.filters import private_only
from handlers.points.kit import PointsServices
from handlers.points.screen import points_text, shop_kb
from handlers.shop.callbacks import ShopCb
from handlers.shop.kit import ShopServices
from handlers.shop.texts import refusal_text
from handlers.shop.views import (
    confirm_screen,
    item_screen,
    shop_screen,
    voucher_screen,
    voucher_text,
    vouchers_screen,
)
from knowledge.shop.qr import qr_png

_T = TypeVar("_T")

MY_VOUCHERS = 10  # the newest vouchers /myvouchers lists


def _message(query: CallbackQuery) -> Message | None:
    return query.message if isinstance(query.message, Message) else None


async def _or_alert(query: CallbackQuery, work: Awaitable[_T]) -> _T | None:
    """The service's answer; None once its refusal has been shown as an alert."""
    try:
        return await work
    except Refused as exc:
        await query.answer(refusal_text(exc.reason), show_alert=True)
        return None


def _qr_photo(v: VoucherView) -> BufferedInputFile:
    return BufferedInputFile(qr_png(v.code), filename=f"voucher-{v.code}.png")


async def _qr(message: Message, v: VoucherView, lang: str) -> None:
    await message.answer_photo(_qr_photo(v), caption=voucher_text(v, lang))


async def home(query: CallbackQuery, user: UserProfile | None, points: PointsServices) -> None:
    message = _message(query)
    if user is None or message is None:
        await query.answer()
        return
    await edit_in_place(message, await points_text(user, points), shop_kb())
    await query.answer()


async def show_list(query: CallbackQuery, callback_data: ShopCb, user: UserProfile | None,
                    shop: ShopServices, clock: Clock) -> None:  # fmt: skip
    message = _message(query)
    if user is None or message is None:
        await query.answer()
        return
    page = await shop.shop.page(user.id, user.city, clock(), callback_data.p)
    await edit_in_place(message, *shop_screen(page, user.city, user.language))
    await query.answer()


async def open_shop(message: Message, user: UserProfile | None, shop: ShopServices,
                    clock: Clock) -> None:  # fmt: skip
    """The shop's first page as a new message (free text such as "积分能换什么")."""
    if user is None:
        return
    page = await shop.shop.page(user.id, user.city, clock(), 0)
    text, kb = shop_screen(page, user.city, user.language)
    await message.answer(text, reply_markup=kb)


async def show_item(query: CallbackQuery, callback_data: ShopCb, user: UserProfile | None,
                    shop: ShopServices, clock: Clock) -> None:  # fmt: skip
    message = _message(query)
    if user is None or message is None:
        await query.answer()
        return
    offer = await _or_alert(query, shop.shop.offer(user.id, callback_data.i, user.city, clock()))
    if offer is None:
        return
    await edit_in_place(message, *item_screen(offer, callback_data.p, user.language))
    await query.answer()


async def ask(query: CallbackQuery, callback_data: ShopCb, user: UserProfile | None,
              shop: ShopServices, clock: Clock) -> None:  # fmt: skip
    message = _message(query)
    if user is None or message is None:
        await query.answer()
        return
    offer = await _or_alert(query, shop.shop.check(user.id, callback_data.i, user.city, clock()))
    if offer is None:
        return
    nonce = secrets.token_urlsafe(6)  # this confirm's redemption key
    await edit_in_place(message, *confirm_screen(offer, callback_data.p, nonce, user.language))
    await query.answer()


async def confirm(query: CallbackQuery, callback_data: ShopCb, user: UserProfile | None,
                  shop: ShopServices, clock: Clock, session: AsyncSession) -> None:  # fmt: skip
    message = _message(query)
    if user is None or message is None:
        await query.answer()
        return
    cb = callback_data
    redeemed = await _or_alert(query, shop.shop.redeem(user.id, cb.i, cb.n, user.city, clock()))
    if redeemed is None:
        return
    voucher, lang = redeemed.voucher, user.language
    toast = (
        _("Redeemed: here is your voucher.")
        if redeemed.new
        else _("Already redeemed: this is the voucher it gave.")
    )
    # Rendered now, in the update's language; shown after the commit, when the voucher exists.
    text, kb = voucher_screen(voucher, lang)
    photo = _qr_photo(voucher) if redeemed.new else None

    async def show() -> None:
        await settle_ui(query.answer(toast))
        await show_outcome(message, text, kb)
        if photo is not None:
            await settle_ui(message.answer_photo(photo, caption=text))

    after_commit(session, show)


async def my_vouchers_list(query: CallbackQuery, user: UserProfile | None,
                           shop: ShopServices) -> None:  # fmt: skip
    message = _message(query)
    if user is None or message is None:
        await query.answer()
        return
    vouchers = await shop.shop.vouchers(user.id, MY_VOUCHERS)
    await edit_in_place(message, *vouchers_screen(vouchers, shop.tz, user.language))
    await query.answer()


async def my_vouchers(message: Message, user: UserProfile | None, shop: ShopServices) -> None:
    """/myvouchers"""
    if user is None:
        return
    vouchers = await shop.shop.vouchers(user.id, MY_VOUCHERS)
    text, kb = vouchers_screen(vouchers, shop.tz, user.language)
    await message.answer(text, reply_markup=kb)


async def show_qr(query: CallbackQuery, callback_data: ShopCb, user: UserProfile | None,
                  shop: ShopServices) -> None:  # fmt: skip
    message = _message(query)
    voucher = None if user is None else await shop.shop.voucher(user.id, callback_data.i)
    if voucher is None or message is None or user is None:
        await query.answer(_("This voucher is not one of yours."), show_alert=True)
        return
    await query.answer()
    await _qr(message, voucher, user.language)


def create_router() -> Router:
    router = Router(name="shop")
    private_only(router)
    router.message.register(my_vouchers, Command("myvouchers"))
    cq = router.callback_query
    for action, handler in (
        ("home", home), ("list", show_list), ("item", show_item), ("ask", ask),
        ("ok", confirm), ("mine", my_vouchers_list), ("qr", show_qr),
    ):  # fmt: skip
        cq.register(handler, ShopCb.filter(F.a == action))
    return router
