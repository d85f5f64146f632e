"""Filing a complaint (📝 menu button and /complain), on one message edited in place:
category → what happened (text or a voice note) → optional details → summary → submit.
Free text that names the category ("我要投诉运费") opens it at "what happened" instead.

The answers live in the FSM data (`FileForm`); each button says only what was tapped. Photos
and documents sent while the form is open are evidence (up to five), a shared location is
the place. The form's key makes a second tap on Submit file the same case, not another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    ContentType,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.db.complaints.statuses import Deadline, EvidenceKind
from bot.db.types import Clock
from bot.services.complaints.cases import MAX_FILES, Draft, Filed
from bot.services.complaints.chain import CaseError, CaseErrorCode
from bot.services.complaints.views import Evidence
from bot.services.users.profiles import UserProfile
from handlers.common.editing import edit_in_place
from handlers.common.filters import N_, ContentIs, IsCommand
from handlers.common.forms import FormIsOpen, KeyedForm, OpenForm, form_closed
from handlers.common.menu import main_menu_kb
from handlers.common.texts import q
from handlers.complaints.callbacks import FileCb
from handlers.complaints.kit import ComplaintServices
from handlers.complaints.texts import category_label, deadline_line, money_text
from knowledge.cities import match_city
from knowledge.complaints.categories import FILING_CATEGORIES, Category
from knowledge.text_rules import clean_line

FORM_CLOSED = N_("This complaint form is closed. Tap 📝 File a complaint to start again.")
_AMOUNT = re.compile(r"^\s*(\d{1,9})(?:[.,](\d{1,2}))?\s*(?:元|yuan|rmb|¥)?\s*$", re.I)
_PHONE = re.compile(r"^\+?\d{5,20}$")
FIELDS = ("amount", "party", "when", "where", "phone")
LIMITS = {"party": 120, "when": 64, "where": 32}
_PICKABLE = frozenset(c.value for c in FILING_CATEGORIES)


class FileSteps(StatesGroup):
    category = State()
    story = State()  # what happened: text or a voice note
    details = State()  # the optional details and the summary


@dataclass(frozen=True, slots=True)
class FileForm(KeyedForm):
    open_in = (FileSteps.category, FileSteps.story, FileSteps.details)

    @property
    def files(self) -> list[list[str | None]]:
        return list(self.values.get("files", []))

    def draft(self) -> Draft:
        v = self.values
        evidence = [Evidence(EvidenceKind(str(k)), str(fid), str(uid), name)
                    for k, fid, uid, name in self.files]  # fmt: skip
        if v.get("voice"):
            evidence.append(Evidence(EvidenceKind.VOICE, v["voice"][0], v["voice"][1]))
        return Draft(
            Category(v["cat"]), v.get("text", ""), tuple(evidence), amount_fen=v.get("amount"),
            other_party=v.get("party"), happened=v.get("when"), city=v.get("where"),
            lat=v.get("lat"), lon=v.get("lon"), contact_phone=v.get("phone"),
            anonymous=bool(v.get("anon")),
        )  # fmt: skip


def _cb(kb: InlineKeyboardBuilder, text: str, action: str, value: str = "") -> None:
    kb.button(text=text, callback_data=FileCb(a=action, v=value))  # type: ignore[arg-type]


def category_screen() -> tuple[str, InlineKeyboardMarkup]:
    kb = InlineKeyboardBuilder()
    for category in FILING_CATEGORIES:
        _cb(kb, category_label(category), "cat", category.value)
    _cb(kb, _("✖ Cancel"), "x")
    kb.adjust(2, 2, 2, 2, 1)
    return _("📝 <b>File a complaint</b>\nWhat is it about?"), kb.as_markup()


def story_screen(form: FileForm) -> tuple[str, InlineKeyboardMarkup]:
    kb = InlineKeyboardBuilder()
    _cb(kb, _("⬅️ Back"), "back")
    _cb(kb, _("✖ Cancel"), "x")
    text = _(
        "📝 {category}\n\nTell us what happened: type it, or send a voice note. "
        "Photos and documents can come now or in the next step."
    ).format(category=category_label(Category(form.values["cat"])))
    return text, kb.as_markup()


def details_screen(form: FileForm, asking: str | None = None) -> tuple[str, InlineKeyboardMarkup]:
    v = form.values
    lines = [_("📝 <b>Your complaint</b> · {category}").format(
        category=category_label(Category(v["cat"])))]  # fmt: skip
    if v.get("text"):
        lines.append(q(v["text"]))
    if v.get("voice"):
        lines.append(_("🎙 Voice note attached"))
    shown = {
        "amount": money_text(v["amount"]) if v.get("amount") is not None else None,
        "party": v.get("party"), "when": v.get("when"),
        "where": v.get("where") or (_("shared location") if v.get("lat") is not None else None),
        "phone": v.get("phone"),
    }  # fmt: skip
    labels = {"amount": _("Amount at stake"), "party": _("Other party"), "when": _("When"),
              "where": _("Where"), "phone": _("Contact phone")}  # fmt: skip
    for name in FIELDS:
        if shown[name]:
            lines.append(f"{labels[name]}: {q(shown[name])}")
    lines.append(_("📎 Files: {count} of {most}").format(count=len(form.files), most=MAX_FILES))
    lines.append(_("🕶 Anonymous to the office: {answer}").format(
        answer=_("yes") if v.get("anon") else _("no")))  # fmt: skip
    if asking:
        prompts = {
            "amount": _("Type the amount in yuan, e.g. 860 or 860.50."),
            "party": _("Type the other party: a company, a platform or a person."),
            "when": _("Type when it happened, e.g. 11月3日 or last Monday."),
            "where": _("Type the city, or share a location with 📎 → Location."),
            "phone": _("Type a phone number the office may call."),
        }
        lines.append("\n✏️ " + prompts[asking])
    else:
        lines.append("\n" + _("Add details if you like (all optional), send photos or "
                              "documents, then submit."))  # fmt: skip
    kb = InlineKeyboardBuilder()
    for name in FIELDS:
        mark = "✓ " if shown[name] else ""
        _cb(kb, mark + labels[name], "edit", name)
    _cb(kb, _("🕶 Anonymous: on") if v.get("anon") else _("👤 Anonymous: off"),
        "named" if v.get("anon") else "anon")  # fmt: skip
    _cb(kb, _("✅ Submit"), "ok")
    _cb(kb, _("✖ Cancel"), "x")
    kb.adjust(3, 3, 2)
    return "\n".join(lines), kb.as_markup()


async def _show(message: Message, state: FSMContext, form: FileForm, step: State,
                screen: tuple[str, InlineKeyboardMarkup]) -> None:  # fmt: skip
    shown = await edit_in_place(message, *screen)
    await form.at(shown.message_id).save(state, step)


async def _redraw(bot: Bot, chat_id: int, state: FSMContext, form: FileForm, step: State,
                  asking: str | None = None) -> None:  # fmt: skip
    """After a typed answer: the form's message shows it (the answer itself stays below)."""
    text, kb = details_screen(form, asking) if step is FileSteps.details else story_screen(form)
    await bot.edit_message_text(text, chat_id=chat_id, message_id=form.mid, reply_markup=kb)
    await form.save(state, step)


# --- entry ------------------------------------------------------------------------------------
async def start_filing(message: Message, state: FSMContext, preset: str | None = None) -> None:
    """The menu button and /complain; with `preset`, a category code, the form opens at
    "what happened" with it chosen (⬅️ Back still shows the categories). An unknown code, or
    one a driver cannot pick (a consultation), opens the categories. `message` may be the
    bot's own (a button was pressed): only its chat is used."""
    await state.clear()
    if preset in _PICKABLE:
        form = FileForm(mid=0, values={"cat": preset})
        text, kb = story_screen(form)
        sent = await message.answer(text, reply_markup=kb)
        await form.at(sent.message_id).save(state, FileSteps.story)
        return
    text, kb = category_screen()
    sent = await message.answer(text, reply_markup=kb)
    await FileForm(mid=sent.message_id).save(state, FileSteps.category)


async def pick_category(query: CallbackQuery, callback_data: FileCb, state: FSMContext,
                        form: FileForm) -> None:  # fmt: skip
    assert isinstance(query.message, Message)
    if callback_data.v not in _PICKABLE:
        await query.answer(_("That choice is no longer available."), show_alert=True)
        return
    form = form.with_(cat=callback_data.v)
    await query.answer()
    if form.values.get("text") or form.values.get("voice"):
        await _show(query.message, state, form, FileSteps.details, details_screen(form))
    else:
        await _show(query.message, state, form, FileSteps.story, story_screen(form))


async def back(query: CallbackQuery, state: FSMContext, form: FileForm) -> None:
    assert isinstance(query.message, Message)
    await query.answer()
    await _show(query.message, state, form, FileSteps.category, category_screen())


async def cancel(query: CallbackQuery, state: FSMContext) -> None:
    assert isinstance(query.message, Message)
    await state.clear()
    await query.answer()
    await edit_in_place(query.message, _("The complaint was not filed. Nothing was saved."))


async def toggle_anonymous(query: CallbackQuery, callback_data: FileCb, state: FSMContext,
                           form: FileForm) -> None:  # fmt: skip
    assert isinstance(query.message, Message)
    form = form.with_(anon=callback_data.a == "anon")
    await query.answer(
        _("The office will not see your name or phone.") if form.values["anon"]
        else _("The office may see your name and phone to contact you.")
    )  # fmt: skip
    await _show(query.message, state, form, FileSteps.details, details_screen(form))


async def ask_field(query: CallbackQuery, callback_data: FileCb, state: FSMContext,
                    form: FileForm) -> None:  # fmt: skip
    assert isinstance(query.message, Message)
    if callback_data.v not in FIELDS:
        await query.answer(_("That choice is no longer available."), show_alert=True)
        return
    form = form.with_(asking=callback_data.v)
    await query.answer()
    await _show(query.message, state, form, FileSteps.details,
                details_screen(form, callback_data.v))  # fmt: skip
    if callback_data.v == "phone":  # the Telegram contact button, under the keyboard
        share = KeyboardButton(text=_("📱 Share my phone number"), request_contact=True)
        kb = ReplyKeyboardMarkup(keyboard=[[share]], resize_keyboard=True, one_time_keyboard=True)
        await query.message.answer(_("Tap the button below, or type the number."), reply_markup=kb)


async def file_case(query: CallbackQuery, complaints: ComplaintServices, user: UserProfile,
                    draft: Draft, key: str, now: datetime, bot: Bot,
                    refusals: dict[CaseErrorCode, str]) -> Filed | None:  # fmt: skip
    """File the case and send what its filing owes the group; a refusal is the alert of
    `refusals` for its code (None returned, nothing changed)."""
    try:
        filed = await complaints.cases.file(user.id, draft, key, now)
    except CaseError as exc:
        await query.answer(refusals.get(exc.code, _("That did not work. Please try again.")),
                           show_alert=True)  # fmt: skip
        return None
    if filed.change is not None:
        await complaints.notices.after(filed.change, now, bot)
    return filed


async def submit(query: CallbackQuery, state: FSMContext, form: FileForm, user: UserProfile,
                 complaints: ComplaintServices, clock: Clock, bot: Bot) -> None:  # fmt: skip
    assert isinstance(query.message, Message)
    now = clock()
    refusals = {
        CaseErrorCode.TEXT_EMPTY: _("Tell us what happened first: type it or send a "
                                    "voice note."),
        CaseErrorCode.NO_OFFICES: _("Complaints cannot be taken yet: no handling office is "
                                    "set up. Please call 12328 meanwhile."),
    }  # fmt: skip
    filed = await file_case(query, complaints, user, form.draft(), form.key, now, bot, refusals)
    if filed is None:
        return
    await state.clear()
    case, tz = filed.case, complaints.tz
    text = "\n".join([
        _("✅ <b>Complaint filed: {number}</b>").format(number=case.number),
        _("What happens next: a handling office accepts it, answers you and resolves it. "
          "You get a message at each step."),
        "· " + deadline_line(Deadline.ACCEPT, case.accept_due, tz),
        "· " + deadline_line(Deadline.RESPOND, case.respond_due, tz),
        "· " + deadline_line(Deadline.RESOLVE, case.resolve_due, tz),
        _("Deadlines count working days. See it any time with /mycases."),
    ])  # fmt: skip
    await query.answer(_("Filed."))
    await edit_in_place(query.message, text)


# --- typed answers, voice notes, files, locations ---------------------------------------------
async def story_text(message: Message, state: FSMContext, form: FileForm, bot: Bot) -> None:
    text = (message.text or "").strip()
    if len(text) > 2000:
        await message.answer(_("That is too long: at most 2000 characters, please."))
        return
    form = form.with_(text=text)
    await _redraw(bot, message.chat.id, state, form, FileSteps.details)


async def story_voice(message: Message, state: FSMContext, form: FileForm, bot: Bot) -> None:
    assert message.voice is not None
    form = form.with_(voice=[message.voice.file_id, message.voice.file_unique_id])
    await _redraw(bot, message.chat.id, state, form, FileSteps.details)


async def details_text(message: Message, state: FSMContext, form: FileForm, bot: Bot) -> None:
    asking = form.values.get("asking")
    text = clean_line(message.text or "").strip()
    if asking not in FIELDS:
        form = form.with_(text=(form.values.get("text", "") + "\n" + text).strip()[:2000])
        await _redraw(bot, message.chat.id, state, form, FileSteps.details)
        return
    value: Any = text
    if asking == "amount":
        match = _AMOUNT.match(text)
        if match is None:
            await message.answer(_("Please type an amount in yuan, e.g. 860 or 860.50."))
            return
        value = int(match[1]) * 100 + int((match[2] or "0").ljust(2, "0"))
    elif asking == "phone":
        value = re.sub(r"[\s-]", "", text)
        if not _PHONE.match(value):
            await message.answer(_("That does not look like a phone number."))
            return
    elif asking == "where":
        value = match_city(text) or text[: LIMITS["where"]]
    else:
        value = text[: LIMITS[asking]]
    form = form.with_(**{asking: value, "asking": None})
    await _redraw(bot, message.chat.id, state, form, FileSteps.details)


async def got_contact(message: Message, state: FSMContext, form: FileForm, bot: Bot) -> None:
    assert message.contact is not None
    if message.contact.user_id not in (None, message.chat.id):
        await message.answer(_("Please share your own number, or type the one to call."))
        return
    form = form.with_(phone=message.contact.phone_number, asking=None)
    await _redraw(bot, message.chat.id, state, form, FileSteps.details)
    await message.answer(_("📞 Number added to the complaint."), reply_markup=main_menu_kb())


async def got_location(message: Message, state: FSMContext, form: FileForm, bot: Bot) -> None:
    assert message.location is not None
    lat, lon = message.location.latitude, message.location.longitude
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        await message.answer(_("That location is not valid."))
        return
    form = form.with_(lat=lat, lon=lon, asking=None)
    await _redraw(bot, message.chat.id, state, form, FileSteps.details)


async def got_file(message: Message, state: FSMContext, form: FileForm, bot: Bot) -> None:
    if len(form.files) >= MAX_FILES:
        await message.answer(_("Five files are the most a complaint takes."))
        return
    if message.photo:
        best = message.photo[-1]
        entry = [EvidenceKind.PHOTO.value, best.file_id, best.file_unique_id, None]
    else:
        assert message.document is not None
        doc = message.document
        entry = [EvidenceKind.DOCUMENT.value, doc.file_id, doc.file_unique_id,
                 (doc.file_name or "")[:128] or None]  # fmt: skip
    form = form.with_(files=[*form.files, entry])
    # Files are enough to go on with (what happened can follow in the details step).
    await _redraw(bot, message.chat.id, state, form, FileSteps.details)


async def wrong_kind(message: Message) -> None:
    await message.answer(_("Please type text, send a voice note, photos or documents, or use "
                           "the buttons above."))  # fmt: skip


def create_router() -> Router:
    router = Router(name="complaints-filing")
    router.message.register(start_filing, Command("complain"))
    open_form = OpenForm(FileForm)
    cq = router.callback_query
    cq.register(pick_category, FileCb.filter(F.a == "cat"), open_form)
    cq.register(back, FileCb.filter(F.a == "back"), open_form)
    cq.register(cancel, FileCb.filter(F.a == "x"), open_form)
    cq.register(toggle_anonymous, FileCb.filter(F.a.in_({"anon", "named"})), open_form)
    cq.register(ask_field, FileCb.filter(F.a == "edit"), open_form)
    cq.register(submit, FileCb.filter(F.a == "ok"), open_form)
    cq.register(form_closed(FORM_CLOSED), FileCb.filter())

    m = router.message
    loaded = FormIsOpen(FileForm)
    m.register(story_text, StateFilter(FileSteps.story), ContentIs(ContentType.TEXT),
               ~IsCommand(), loaded)  # fmt: skip
    m.register(story_voice, StateFilter(FileSteps.story, FileSteps.details),
               ContentIs(ContentType.VOICE), loaded)  # fmt: skip
    m.register(details_text, StateFilter(FileSteps.details), ContentIs(ContentType.TEXT),
               ~IsCommand(), loaded)  # fmt: skip
    m.register(got_contact, StateFilter(FileSteps.details), ContentIs(ContentType.CONTACT), loaded)
    m.register(got_location, StateFilter(FileSteps.story, FileSteps.details),
               ContentIs(ContentType.LOCATION), loaded)  # fmt: skip
    m.register(got_file, StateFilter(FileSteps.story, FileSteps.details),
               ContentIs(ContentType.PHOTO, ContentType.DOCUMENT), loaded)  # fmt: skip
    m.register(wrong_kind, StateFilter(FileSteps.category, FileSteps.story, FileSteps.details),
               ~IsCommand())  # fmt: skip
    return router
