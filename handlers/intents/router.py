"""Free text outside any flow: read it, then start what it asks for (sure), offer the two or
three likeliest readings as buttons (unsure), or say so and offer a person (nothing).

Text inside a flow never gets here: the flows' own handlers take it first, and this router
only sees chats with no FSM state. The question is kept in the FSM data (without a state),
so "🙋 Ask a person" can send it on without asking again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram import Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, ContentType, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.db.types import Clock
from bot.services.intents.kit import IntentServices
from bot.services.stations.kit import StationServices
from handlers.common.editing import edit_in_place
from handlers.common.filters import Consented, ContentIs, IsCommand, IsPrivate
from handlers.common.menu import main_menu_kb
from handlers.common.texts import q
from handlers.intents import texts
from handlers.intents.callbacks import GoCb
from handlers.intents.launch import Action, launch, parse_action
from knowledge.faq.model import Faq
from knowledge.intents.book import Intent
from knowledge.intents.matcher import Guess, Reading

ASKED = "asked"  # FSM data: the last text that was not understood, for "ask a person"
SHOWN_CHARS = 40  # of the driver's text, quoted back


def _action_of(guess: Guess) -> Action:
    return Action(guess.intent, guess.slot, guess.city, guess.faq)


def choices_kb(reading: Reading, faqs: Mapping[str, Faq]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for guess in reading.guesses:
        kb.button(text=texts.guess_label(guess, faqs.get(guess.faq)),
                  callback_data=GoCb(a=guess.label, c=True))  # fmt: skip
    if all(g.intent is not Intent.HUMAN for g in reading.guesses):
        kb.button(text=_(texts.ASK_A_PERSON), callback_data=GoCb(a="human", c=True))
    kb.adjust(1)
    return kb.as_markup()


async def free_text(message: Message, state: FSMContext, intents: IntentServices,
                    stations: StationServices, clock: Clock, **data: Any) -> None:  # fmt: skip
    text = (message.text or "").strip()
    await stations.catalog.ensure_loaded()
    reading = await intents.reader.read(intents.session, text, stations.catalog.index)
    data = {**data, "state": state, "intents": intents, "stations": stations, "clock": clock}
    best = reading.best
    if reading.sure and best is not None:
        if best.intent is Intent.GREETING:
            await message.answer(texts.greeting(), reply_markup=main_menu_kb())
        elif best.intent is Intent.THANKS:
            await message.answer(texts.thanks(), reply_markup=main_menu_kb())
        else:
            await launch(_action_of(best), message, data, question=text,
                         station=best.station)  # fmt: skip
        return
    await intents.misses.note(text, reading, clock())
    await state.update_data({ASKED: text})
    if reading.guesses:
        # The entries of the matcher that just read the text: no second look at the FAQ.
        await message.answer(texts.choices_head(),
                             reply_markup=choices_kb(reading, intents.reader.faqs))  # fmt: skip
        return
    kb = InlineKeyboardBuilder()
    kb.button(text=_(texts.ASK_A_PERSON), callback_data=GoCb(a="human", c=True))
    await message.answer(texts.not_understood(q(text[:SHOWN_CHARS])), reply_markup=kb.as_markup())


async def go(query: CallbackQuery, callback_data: GoCb, state: FSMContext,
             intents: IntentServices, **data: Any) -> None:  # fmt: skip
    """A reading's button: a choice offered for unsure text, or an FAQ answer's action."""
    action = parse_action(callback_data.a)
    message = query.message if isinstance(query.message, Message) else None
    if action is None or message is None:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    asked = (await state.get_data()).get(ASKED, "")
    data = {**data, "state": state, "intents": intents}
    label = ""
    if callback_data.c:
        # A choice: pressed once, it settles the offer (a second press finds it gone).
        shown = message.reply_markup.inline_keyboard if message.reply_markup else []
        label = next((b.text for row in shown for b in row
                      if b.callback_data == callback_data.pack()), "")  # fmt: skip
        if not label:
            await query.answer(_("This button is no longer valid."))
            return
    question = asked if action.intent is Intent.HUMAN else ""
    if not await launch(action, message, data, question=question):
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    if label:
        await edit_in_place(message, texts.chosen(label))
    await query.answer()


def create_router() -> Router:
    router = Router(name="intents")
    router.message.register(
        free_text, IsPrivate(), Consented(), StateFilter(None), ContentIs(ContentType.TEXT),
        ~IsCommand(),
    )  # fmt: skip
    router.callback_query.register(go, GoCb.filter(), IsPrivate())
    return router
