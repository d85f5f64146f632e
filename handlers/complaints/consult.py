"""咨询, "ask a person": a question for our staff becomes a consultation case
(`Category.CONSULT`), filed through the complaint service like any complaint, so it gets a
number, its card in the admins' group, the audit events and the deadlines, and the driver
follows it in /mycases.

Free-text routing calls `ask_a_person` with the words it could not place (the driver sees
them quoted, with ✅ Send / ✖ Cancel), or without words when "🙋 Ask a person" is tapped (the
driver types the question or sends a voice note first). Until Send, whatever the driver
types or says again replaces the question. The form's key makes a second tap on Send file
the same case, not another.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, ContentType, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.db.complaints.statuses import Deadline, EvidenceKind
from bot.db.types import Clock
from bot.services.complaints.cases import MAX_TEXT, Draft
from bot.services.complaints.chain import CaseErrorCode
from bot.services.complaints.views import Evidence
from bot.services.users.profiles import UserProfile
from handlers.common.editing import edit_in_place
from handlers.common.filters import N_, ContentIs, IsCommand
from handlers.common.forms import FormIsOpen, KeyedForm, OpenForm, form_closed
from handlers.common.texts import q
from handlers.complaints.callbacks import ConsultCb
from handlers.complaints.filing import file_case
from handlers.complaints.kit import ComplaintServices
from handlers.complaints.texts import deadline_line
from knowledge.complaints.categories import Category

FORM_CLOSED = N_("This question was sent or cancelled already.")


class ConsultSteps(StatesGroup):
    question = State()  # waiting for the question: text or a voice note
    confirm = State()  # the question shown with ✅ Send / ✖ Cancel


@dataclass(frozen=True, slots=True)
class ConsultForm(KeyedForm):
    open_in = (ConsultSteps.question, ConsultSteps.confirm)

    def asked(self, text: str | None = None, voice: list[str] | None = None) -> ConsultForm:
        """The form with this question instead of the one before."""
        values = {"text": text} if text else {"voice": voice}
        return ConsultForm(mid=self.mid, key=self.key, values=values)

    def draft(self) -> Draft:
        v = self.values
        voice = v.get("voice")
        evidence = (Evidence(EvidenceKind.VOICE, voice[0], voice[1]),) if voice else ()
        return Draft(Category.CONSULT, v.get("text") or "", evidence)


def _kb(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for text, action in buttons:
        kb.button(text=text, callback_data=ConsultCb(a=action))  # type: ignore[arg-type]
    kb.adjust(len(buttons))
    return kb.as_markup()


def prompt_screen() -> tuple[str, InlineKeyboardMarkup]:
    text = _("🙋 <b>Ask a person</b>\nType your question for our staff, or send a voice note.")
    return text, _kb((_("✖ Cancel"), "x"))


def confirm_screen(form: ConsultForm) -> tuple[str, InlineKeyboardMarkup]:
    v = form.values
    lines = [_("🙋 Send this to our staff? They answer in your chat; you can follow it in "
               "/mycases.")]  # fmt: skip
    if v.get("text"):
        lines.append(f"<blockquote>{q(v['text'])}</blockquote>")
    if v.get("voice"):
        lines.append(_("🎙 Voice note attached"))
    return "\n".join(lines), _kb((_("✅ Send"), "send"), (_("✖ Cancel"), "x"))


async def _show(message: Message, state: FSMContext, form: ConsultForm, step: State,
                screen: tuple[str, InlineKeyboardMarkup]) -> None:  # fmt: skip
    """A new message below what the driver sent; the form moves to it (the buttons of the
    one before are taken off when the update ends: handlers/common/flows.py)."""
    sent = await message.answer(screen[0], reply_markup=screen[1])
    await form.at(sent.message_id).save(state, step)


# --- entry ------------------------------------------------------------------------------------
async def ask_a_person(message: Message, state: FSMContext, question: str | None = None) -> None:
    """With `question`: the confirm. Without (or only blanks): ask for the question first.
    `message` may be the bot's own (a button was pressed): only its chat is used."""
    await state.clear()
    text = (question or "").strip()
    form = ConsultForm(mid=0)
    if text and len(text) <= MAX_TEXT:
        form = form.asked(text=text)
        await _show(message, state, form, ConsultSteps.confirm, confirm_screen(form))
        return
    if text:
        await message.answer(_("That is too long: at most 2000 characters, please."))
    await _show(message, state, form, ConsultSteps.question, prompt_screen())


# --- the question -----------------------------------------------------------------------------
async def got_text(message: Message, state: FSMContext, form: ConsultForm) -> None:
    text = (message.text or "").strip()
    if not text:
        await wrong_kind(message)
        return
    if len(text) > MAX_TEXT:
        await message.answer(_("That is too long: at most 2000 characters, please."))
        return
    form = form.asked(text=text)
    await _show(message, state, form, ConsultSteps.confirm, confirm_screen(form))


async def got_voice(message: Message, state: FSMContext, form: ConsultForm) -> None:
    assert message.voice is not None
    form = form.asked(voice=[message.voice.file_id, message.voice.file_unique_id])
    await _show(message, state, form, ConsultSteps.confirm, confirm_screen(form))


async def wrong_kind(message: Message) -> None:
    await message.answer(_("Please type your question, or send a voice note."))


# --- the buttons ------------------------------------------------------------------------------
async def send(query: CallbackQuery, state: FSMContext, form: ConsultForm, user: UserProfile,
               complaints: ComplaintServices, clock: Clock, bot: Bot) -> None:  # fmt: skip
    assert isinstance(query.message, Message)
    now = clock()
    refusals = {
        CaseErrorCode.TEXT_EMPTY: _("Please type your question, or send a voice note."),
        CaseErrorCode.NO_OFFICES: _("Questions cannot be taken yet: no office is set up. "
                                    "Please call 12328 meanwhile."),
    }  # fmt: skip
    filed = await file_case(query, complaints, user, form.draft(), form.key, now, bot, refusals)
    if filed is None:
        return
    await state.clear()
    case = filed.case
    text = "\n".join([
        _("✅ <b>Sent to our staff: {number}</b>").format(number=case.number),
        _("They answer in this chat; follow it in /mycases."),
        "· " + deadline_line(Deadline.RESPOND, case.respond_due, complaints.tz),
    ])  # fmt: skip
    await query.answer(_("Sent."))
    await edit_in_place(query.message, text)


async def cancel(query: CallbackQuery, state: FSMContext) -> None:
    assert isinstance(query.message, Message)
    await state.clear()
    await query.answer()
    await edit_in_place(query.message, _("Not sent."))


def create_router() -> Router:
    router = Router(name="complaints-consult")
    open_form = OpenForm(ConsultForm)
    cq = router.callback_query
    cq.register(send, ConsultCb.filter(F.a == "send"), open_form)
    cq.register(cancel, ConsultCb.filter(F.a == "x"), open_form)
    cq.register(form_closed(FORM_CLOSED), ConsultCb.filter())

    m = router.message
    asking = StateFilter(ConsultSteps.question, ConsultSteps.confirm)
    loaded = FormIsOpen(ConsultForm)
    m.register(got_text, asking, ContentIs(ContentType.TEXT), ~IsCommand(), loaded)
    m.register(got_voice, asking, ContentIs(ContentType.VOICE), loaded)
    m.register(wrong_kind, asking, ~IsCommand())
    return router
