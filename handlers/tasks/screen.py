"""/tasks and the volunteer's buttons: a task's screen, taking a place (from /tasks or an
offer), giving it back, reporting done with an optional photo, and the opt-in to hear of new
tasks. `tasks_screen` is the entry other screens (⭐ My points) call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, ContentType, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.db.types import Clock
from bot.services.tasks.model import Change, TaskError
from bot.services.users.profiles import UserProfile
from handlers.common.editing import FLOW_MESSAGE, edit_in_place
from handlers.common.filters import ContentIs, IsCommand, private_only
from handlers.tasks import views
from handlers.tasks.callbacks import TaskCb
from handlers.tasks.kit import TaskServices
from handlers.tasks.texts import task_error


class TaskDoneSteps(StatesGroup):
    photo = State()  # waiting for the photo of the work (or "No photo")


async def _list(
    tasks: TaskServices, user: UserProfile, clock: Clock, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    screen = await tasks.service.screen(user.id, user.city, clock(), page)
    return views.list_screen(screen, tasks.tz)


async def tasks_screen(
    message: Message, user: UserProfile, tasks: TaskServices, clock: Clock
) -> None:
    """/tasks as a new message (a command, or a menu button elsewhere)."""
    text, kb = await _list(tasks, user, clock, 0)
    await message.answer(text, reply_markup=kb)


async def tasks_command(
    message: Message, state: FSMContext, user: UserProfile, tasks: TaskServices, clock: Clock
) -> None:
    await state.clear()
    await tasks_screen(message, user, tasks, clock)


def _message(query: CallbackQuery) -> Message | None:
    return query.message if isinstance(query.message, Message) else None


async def list_tap(
    query: CallbackQuery,
    callback_data: TaskCb,
    user: UserProfile,
    tasks: TaskServices,
    clock: Clock,
) -> None:
    text, kb = await _list(tasks, user, clock, callback_data.p)
    await query.answer()
    if (message := _message(query)) is not None:
        await edit_in_place(message, text, kb)


async def _show(
    query: CallbackQuery,
    task_id: int,
    page: int,
    user: UserProfile,
    tasks: TaskServices,
    clock: Clock,
    toast: str | None = None,
) -> None:
    try:
        detail = await tasks.service.detail(task_id, user.id, user.role, clock())
    except TaskError as exc:
        await query.answer(task_error(exc.code), show_alert=True)
        return
    await query.answer(toast)
    if (message := _message(query)) is not None:
        await edit_in_place(message, *views.detail_screen(detail, clock(), tasks.tz, page))


async def show_tap(
    query: CallbackQuery,
    callback_data: TaskCb,
    state: FSMContext,
    user: UserProfile,
    tasks: TaskServices,
    clock: Clock,
) -> None:
    if await state.get_state() == TaskDoneSteps.photo.state:
        await state.clear()  # "Back" from the photo question
    await _show(query, callback_data.t, callback_data.p, user, tasks, clock)


async def _act_and_show(
    query: CallbackQuery,
    callback_data: TaskCb,
    user: UserProfile,
    tasks: TaskServices,
    clock: Clock,
    bot: Bot,
    act: Callable[[datetime], Awaitable[Change]],
    toast: str,
) -> None:
    """A volunteer's change to their place: refused with an alert, or told and the screen
    shown again once the notifier has had the change."""
    now = clock()
    try:
        change = await act(now)
    except TaskError as exc:
        await query.answer(task_error(exc.code), show_alert=True)
        return
    await tasks.notifier.after(tasks.session, change, now, bot)
    await _show(query, callback_data.t, callback_data.p, user, tasks, clock, toast)


async def take_tap(
    query: CallbackQuery,
    callback_data: TaskCb,
    user: UserProfile,
    tasks: TaskServices,
    clock: Clock,
    bot: Bot,
) -> None:
    await _act_and_show(
        query,
        callback_data,
        user,
        tasks,
        clock,
        bot,
        lambda now: tasks.service.take(callback_data.t, user.id, user.role, now),
        _("🙋 You have a place. You will be reminded before the start."),
    )


async def leave_tap(
    query: CallbackQuery,
    callback_data: TaskCb,
    user: UserProfile,
    tasks: TaskServices,
    clock: Clock,
    bot: Bot,
) -> None:
    await _act_and_show(
        query,
        callback_data,
        user,
        tasks,
        clock,
        bot,
        lambda now: tasks.service.withdraw(callback_data.t, user.id, now),
        _("↩️ Place given back. Thank you for saying so in time."),
    )


async def done_tap(
    query: CallbackQuery,
    callback_data: TaskCb,
    state: FSMContext,
    user: UserProfile,
    tasks: TaskServices,
    clock: Clock,
) -> None:
    detail = None
    try:
        detail = await tasks.service.detail(callback_data.t, user.id, user.role, clock())
    except TaskError as exc:
        await query.answer(task_error(exc.code), show_alert=True)
        return
    if not detail.may_report:
        await _show(query, callback_data.t, callback_data.p, user, tasks, clock)
        return
    message = _message(query)
    await query.answer()
    if message is None:
        return
    shown = await edit_in_place(
        message, *views.done_screen(detail.task.title, detail.task.id, callback_data.p)
    )
    await state.set_state(TaskDoneSteps.photo)
    await state.set_data(
        {FLOW_MESSAGE: shown.message_id, "t": detail.task.id, "p": callback_data.p}
    )


async def _report(
    tasks: TaskServices, user: UserProfile, task_id: int, photo: str | None, clock: Clock, bot: Bot
) -> str:
    now = clock()
    try:
        change = await tasks.service.report_done(task_id, user.id, photo, now)
    except TaskError as exc:
        return task_error(exc.code)
    await tasks.notifier.after(tasks.session, change, now, bot)
    return _("✅ Reported done. The organiser will confirm it, and the points follow.")


async def no_photo_tap(
    query: CallbackQuery,
    callback_data: TaskCb,
    state: FSMContext,
    user: UserProfile,
    tasks: TaskServices,
    clock: Clock,
    bot: Bot,
) -> None:
    await state.clear()
    toast = await _report(tasks, user, callback_data.t, None, clock, bot)
    await _show(query, callback_data.t, callback_data.p, user, tasks, clock, toast)


async def got_photo(
    message: Message,
    state: FSMContext,
    user: UserProfile,
    tasks: TaskServices,
    clock: Clock,
    bot: Bot,
) -> None:
    data = await state.get_data()
    await state.clear()
    task_id, page = data.get("t"), data.get("p", 0)
    if not isinstance(task_id, int) or not message.photo:
        await message.answer(task_error_text())
        return
    said = await _report(tasks, user, task_id, message.photo[-1].file_id, clock, bot)
    detail = await tasks.service.detail(task_id, user.id, user.role, clock())
    text, kb = views.detail_screen(detail, clock(), tasks.tz, int(page or 0))
    await message.answer(said + "\n\n" + text, reply_markup=kb)


def task_error_text() -> str:
    return _("That task is no longer available.")


async def photo_expected(message: Message) -> None:
    await message.answer(_("Please send a photo of the work, or tap “No photo”."))


async def subscribe_tap(
    query: CallbackQuery,
    callback_data: TaskCb,
    user: UserProfile,
    tasks: TaskServices,
    clock: Clock,
) -> None:
    on = callback_data.a == "sub"
    await tasks.service.set_subscribed(user.id, on, clock())
    toast = (
        _("🔔 You will hear of new tasks for you.")
        if on
        else _("🔕 No more notices of new tasks. Turn them on again in /tasks.")
    )
    message = _message(query)
    if callback_data.t and message is not None:  # from an offer: the offer stays as it is
        await query.answer(toast, show_alert=True)
        return
    text, kb = await _list(tasks, user, clock, callback_data.p)
    await query.answer(toast)
    if message is not None:
        await edit_in_place(message, text, kb)


def create_router() -> Router:
    router = Router(name="tasks-screen")
    private_only(router)
    router.message.register(tasks_command, Command("tasks"))
    router.message.register(
        got_photo, StateFilter(TaskDoneSteps.photo), ContentIs(ContentType.PHOTO)
    )
    router.message.register(photo_expected, StateFilter(TaskDoneSteps.photo), ~IsCommand())
    buttons = router.callback_query
    buttons.register(list_tap, TaskCb.filter(F.a == "list"))
    buttons.register(show_tap, TaskCb.filter(F.a == "show"))
    buttons.register(take_tap, TaskCb.filter(F.a == "take"))
    buttons.register(leave_tap, TaskCb.filter(F.a == "leave"))
    buttons.register(done_tap, TaskCb.filter(F.a == "done"))
    buttons.register(no_photo_tap, TaskCb.filter(F.a == "nophoto"))
    buttons.register(subscribe_tap, TaskCb.filter(F.a.in_({"sub", "unsub"})))
    return router
