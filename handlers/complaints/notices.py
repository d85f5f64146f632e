"""What a change of a case tells whom, the Telegram side: the driver (in their language), the
handlers who work it, the admins' group (its card, redrawn in place). Everything is queued in
the outbox in the change's own transaction: a change that rolls back tells nobody, one that
commits tells everyone once (each message has a key of its event)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.after_commit import after_commit
from bot.db.complaints.models import CaseRow
from bot.db.complaints.repository import CaseRepository, OfficeRepository
from bot.db.complaints.statuses import CaseAction
from bot.db.outbox.models import MessageKind
from bot.db.users.models import Role, User
from bot.feature import Core
from bot.services.complaints.alerts import Alert, AlertKind, close_unrated, due_alerts
from bot.services.complaints.cases import CaseService
from bot.services.complaints.views import CaseView, Change
from bot.services.outbox.messages import OutMessage
from bot.services.outbox.service import Outbox
from handlers.common.cards import redraw_behind, redraw_from_row
from handlers.common.texts import q
from handlers.common.topics import topic
from handlers.complaints.callbacks import ExtCb, MineCb
from handlers.complaints.card import CardContext, card_kb, card_text
from handlers.complaints.texts import deadline_line, due_text
from handlers.outbox.buttons import from_markup

log = logging.getLogger(__name__)


def card_key(case_id: int) -> str:
    return f"case-card:{case_id}"


@dataclass(frozen=True, slots=True)
class Person:
    user_id: int
    telegram_id: int
    language: str
    name: str


def rating_row(case_id: int) -> list[tuple[str, MineCb]]:
    """The follow-up's 1-5 stars, one row (shown on the news and in /mycases)."""
    return [("★" * r if r < 3 else f"{r}★", MineCb(a="rate", c=case_id, r=r)) for r in range(1, 6)]


def rating_kb(case_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for text, data in rating_row(case_id):
        kb.button(text=text, callback_data=data)
    kb.adjust(5)
    return kb.as_markup()


def answer_kb(case_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=_("✍️ Answer"), callback_data=MineCb(a="answer", c=case_id))
    return kb.as_markup()


def open_kb(case_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=_("📋 Open the case"), callback_data=MineCb(a="open", c=case_id))
    return kb.as_markup()


def driver_news(
    change: Change, office: str | None, tz: ZoneInfo
) -> tuple[str, InlineKeyboardMarkup | None] | None:
    """The driver's message about a change, in the current locale; None: nothing to say."""
    case, event = change.case, change.event
    n = case.number
    a = event.action
    where = q(office or _("the handling office"))
    if a is CaseAction.ACCEPTED:
        text = _(
            "✅ Your case {number} was accepted by {office}. It will be resolved by {day} "
            "at the latest."
        ).format(number=n, office=where, day=due_text(case.resolve_due, tz))
        return text, open_kb(case.id)
    if a in (CaseAction.ASSIGNED, CaseAction.REASSIGNED):
        return _("➡️ Your case {number} was passed to {office}, who will handle it.").format(
            number=n, office=where), open_kb(case.id)  # fmt: skip
    if a is CaseAction.STARTED:
        return _("🔧 {office} started handling your case {number}.").format(
            number=n, office=where), open_kb(case.id)  # fmt: skip
    if a is CaseAction.NOTE:
        return _("🗒 News on your case {number}:\n{note}").format(
            number=n, note=q(event.note or "")), open_kb(case.id)  # fmt: skip
    if a is CaseAction.ASKED:
        return _("❓ About your case {number}, the office asks:\n{question}\n\n"
                 "Tap “Answer” and send text, photos or files.").format(
            number=n, question=q(event.note or "")), answer_kb(case.id)  # fmt: skip
    if a is CaseAction.RESOLVED:
        head = _("✅ Your case {number} is resolved.").format(number=n)
        if case.no_fault:
            head += "\n" + _("(No-fault statement: the office found no fault to correct.)")
        return (head + "\n" + q(case.resolution or "") + "\n\n"
                + _("How did we do? Rate it from 1 to 5 stars.")), rating_kb(case.id)  # fmt: skip
    if a is CaseAction.CLOSED:
        return _("🗄 Your case {number} was closed. You can still add information by "
                 "filing a new case.").format(number=n), None  # fmt: skip
    if a is CaseAction.EXTENSION_APPROVED:
        return _(
            "⏳ The office needs more time for your case {number}: it will be resolved by {day}."
        ).format(number=n, day=due_text(case.resolve_due, tz)), open_kb(case.id)
    return None


class CaseNotifier:
    """Process-wide: renders in each recipient's language and redraws cards."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.settings = core.settings

    def for_session(self, session: AsyncSession, cases: CaseService) -> Notices:
        return Notices(self, session, cases)

    # --- the card ------------------------------------------------------------------------------
    async def card_context(
        self, session: AsyncSession, case: CaseView, now: datetime
    ) -> CardContext:
        names = {}
        ids = [i for i in (case.owner_id, case.assignee_id) if i is not None]
        if ids:
            rows = await session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
            names = {uid: name or _("a handler") for uid, name in rows}
        office = None
        if case.office_id is not None:
            row = await OfficeRepository(session).office(case.office_id)
            office = row.name if row is not None else case.office_id
        files = await CaseRepository(session).evidence_count(case.id)
        return CardContext(
            office, names.get(case.owner_id or 0), names.get(case.assignee_id or 0), files, now
        )

    async def render_card(
        self, session: AsyncSession, case: CaseView, now: datetime
    ) -> tuple[str, InlineKeyboardMarkup]:
        i18n = self.core.i18n
        # The context too: a handler without a name is "a handler", in the group's language
        # (a redraw after the commit runs outside the update's locale).
        with i18n.context(), i18n.use_locale(self.settings.default_language):
            ctx = await self.card_context(session, case, now)
            return card_text(case, ctx, self.settings.tz), card_kb(case)

    async def redraw(self, bot: Bot, case_id: int) -> bool:
        """Show the case's latest version on its card; False when it could not (yet): the
        card job tries again."""

        async def draw(
            session: AsyncSession, row: CaseRow
        ) -> tuple[str, InlineKeyboardMarkup | None, bool]:
            text, kb = await self.render_card(session, CaseView.of(row), self.core.clock())
            return text, kb, False

        return await redraw_from_row(self.core.session_factory, bot, CaseRow, case_id,
                                     card_key(case_id), f"card of case {case_id}",
                                     draw)  # fmt: skip

    async def redraw_due(self, bot: Bot, limit: int = 50) -> int:
        """The card job: every card behind its case."""
        return await redraw_behind(
            self.core.session_factory, CaseRow, lambda case_id: self.redraw(bot, case_id), limit
        )

    async def thread(self, session: AsyncSession, bot: Bot | None) -> int | None:
        """The 诉求 topic of the admins' group, when it is a forum (opened with `bot`)."""
        chat = self.settings.admin_chat_id
        if chat is None:
            return None
        with self.core.i18n.context(), self.core.i18n.use_locale(self.settings.default_language):
            name = _("📝 Complaints")
        return await topic(session, bot, chat, "complaints", name)

    # --- reports (handlers/complaints/reports.py) ------------------------------------------------
    async def queue_morning(self, now: datetime) -> int:
        from handlers.complaints.reports import queue_morning

        return await queue_morning(self.core, now)

    async def queue_weekly(self, now: datetime) -> int:
        from handlers.complaints.reports import queue_weekly

        return await queue_weekly(self.core, now)

    async def queue_month_report(self, now: datetime) -> int:
        from handlers.complaints.reports import queue_month_report

        return await queue_month_report(self.core, now)

    # --- deadlines ------------------------------------------------------------------------------
    async def queue_alerts(self, now: datetime) -> int:
        """The alert job: each due alert claimed and its messages queued, in one transaction;
        resolved cases nobody rated are filed away."""
        tz = self.settings.tz
        async with self.core.session_factory() as session:
            alerts = await due_alerts(session, now, tz)
            outbox = Outbox(session)
            messages: list[OutMessage] = []
            for alert in alerts:
                messages += await self._alert_messages(session, alert)
            closed = await close_unrated(session, now, tz)
            queued = await outbox.put(messages, now) if messages else 0
            cases = CaseService(session, tz)
            for change in closed:
                await Notices(self, session, cases).after(change, now)
            await session.commit()
        return queued + len(closed)

    async def _alert_messages(self, session: AsyncSession, alert: Alert) -> list[OutMessage]:
        case = alert.case
        stamp = f"{case.id}:{alert.kind}:{alert.deadline}:{alert.due:%Y%m%d%H%M}"
        people: dict[int, Person] = {}
        workers = [case.assignee_id, case.owner_id]
        if alert.kind is not AlertKind.REMIND or case.owner_id is None:
            for handler in await self.office_handlers(session, case.office_id):
                people[handler.user_id] = handler
        for user_id in workers:
            person = await self.person(session, user_id)
            if person is not None:
                people[person.user_id] = person
        if alert.kind is AlertKind.ESCALATE:
            for admin in await self.admins(session):
                people[admin.user_id] = admin
        i18n, tz = self.core.i18n, self.settings.tz

        def text() -> str:
            when = deadline_line(alert.deadline, alert.due, tz)
            if alert.kind is AlertKind.REMIND:
                return _("⏰ Case {number}: {when}, that is today.").format(
                    number=case.number, when=when)  # fmt: skip
            if alert.kind is AlertKind.OVERDUE:
                return _("⚠️ Case {number} is overdue: {when}.").format(
                    number=case.number, when=when)  # fmt: skip
            return _("🚨 Case {number} is long overdue ({when}): escalated to the admins.").format(
                number=case.number, when=when)  # fmt: skip

        messages = []
        for person in people.values():
            with i18n.context(), i18n.use_locale(person.language):
                body, kb = text(), case_buttons(case)
            messages.append(OutMessage(
                chat_id=person.telegram_id, user_id=person.user_id, kind=MessageKind.CASE,
                dedupe_key=f"case-alert:{stamp}:u{person.user_id}", text=body,
                buttons=from_markup(kb)))  # fmt: skip
        if alert.kind is not AlertKind.REMIND and self.settings.admin_chat_id is not None:
            with i18n.context(), i18n.use_locale(self.settings.default_language):
                body = text()
            messages.append(OutMessage(
                chat_id=self.settings.admin_chat_id, kind=MessageKind.CASE,
                dedupe_key=f"case-alert:{stamp}:group", text=body,
                thread_id=await self.thread(session, None)))  # fmt: skip
        return messages

    # --- people ---------------------------------------------------------------------------------
    async def person(self, session: AsyncSession, user_id: int | None) -> Person | None:
        if user_id is None:
            return None
        user = await session.get(User, user_id)
        if user is None or user.telegram_id is None or user.erased_at is not None:
            return None
        return Person(user.id, user.telegram_id, user.language, user.display_name or "")

    async def admins(self, session: AsyncSession) -> list[Person]:
        rows = await session.scalars(
            select(User).where(
                User.role == Role.ADMIN, User.telegram_id.is_not(None), User.erased_at.is_(None)
            )
        )
        return [Person(u.id, u.telegram_id, u.language, u.display_name or "")
                for u in rows if u.telegram_id is not None]  # fmt: skip

    async def office_handlers(self, session: AsyncSession, office_id: str | None) -> list[Person]:
        if office_id is None:
            return []
        return [
            Person(u.id, u.telegram_id, u.language, u.display_name or "")
            for _h, u in await OfficeRepository(session).handlers(office_id)
            if u.telegram_id is not None
        ]


class Notices:
    """The notifier bound to one transaction."""

    def __init__(self, notifier: CaseNotifier, session: AsyncSession, cases: CaseService) -> None:
        self.notifier, self.session, self.cases = notifier, session, cases
        self.outbox = Outbox(session, notifier.core.doorbell)

    def _in(self, person: Person, key: str, build: object) -> OutMessage | None:
        i18n = self.notifier.core.i18n
        with i18n.context(), i18n.use_locale(person.language):
            built = build()  # type: ignore[operator]
        if built is None:
            return None
        text, kb = built
        return OutMessage(
            chat_id=person.telegram_id, user_id=person.user_id, kind=MessageKind.CASE,
            dedupe_key=key, text=text, buttons=from_markup(kb), ref=None,
        )  # fmt: skip

    async def after(self, change: Change, now: datetime, bot: Bot | None = None) -> None:
        """Queue what the change tells people, and redraw the card after the commit."""
        case, event = change.case, change.event
        settings = self.notifier.settings
        messages: list[OutMessage] = []
        if event.action is CaseAction.FILED and settings.admin_chat_id is not None:
            await self._post_card(case, now, bot)
        office_name = None
        if case.office_id is not None:
            office = await OfficeRepository(self.session).office(case.office_id)
            office_name = office.name if office is not None else None
        driver = await self.notifier.person(self.session, case.user_id)
        if driver is not None and event.actor_id != case.user_id:
            message = self._in(driver, f"case:{case.id}:e{event.id}",
                               lambda: driver_news(change, office_name, settings.tz))  # fmt: skip
            if message is not None:
                messages.append(message)
        messages += await self._to_handlers(change)
        if messages:
            await self.outbox.put(messages, now)
        if bot is not None and event.action is not CaseAction.FILED:

            async def redraw() -> None:
                await self.notifier.redraw(bot, case.id)

            after_commit(self.session, redraw)

    async def extension_asked(
        self, change: Change, ext_id: int, days: int, reason: str, now: datetime
    ) -> None:
        """The request for more time goes to the admins' group (else each admin), with the
        buttons to decide it."""
        settings = self.notifier.settings
        case = change.case
        i18n = self.notifier.core.i18n

        def build() -> tuple[str, InlineKeyboardMarkup]:
            kb = InlineKeyboardBuilder()
            kb.button(text=_("✅ Approve"), callback_data=ExtCb(a="yes", e=ext_id))
            kb.button(text=_("✖ Refuse"), callback_data=ExtCb(a="no", e=ext_id))
            due = due_text(case.resolve_due, settings.tz)
            text = _(
                "⏳ <b>More time for case {number}?</b>\n+{days} working day(s): {reason}\n"
                "Now due: {day}"
            ).format(number=case.number, days=days, reason=q(reason), day=due)
            return text, kb.as_markup()

        if settings.admin_chat_id is not None:
            with i18n.context(), i18n.use_locale(settings.default_language):
                text, kb = build()
            thread = await self.notifier.thread(self.session, None)
            await self.outbox.put(
                OutMessage(chat_id=settings.admin_chat_id, kind=MessageKind.CASE,
                           dedupe_key=f"case-ext:{ext_id}", text=text, buttons=from_markup(kb),
                           thread_id=thread),
                now,
            )  # fmt: skip
            return
        for admin in await self.notifier.admins(self.session):
            message = self._in(admin, f"case-ext:{ext_id}:a{admin.user_id}", build)
            if message is not None:
                await self.outbox.put(message, now)

    async def _post_card(self, case: CaseView, now: datetime, bot: Bot | None) -> None:
        settings = self.notifier.settings
        assert settings.admin_chat_id is not None
        thread = await self.notifier.thread(self.session, bot)
        row = await CaseRepository(self.session).get(case.id)
        assert row is not None
        row.card_chat_id = settings.admin_chat_id
        await self.session.flush()
        text, kb = await self.notifier.render_card(self.session, case, now)
        await self.outbox.put(
            OutMessage(chat_id=settings.admin_chat_id, kind=MessageKind.CASE,
                       dedupe_key=card_key(case.id), text=text, buttons=from_markup(kb),
                       ref=str(case.id), thread_id=thread),
            now,
        )  # fmt: skip

    async def _to_handlers(self, change: Change) -> list[OutMessage]:
        """The owner and the one working the case hear what the driver did; a handler
        given a case hears it is theirs."""
        case, event = change.case, change.event
        a = event.action
        to: set[int] = set()
        if a in (CaseAction.ANSWERED, CaseAction.ADDED, CaseAction.REOPENED, CaseAction.WITHDRAWN,
                 CaseAction.RATED):  # fmt: skip
            to = {i for i in (case.owner_id, case.assignee_id) if i is not None}
        elif a in (CaseAction.ASSIGNED, CaseAction.REASSIGNED) and case.assignee_id is not None:
            to = {case.assignee_id}
        elif a in (CaseAction.EXTENSION_APPROVED, CaseAction.EXTENSION_REFUSED):
            to = {i for i in (case.owner_id, case.assignee_id) if i is not None}
        to.discard(event.actor_id or 0)
        messages = []
        for user_id in sorted(to):
            person = await self.notifier.person(self.session, user_id)
            if person is None:
                continue
            message = self._in(person, f"case:{case.id}:e{event.id}:h{user_id}",
                               lambda c=change: handler_news(c))  # fmt: skip
            if message is not None:
                messages.append(message)
        return messages


def case_buttons(case: CaseView) -> InlineKeyboardMarkup:
    """A handler's private copy of the card's buttons."""
    return card_kb(case)


def handler_news(change: Change) -> tuple[str, InlineKeyboardMarkup | None]:
    case, event = change.case, change.event
    n, a = case.number, change.event.action
    note = q(event.note or "")
    if a is CaseAction.ANSWERED:
        text = _("💬 The driver answered on case {number}:\n{note}").format(number=n, note=note)
    elif a is CaseAction.ADDED:
        text = _("➕ The driver added to case {number}:\n{note}").format(number=n, note=note)
    elif a is CaseAction.REOPENED:
        text = _("↩️ Case {number} is reopened: the driver says it is not solved (rating {r}). "
                 "It is yours again.").format(number=n, r=event.note)  # fmt: skip
    elif a is CaseAction.RATED:
        text = _("⭐ Case {number} is closed: the driver rated it {r}.").format(
            n=n, number=n, r=event.note
        )
    elif a is CaseAction.WITHDRAWN:
        text = _("↩️ The driver withdrew case {number}.").format(number=n)
    elif a is CaseAction.EXTENSION_APPROVED:
        text = _("⏳ More time for case {number} approved: resolve it by the new date.").format(
            number=n
        )
    elif a is CaseAction.EXTENSION_REFUSED:
        text = _("⏳ More time for case {number} was refused: the deadline stays.").format(number=n)
    else:
        text = _("📥 Case {number} is now yours to handle.").format(number=n)
    return text, case_buttons(case)
