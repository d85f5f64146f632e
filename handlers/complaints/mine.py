"""/mycases and the driver's buttons on case news: open a case, add information or answer
the office's question, withdraw, and the follow-up (回访): a rating, then solved or not.

Every button names a case id; it is checked against the driver who taps, so another
driver's case is "not found", never shown.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, ContentType, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.db.complaints.statuses import OPEN_STATUSES, CaseStatus, EvidenceKind
from bot.db.types import Clock
from bot.services.complaints.chain import CaseError, CaseErrorCode
from bot.services.complaints.views import CaseView, Evidence
from bot.services.users.profiles import UserProfile
from handlers.common.editing import edit_in_place
from handlers.common.filters import ContentIs, IsCommand
from handlers.common.texts import q
from handlers.complaints.callbacks import MineCb
from handlers.complaints.kit import ComplaintServices
from handlers.complaints.notices import rating_row
from handlers.complaints.texts import category_label, deadline_line, status_label

PAGE = 5


class MineSteps(StatesGroup):
    adding = State()  # the driver's next message goes to the case in the FSM data


def _kb(rows: list[list[tuple[str, MineCb]]]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for row in rows:
        for text, data in row:
            kb.button(text=text, callback_data=data)
    kb.adjust(*[len(r) for r in rows])
    return kb.as_markup()


def _line(case: CaseView, complaints: ComplaintServices) -> str:
    line = f"<b>{case.number}</b> · {category_label(case.category)}\n{status_label(case.status)}"
    clock = case.next_deadline
    if clock is not None:
        line += " · " + deadline_line(clock[0], clock[1], complaints.tz)
    return line


async def list_view(user: UserProfile, complaints: ComplaintServices,
                    page: int = 0) -> tuple[str, InlineKeyboardMarkup | None]:  # fmt: skip
    total = await complaints.cases.count_of_user(user.id)
    if not total:
        return _("You have no complaints. Tap 📝 File a complaint to file one."), None
    pages = (total + PAGE - 1) // PAGE
    page = min(max(page, 0), pages - 1)
    cases = await complaints.cases.of_user(user.id, PAGE, page * PAGE)
    head = _("📋 <b>Your complaints</b>")
    if pages > 1:
        head += " · " + _("page {page} of {pages}").format(page=page + 1, pages=pages)
    text = "\n\n".join([head, *(_line(c, complaints) for c in cases)])
    rows = [[(c.number, MineCb(a="open", c=c.id)) for c in cases[i : i + 2]]
            for i in range(0, len(cases), 2)]  # fmt: skip
    nav = []
    if page > 0:
        nav.append((_("⬅️ Earlier"), MineCb(a="page", r=page - 1)))
    if page < pages - 1:
        nav.append((_("Later ➡️"), MineCb(a="page", r=page + 1)))
    if nav:
        rows.append(nav)
    return text, _kb(rows)


def case_view(case: CaseView, complaints: ComplaintServices) -> tuple[str, InlineKeyboardMarkup]:
    lines = [_line(case, complaints)]
    if case.description:
        lines.append(q(case.description[:600]))
    if case.resolution:
        lines.append(_("Resolution: {text}").format(text=q(case.resolution[:600])))
    if case.rating is not None:
        lines.append(_("Your rating: {stars}").format(stars="★" * case.rating))
    rows: list[list[tuple[str, MineCb]]] = []
    if case.status is CaseStatus.WAITING_DRIVER:
        rows.append([(_("✍️ Answer"), MineCb(a="answer", c=case.id))])
    elif case.status in OPEN_STATUSES:
        rows.append([(_("➕ Add information"), MineCb(a="add", c=case.id))])
    if case.status is CaseStatus.RESOLVED:
        rows.append(rating_row(case.id))
    if case.status in OPEN_STATUSES:
        rows.append([(_("↩️ Withdraw"), MineCb(a="withdraw", c=case.id))])
    rows.append([(_("⬅️ All my complaints"), MineCb(a="list"))])
    return "\n".join(lines), _kb(rows)


def refusal(code: CaseErrorCode) -> str:
    if code is CaseErrorCode.NOT_FOUND:
        return _("That complaint was not found.")
    if code is CaseErrorCode.TEXT_EMPTY:
        return _("Please type some text, or send photos or documents.")
    if code is CaseErrorCode.TOO_MANY_FILES:
        return _("This complaint has as many files as it can take.")
    return _("This is not possible in the complaint's present status.")


async def mycases(message: Message, user: UserProfile, complaints: ComplaintServices) -> None:
    text, kb = await list_view(user, complaints)
    await message.answer(text, reply_markup=kb)


async def tap(query: CallbackQuery, callback_data: MineCb, user: UserProfile,
              complaints: ComplaintServices, state: FSMContext, clock: Clock,
              bot: Bot) -> None:  # fmt: skip
    assert isinstance(query.message, Message)
    a, cases, now = callback_data.a, complaints.cases, clock()
    if a in ("list", "page"):
        await query.answer()
        text, kb = await list_view(user, complaints, callback_data.r if a == "page" else 0)
        await edit_in_place(query.message, text, kb)
        return
    try:
        case = await cases.own_case(callback_data.c, user.id)
        if a == "open":
            await query.answer()
            await edit_in_place(query.message, *case_view(case, complaints))
            return
        if a in ("add", "answer"):
            if case.status not in OPEN_STATUSES:
                raise CaseError(CaseErrorCode.ILLEGAL)
            await state.set_state(MineSteps.adding)
            await state.set_data({"case": case.id})
            await query.answer()
            ask = _("✍️ Send your words for {number}: text, photos or documents. /cancel to stop.")
            await query.message.answer(ask.format(number=case.number))
            return
        if a == "withdraw":
            kb = _kb([[(_("↩️ Yes, withdraw it"), MineCb(a="sure", c=case.id)),
                       (_("⬅️ Keep it"), MineCb(a="open", c=case.id))]])  # fmt: skip
            await query.answer()
            sure = _("Withdraw complaint {number}? The office stops handling it.")
            await edit_in_place(query.message, sure.format(number=case.number), kb)
            return
        if a == "sure":
            change = await cases.withdraw(case.id, user.id, now)
            note = _("Complaint {number} is withdrawn.").format(number=case.number)
        elif a == "rate":
            if case.status is not CaseStatus.RESOLVED or not 1 <= callback_data.r <= 5:
                raise CaseError(CaseErrorCode.ILLEGAL)
            r = callback_data.r * 10  # the rating and, in the last digit, solved or not
            kb = _kb([[(_("✅ Yes, solved"), MineCb(a="solved", c=case.id, r=r + 1)),
                       (_("❌ Not solved"), MineCb(a="solved", c=case.id, r=r))]])  # fmt: skip
            await query.answer()
            await edit_in_place(query.message, _("{stars} Thank you. Is your problem solved?")
                                .format(stars="★" * callback_data.r), kb)  # fmt: skip
            return
        elif a == "solved":
            rating, solved = divmod(callback_data.r, 10)
            change = await cases.rate(case.id, user.id, rating, bool(solved), now)
            note = (_("Thank you! Complaint {number} is closed.") if solved else
                    _("Sorry it is not solved. Complaint {number} is reopened: its handler "
                      "goes on with it.")).format(number=case.number)  # fmt: skip
        else:
            raise CaseError(CaseErrorCode.ILLEGAL)
    except CaseError as exc:
        await query.answer(refusal(exc.code), show_alert=True)
        return
    await complaints.notices.after(change, now, bot)
    await query.answer()
    await edit_in_place(query.message, note + "\n\n" + _line(change.case, complaints),
                        _kb([[(_("⬅️ All my complaints"), MineCb(a="list"))]]))  # fmt: skip


async def added(message: Message, state: FSMContext, user: UserProfile,
                complaints: ComplaintServices, clock: Clock, bot: Bot) -> None:  # fmt: skip
    data = await state.get_data()
    case_id = data.get("case")
    if not isinstance(case_id, int):
        await state.clear()
        return
    files: list[Evidence] = []
    if message.photo:
        p = message.photo[-1]
        files.append(Evidence(EvidenceKind.PHOTO, p.file_id, p.file_unique_id))
    elif message.document is not None:
        d = message.document
        files.append(Evidence(EvidenceKind.DOCUMENT, d.file_id, d.file_unique_id,
                              (d.file_name or "")[:128] or None))  # fmt: skip
    elif message.voice is not None:
        files.append(Evidence(EvidenceKind.VOICE, message.voice.file_id,
                              message.voice.file_unique_id))  # fmt: skip
    text = message.text or message.caption
    now = clock()
    try:
        change = await complaints.cases.answer(case_id, user.id, text, files, now)
    except CaseError as exc:
        await message.answer(refusal(exc.code))
        if exc.code is not CaseErrorCode.TEXT_EMPTY:
            await state.clear()
        return
    await state.clear()
    await complaints.notices.after(change, now, bot)
    await message.answer(_("✅ Added to complaint {number}; the office is told.").format(
        number=change.case.number))  # fmt: skip


def create_router() -> Router:
    router = Router(name="complaints-mine")
    router.message.register(mycases, Command("mycases"))
    router.callback_query.register(tap, MineCb.filter())
    router.message.register(
        added, StateFilter(MineSteps.adding), ~IsCommand(),
        ContentIs(ContentType.TEXT, ContentType.PHOTO, ContentType.DOCUMENT, ContentType.VOICE),
    )  # fmt: skip
    return router


__all__ = ["F", "create_router"]
