"""Handlers working cases: the card's buttons (in the admins' group, or the copy a handler
gets in their private chat), and what they type there (a question for the driver, a note,
the resolution, a review, a reason).

Who may press is the service's rule, checked on every tap; the card carries the case's
version, so a button of a card that is behind (or forged) changes nothing. Texts are asked
for in the handler's private chat: the group sees only the card, never the conversation.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.types import CallbackQuery, ContentType, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.db.complaints.repository import OfficeRepository
from bot.db.complaints.statuses import CaseStatus
from bot.db.types import Clock
from bot.services.complaints.chain import CaseError, CaseErrorCode
from bot.services.complaints.offices import Actor
from bot.services.complaints.views import CaseView, Change
from bot.services.users.profiles import UserProfile
from handlers.common.editing import edit_in_place
from handlers.common.filters import N_, ContentIs, IsCommand
from handlers.common.texts import q
from handlers.complaints.callbacks import CardCb, ExtCb
from handlers.complaints.card import card_text, handlers_kb, offices_kb
from handlers.complaints.kit import ComplaintServices
from handlers.complaints.notices import case_buttons
from handlers.complaints.texts import action_label, status_label, when_text

log = logging.getLogger(__name__)
# What a handler is asked to type, by the card button that asked.
PROMPTS = {
    "ask": N_("💬 Type your question for the driver of case {number}."),
    "note": N_("🗒 Type a progress note for the driver of case {number}."),
    "resolve": N_("✅ Type the resolution of case {number}: what was done, the outcome."),
    "nofault": N_("⚖️ Type the no-fault statement (无责说明) for case {number}."),
    "review": N_("🔍 Type the review (复盘) of case {number}."),
    "reason": N_("➡️ Type why case {number} goes to another office or handler."),
    "ext": N_(
        "⏳ How many more working days does case {number} need, and why? E.g. “3 需要调取监控”."
    ),
}
TEMPLATES = {
    "nofault": "经核查：……（事实）。\n依据：……（规定或合同条款）。\n结论：……方无过错，"
    "已向司机说明情况及可选的其他途径（如 12348 法律援助）。",
    "review": "经过：……\n原因：……\n整改措施：……\n责任人与完成时间：……",
}


class WorkSteps(StatesGroup):
    text = State()  # a handler types the text a card button asked for


@dataclass(frozen=True, slots=True)
class Pending:
    case_id: int
    kind: str
    version: int
    office: str = ""
    assignee: int = 0


def refusal(code: CaseErrorCode) -> str:
    texts = {
        CaseErrorCode.NOT_HANDLER: _("Only handlers and admins can work cases."),
        CaseErrorCode.OTHER_OFFICE: _("This case belongs to another office."),
        CaseErrorCode.CHANGED: _("The case changed meanwhile: the card now shows its latest "
                                 "state. Please look and tap again."),
        CaseErrorCode.NOT_FOUND: _("This case does not exist (any more)."),
        CaseErrorCode.TEXT_EMPTY: _("Please type some text."),
        CaseErrorCode.TEXT_TOO_LONG: _("That is too long: at most 2000 characters, please."),
        CaseErrorCode.OFFICE_UNKNOWN: _("That office is not in the offices file."),
        CaseErrorCode.HANDLER_UNKNOWN: _("That person is not a handler of the office."),
        CaseErrorCode.EXTENSION_PENDING: _("An extension request is already waiting for an "
                                           "admin."),
        CaseErrorCode.EXTENSION_DECIDED: _("This request was decided already."),
        CaseErrorCode.DAYS_INVALID: _("Ask for 1 to 20 working days."),
        CaseErrorCode.ADMIN_ONLY: _("Only admins decide this."),
    }  # fmt: skip
    return texts.get(code, _("This step is not possible in the case's present status."))


async def _actor(complaints: ComplaintServices, user: UserProfile | None) -> Actor | None:
    if user is None:
        return None
    return await complaints.cases.actor(user.id, user.is_admin)


def _dm_state(storage: BaseStorage, bot: Bot, telegram_id: int) -> FSMContext:
    return FSMContext(storage, StorageKey(bot_id=bot.id, chat_id=telegram_id, user_id=telegram_id))


async def _changed(query: CallbackQuery, change: Change, complaints: ComplaintServices,
                   now: Any, bot: Bot) -> None:  # fmt: skip
    """After a step taken from a card: the others hear of it; a private copy is redrawn
    here, the group card after the commit."""
    await complaints.notices.after(change, now, bot)
    message = query.message
    if isinstance(message, Message) and message.chat.id != change.case.card_chat_id:
        text, kb = await complaints.notices.notifier.render_card(
            complaints.cases.session, change.case, now
        )
        await edit_in_place(message, text, kb)


async def card_tap(query: CallbackQuery, callback_data: CardCb, user: UserProfile | None,
                   complaints: ComplaintServices, clock: Clock, bot: Bot,
                   fsm_storage: BaseStorage) -> None:  # fmt: skip
    actor = await _actor(complaints, user)
    if actor is None or not actor.works_cases:
        await query.answer(refusal(CaseErrorCode.NOT_HANDLER), show_alert=True)
        return
    cases, now, a = complaints.cases, clock(), callback_data.a
    try:
        case = await cases.case(callback_data.c)
        if case.version != callback_data.v and a not in ("show",):
            raise CaseError(CaseErrorCode.CHANGED)
        if not cases.may_see(actor, case):
            raise CaseError(CaseErrorCode.OTHER_OFFICE)
        if a == "take":
            change = await cases.accept(case.id, actor, now, version=case.version)
        elif a == "start":
            change = await cases.start(case.id, actor, now, version=case.version)
        elif a in ("assign", "office", "back"):
            await _assign_step(query, callback_data, case, complaints)
            return
        elif a == "who":
            if case.status is CaseStatus.ACCEPTED:
                who = callback_data.u or None
                change = await cases.assign(
                    case.id, actor, callback_data.o, who, now, version=case.version
                )
            else:  # a reassignment needs a reason: asked in private
                await _prompt(query, bot, fsm_storage, case, "reason", callback_data)
                return
        elif a in ("ask", "note", "resolve", "nofault", "review", "ext"):
            await _prompt(query, bot, fsm_storage, case, a, callback_data)
            return
        elif a == "show":
            await _details(query, bot, case, complaints, actor)
            return
        else:
            raise CaseError(CaseErrorCode.ILLEGAL)
    except CaseError as exc:
        await query.answer(refusal(exc.code), show_alert=True)
        if exc.code is CaseErrorCode.CHANGED and isinstance(query.message, Message):
            fresh = await cases.case(callback_data.c)
            text, kb = await complaints.notices.notifier.render_card(cases.session, fresh, now)
            await edit_in_place(query.message, text, kb)
        return
    await query.answer(_("Done: {action}.").format(action=action_label(change.event.action)))
    await _changed(query, change, complaints, now, bot)


async def _assign_step(query: CallbackQuery, cb: CardCb, case: CaseView,
                       complaints: ComplaintServices) -> None:  # fmt: skip
    """分办 in two taps on the card itself: the office, then who in it."""
    assert isinstance(query.message, Message)
    repo = OfficeRepository(complaints.cases.session)
    if cb.a == "back":
        text, kb = await complaints.notices.notifier.render_card(
            complaints.cases.session, case, query.message.date
        )
        await query.answer()
        await edit_in_place(query.message, text, kb)
        return
    if cb.a == "assign":
        offices = [(o.id, o.name) for o in await repo.offices()]
        await query.answer(_("Which office?"))
        await edit_in_place(query.message, query.message.html_text,
                            offices_kb(case, offices, case.office_id))  # fmt: skip
        return
    office = await repo.office(cb.o)
    if office is None or not office.active:
        raise CaseError(CaseErrorCode.OFFICE_UNKNOWN)
    people = [(u.id, u.display_name or _("a handler")) for _h, u in await repo.handlers(office.id)]
    await query.answer(_("Who in {office}?").format(office=office.name))
    await edit_in_place(query.message, query.message.html_text,
                        handlers_kb(case, office.id, people))  # fmt: skip


async def _prompt(query: CallbackQuery, bot: Bot, storage: BaseStorage, case: CaseView,
                  kind: str, cb: CardCb) -> None:  # fmt: skip
    """Ask for a text in the presser's private chat; their next message there is it."""
    if kind in ("ask", "note", "resolve", "nofault", "ext") and case.status not in (
        CaseStatus.ACCEPTED, CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS,
        CaseStatus.WAITING_DRIVER,
    ):  # fmt: skip
        raise CaseError(CaseErrorCode.ILLEGAL)
    telegram_id = query.from_user.id
    text = _(PROMPTS[kind]).format(number=case.number)
    if kind in TEMPLATES:
        text += "\n\n" + _("A template to copy:") + f"\n<code>{q(TEMPLATES[kind])}</code>"
    kb = None
    if kind == "resolve":
        builder = InlineKeyboardBuilder()
        builder.button(text=_("⚖️ It is a no-fault statement"),
                       callback_data=CardCb(a="nofault", c=case.id, v=case.version))  # fmt: skip
        kb = builder.as_markup()
    text += "\n\n" + _("Send /cancel to stop.")
    try:
        await bot.send_message(telegram_id, text, reply_markup=kb)
    except TelegramForbiddenError:
        await query.answer(_("Open a private chat with me first (tap my name, then Start), "
                             "then tap again."), show_alert=True)  # fmt: skip
        return
    state = _dm_state(storage, bot, telegram_id)
    await state.set_state(WorkSteps.text)
    await state.set_data({"case": case.id, "kind": kind, "v": case.version,
                          "o": cb.o, "u": cb.u})  # fmt: skip
    private = isinstance(query.message, Message) and query.message.chat.id == telegram_id
    await query.answer(None if private else _("I sent you a private message: type it there."))


async def _details(query: CallbackQuery, bot: Bot, case: CaseView,
                   complaints: ComplaintServices, actor: Actor) -> None:  # fmt: skip
    """The whole case with its timeline, in the presser's private chat; the driver's name and
    phone only when the driver did not choose anonymity."""
    cases, tz = complaints.cases, complaints.tz
    lines = [card_text(case, await complaints.notices.notifier.card_context(
        cases.session, case, query.message.date if isinstance(query.message, Message)
        else case.created_at), tz)]  # fmt: skip
    if case.description and len(case.description) > 280:
        lines.append("\n" + q(case.description))
    if case.anonymous:
        lines.append(_("🕶 The driver asked to stay anonymous."))
    elif not case.erased:
        driver = await complaints.notices.notifier.person(cases.session, case.user_id)
        phone = case.contact_phone or "—"
        lines.append(_("👤 Driver: {name} · 📞 {phone}").format(
            name=q(driver.name if driver else "—"), phone=q(phone)))  # fmt: skip
    lines.append("\n" + _("<b>Timeline</b>"))
    for event in (await cases.timeline(case.id))[-12:]:
        line = f"{when_text(event.at, tz)} {action_label(event.action)}"
        if event.to_status and event.to_status != event.from_status:
            line += f" → {status_label(event.to_status, office=True)}"
        if event.note:
            line += f": {q(event.note[:200])}"
        lines.append(line)
    text = "\n".join(lines)[:4000]
    try:
        await bot.send_message(query.from_user.id, text, reply_markup=case_buttons(case))
        for item in (await cases.evidence(case.id))[:10]:
            if item.kind.value == "photo":
                await bot.send_photo(query.from_user.id, item.file_id, caption=case.number)
            elif item.kind.value == "voice":
                await bot.send_voice(query.from_user.id, item.file_id, caption=case.number)
            else:
                await bot.send_document(query.from_user.id, item.file_id, caption=case.number)
    except TelegramForbiddenError:
        await query.answer(_("Open a private chat with me first (tap my name, then Start), "
                             "then tap again."), show_alert=True)  # fmt: skip
        return
    except TelegramAPIError as exc:
        log.info("case %s details not all sent: %s", case.id, exc)
    private = isinstance(query.message, Message) and query.message.chat.id == query.from_user.id
    await query.answer(None if private else _("Sent to your private chat."))


async def typed(message: Message, state: FSMContext, user: UserProfile | None,
                complaints: ComplaintServices, clock: Clock, bot: Bot) -> None:  # fmt: skip
    data = await state.get_data()
    actor = await _actor(complaints, user)
    if actor is None or not actor.works_cases or not isinstance(data.get("case"), int):
        await state.clear()
        await message.answer(refusal(CaseErrorCode.NOT_HANDLER))
        return
    case_id, kind, text, now = data["case"], data.get("kind"), message.text or "", clock()
    cases = complaints.cases
    try:
        if kind == "ask":
            change = await cases.ask(case_id, actor, text, now)
        elif kind == "note":
            change = await cases.note(case_id, actor, text, now)
        elif kind in ("resolve", "nofault"):
            change = await cases.resolve(case_id, actor, text, kind == "nofault", now)
        elif kind == "review":
            change = await cases.review(case_id, actor, text, now)
        elif kind == "reason":
            who = int(data.get("u") or 0) or None
            change = await cases.assign(case_id, actor, str(data.get("o")), who, now, text)
        elif kind == "ext":
            days, _sep, reason = text.strip().partition(" ")
            if not days.isdigit():
                raise CaseError(CaseErrorCode.DAYS_INVALID)
            change, ext_id = await cases.ask_extension(case_id, actor, int(days), reason, now)
            await complaints.notices.extension_asked(change, ext_id, int(days), reason, now)
        else:
            raise CaseError(CaseErrorCode.ILLEGAL)
    except CaseError as exc:
        await message.answer(refusal(exc.code))
        if exc.code not in (CaseErrorCode.TEXT_EMPTY, CaseErrorCode.TEXT_TOO_LONG,
                            CaseErrorCode.DAYS_INVALID):  # fmt: skip
            await state.clear()
        return
    await state.clear()
    await complaints.notices.after(change, now, bot)
    await message.answer(
        _("✅ Case {number}: {action}.").format(
            number=change.case.number, action=action_label(change.event.action)),
        reply_markup=case_buttons(change.case),
    )  # fmt: skip


async def not_text(message: Message) -> None:
    await message.answer(_("Please type it as text, or send /cancel."))


async def case_command(message: Message, command: CommandObject, user: UserProfile | None,
                       complaints: ComplaintServices, bot: Bot, clock: Clock) -> None:  # fmt: skip
    """/case SQ-2026-000123: the card, for handlers and admins (its details in private)."""
    actor = await _actor(complaints, user)
    if actor is None or not actor.works_cases:
        await message.answer(refusal(CaseErrorCode.NOT_HANDLER))
        return
    number = (command.args or "").strip()
    case = await complaints.cases.by_number(number) if number else None
    if case is None or not complaints.cases.may_see(actor, case):
        await message.answer(_("No case {number} that you may see. Usage: /case SQ-2026-000123")
                             .format(number=q(number or "…")))  # fmt: skip
        return
    text, kb = await complaints.notices.notifier.render_card(
        complaints.cases.session, case, clock()
    )
    await message.answer(text, reply_markup=kb)


async def handler_command(message: Message, command: CommandObject, user: UserProfile | None,
                          complaints: ComplaintServices, clock: Clock) -> None:  # fmt: skip
    """/handler TELEGRAM_ID OFFICE|none: admins make someone a handler of an office."""
    from bot.db.users.repository import UserRepository
    from bot.services.complaints.offices import set_handler

    if user is None or not user.is_admin:
        await message.answer(_("Sorry, this command is for admins only."))
        return
    parts = (command.args or "").split()
    session = complaints.cases.session
    offices = await OfficeRepository(session).offices()
    usage = _("Usage: /handler TELEGRAM_ID OFFICE (or none). Offices: {offices}").format(
        offices=", ".join(f"<code>{o.id}</code>" for o in offices) or "—")  # fmt: skip
    if len(parts) != 2 or not parts[0].isdigit():
        await message.answer(usage)
        return
    target = await UserRepository(session).by_telegram_id(int(parts[0]))
    if target is None:
        await message.answer(_("No user with Telegram id {id} has used the bot yet.").format(
            id=parts[0]))  # fmt: skip
        return
    office = None if parts[1].lower() == "none" else parts[1]
    try:
        await set_handler(session, target.id, office, clock())
    except CaseError:
        await message.answer(usage)
        return
    if office is None:
        await message.answer(_("User {id} no longer handles cases.").format(id=parts[0]))
    else:
        await message.answer(_("User {id} now handles the cases of {office}.").format(
            id=parts[0], office=office))  # fmt: skip


async def extension_tap(query: CallbackQuery, callback_data: ExtCb, user: UserProfile | None,
                        complaints: ComplaintServices, clock: Clock, bot: Bot) -> None:  # fmt: skip
    """An admin approves or refuses more time; the request's message is marked done."""
    actor = await _actor(complaints, user)
    if actor is None or not actor.admin:
        await query.answer(refusal(CaseErrorCode.ADMIN_ONLY), show_alert=True)
        return
    now = clock()
    try:
        change = await complaints.cases.decide_extension(
            callback_data.e, actor, callback_data.a == "yes", now
        )
    except CaseError as exc:
        await query.answer(refusal(exc.code), show_alert=True)
        return
    await complaints.notices.after(change, now, bot)
    await query.answer(_("Done: {action}.").format(action=action_label(change.event.action)))
    if isinstance(query.message, Message):
        verdict = action_label(change.event.action)
        who = q(user.display_name or "") if user else ""
        await edit_in_place(query.message, f"{query.message.html_text}\n\n✔️ {verdict} · {who}")


def create_router() -> Router:
    router = Router(name="complaints-work")
    router.callback_query.register(card_tap, CardCb.filter())
    router.callback_query.register(extension_tap, ExtCb.filter())
    router.message.register(case_command, Command("case"))
    router.message.register(handler_command, Command("handler"))
    router.message.register(typed, StateFilter(WorkSteps.text), ContentIs(ContentType.TEXT),
                            ~IsCommand())  # fmt: skip
    router.message.register(not_text, StateFilter(WorkSteps.text), ~IsCommand())
    return router


__all__ = ["F", "create_router"]
