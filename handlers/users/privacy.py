"""/mydata (export) and /deleteme (erasure after confirmation)."""

from __future__ import annotations

import json
from typing import Literal

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message, ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.after_commit import after_commit
from bot.db.types import Clock
from bot.feature import Kit
from bot.services.users.kit import ProfileServices
from bot.services.users.profiles import UserProfile
from handlers.common.editing import edit_in_place
from handlers.common.filters import private_only


class EraseCb(CallbackData, prefix="erase"):
    action: Literal["confirm", "keep"]
    user_id: int  # the row the question was about, so an old button cannot erase a new account


async def mydata_command(message: Message, user: UserProfile, profile: ProfileServices) -> None:
    data = await profile.personal_data.export(user.id)
    payload = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    await message.answer_document(
        BufferedInputFile(payload, filename="warmdrive-my-data.json"),
        caption=_("Here is everything WarmDrive stores about you."),
    )


async def deleteme_command(message: Message, user: UserProfile) -> None:
    kb = InlineKeyboardBuilder()
    kb.button(
        text=_("🗑 Yes, erase my data"), callback_data=EraseCb(action="confirm", user_id=user.id)
    )
    kb.button(text=_("↩️ No, keep it"), callback_data=EraseCb(action="keep", user_id=user.id))
    kb.adjust(1)
    await message.answer(
        _(
            "This erases your profile: name, phone, city, occupation and settings, and "
            "cancels your upcoming checkups and waitlist places. Records others still need "
            "(for example a complaint being handled) stay, without your name. This cannot be "
            "undone.\n\nErase your data?"
        ),
        reply_markup=kb.as_markup(),
    )


async def erase_chosen(
    query: CallbackQuery,
    callback_data: EraseCb,
    state: FSMContext,
    user: UserProfile,
    profile: ProfileServices,
    session: AsyncSession,
    clock: Clock,
    bot: Bot,
    kits: dict[str, Kit],
) -> None:
    message = query.message
    if callback_data.user_id != user.id or not isinstance(message, Message):
        await query.answer(_("This button is no longer valid."))
        return
    if callback_data.action == "keep":
        await query.answer()
        await edit_in_place(message, _("Nothing was erased."))
        return
    now = clock()
    await profile.personal_data.erase(user.id, now)
    await state.clear()
    done = _("Your data has been erased. Drive safely! Send /start if you ever want to come back.")

    async def show() -> None:
        await query.answer()
        await edit_in_place(message, done)
        await message.answer("👋", reply_markup=ReplyKeyboardRemove())
        for kit in kits.values():  # e.g. seats given up, now held for the next drivers waiting
            await kit.deliver_owed(bot)

    after_commit(session, show)


def create_router() -> Router:
    router = Router(name="privacy")
    private_only(router)
    router.message.register(mydata_command, Command("mydata"))
    router.message.register(deleteme_command, Command("deleteme"))
    router.callback_query.register(erase_chosen, EraseCb.filter())
    return router
