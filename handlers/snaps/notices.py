"""What a snap report's changes tell people: the card in the admins' group (its 随手拍 topic,
edited in place as the report moves), and news to the reporter and every me-too follower in
their own language (发现 → 处置 → 反馈), the after photo included.

The card never names the reporter: the group sees the photo, the place, the category and
the words, nothing about who sent them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.after_commit import after_commit
from bot.db.complaints.repository import OfficeRepository
from bot.db.outbox.models import MessageKind
from bot.db.snaps.models import SnapRow
from bot.db.snaps.repository import SnapRepository
from bot.db.snaps.statuses import PhotoKind, RejectReason, SnapAction, SnapStatus
from bot.db.users.models import User
from bot.feature import Core
from bot.services.outbox.messages import OutMessage
from bot.services.outbox.service import Outbox
from bot.services.snaps.reports import Change, SnapView
from handlers.common.cards import redraw_behind, redraw_from_row
from handlers.common.texts import q
from handlers.common.topics import topic
from handlers.outbox.buttons import from_markup
from handlers.snaps.callbacks import SnapAskCb, SnapCardCb
from handlers.snaps.texts import category_label, reason_label, status_label
from knowledge.maps import map_links
from knowledge.snaps.photos import PhotoStore

log = logging.getLogger(__name__)
TEXT_CHARS = 300  # the card stays short on a phone (a caption holds 1024)


def card_key(report_id: int) -> str:
    return f"snap-card:{report_id}"


@dataclass(frozen=True, slots=True)
class Person:
    user_id: int
    telegram_id: int
    language: str


def _short(text: str, limit: int = TEXT_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def card_text(
    report: SnapView, office: str | None, followers: int, photos: int, tz: ZoneInfo
) -> str:
    lines = [
        _("📸 <b>Report {number}</b> · {category}").format(
            number=report.number, category=category_label(report.category)
        ),
        _("Status: <b>{status}</b>").format(status=status_label(report.status)),
    ]
    if report.lat is not None and report.lon is not None:
        link = map_links(report.lat, report.lon, report.number).amap
        lines.append(
            _('📍 {lat:.5f}, {lon:.5f} · <a href="{url}">map</a>').format(
                lat=report.lat, lon=report.lon, url=q(link)
            )
        )
    else:
        lines.append(_("📍 No location given"))
    if report.office_id is not None:
        lines.append(_("Office: {office}").format(office=q(office or report.office_id)))
    if report.status is SnapStatus.REJECTED and report.reject_reason is not None:
        lines.append(_("Not taken up: {reason}").format(reason=reason_label(report.reject_reason)))
    if report.points:
        lines.append(_("⭐ {points} points paid").format(points=report.points))
    if followers:
        lines.append(_("🙋 {count} more driver(s) saw it too").format(count=followers))
    if report.erased:
        lines.append(_("<i>The reporter erased their data.</i>"))
    elif report.text:
        lines.append("\n" + q(_short(report.text)))
    if report.voice_file_id and not report.erased:
        lines.append(_("🎙 With a voice note: 🎙 sends it to your private chat"))
    if photos > 1:
        lines.append(_("🖼 {count} photos").format(count=photos))
    if report.handled_note:
        lines.append(_("🛠 What was done: {note}").format(note=q(_short(report.handled_note, 200))))
    local = report.created_at.astimezone(tz)
    lines.append(_("Sent {day}").format(day=f"{local:%Y-%m-%d %H:%M}"))
    return "\n".join(lines)


def _b(kb: InlineKeyboardBuilder, text: str, action: str, report: SnapView, o: str = "") -> None:
    kb.button(text=text, callback_data=SnapCardCb(a=action, r=report.id, v=report.version, o=o))  # type: ignore[arg-type]


def card_kb(report: SnapView) -> InlineKeyboardMarkup | None:
    """The next steps for the report's status; at most two rows."""
    kb = InlineKeyboardBuilder()
    s = report.status
    if s is SnapStatus.NEW:
        _b(kb, _("✅ Verify"), "verify", report)
        _b(kb, _("✖ Reject"), "reject", report)
    elif s is SnapStatus.VERIFIED:
        _b(kb, _("➡️ Forward to an office"), "fwd", report)
        _b(kb, _("🛠 Mark handled"), "done", report)
        _b(kb, _("✖ Reject"), "reject", report)
    elif s is SnapStatus.FORWARDED:
        _b(kb, _("🛠 Mark handled"), "done", report)
        _b(kb, _("➡️ Another office"), "fwd", report)
    if report.voice_file_id and not report.erased:
        _b(kb, _("🎙 Voice"), "voice", report)
    if not list(kb.buttons):
        return None
    widths = {SnapStatus.NEW: [2], SnapStatus.VERIFIED: [2, 1], SnapStatus.FORWARDED: [2]}
    kb.adjust(*widths.get(s, []), 1)
    return kb.as_markup()


def reasons_kb(report: SnapView) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for reason in RejectReason:
        _b(kb, reason_label(reason), "why", report, o=reason.value)
    _b(kb, _("⬅️ Back"), "back", report)
    kb.adjust(1, 1, 1, 1)
    return kb.as_markup()


def offices_kb(report: SnapView, offices: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for office_id, name in offices[:8]:
        mark = "• " if office_id == report.office_id else ""
        _b(kb, mark + _short(name, 24), "office", report, o=office_id)
    _b(kb, _("⬅️ Back"), "back", report)
    count = min(len(offices), 8)
    kb.adjust(*([2] * (count // 2)), *([1] if count % 2 else []), 1)
    return kb.as_markup()


def ask_kb(report_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=_("✅ Fixed"), callback_data=SnapAskCb(a="fixed", r=report_id))
    kb.button(text=_("⚠️ Still a problem"), callback_data=SnapAskCb(a="still", r=report_id))
    kb.adjust(2)
    return kb.as_markup()


def news_text(change: Change, office: str | None, follower: bool) -> str | None:
    """What the reporter (or a follower) hears of a change; None: nothing to say."""
    report, action = change.report, change.event.action
    head = (
        _("📸 Report {number} you also saw ({category}):")
        if follower
        else _("📸 Your report {number} ({category}):")
    ).format(number=report.number, category=category_label(report.category))
    if action is SnapAction.VERIFIED:
        body = _("✅ An admin verified it (发现). Next it goes to the office that can fix it.")
        if not follower and change.earned is not None and change.earned.points:
            body += "\n" + _("⭐ +{points} points. See ⭐ My points.").format(
                points=change.earned.points
            )
            if change.earned.bonus:
                body += "\n" + _("(including {bonus} for your first verified report)").format(
                    bonus=change.earned.bonus
                )
        elif not follower and change.earned is not None and change.earned.capped:
            body += "\n" + _("Reports earned you the most points a month allows already.")
    elif action is SnapAction.FORWARDED:
        body = _("➡️ Forwarded to {office} to fix (处置).").format(
            office=q(office or _("an office"))
        )
    elif action is SnapAction.HANDLED:
        body = _("🛠 The office says it is fixed (反馈).")
        if report.handled_note:
            body += "\n" + q(report.handled_note)
        if not follower:
            body += "\n" + _("In four weeks we will ask you whether it stays fixed.")
    elif action is SnapAction.REJECTED:
        reason = reason_label(report.reject_reason) if report.reject_reason else ""
        body = _("✖ It was not taken up: {reason}.").format(reason=reason)
    elif action is SnapAction.STILL_THERE:
        body = _("⚠️ Reopened: the problem is still there. The admins are looking again.")
    elif action is SnapAction.CONFIRMED:
        body = _("🎉 Closed: it stays fixed. Thank you for keeping the roads safe!")
    else:
        return None
    return head + "\n" + body


class SnapNotifier:
    """Process-wide: renders in each reader's language, posts and redraws cards."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.settings = core.settings
        self.photos = PhotoStore(core.settings.snap_files_root, core.settings.snap_photo_pattern)

    async def thread(self, session: AsyncSession, bot: Bot | None) -> int | None:
        """The 随手拍 topic of the admins' group, when it is a forum (opened with `bot`)."""
        chat = self.settings.admin_chat_id
        if chat is None:
            return None
        with self.core.i18n.context(), self.core.i18n.use_locale(self.settings.default_language):
            name = _("📸 Snap reports")
        return await topic(session, bot, chat, "snaps", name)

    async def person(self, session: AsyncSession, user_id: int) -> Person | None:
        user = await session.get(User, user_id)
        if user is None or user.telegram_id is None or user.erased_at is not None:
            return None
        return Person(user.id, user.telegram_id, user.language)

    async def office_name(self, session: AsyncSession, office_id: str | None) -> str | None:
        if office_id is None:
            return None
        row = await OfficeRepository(session).office(office_id)
        return row.name if row is not None else office_id

    async def render_card(
        self, session: AsyncSession, report: SnapView
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        repo = SnapRepository(session)
        office = await self.office_name(session, report.office_id)
        followers = await repo.follower_count(report.id)
        photos = len(await repo.photos(report.id, PhotoKind.BEFORE))
        i18n = self.core.i18n
        with i18n.context(), i18n.use_locale(self.settings.default_language):
            text = card_text(report, office, followers, photos, self.settings.tz)
            return text, card_kb(report)

    async def post_card(self, session: AsyncSession, report: SnapView, now: datetime,
                        bot: Bot | None) -> None:  # fmt: skip
        chat = self.settings.admin_chat_id
        if chat is None:
            return
        repo = SnapRepository(session)
        photos = await repo.photos(report.id, PhotoKind.BEFORE)
        photo = None
        if photos:
            first = photos[0]
            photo = first.file_id or str(self._store_path(first.path))
        row = await repo.get(report.id)
        assert row is not None
        row.card_chat_id, row.card_photo = chat, photo is not None
        await session.flush()
        thread = await self.thread(session, bot)
        text, kb = await self.render_card(session, report)
        await Outbox(session, self.core.doorbell).put(
            OutMessage(chat_id=chat, kind=MessageKind.SNAP, dedupe_key=card_key(report.id),
                       text=text, buttons=from_markup(kb), photo=photo, ref=str(report.id),
                       thread_id=thread),
            now,
        )  # fmt: skip

    def _store_path(self, relative: str) -> str:
        return str(self.photos.path(relative))

    async def redraw(self, bot: Bot, report_id: int) -> bool:
        """Show the report's latest version on its card; False: the job tries again."""

        async def draw(
            session: AsyncSession, row: SnapRow
        ) -> tuple[str, InlineKeyboardMarkup | None, bool]:
            text, kb = await self.render_card(session, SnapView.of(row))
            return text, kb, row.card_photo

        return await redraw_from_row(self.core.session_factory, bot, SnapRow, report_id,
                                     card_key(report_id), f"card of report {report_id}",
                                     draw)  # fmt: skip

    async def redraw_due(self, bot: Bot, limit: int = 50) -> int:
        return await redraw_behind(
            self.core.session_factory, SnapRow, lambda rid: self.redraw(bot, rid), limit
        )

    async def after(self, session: AsyncSession, change: Change, now: datetime,
                    bot: Bot | None) -> None:  # fmt: skip
        """Queue what the change tells people in this transaction; redraw after the commit."""
        report, event = change.report, change.event
        if event.action is SnapAction.FILED:
            await self.post_card(session, report, now, bot)
            return
        office = await self.office_name(session, report.office_id)
        after_photo = None
        if event.action is SnapAction.HANDLED:
            after = await SnapRepository(session).photos(report.id, PhotoKind.AFTER)
            if after:
                after_photo = after[-1].file_id or self._store_path(after[-1].path)
        messages = []
        readers = [(report.user_id, False)] + [(f, True) for f in change.followers]
        i18n = self.core.i18n
        for user_id, follower in readers:
            if user_id == event.actor_id:
                continue
            person = await self.person(session, user_id)
            if person is None:
                continue
            with i18n.context(), i18n.use_locale(person.language):
                text = news_text(change, office, follower)
            if text is None:
                continue
            messages.append(
                OutMessage(chat_id=person.telegram_id, user_id=person.user_id,
                           kind=MessageKind.SNAP, dedupe_key=f"snap:{event.id}:u{user_id}",
                           text=text, photo=after_photo)
            )  # fmt: skip
        if messages:
            await Outbox(session, self.core.doorbell).put(messages, now)
        if bot is not None:

            async def redraw() -> None:
                await self.redraw(bot, report.id)

            after_commit(session, redraw)

    async def ask(self, session: AsyncSession, change: Change, now: datetime) -> None:
        """The 28-day question to the reporter."""
        report = change.report
        person = await self.person(session, report.user_id)
        if person is None:
            return
        i18n = self.core.i18n
        with i18n.context(), i18n.use_locale(person.language):
            text = _(
                "📸 Four weeks ago the office fixed what you reported in {number} ({category}). "
                "Is it still a problem?"
            ).format(number=report.number, category=category_label(report.category))
            kb = ask_kb(report.id)
        await Outbox(session, self.core.doorbell).put(
            OutMessage(chat_id=person.telegram_id, user_id=person.user_id, kind=MessageKind.SNAP,
                       dedupe_key=f"snap-ask:{change.event.id}", text=text,
                       buttons=from_markup(kb)),
            now,
        )  # fmt: skip
