"""积分超市 the points shop: a catalogue of items bought with points, vouchers with a short code
and a QR image, redeemed once at a station with /redeem."""

from __future__ import annotations

from aiogram import Router

from bot.cli.shop import SHOP_CLI
from bot.feature import Command, Feature, Job, Stage
from bot.i18n import N_
from bot.services.shop.personal_data import PART
from handlers.shop import admin, screens
from handlers.shop.kit import ShopKit
from scheduler.jobs import shop as jobs


def _routers() -> list[tuple[Stage, Router]]:
    # /redeem before the consent gate: an admin who never agreed in private still works the
    # admins' group.
    return [(Stage.OPEN, admin.create_router()), (Stage.AGREED, screens.create_router())]


SHOP = Feature(
    name="shop",
    routers=_routers,
    kit=ShopKit,
    commands=(
        Command("myvouchers", N_("Your vouchers"),
                N_("/myvouchers: your points shop vouchers and their QR codes"), personal=True),
        Command("redeem", N_("Redeem a voucher"),
                N_("/redeem CODE: hand over a driver's voucher (once)"), admin=True),
        Command("shop_report", N_("Points shop report"),
                N_("/shop_report: stock and vouchers per item"), admin=True),
    ),
    jobs=(
        Job("shop_expire_vouchers", jobs.expire_vouchers, "interval", {"minutes": 10}),
        Job("shop_remind_vouchers", jobs.remind_vouchers, "interval", {"hours": 1}),
    ),
    cli=(SHOP_CLI,),
    personal_data=(PART,),
)  # fmt: skip
