"""/task_new: an admin publishes a volunteer task, in a private chat or the admins' group, on
one message: title → description → place → city → time → volunteers → points → who may
take it → preview (publish, change a field, cancel).

A typed answer moves the form below it (the next screen sent anew, the old one deleted), as
the notice form does; a tap edits it in place. The form's key is the task's publish key, so
Publish pressed twice publishes one task."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, ContentType, Message
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.db.tasks.statuses import TaskAudience
from bot.db.types import Clock
from bot.i18n import N_
from bot.services.tasks.model import TaskError
from bot.services.users.profiles import UserProfile
from handlers.common.editing import edit_flow, edit_in_place
from handlers.common.filters import ContentIs, IsAdmin, IsCommand
from handlers.common.forms import FormIsOpen, KeyedForm, OpenForm, form_closed
from handlers.common.refusals import refuse
from handlers.common.texts import q
from handlers.tasks import form_views as fv
from handlers.tasks.callbacks import TaskFormCb
from handlers.tasks.kit import TaskServices
from handlers.tasks.texts import form_error, task_error
from knowledge.cities import match_city
from knowledge.tasks import form as parse

FORM_CLOSED = N_("This task form is closed. Send /task_new to start a new one.")


class TaskFormSteps(StatesGroup):
    title = State()
    description = State()
    place = State()
    city = State()
    when = State()
    places = State()
    points = State()
    audience = State()
    preview = State()
    fields = State()


STATE_OF = {s: getattr(TaskFormSteps, s) for s in fv.STEPS}


class TaskForm(KeyedForm):
    open_in = tuple(TaskFormSteps.__states__)


async def start(message: Message, state: FSMContext) -> None:
    await state.clear()
    text, kb = fv.step_screen("title")
    sent = await message.answer(text, reply_markup=kb)
    await TaskForm(sent.message_id).save(state, TaskFormSteps.title)


def _next(form: TaskForm, step: str, tasks: TaskServices) -> tuple[fv.Screen, State]:
    """After `step`: the next step, or the preview once every step has an answer and the
    admin came to change one field."""
    draft = fv.draft_of(form.values)
    at = fv.STEPS.index(step)
    if draft is not None and (form.values.get("_edit") or at == len(fv.STEPS) - 1):
        return fv.preview_screen(draft, tasks.tz), TaskFormSteps.preview
    nxt = fv.STEPS[at + 1]
    return fv.step_screen(nxt), STATE_OF[nxt]


async def _stale_choice(query: CallbackQuery) -> None:
    """A form button from an older step or a finished form."""
    await query.answer(_("That choice is no longer available."), show_alert=True)


async def _typed(
    message: Message, state: FSMContext, form: TaskForm, step: str, value: Any, tasks: TaskServices
) -> None:
    """A typed answer: the next screen below it, the old one gone."""
    form = form.with_(**{step: value})
    (text, kb), nxt = _next(form, step, tasks)
    sent = await message.answer(text, reply_markup=kb)
    await form.at(sent.message_id).save(state, nxt)
    assert message.bot is not None
    with contextlib.suppress(TelegramBadRequest):
        await message.bot.delete_message(message.chat.id, form.mid)


async def _tapped(
    query: CallbackQuery,
    state: FSMContext,
    form: TaskForm,
    step: str,
    value: Any,
    tasks: TaskServices,
) -> None:
    form = form.with_(**{step: value})
    screen, nxt = _next(form, step, tasks)
    await query.answer()
    await form.save(state, nxt)
    assert isinstance(query.message, Message)
    await edit_flow(query.message, state, *screen)


def _text_step(step: str, limit: int) -> Callable[..., Awaitable[None]]:
    async def got(message: Message, state: FSMContext, form: TaskForm, tasks: TaskServices) -> None:
        try:
            value = parse.clean_text(message.text or "", limit)
        except parse.FormError as exc:
            await message.answer(form_error(exc))
            return
        await _typed(message, state, form, step, value, tasks)

    got.__name__ = f"got_{step}"
    return got


async def got_city(
    message: Message, state: FSMContext, form: TaskForm, tasks: TaskServices
) -> None:
    city = match_city(message.text or "")
    if city is None:
        await message.answer(
            _("I do not know that city. Type a city's name (e.g. 自贡), or tap “All cities”.")
        )
        return
    await _typed(message, state, form, "city", city.zh, tasks)


async def all_cities(
    query: CallbackQuery, state: FSMContext, form: TaskForm, tasks: TaskServices
) -> None:
    await _tapped(query, state, form, "city", "", tasks)


async def got_when(
    message: Message, state: FSMContext, form: TaskForm, tasks: TaskServices, clock: Clock
) -> None:
    try:
        window = parse.parse_window(message.text or "", clock(), tasks.tz)
    except parse.FormError as exc:
        await message.answer(form_error(exc))
        return
    value = [window.starts_at.isoformat(), window.ends_at.isoformat()]
    await _typed(message, state, form, "when", value, tasks)


def _count_step(
    step: str, bounds: tuple[int, int]
) -> tuple[Callable[..., Awaitable[None]], Callable[..., Awaitable[None]]]:
    async def got(message: Message, state: FSMContext, form: TaskForm, tasks: TaskServices) -> None:
        try:
            value = parse.parse_count(message.text or "", bounds)
        except parse.FormError as exc:
            await message.answer(
                form_error(exc)
                + " "
                + _("From {low} to {high}.").format(low=bounds[0], high=bounds[1])
            )
            return
        await _typed(message, state, form, step, value, tasks)

    async def tapped(
        query: CallbackQuery,
        callback_data: TaskFormCb,
        state: FSMContext,
        form: TaskForm,
        tasks: TaskServices,
    ) -> None:
        try:
            value = parse.parse_count(callback_data.v, bounds)
        except parse.FormError:
            await _stale_choice(query)
            return
        await _tapped(query, state, form, step, value, tasks)

    got.__name__, tapped.__name__ = f"got_{step}", f"tap_{step}"
    return got, tapped


async def pick_audience(
    query: CallbackQuery,
    callback_data: TaskFormCb,
    state: FSMContext,
    form: TaskForm,
    tasks: TaskServices,
) -> None:
    if callback_data.v not in {a.value for a in TaskAudience}:
        await _stale_choice(query)
        return
    await _tapped(query, state, form, "audience", callback_data.v, tasks)


async def change(query: CallbackQuery, state: FSMContext, form: TaskForm) -> None:
    await query.answer()
    await form.save(state, TaskFormSteps.fields)
    assert isinstance(query.message, Message)
    await edit_flow(query.message, state, *fv.fields_screen())


async def change_field(
    query: CallbackQuery, callback_data: TaskFormCb, state: FSMContext, form: TaskForm
) -> None:
    if callback_data.v not in fv.STEPS:
        await _stale_choice(query)
        return
    await query.answer()
    await form.with_(_edit=True).save(state, STATE_OF[callback_data.v])
    assert isinstance(query.message, Message)
    await edit_flow(query.message, state, *fv.step_screen(callback_data.v))


async def back_to_preview(
    query: CallbackQuery, state: FSMContext, form: TaskForm, tasks: TaskServices
) -> None:
    draft = fv.draft_of(form.values)
    if draft is None:
        await _stale_choice(query)
        return
    await query.answer()
    await form.save(state, TaskFormSteps.preview)
    assert isinstance(query.message, Message)
    await edit_flow(query.message, state, *fv.preview_screen(draft, tasks.tz))


async def publish(
    query: CallbackQuery,
    state: FSMContext,
    form: TaskForm,
    user: UserProfile,
    tasks: TaskServices,
    clock: Clock,
    bot: Bot,
    settings: Settings,
) -> None:
    draft, now = fv.draft_of(form.values), clock()
    assert isinstance(query.message, Message)
    if draft is None:
        await _stale_choice(query)
        return
    if draft.starts_at <= now:  # the preview waited past the start
        await query.answer(task_error_started(), show_alert=True)
        await form.with_(_edit=True).save(state, TaskFormSteps.when)
        await edit_flow(query.message, state, *fv.step_screen("when"))
        return
    try:
        change = await tasks.service.publish(draft, form.key, user.id, now, settings.admin_chat_id)
    except TaskError as exc:
        await query.answer(task_error(exc.code), show_alert=True)
        return
    await tasks.notifier.after(tasks.session, change, now, bot)
    await state.clear()
    await query.answer(_("Published."))
    await edit_in_place(
        query.message,
        _("✅ Published: task {id}, <b>{title}</b>. Its card is in the admins' group.").format(
            id=change.task.id, title=q(change.task.title)
        ),
    )


def task_error_started() -> str:
    return _("That time has passed: the task must start in the future.")


async def close(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    assert isinstance(query.message, Message)
    await edit_in_place(query.message, _("Task form closed. Nothing was published."))


async def use_buttons(message: Message) -> None:
    await message.answer(
        _("Please use the buttons of the task form above, or send /cancel to leave it.")
    )


def create_router() -> Router:
    router = Router(name="tasks-form")
    router.message.register(start, Command("task_new"), IsAdmin())
    router.message.register(refuse, Command("task_new"))
    texts = (ContentIs(ContentType.TEXT), ~IsCommand(), IsAdmin())
    m = router.message
    for step, limit in (
        ("title", parse.TITLE_MAX),
        ("description", parse.DESCRIPTION_MAX),
        ("place", parse.PLACE_MAX),
    ):
        m.register(
            _text_step(step, limit), StateFilter(STATE_OF[step]), *texts, FormIsOpen(TaskForm)
        )
    m.register(got_city, StateFilter(TaskFormSteps.city), *texts, FormIsOpen(TaskForm))
    m.register(got_when, StateFilter(TaskFormSteps.when), *texts, FormIsOpen(TaskForm))
    b = router.callback_query
    for step, bounds in (("places", parse.PLACES_RANGE), ("points", parse.POINTS_RANGE)):
        got, tapped = _count_step(step, bounds)
        m.register(got, StateFilter(STATE_OF[step]), *texts, FormIsOpen(TaskForm))
        b.register(
            tapped,
            TaskFormCb.filter(F.a == "n"),
            StateFilter(STATE_OF[step]),
            OpenForm(TaskForm),
            IsAdmin(),
        )
    m.register(use_buttons, StateFilter(*TaskFormSteps.__states__), ~IsCommand(), IsAdmin())
    open_form = OpenForm(TaskForm)
    for action, handler in (
        ("all", all_cities),
        ("aud", pick_audience),
        ("edit", change),
        ("field", change_field),
        ("prev", back_to_preview),
        ("pub", publish),
        ("x", close),
    ):
        b.register(handler, TaskFormCb.filter(F.a == action), open_form, IsAdmin())
    b.register(form_closed(FORM_CLOSED), TaskFormCb.filter())
    return router
