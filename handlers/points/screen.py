"""⭐ My points: the balance, the last movements with their reasons, and how to earn more;
`/points_grant` for admins (a grant or, with a minus, a deduction, each with its reason)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from aiogram.utils.i18n import gettext as _

from bot.db.outbox.models import MessageKind
from bot.db.types import Clock
from bot.db.users.repository import UserRepository
from bot.services.outbox.messages import OutMessage
from bot.services.points.ledger import Movement, NotEnoughPoints, PointsRules
from bot.services.users.profiles import UserProfile
from handlers.common.filters import IsAdmin
from handlers.common.texts import q
from handlers.points.kit import PointsServices
from handlers.points.summary import points_report_command
from handlers.points.texts import reason_label
from handlers.shop.callbacks import ShopCb
from handlers.tasks.callbacks import TaskCb

HISTORY = 5  # lines of history that fit a phone screen with the rest


def movement_line(m: Movement, tz: ZoneInfo) -> str:
    what = reason_label(m.reason)
    if m.ref:
        what += f" ({q(m.ref)})"
    if m.note:
        what += f": {q(m.note)}"
    return f"{m.amount:+d} · {m.at.astimezone(tz):%m-%d} · {what}"


def how_to_earn(rules: PointsRules) -> str:
    lines = [_("📸 A snap report that an admin verifies: +{points}.").format(
        points=rules.per_report)]  # fmt: skip
    if rules.first_report_bonus:
        lines.append(_("Your first verified report: +{bonus} more.").format(
            bonus=rules.first_report_bonus))  # fmt: skip
    if rules.monthly_cap:
        lines.append(_("Reports earn at most {cap} points a month.").format(cap=rules.monthly_cap))
    lines.append(_("🤝 A volunteer task its organiser confirms: the task's points."))
    lines.append(_("📅 Checking in at an activity of the month: the activity's points."))
    return "\n".join(lines)


def shop_kb() -> InlineKeyboardMarkup:
    """The ways on from ⭐ My points: the points shop, one's vouchers, volunteer tasks."""
    return InlineKeyboardMarkup(inline_keyboard=[[
        InlineKeyboardButton(text=_("🛒 Points shop"), callback_data=ShopCb(a="list").pack()),
        InlineKeyboardButton(text=_("🎫 My vouchers"), callback_data=ShopCb(a="mine").pack()),
    ], [
        InlineKeyboardButton(text=_("🤝 Volunteer tasks"), callback_data=TaskCb(a="list").pack()),
    ]])  # fmt: skip


async def points_text(user: UserProfile, points: PointsServices) -> str:
    balance = await points.ledger.balance(user.id)
    history = await points.ledger.history(user.id, HISTORY)
    lines = [_("⭐ <b>Your points: {balance}</b>").format(balance=balance)]
    if history:
        lines += ["", _("<b>Last movements</b>")]
        lines += [movement_line(m, points.ledger.tz) for m in history]
    else:
        lines += ["", _("No points yet.")]
    lines += ["", _("<b>How to earn points</b>"), how_to_earn(points.rules)]
    return "\n".join(lines)


async def my_points(message: Message, user: UserProfile | None, points: PointsServices) -> None:
    """The menu button and /points."""
    if user is None:
        return
    await message.answer(await points_text(user, points), reply_markup=shop_kb())


async def grant_command(
    message: Message,
    command: CommandObject,
    user: UserProfile | None,
    points: PointsServices,
    event_update: Update,
    clock: Clock,
) -> None:
    """/points_grant TELEGRAM_ID AMOUNT REASON: a positive amount gives, a negative one takes.
    The update's id is the transfer's key: Telegram delivering the command twice moves once."""
    assert user is not None  # IsAdmin let it through
    usage = _("Usage: /points_grant TELEGRAM_ID AMOUNT REASON (a negative amount deducts), "
              "e.g. /points_grant 123456 50 helped at the 送考 day")  # fmt: skip
    parts = (command.args or "").split(maxsplit=2)
    try:
        telegram_id, amount = int(parts[0]), int(parts[1])
        note = parts[2].strip()
    except (IndexError, ValueError):
        await message.answer(usage)
        return
    if amount == 0 or abs(amount) > 100_000 or not note or len(note) > 200:
        await message.answer(usage)
        return
    target = await UserRepository(points.ledger.repo.session).by_telegram_id(telegram_id)
    if target is None or target.erased_at is not None:
        await message.answer(_("No user with Telegram id {id} has used the bot yet.").format(
            id=telegram_id))  # fmt: skip
        return
    key, now = f"update:{event_update.update_id}", clock()
    try:
        if amount > 0:
            posted = await points.ledger.grant(target.id, amount, key, user.id, note, now)
        else:
            posted = await points.ledger.deduct(target.id, -amount, key, user.id, note, now)
    except NotEnoughPoints:
        balance = await points.ledger.balance(target.id)
        await message.answer(_("User {id} has only {balance} points: nothing was taken.").format(
            id=telegram_id, balance=balance))  # fmt: skip
        return
    balance = await points.ledger.balance(target.id)
    if posted.new and target.telegram_id is not None:
        await _tell(points, target.id, target.telegram_id, target.language, amount, note, balance,
                    key, now)  # fmt: skip
    await message.answer(_("Done: {amount:+d} points for user {id} ({note}). Balance: "
                           "{balance}.").format(amount=amount, id=telegram_id, note=q(note),
                                                balance=balance))  # fmt: skip


async def _tell(points: PointsServices, user_id: int, chat_id: int, language: str, amount: int,
                note: str, balance: int, key: str, now: datetime) -> None:  # fmt: skip
    from aiogram.utils.i18n import get_i18n

    i18n = get_i18n()
    with i18n.use_locale(language):
        if amount > 0:
            text = _("⭐ You got {amount} points: {note}. Your balance: {balance}.")
        else:
            text = _("⭐ {amount} points were taken from you: {note}. Your balance: {balance}.")
        text = text.format(amount=abs(amount), note=q(note), balance=balance)
    await points.outbox.put(
        OutMessage(chat_id=chat_id, user_id=user_id, kind=MessageKind.POINTS,
                   dedupe_key=f"points:{key}", text=text),
        now,
    )  # fmt: skip


def create_router() -> Router:
    router = Router(name="points")
    router.message.register(my_points, Command("points"))
    router.message.register(grant_command, Command("points_grant"), IsAdmin())
    router.message.register(points_report_command, Command("points_report"), IsAdmin())
    return router
