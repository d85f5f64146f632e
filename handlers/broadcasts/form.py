"""/broadcast: an admin's notice composed on one message — text (or a photo and its
caption) → link buttons → an English version or not → audience (with the count) →
preview → when → confirm.

The draft is a `broadcasts` row from the first step on; the form's state keeps its id and
the choices of the moment. A typed answer (the text, the buttons, a city, a time) moves the
form below it: the next screen is sent anew and the old one deleted. Confirming moves the
draft to `scheduled` with a conditional update, so a second tap confirms nothing; the form
message then becomes the broadcast's status message.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Self

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, ContentType, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.after_commit import after_commit
from bot.db.types import Clock
from bot.services.broadcasts import compose
from bot.services.broadcasts.compose import ComposeError
from bot.services.broadcasts.model import LANGUAGES, Broadcast, Target, TargetKind
from bot.services.broadcasts.service import BroadcastError, BroadcastErrorCode
from bot.services.users.profiles import ProfileError, UserProfile, normalise_city
from handlers.broadcasts import views
from handlers.broadcasts.callbacks import FormCb, PreviewCb
from handlers.broadcasts.kit import BroadcastServices
from handlers.broadcasts.texts import FORM_CLOSED, broadcast_error, compose_error
from handlers.common.editing import edit_flow, edit_in_place, settle_ui
from handlers.common.filters import ContentIs, IsAdmin, IsCommand, IsPrivate
from handlers.common.forms import FormState, OpenForm, form_closed
from handlers.common.refusals import refuse


class Steps(StatesGroup):
    text = State()
    links = State()
    english = State()
    english_text = State()
    audience = State()
    city = State()  # the city picker: a tap, or a typed name
    pick = State()  # the occupation, role or language picker
    when = State()
    confirm = State()


@dataclass(frozen=True, slots=True)
class ComposeForm(FormState):
    open_in = tuple(Steps.__states__)
    bid: int | None = None  # the draft, from the first text on
    cities: tuple[str, ...] = ()  # the cities the picker offers, by position
    at: str | None = None  # the chosen time (ISO, UTC); None: now
    previews: tuple[int, ...] = ()  # the preview messages, replaced by a new preview

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"mid": self.mid, "bid": self.bid, "at": self.at}
        return data | {"cities": list(self.cities), "previews": list(self.previews)}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Self | None:
        mid, bid, at = data.get("mid"), data.get("bid"), data.get("at")
        if not isinstance(mid, int) or not (bid is None or isinstance(bid, int)):
            return None
        cities = tuple(c for c in data.get("cities") or () if isinstance(c, str))
        previews = tuple(p for p in data.get("previews") or () if isinstance(p, int))
        return cls(mid, bid, cities, at if isinstance(at, str) else None, previews)

    @property
    def when(self) -> datetime | None:
        return datetime.fromisoformat(self.at) if self.at else None


Screen = tuple[str, InlineKeyboardMarkup]


class OpenCompose(OpenForm):
    """The button is on the open form, and its draft is still a draft of this admin's (not
    confirmed meanwhile, nor dropped as given up): otherwise the form is over."""

    def __init__(self) -> None:
        super().__init__(ComposeForm)

    async def __call__(
        self,
        query: CallbackQuery,
        state: FSMContext,
        raw_state: str | None = None,
        broadcasts: BroadcastServices | None = None,
        user: UserProfile | None = None,
    ) -> bool | dict[str, Any]:
        found = await super().__call__(query, state, raw_state)
        if not isinstance(found, dict) or broadcasts is None or user is None:
            return False
        form = found["form"]
        assert isinstance(form, ComposeForm)
        if form.bid is not None and not await broadcasts.service.is_draft(form.bid, user.id):
            return False
        return found


# --- entry ---------------------------------------------------------------------------------
async def start(message: Message, state: FSMContext) -> None:
    await state.clear()
    text, kb = views.text_screen(None)
    sent = await message.answer(text, reply_markup=kb)
    await ComposeForm(sent.message_id).save(state, Steps.text)


async def in_group(message: Message) -> None:
    await message.answer(_("Please send /broadcast in your private chat with me."))


# --- moving the form -----------------------------------------------------------------------
async def _move(
    message: Message, state: FSMContext, form: ComposeForm, screen: Screen, step: State
) -> ComposeForm:
    """A typed answer: the next screen below it, the old one gone."""
    text, kb = screen
    sent = await message.answer(text, reply_markup=kb)
    moved = replace(form, mid=sent.message_id)
    await moved.save(state, step)
    assert message.bot is not None
    with contextlib.suppress(TelegramBadRequest):
        await message.bot.delete_message(message.chat.id, form.mid)
    return moved


async def _edit(
    query: CallbackQuery, state: FSMContext, form: ComposeForm, screen: Screen, step: State
) -> None:
    await form.save(state, step)
    await edit_flow(_message(query), state, *screen)


def _message(query: CallbackQuery) -> Message:
    assert isinstance(query.message, Message)  # OpenForm checked it
    return query.message


async def _loaded(
    message: Message, state: FSMContext, broadcasts: BroadcastServices, user: UserProfile
) -> ComposeForm | None:
    """The open form, for a typed answer; None (and the form closed) when its state is
    lost or its draft is no longer one."""
    form = await ComposeForm.load(state)
    if form is not None and (
        form.bid is None or await broadcasts.service.is_draft(form.bid, user.id)
    ):
        return form
    await state.clear()
    await message.answer(_(FORM_CLOSED))
    return None


async def _draft(b: BroadcastServices, form: ComposeForm, user: UserProfile) -> Broadcast:
    assert form.bid is not None
    return await b.service.draft(form.bid, user.id)


async def _audience(b: BroadcastServices, draft: Broadcast) -> Screen:
    return views.audience_screen(draft, await b.service.count(draft.target))


# --- step 1: the text ----------------------------------------------------------------------
def _photo(message: Message) -> str | None:
    return message.photo[-1].file_id if message.photo else None


async def got_text(
    message: Message, state: FSMContext, broadcasts: BroadcastServices, user: UserProfile
) -> None:
    form = await _loaded(message, state, broadcasts, user)
    if form is None:
        return
    html, photo = message.html_text, _photo(message)
    try:
        if form.bid is None:
            draft = await broadcasts.service.new_draft(user.id, html, photo)
            form = replace(form, bid=draft.id)
        else:
            draft = await broadcasts.service.set_text(form.bid, user.id, html, photo)
    except ComposeError as exc:
        await message.answer(compose_error(exc))
        return
    await _move(message, state, form, views.links_screen(draft), Steps.links)


async def text_expected(message: Message) -> None:
    await message.answer(_("Please send the notice's text, or one photo with a caption."))


# --- step 2: link buttons ------------------------------------------------------------------
async def got_links(
    message: Message, state: FSMContext, broadcasts: BroadcastServices, user: UserProfile
) -> None:
    form = await _loaded(message, state, broadcasts, user)
    if form is None:
        return
    try:
        links = compose.parse_links(message.text or "")
    except ComposeError as exc:
        await message.answer(compose_error(exc))
        return
    assert form.bid is not None
    draft = await broadcasts.service.set_links(form.bid, user.id, links)
    await _move(message, state, form, views.english_screen(draft), Steps.english)


async def keep(
    query: CallbackQuery,
    state: FSMContext,
    form: ComposeForm,
    broadcasts: BroadcastServices,
    user: UserProfile,
    raw_state: str | None,
) -> None:
    """➡️ on the text or the buttons step: what was sent stays, on to the next step."""
    await query.answer()
    draft = await _draft(broadcasts, form, user)
    if raw_state == Steps.text.state:
        await _edit(query, state, form, views.links_screen(draft), Steps.links)
    else:
        await _edit(query, state, form, views.english_screen(draft), Steps.english)


async def no_links(
    query: CallbackQuery,
    state: FSMContext,
    form: ComposeForm,
    broadcasts: BroadcastServices,
    user: UserProfile,
) -> None:
    assert form.bid is not None
    draft = await broadcasts.service.set_links(form.bid, user.id, ())
    await query.answer()
    await _edit(query, state, form, views.english_screen(draft), Steps.english)


# --- step 3: an English version ------------------------------------------------------------
async def one_text(
    query: CallbackQuery,
    state: FSMContext,
    form: ComposeForm,
    broadcasts: BroadcastServices,
    user: UserProfile,
) -> None:
    assert form.bid is not None
    draft = await broadcasts.service.set_english(form.bid, user.id, None)
    await query.answer()
    await _edit(query, state, form, await _audience(broadcasts, draft), Steps.audience)


async def ask_english(
    query: CallbackQuery,
    state: FSMContext,
    form: ComposeForm,
    broadcasts: BroadcastServices,
    user: UserProfile,
) -> None:
    draft = await _draft(broadcasts, form, user)
    await query.answer()
    await _edit(query, state, form, views.english_text_screen(draft), Steps.english_text)


async def got_english(
    message: Message, state: FSMContext, broadcasts: BroadcastServices, user: UserProfile
) -> None:
    form = await _loaded(message, state, broadcasts, user)
    if form is None:
        return
    if message.photo:
        await message.answer(_("The photo stays the same: please send only the English text."))
        return
    assert form.bid is not None
    try:
        draft = await broadcasts.service.set_english(form.bid, user.id, message.html_text)
    except ComposeError as exc:
        await message.answer(compose_error(exc))
        return
    await _move(message, state, form, await _audience(broadcasts, draft), Steps.audience)


# --- step 4: the audience ------------------------------------------------------------------
async def everyone(
    query: CallbackQuery,
    state: FSMContext,
    form: ComposeForm,
    broadcasts: BroadcastServices,
    user: UserProfile,
) -> None:
    await _set_target(query, state, form, broadcasts, user, Target())


async def _set_target(
    query: CallbackQuery,
    state: FSMContext,
    form: ComposeForm,
    broadcasts: BroadcastServices,
    user: UserProfile,
    target: Target,
) -> None:
    assert form.bid is not None
    count = await broadcasts.service.set_target(form.bid, user.id, target)
    draft = await _draft(broadcasts, form, user)
    await query.answer(_("{count} drivers would get it.").format(count=count))
    await _edit(query, state, form, views.audience_screen(draft, count), Steps.audience)


async def pick_city(
    query: CallbackQuery, state: FSMContext, form: ComposeForm, broadcasts: BroadcastServices
) -> None:
    cities = tuple(await broadcasts.service.cities())
    await query.answer()
    await _edit(query, state, replace(form, cities=cities), views.city_screen(cities), Steps.city)


async def pick_kind(
    query: CallbackQuery, callback_data: FormCb, state: FSMContext, form: ComposeForm
) -> None:
    screens = {"occ": views.occupation_screen, "role": views.role_screen,
               "lang": views.language_screen}  # fmt: skip
    await query.answer()
    await _edit(query, state, form, screens[callback_data.a](), Steps.pick)


async def picked(
    query: CallbackQuery,
    callback_data: FormCb,
    state: FSMContext,
    form: ComposeForm,
    broadcasts: BroadcastServices,
    user: UserProfile,
) -> None:
    target = views.target_of(callback_data.v, form.cities)
    if target is None:
        await query.answer(_("That choice is no longer available."), show_alert=True)
        return
    await _set_target(query, state, form, broadcasts, user, target)


async def got_city(
    message: Message, state: FSMContext, broadcasts: BroadcastServices, user: UserProfile
) -> None:
    form = await _loaded(message, state, broadcasts, user)
    if form is None:
        return
    try:
        city = normalise_city(message.text or "")
    except ProfileError:
        await message.answer(_("That is not a city name. Tap a city, or type its name."))
        return
    assert form.bid is not None
    count = await broadcasts.service.set_target(form.bid, user.id, Target(TargetKind.CITY, city))
    draft = await _draft(broadcasts, form, user)
    await _move(message, state, form, views.audience_screen(draft, count), Steps.audience)


# --- step 5: preview and time --------------------------------------------------------------
async def preview(
    query: CallbackQuery,
    state: FSMContext,
    form: ComposeForm,
    broadcasts: BroadcastServices,
    user: UserProfile,
    bot: Bot,
) -> None:
    draft = await _draft(broadcasts, form, user)
    if await broadcasts.service.count(draft.target) == 0:
        await query.answer(broadcast_error(BroadcastErrorCode.NOBODY), show_alert=True)
        return
    await query.answer()
    message, wording = _message(query), broadcasts.kit.wording()
    chat_id = message.chat.id
    for old in form.previews:  # an earlier preview would only confuse
        with contextlib.suppress(TelegramBadRequest):
            await bot.delete_message(chat_id, old)
    sent = []
    for language in LANGUAGES if draft.text_en else (user.language,):
        name = user.display_name or query.from_user.full_name  # as a driver's name reads
        text = views.preview_text(draft, wording, language, name)
        kb = views.preview_kb(draft, wording, language)
        if draft.photo:
            shown = await message.answer_photo(draft.photo, caption=text, reply_markup=kb)
        else:
            shown = await message.answer(text, reply_markup=kb)
        sent.append(shown.message_id)
    form = replace(form, previews=tuple(sent))
    await _move(message, state, form, views.when_screen(draft, broadcasts.tz), Steps.when)


async def preview_button(query: CallbackQuery) -> None:
    await query.answer(
        _("In the notice, this button turns notices like it off for the driver who taps it."),
        show_alert=True,
    )


async def _to_confirm(
    broadcasts: BroadcastServices, form: ComposeForm, user: UserProfile, at: datetime | None
) -> tuple[ComposeForm, Screen]:
    draft = await _draft(broadcasts, form, user)
    count = await broadcasts.service.count(draft.target)
    form = replace(form, at=at.isoformat() if at else None)
    return form, views.confirm_screen(draft, count, at, broadcasts.tz)


async def preset(
    query: CallbackQuery,
    callback_data: FormCb,
    state: FSMContext,
    form: ComposeForm,
    broadcasts: BroadcastServices,
    user: UserProfile,
    clock: Clock,
) -> None:
    now = clock()
    at = {
        "now": None,
        "h1": compose.in_an_hour(now),
        "tom": compose.tomorrow_at_nine(now, broadcasts.tz),
    }[callback_data.a]
    form, screen = await _to_confirm(broadcasts, form, user, at)
    await query.answer()
    await _edit(query, state, form, screen, Steps.confirm)


async def got_time(
    message: Message,
    state: FSMContext,
    broadcasts: BroadcastServices,
    user: UserProfile,
    clock: Clock,
) -> None:
    form = await _loaded(message, state, broadcasts, user)
    if form is None:
        return
    try:
        at = compose.parse_time(message.text or "", clock(), broadcasts.tz)
    except ComposeError as exc:
        await message.answer(compose_error(exc))
        return
    form, screen = await _to_confirm(broadcasts, form, user, at)
    await _move(message, state, form, screen, Steps.confirm)


# --- confirming ----------------------------------------------------------------------------
async def confirm(
    query: CallbackQuery,
    state: FSMContext,
    form: ComposeForm,
    broadcasts: BroadcastServices,
    session: AsyncSession,
    user: UserProfile,
    clock: Clock,
    bot: Bot,
) -> None:
    message, now, at = _message(query), clock(), form.when
    assert form.bid is not None
    try:
        b = await broadcasts.service.confirm(
            form.bid, user.id, at, now, message.chat.id, message.message_id
        )
    except ComposeError as exc:  # the time picked has passed meanwhile
        await query.answer(compose_error(exc), show_alert=True)
        draft = await _draft(broadcasts, form, user)
        await _edit(query, state, form, views.when_screen(draft, broadcasts.tz), Steps.when)
        return
    except BroadcastError as exc:
        await query.answer(broadcast_error(exc.code), show_alert=True)
        if exc.code is BroadcastErrorCode.NOBODY and exc.broadcast is not None:
            screen = await _audience(broadcasts, exc.broadcast)
            await _edit(query, state, form, screen, Steps.audience)
        else:
            await state.clear()
        return
    toast = _("Sending now.") if at is None else _("Scheduled.")
    kit = broadcasts.kit

    async def show() -> None:
        await state.clear()
        await settle_ui(query.answer(toast))
        if at is None:
            await kit.start_now(bot, b.id, now)
        else:
            await kit.runner.show(kit.board(bot), b.id, now)

    after_commit(session, show)


async def confirmed_before(query: CallbackQuery) -> None:
    await query.answer(broadcast_error(BroadcastErrorCode.CONFIRMED))


# --- back and close ------------------------------------------------------------------------
async def back(
    query: CallbackQuery,
    state: FSMContext,
    form: ComposeForm,
    broadcasts: BroadcastServices,
    user: UserProfile,
    raw_state: str | None,
) -> None:
    await query.answer()
    draft = await _draft(broadcasts, form, user)
    screen: Screen
    if raw_state == Steps.links.state:
        screen, step = views.text_screen(draft), Steps.text
    elif raw_state == Steps.english.state:
        screen, step = views.links_screen(draft), Steps.links
    elif raw_state in (Steps.english_text.state, Steps.audience.state):
        screen, step = views.english_screen(draft), Steps.english
    elif raw_state in (Steps.city.state, Steps.pick.state, Steps.when.state):
        screen, step = await _audience(broadcasts, draft), Steps.audience
    else:  # the confirm screen
        screen, step = views.when_screen(draft, broadcasts.tz), Steps.when
    await _edit(query, state, form, screen, step)


async def close(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    await edit_in_place(_message(query), views.closed_text())


async def use_buttons(message: Message) -> None:
    await message.answer(
        _("Please use the buttons of the notice form above, or send /cancel to leave it.")
    )


def create_router() -> Router:
    router = Router(name="broadcast_form")
    router.message.register(in_group, Command("broadcast"), ~IsPrivate())
    router.message.register(start, Command("broadcast"), IsAdmin())
    router.message.register(refuse, Command("broadcast"))
    # The form is an admin's, in a private chat (nobody else can reach its states).
    router.callback_query.register(preview_button, PreviewCb.filter())
    texts = (ContentIs(ContentType.TEXT), ~IsCommand())
    text_or_photo = ContentIs(ContentType.TEXT, ContentType.PHOTO)
    router.message.register(got_text, StateFilter(Steps.text), text_or_photo, ~IsCommand())
    router.message.register(text_expected, StateFilter(Steps.text), ~IsCommand())
    router.message.register(got_links, StateFilter(Steps.links), *texts)
    router.message.register(
        got_english, StateFilter(Steps.english_text), text_or_photo, ~IsCommand()
    )
    router.message.register(got_city, StateFilter(Steps.city), *texts)
    router.message.register(got_time, StateFilter(Steps.when), *texts)
    router.message.register(use_buttons, StateFilter(*Steps.__states__), ~IsCommand())
    buttons = router.callback_query
    open_form = OpenCompose()
    buttons.register(confirm, FormCb.filter(F.a == "ok"), open_form, IsAdmin())
    buttons.register(confirmed_before, FormCb.filter(F.a == "ok"))
    for action, handler in (
        ("keep", keep), ("nolinks", no_links), ("one", one_text), ("en", ask_english),
        ("aud", everyone), ("city", pick_city), ("occ", pick_kind), ("role", pick_kind),
        ("lang", pick_kind), ("pick", picked), ("prev", preview), ("now", preset),
        ("h1", preset), ("tom", preset), ("back", back), ("x", close),
    ):  # fmt: skip
        buttons.register(handler, FormCb.filter(F.a == action), open_form, IsAdmin())
    buttons.register(form_closed(FORM_CLOSED), FormCb.filter())
    return router
