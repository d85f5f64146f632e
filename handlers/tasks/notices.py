"""What task changes tell people: the card in the admins' group (its "tasks" topic, edited in
place as places are taken, given back and reported done), the offer to those who asked to
hear of new tasks, the reminders, and news to a volunteer (confirmed, disputed, cancelled).

The card never names anyone: places are numbered; names and phones reach an admin only
privately, through the Roster button."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.after_commit import after_commit
from bot.db.outbox.models import MessageKind
from bot.db.tasks.models import TaskRow
from bot.db.tasks.repository import TaskRepository
from bot.db.tasks.statuses import TakerStatus, TaskStatus
from bot.db.users.models import User
from bot.feature import Core
from bot.services.outbox.audience import after_quiet_hours, quiet_hours
from bot.services.outbox.messages import Button, OutMessage
from bot.services.outbox.service import Outbox
from bot.services.tasks.model import Action, Change, TakerView, TaskView
from bot.services.tasks.reminders import Reminder
from handlers.common.cards import redraw_behind, redraw_from_row
from handlers.common.texts import q
from handlers.common.topics import topic
from handlers.tasks.callbacks import TaskCardCb, TaskCb
from handlers.tasks.texts import (
    audience_label,
    city_text,
    place_status_label,
    reason_label,
    window,
)

log = logging.getLogger(__name__)
DESCRIPTION_CHARS = 300  # an offer and a card stay short on a phone
CARD_PLACES = 12  # places listed on the card; the roster has them all
CARD_DECISIONS = 3  # reports with their own buttons on the card at once
AUDIENCE_CHUNK = 500


def card_key(task_id: int) -> str:
    return f"task-card:{task_id}"


def short(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def phase(task: TaskView, now: datetime) -> str:
    if task.status is TaskStatus.CANCELLED:
        return _("cancelled")
    if now >= task.ends_at:
        return _("over")
    if now >= task.starts_at:
        return _("under way")
    return _("full") if task.left <= 0 else _("open, taking volunteers")


def task_lines(task: TaskView, tz: ZoneInfo, card: bool = False) -> list[str]:
    """Where, when, places and points; the card counts places taken, the others what is left."""
    if card:
        places = _("👥 Places taken: {taken} of {places} · ⭐ {points} points · {who}")
    else:
        places = _("👥 {left} of {places} places left · ⭐ {points} points · {who}")
    return [
        f"📍 {q(task.place)} · {city_text(task.city)}",
        f"🕘 {window(task, tz)}",
        places.format(
            left=max(task.left, 0),
            taken=task.taken,
            places=task.places,
            points=task.points,
            who=audience_label(task.audience),
        ),
    ]


def card_text(task: TaskView, takers: list[TakerView], now: datetime, tz: ZoneInfo) -> str:
    lines = [
        _("🤝 <b>Task {id}: {title}</b>").format(id=task.id, title=q(task.title)),
        _("Status: <b>{status}</b>").format(status=phase(task, now)),
        *task_lines(task, tz, card=True),
    ]
    counts = Counter(t.status for t in takers)
    summary = [f"{place_status_label(s)} {counts[s]}" for s in TakerStatus if counts[s]]
    if summary:
        lines.append(_("Roster: {summary}").format(summary=" · ".join(summary)))
    shown = [t for t in takers if t.status not in (TakerStatus.WITHDRAWN, TakerStatus.DROPPED)]
    for t in shown[:CARD_PLACES]:
        photo = " 📷" if t.photo_file_id else ""
        lines.append(
            _("  Place {n}: {status}").format(n=t.n, status=place_status_label(t.status)) + photo
        )
    if len(shown) > CARD_PLACES:
        lines.append(
            _("  … and {count} more: see the roster").format(count=len(shown) - CARD_PLACES)
        )
    return "\n".join(lines)


def _b(
    kb: InlineKeyboardBuilder, text: str, action: str, task_id: int, k: int = 0, o: str = ""
) -> None:
    kb.button(text=text, callback_data=TaskCardCb(a=action, t=task_id, k=k, o=o))  # type: ignore[arg-type]


def card_kb(task: TaskView, takers: list[TakerView], now: datetime) -> InlineKeyboardMarkup:
    """A row for each report waiting for a decision (a few at once), then roster and cancel."""
    kb, widths = InlineKeyboardBuilder(), []
    waiting = [t for t in takers if t.status in (TakerStatus.DONE, TakerStatus.DISPUTED)]
    for t in waiting[:CARD_DECISIONS]:
        if t.status is TakerStatus.DONE:
            _b(kb, _("✅ Confirm place {n}").format(n=t.n), "ok", task.id, t.id)
            _b(kb, _("⚠️ Dispute place {n}").format(n=t.n), "no", task.id, t.id)
            widths.append(2)
        else:
            _b(kb, _("✅ Confirm place {n} after all").format(n=t.n), "ok", task.id, t.id)
            widths.append(1)
    _b(kb, _("👥 Roster"), "roster", task.id)
    if task.status is TaskStatus.OPEN and now < task.ends_at:
        _b(kb, _("✖ Cancel task"), "cancel", task.id)
        widths.append(2)
    else:
        widths.append(1)
    kb.adjust(*widths)
    return kb.as_markup()


def offer_text(task: TaskView, tz: ZoneInfo) -> str:
    lines = [_("🤝 New volunteer task: <b>{title}</b>").format(title=q(task.title))]
    if task.description:
        lines.append(q(short(task.description)))
    return "\n".join([*lines, *task_lines(task, tz)])


class TaskNotifier:
    """Process-wide: renders in each reader's language, posts and redraws cards."""

    def __init__(self, core: Core) -> None:
        self.core, self.settings = core, core.settings

    def _locale(self, language: str | None = None) -> AbstractContextManager[Any]:
        i18n = self.core.i18n
        return i18n.use_locale(language or self.settings.default_language)

    async def thread(self, session: AsyncSession, bot: Bot | None) -> int | None:
        chat = self.settings.admin_chat_id
        if chat is None:
            return None
        with self.core.i18n.context(), self._locale():
            name = _("🤝 Volunteer tasks")
        return await topic(session, bot, chat, "tasks", name)

    async def render_card(
        self, session: AsyncSession, task: TaskView, now: datetime
    ) -> tuple[str, InlineKeyboardMarkup]:
        rows = await TaskRepository(session).takers(task.id)
        takers = [TakerView.of(r, n) for n, r in enumerate(rows, start=1)]
        with self.core.i18n.context(), self._locale():
            return card_text(task, takers, now, self.settings.tz), card_kb(task, takers, now)

    async def post_card(
        self, session: AsyncSession, task: TaskView, now: datetime, bot: Bot | None
    ) -> None:
        chat = self.settings.admin_chat_id
        if chat is None:
            return
        thread = await self.thread(session, bot)
        text, kb = await self.render_card(session, task, now)
        rows = tuple(
            tuple(Button(b.text, callback_data=b.callback_data) for b in row)
            for row in kb.inline_keyboard
        )
        await Outbox(session, self.core.doorbell).put(
            OutMessage(
                chat_id=chat,
                kind=MessageKind.TASK,
                dedupe_key=card_key(task.id),
                text=text,
                buttons=rows,
                ref=str(task.id),
                thread_id=thread,
            ),
            now,
        )

    async def redraw(self, bot: Bot, task_id: int) -> bool:
        """Show the task as it is now on its card; False: the job tries again."""

        async def draw(
            session: AsyncSession, row: TaskRow
        ) -> tuple[str, InlineKeyboardMarkup | None, bool]:
            text, kb = await self.render_card(session, TaskView.of(row), self.core.clock())
            return text, kb, False

        return await redraw_from_row(self.core.session_factory, bot, TaskRow, task_id,
                                     card_key(task_id), f"card of task {task_id}",
                                     draw)  # fmt: skip

    async def redraw_due(self, bot: Bot, limit: int = 50) -> int:
        return await redraw_behind(
            self.core.session_factory, TaskRow, lambda task_id: self.redraw(bot, task_id), limit
        )

    async def _person(self, session: AsyncSession, user_id: int | None) -> User | None:
        if user_id is None:
            return None
        user = await session.get(User, user_id)
        if user is None or user.telegram_id is None or user.erased_at is not None:
            return None
        return user

    async def offers(
        self, session: AsyncSession, task: TaskView, now: datetime, audience: Sequence[Any]
    ) -> int:
        """The offer to each of `audience`, after their quiet hours."""
        messages, tz = [], self.settings.tz
        for user_id, telegram_id, language, start, end in audience:
            with self.core.i18n.context(), self._locale(str(language)):
                buttons = (
                    (
                        Button(
                            _("🙋 Take a place"), callback_data=TaskCb(a="take", t=task.id).pack()
                        ),
                    ),
                    (
                        Button(
                            _("🔕 No more task notices"),
                            callback_data=TaskCb(a="unsub", t=task.id).pack(),
                        ),
                    ),
                )
                text = offer_text(task, tz)
            messages.append(
                OutMessage(
                    chat_id=int(telegram_id),
                    user_id=int(user_id),
                    kind=MessageKind.TASK_OFFER,
                    dedupe_key=f"task-offer:{task.id}:u{user_id}",
                    text=text,
                    buttons=buttons,
                    ref=str(task.id),
                    not_before=after_quiet_hours(now, quiet_hours(start, end), tz),
                )
            )
        return await Outbox(session, self.core.doorbell).put(messages, now) if messages else 0

    async def offer_all(self, session: AsyncSession, task: TaskView, now: datetime) -> int:
        """The offer to everyone who asked to hear of such tasks, in chunks."""
        repo, after, queued = TaskRepository(session), 0, 0
        row = await repo.get(task.id)
        assert row is not None
        while rows := list(await repo.audience(row, after, AUDIENCE_CHUNK)):
            queued += await self.offers(session, task, now, rows)
            after = int(rows[-1][0])
        return queued

    async def remind(self, session: AsyncSession, reminder: Reminder, now: datetime) -> int:
        person = await self._person(session, reminder.user_id)
        if person is None:
            return 0
        task, tz = reminder.task, self.settings.tz
        with self.core.i18n.context(), self._locale(person.language):
            head = (
                _("⏰ Your volunteer task starts soon: <b>{title}</b>")
                if reminder.soon
                else _("⏰ Tomorrow: your volunteer task <b>{title}</b>")
            )
            text = "\n".join([head.format(title=q(task.title)), *task_lines(task, tz)])
            buttons = (
                (Button(_("📋 Open the task"), callback_data=TaskCb(a="show", t=task.id).pack()),),
            )
        assert person.telegram_id is not None
        return await Outbox(session, self.core.doorbell).put(
            OutMessage(
                chat_id=person.telegram_id,
                user_id=person.id,
                kind=MessageKind.TASK,
                dedupe_key=reminder.dedupe_key,
                text=text,
                buttons=buttons,
                ref=str(task.id),
            ),
            now,
        )

    def _news(self, change: Change) -> str | None:
        task, taker = change.task, change.taker
        title = q(task.title)
        if change.action is Action.CONFIRMED:
            text = _("✅ The organiser confirmed your work on <b>{title}</b>. Thank you!").format(
                title=title
            )
            if change.paid:
                text += "\n" + _("⭐ +{points} points. See ⭐ My points.").format(
                    points=change.paid
                )
            return text
        if change.action is Action.DISPUTED and taker is not None:
            reason = reason_label(taker.dispute_reason) if taker.dispute_reason else ""
            text = _("⚠️ The organiser disputed your report on <b>{title}</b>: {reason}.").format(
                title=title, reason=reason
            )
            if taker.dispute_note:
                text += "\n" + q(taker.dispute_note)
            return text + "\n" + _("No points for now. Please talk to the organiser.")
        if change.action is Action.CANCELLED:
            return _(
                "✖ The volunteer task <b>{title}</b> ({window}) is cancelled. Thank you "
                "for signing up."
            ).format(title=title, window=window(task, self.settings.tz))
        return None

    async def after(
        self, session: AsyncSession, change: Change, now: datetime, bot: Bot | None
    ) -> None:
        """Queue what the change tells people in this transaction; redraw after the commit."""
        if change.action is Action.PUBLISHED:
            if not change.new:
                return
            await self.post_card(session, change.task, now, bot)
            await self.offer_all(session, change.task, now)
            return
        told: tuple[int | None, ...] = change.told
        if change.action in (Action.CONFIRMED, Action.DISPUTED) and change.taker is not None:
            told = (change.taker.user_id,)
        messages = []
        for user_id in told:
            person = await self._person(session, user_id)
            if person is None or person.telegram_id is None:
                continue
            with self.core.i18n.context(), self._locale(person.language):
                text = self._news(change)
            if text is None:
                continue
            key = f"task-news:{change.task.id}:u{person.id}:{change.action.value}"
            if change.action is Action.CONFIRMED:
                key = f"task-news:{change.task.id}:u{person.id}:paid"
            messages.append(
                OutMessage(
                    chat_id=person.telegram_id,
                    user_id=person.id,
                    kind=MessageKind.TASK,
                    dedupe_key=key,
                    text=text,
                    ref=str(change.task.id),
                )
            )
        if messages:
            await Outbox(session, self.core.doorbell).put(messages, now)
        if bot is not None:
            task_id = change.task.id

            async def redraw() -> None:
                await self.redraw(bot, task_id)

            after_commit(session, redraw)
