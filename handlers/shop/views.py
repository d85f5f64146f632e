"""The points shop's screens: text and buttons from the service's small objects."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.db.shop.models import VoucherStatus
from bot.services.shop.views import Offer, ShopPage, VoucherView
from handlers.common.texts import q
from handlers.shop.callbacks import ShopCb
from handlers.shop.texts import collect_line, status_text


def _button(text: str, cb: ShopCb) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=cb.pack())


def _kb(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[row for row in rows if row])


def shop_screen(page: ShopPage, city: str | None, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    lines = [_("🛒 <b>Points shop</b> · your points: {balance}").format(balance=page.balance)]
    if page.sample:
        lines.append(_("<i>Sample catalogue: illustrative items to try the shop with.</i>"))
    if not page.offers:
        lines.append(_("Nothing on offer for you right now. Come back later!"))
    else:
        where = q(city) if city else _("every city")
        lines.append(_("Items for {city}, the ones you can afford first. Tap one to see it.")
                     .format(city=where))  # fmt: skip
        if page.pages > 1:
            lines.append(_("Page {page} of {pages}").format(page=page.page + 1, pages=page.pages))
    rows = []
    for o in page.offers:
        label = f"{'🟢' if o.affordable else '⚪'} {o.name.get(lang)} · {o.price}"
        if o.sold_out:
            label += " · " + _("sold out")
        rows.append([_button(label, ShopCb(a="item", i=o.id, p=page.page))])
    paging = []
    if page.page > 0:
        paging.append(_button("◀", ShopCb(a="list", p=page.page - 1)))
    if page.page + 1 < page.pages:
        paging.append(_button("▶", ShopCb(a="list", p=page.page + 1)))
    rows.append(paging)
    rows.append([_button(_("⬅️ Back"), ShopCb(a="home")),
                 _button(_("🎫 My vouchers"), ShopCb(a="mine"))])  # fmt: skip
    return "\n".join(lines), _kb(rows)


def item_screen(o: Offer, page: int, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    lines = [f"<b>{q(o.name.get(lang))}</b>", q(o.description.get(lang)), ""]
    lines.append(_("💰 Price: {price} points (you have {balance})").format(
        price=o.price, balance=o.balance))  # fmt: skip
    lines.append(_("📦 Left: {left}").format(left=o.remaining) if not o.sold_out
                 else _("📦 Out of stock"))  # fmt: skip
    lines.append(_("👤 Your limit: {held} of {limit} taken").format(
        held=o.held_by_you, limit=o.per_user_limit))  # fmt: skip
    lines.append(collect_line(o.collect))
    lines.append(_("⏳ Valid until {day}").format(day=f"{o.valid_until:%Y-%m-%d}"))
    rows = [
        [_button(_("Redeem for {price} points").format(price=o.price),
                 ShopCb(a="ask", i=o.id, p=page))],
        [_button(_("⬅️ Back"), ShopCb(a="list", p=page))],
    ]  # fmt: skip
    return "\n".join(lines), _kb(rows)


def confirm_screen(o: Offer, page: int, nonce: str, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    text = _("Spend {price} points on {item}?\nYour points after: {after}.").format(
        price=o.price, item=f"<b>{q(o.name.get(lang))}</b>", after=o.balance - o.price
    )
    rows = [[_button(_("✅ Confirm"), ShopCb(a="ok", i=o.id, p=page, n=nonce)),
             _button(_("⬅️ Back"), ShopCb(a="item", i=o.id, p=page))]]  # fmt: skip
    return text, _kb(rows)


def voucher_text(v: VoucherView, lang: str) -> str:
    return "\n".join([
        _("🎫 <b>Voucher {code}</b>").format(code=v.shown_code),
        q(v.name.get(lang)),
        collect_line(v.collect),
        _("⏳ Valid until {day}").format(day=f"{v.valid_until:%Y-%m-%d}"),
        _("Show this code or its QR code at the station; it can be used once."),
    ])  # fmt: skip


def voucher_screen(v: VoucherView, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    rows = [[_button(_("🎫 My vouchers"), ShopCb(a="mine")),
             _button(_("🛒 Points shop"), ShopCb(a="list"))]]  # fmt: skip
    return voucher_text(v, lang), _kb(rows)


def vouchers_screen(
    vouchers: list[VoucherView], tz: ZoneInfo, lang: str
) -> tuple[str, InlineKeyboardMarkup]:
    lines = [_("🎫 <b>Your vouchers</b>")]
    if not vouchers:
        lines.append(_("None yet: redeem your points in the points shop."))
    for v in vouchers:
        lines.append(f"<code>{v.shown_code}</code> · {q(v.name.get(lang))} · {status_text(v, tz)}")
    rows = [
        [_button(_("🔳 QR {code}").format(code=v.shown_code), ShopCb(a="qr", i=v.id))]
        for v in vouchers
        if v.status is VoucherStatus.UNUSED
    ][:4]  # the newest unused ones: a phone screen, not the whole history
    rows.append([_button(_("🛒 Points shop"), ShopCb(a="list")),
                 _button(_("⬅️ Back"), ShopCb(a="home"))])  # fmt: skip
    return "\n".join(lines), _kb(rows)
