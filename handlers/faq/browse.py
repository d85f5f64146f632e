"""/faq: one message edited in place, the topics → a topic's questions, page by page → an
answer, and back. A button of an entry an import took away gets a toast and changes nothing."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.services.users.profiles import UserProfile
from handlers.common.editing import edit_in_place
from handlers.common.filters import private_only
from handlers.faq import texts
from handlers.faq.callbacks import FaqCb
from handlers.faq.kit import FaqServices
from handlers.faq.views import answer_screen, home_screen, topic_screen


def _message(query: CallbackQuery) -> Message | None:
    return query.message if isinstance(query.message, Message) else None


async def faq_command(message: Message) -> None:
    """/faq"""
    text, kb = home_screen()
    await message.answer(text, reply_markup=kb)


async def home(query: CallbackQuery) -> None:
    message = _message(query)
    if message is not None:
        await edit_in_place(message, *home_screen())
    await query.answer()


async def show_topic(query: CallbackQuery, callback_data: FaqCb, faq: FaqServices) -> None:
    message = _message(query)
    if message is not None:
        page = await faq.service.page(callback_data.t, callback_data.p)
        await edit_in_place(message, *topic_screen(page, texts.language()))
    await query.answer()


async def show_answer(query: CallbackQuery, callback_data: FaqCb, user: UserProfile | None,
                      faq: FaqServices) -> None:  # fmt: skip
    message = _message(query)
    if message is None:
        await query.answer()
        return
    view = await faq.service.answer(callback_data.i, None if user is None else user.id)
    if view is None:
        await query.answer(_("This answer is no longer in the FAQ."))
        return
    back = (callback_data.t, callback_data.p)
    await edit_in_place(
        message, *answer_screen(view.entry, view.id, view.vote, texts.language(), back)
    )
    await query.answer()


def create_router() -> Router:
    router = Router(name="faq")
    private_only(router)
    router.message.register(faq_command, Command("faq"))
    cq = router.callback_query
    cq.register(home, FaqCb.filter(F.a == "home"))
    cq.register(show_topic, FaqCb.filter(F.a == "topic"))
    cq.register(show_answer, FaqCb.filter(F.a == "show"))
    return router
