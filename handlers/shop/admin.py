"""积分超市 for admins: /redeem CODE hands a voucher over once (a station admin is a user with
the admin role), and /shop_report the stock and what was redeemed. In an admin's private chat
and in the admins' group; anyone else gets a clear refusal."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.db.types import Clock
from bot.services.shop.station import UseOutcome
from bot.services.users.profiles import UserProfile
from handlers.common.filters import IsAdmin
from handlers.common.refusals import refuse
from handlers.common.texts import q
from handlers.shop.kit import ShopServices
from handlers.shop.texts import collect_line, when

ADMIN_COMMANDS = ("redeem", "shop_report")


def _where_allowed(message: Message, settings: Settings) -> bool:
    return message.chat.type == "private" or message.chat.id == settings.admin_chat_id


async def redeem_command(message: Message, command: CommandObject, user: UserProfile | None,
                         shop: ShopServices, clock: Clock, settings: Settings) -> None:  # fmt: skip
    assert user is not None  # IsAdmin let it through
    if not _where_allowed(message, settings):
        await message.answer(_("Use this in a private chat with me or in the admins' group."))
        return
    if not (command.args or "").strip():
        await message.answer(_("Usage: /redeem CODE, e.g. /redeem ABCD-EFGH"))
        return
    now = clock()
    result = await shop.station.use(command.args or "", user.id, now)
    v, lang = result.voucher, user.language
    if result.outcome is UseOutcome.UNKNOWN or v is None:
        await message.answer(_("No voucher has the code {code}. Check it and try again.").format(
            code=q((command.args or "").strip()[:20])))  # fmt: skip
        return
    item = q(v.name.get(lang))
    if result.outcome is UseOutcome.ALREADY:
        text = _("⚠️ Voucher {code} ({item}) was already used on {at}. Hand nothing over.")
        await message.answer(text.format(code=v.shown_code, item=item, at=when(v.used_at, shop.tz)))
        return
    if result.outcome is UseOutcome.EXPIRED:
        await message.answer(_("⚠️ Voucher {code} ({item}) expired on {day}; its points go back "
                               "to the driver. Hand nothing over.").format(
            code=v.shown_code, item=item, day=f"{v.valid_until:%Y-%m-%d}"))  # fmt: skip
        return
    if result.outcome is UseOutcome.VOID:
        await message.answer(_("⚠️ Voucher {code} ({item}) was cancelled. Hand nothing over.")
                             .format(code=v.shown_code, item=item))  # fmt: skip
        return
    if result.owner is not None:
        await shop.outbox.put(shop.composer.used(v, result.owner), now)
    await message.answer("\n".join([
        _("✅ Voucher {code} is used now. Hand over: <b>{item}</b>").format(
            code=v.shown_code, item=item),
        collect_line(v.collect),
    ]))  # fmt: skip


async def report_command(message: Message, shop: ShopServices, user: UserProfile | None,
                         settings: Settings) -> None:  # fmt: skip
    assert user is not None
    if not _where_allowed(message, settings):
        await message.answer(_("Use this in a private chat with me or in the admins' group."))
        return
    rows = await shop.station.report()
    if not rows:
        await message.answer(_("The shop has no items yet: import a catalogue file."))
        return
    lines = [_("🛒 <b>Points shop</b>: left/stock · unused · used · expired")]
    for r in rows:
        mark = " " + _("(withdrawn)") if r.withdrawn else ""
        lines.append(f"{q(r.name.get(user.language))}{mark}: {r.remaining}/{r.stock} · "
                     f"{r.unused} · {r.used} · {r.expired + r.void}")  # fmt: skip
    await message.answer("\n".join(lines[:41]))  # a long catalogue: the CLI report has it all


def create_router() -> Router:
    router = Router(name="shop_admin")
    router.message.filter(Command(*ADMIN_COMMANDS))
    router.message.register(redeem_command, Command("redeem"), IsAdmin())
    router.message.register(report_command, Command("shop_report"), IsAdmin())
    router.message.register(refuse)
    return router
