"""Sending a snap report (📸 menu button and /snap), on one message edited in place:
photo(s) → place (the photo's own GPS offered first) → category → is it one of these nearby?
→ a line of text or a voice note (optional) → send.

Photos are checked and stripped the moment they arrive and wait in a staging folder until the
report is sent; the same photo twice is caught by its perceptual hash. A report without a
photo (or without a place) is allowed: a driver cannot always take one.
"""

from __future__ import annotations

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

from bot.db.after_commit import after_commit
from bot.db.snaps.statuses import LocationSource, PhotoKind
from bot.db.types import Clock
from bot.services.snaps.reports import MAX_PHOTOS, Draft, StoredPhoto
from bot.services.users.profiles import UserProfile
from handlers.common.editing import edit_in_place
from handlers.common.filters import N_, ContentIs, IsCommand
from handlers.common.forms import FormIsOpen, KeyedForm, OpenForm, form_closed
from handlers.common.menu import main_menu_kb
from handlers.common.texts import q
from handlers.snaps.callbacks import SnapCb
from handlers.snaps.kit import SnapServices
from handlers.snaps.photos_in import Received, read_photo
from handlers.snaps.texts import category_label, status_label
from knowledge.snaps.categories import SnapCategory
from knowledge.snaps.nearby import DUPLICATE_RADIUS_M, Recent
from knowledge.snaps.photos import SAME_PHOTO_DISTANCE, Photo, hash_distance
from knowledge.text_rules import clean_line

FORM_CLOSED = N_("This report is closed. Tap 📸 Snap report to start again.")
TEXT_LIMIT = 500


class SnapSteps(StatesGroup):
    photos = State()
    place = State()
    category = State()
    nearby = State()
    details = State()


@dataclass(frozen=True, slots=True)
class SnapForm(KeyedForm):
    open_in = tuple(SnapSteps.__all_states__)

    @property
    def photos(self) -> list[list[Any]]:
        """[staging path, file id, hash, width, height] per photo."""
        return list(self.values.get("photos", []))

    @property
    def slot(self) -> int:
        """A number for this form's staged files, so two forms never share a file name."""
        return int(self.key[:6], 16)

    def draft(self) -> Draft:
        v = self.values
        return Draft(
            SnapCategory(v["cat"]), v.get("lat"), v.get("lon"),
            LocationSource(v["src"]) if v.get("src") else None, v.get("text", ""),
            v.get("voice"),
        )  # fmt: skip


def _cb(kb: InlineKeyboardBuilder, text: str, action: str, value: str = "") -> None:
    kb.button(text=text, callback_data=SnapCb(a=action, v=value))  # type: ignore[arg-type]


# --- screens ----------------------------------------------------------------------------------
def photos_screen(want: str = "") -> tuple[str, InlineKeyboardMarkup]:
    """`want`: the category free text named ("路上有个大坑"), asked for no more later."""
    kb = InlineKeyboardBuilder()
    _cb(kb, _("📝 No photo"), "nophoto")
    _cb(kb, _("✖ Cancel"), "x")
    kb.adjust(2)
    text = _(
        "📸 <b>Snap report</b>\nSend a photo of the problem: up to 3, as photos, an album or "
        "files (HEIC too). Only send one while parked.\n\n"
        "No way to take a photo? Tap “No photo” and tell us in words."
    )
    if want:
        head, _sep, rest = text.partition("\n")
        text = f"{head} · {category_label(SnapCategory(want))}\n{rest}"
    return text, kb.as_markup()


def _photos_line(form: SnapForm) -> str:
    count = len(form.photos)
    if not count:
        return _("No photo")
    return _("🖼 Photos: {count} of {most}").format(count=count, most=MAX_PHOTOS)


def place_screen(form: SnapForm) -> tuple[str, InlineKeyboardMarkup]:
    kb = InlineKeyboardBuilder()
    lines = [_("📸 <b>Snap report</b> · {photos}").format(photos=_photos_line(form))]
    gps = form.values.get("gps")
    if gps:
        lines.append(_("📍 The photo says it was taken at {lat:.5f}, {lon:.5f}.").format(
            lat=gps[0], lon=gps[1]))  # fmt: skip
        _cb(kb, _("📍 Use the photo's place"), "gps")
    lines.append(_("Where is it? Tap “📍 Send my location” below, or 📎 → Location to pick "
                   "another spot."))  # fmt: skip
    _cb(kb, _("⏭ No location"), "noloc")
    _cb(kb, _("✖ Cancel"), "x")
    kb.adjust(*([1] if gps else []), 2)
    return "\n".join(lines), kb.as_markup()


def category_screen(form: SnapForm) -> tuple[str, InlineKeyboardMarkup]:
    kb = InlineKeyboardBuilder()
    for category in SnapCategory:
        _cb(kb, category_label(category), "cat", category.value)
    _cb(kb, _("✖ Cancel"), "x")
    kb.adjust(2, 2, 2, 2, 1)
    return _("📸 <b>Snap report</b> · {place}\nWhat is it?").format(
        place=_place_line(form)), kb.as_markup()  # fmt: skip


def _place_line(form: SnapForm) -> str:
    v = form.values
    if v.get("lat") is None:
        return _("no location")
    return f"📍 {v['lat']:.5f}, {v['lon']:.5f}"


def nearby_screen(
    form: SnapForm, found: list[tuple[int, str, float, str]]
) -> tuple[str, InlineKeyboardMarkup]:
    """found: (report id, number, metres away, status words)."""
    kb = InlineKeyboardBuilder()
    lines = [_("📸 Drivers already reported {category} close by:").format(
        category=category_label(SnapCategory(form.values["cat"])))]  # fmt: skip
    for _id, number, metres, status in found:
        lines.append(_("· {number}: {metres} m away, {status}").format(
            number=number, metres=round(metres), status=status))  # fmt: skip
        _cb(kb, _("🙋 Me too: {number}").format(number=number), "metoo", str(_id))
    lines.append(_("Is it one of these? “Me too” adds you to it: you hear what is done."))
    _cb(kb, _("➕ No, it is another one"), "new")
    kb.adjust(*([1] * len(found)), 1)
    return "\n".join(lines), kb.as_markup()


def details_screen(form: SnapForm) -> tuple[str, InlineKeyboardMarkup]:
    v = form.values
    lines = [
        _("📸 <b>Your report</b> · {category}").format(
            category=category_label(SnapCategory(v["cat"]))),
        _place_line(form) + " · " + _photos_line(form),
    ]  # fmt: skip
    if v.get("text"):
        lines.append(q(v["text"]))
    if v.get("voice"):
        lines.append(_("🎙 Voice note attached"))
    if not (v.get("text") or v.get("voice")):
        lines.append(_("Add a line of text or a voice note if you like (what, which lane, how "
                       "big), then send."))  # fmt: skip
    kb = InlineKeyboardBuilder()
    _cb(kb, _("✅ Send report"), "ok")
    _cb(kb, _("⬅️ Back"), "back")
    _cb(kb, _("✖ Cancel"), "x")
    kb.adjust(1, 2)
    return "\n".join(lines), kb.as_markup()


async def _show(message: Message, state: FSMContext, form: SnapForm, step: State,
                screen: tuple[str, InlineKeyboardMarkup]) -> None:  # fmt: skip
    shown = await edit_in_place(message, *screen)
    await form.at(shown.message_id).save(state, step)


async def _redraw(bot: Bot, chat_id: int, state: FSMContext, form: SnapForm, step: State,
                  screen: tuple[str, InlineKeyboardMarkup]) -> None:  # fmt: skip
    """After a message (a photo, a place, a text): the form's message shows it."""
    text, kb = screen
    await bot.edit_message_text(text, chat_id=chat_id, message_id=form.mid, reply_markup=kb)
    await form.save(state, step)


def _location_kb() -> ReplyKeyboardMarkup:
    share = KeyboardButton(text=_("📍 Send my location"), request_location=True)
    return ReplyKeyboardMarkup(keyboard=[[share]], resize_keyboard=True, one_time_keyboard=True)


async def _to_place(bot: Bot, chat_id: int, state: FSMContext, form: SnapForm) -> None:
    await _redraw(bot, chat_id, state, form, SnapSteps.place, place_screen(form))
    if not form.values.get("asked_place"):
        await bot.send_message(chat_id, _("Tap the button below to send where you are."),
                               reply_markup=_location_kb())  # fmt: skip
        await form.with_(asked_place=True).save(state, None)


# --- entry ------------------------------------------------------------------------------------
async def start_report(message: Message, state: FSMContext, preset: str | None = None) -> None:
    """The menu button and /snap; `preset` is a category free text named, which then needs
    no choosing (⬅️ Back on the last screen still offers all of them)."""
    await state.clear()
    want = preset if preset in {c.value for c in SnapCategory} else ""
    text, kb = photos_screen(want)
    sent = await message.answer(text, reply_markup=kb)
    form = SnapForm(mid=sent.message_id)
    await (form.with_(want=want) if want else form).save(state, SnapSteps.photos)


async def cancel(query: CallbackQuery, state: FSMContext, form: SnapForm,
                 snaps: SnapServices) -> None:  # fmt: skip
    assert isinstance(query.message, Message)
    await state.clear()
    _drop_staged(snaps, form)
    await query.answer()
    await edit_in_place(query.message, _("The report was not sent. Nothing was kept."))
    if form.values.get("asked_place") and form.values.get("lat") is None:
        await query.message.answer(_("Back to the menu."), reply_markup=main_menu_kb())


def _drop_staged(snaps: SnapServices, form: SnapForm) -> None:
    for path, *_rest in form.photos:
        snaps.staging.path(path).unlink(missing_ok=True)


async def no_photo(query: CallbackQuery, state: FSMContext, form: SnapForm, bot: Bot) -> None:
    assert isinstance(query.message, Message)
    await query.answer()
    await _to_place(bot, query.message.chat.id, state, form)


async def use_gps(query: CallbackQuery, state: FSMContext, form: SnapForm, bot: Bot,
                  snaps: SnapServices, clock: Clock) -> None:  # fmt: skip
    assert isinstance(query.message, Message)
    gps = form.values.get("gps")
    if not gps:
        await query.answer(_("That choice is no longer available."), show_alert=True)
        return
    await query.answer()
    await _place_set(
        query.message,
        bot,
        state,
        form.with_(lat=gps[0], lon=gps[1], src=LocationSource.PHOTO.value),
        snaps,
        clock,
    )


async def no_location(query: CallbackQuery, state: FSMContext, form: SnapForm, bot: Bot,
                      snaps: SnapServices, clock: Clock) -> None:  # fmt: skip
    assert isinstance(query.message, Message)
    await query.answer()
    await _place_set(query.message, bot, state, form.with_(lat=None, lon=None, src=None), snaps,
                     clock)  # fmt: skip


async def _place_set(message: Message, bot: Bot, state: FSMContext, form: SnapForm,
                     snaps: SnapServices, clock: Clock) -> None:  # fmt: skip
    chat_id = message.chat.id
    if form.values.get("want") and not form.values.get("cat"):
        form, step, screen = await _category_set(form.with_(cat=form.values["want"]), snaps,
                                                 clock())  # fmt: skip
        await _redraw(bot, chat_id, state, form, step, screen)
    else:
        await _redraw(bot, chat_id, state, form, SnapSteps.category, category_screen(form))
    if form.values.get("asked_place"):  # the location button goes, the menu comes back
        await bot.send_message(
            chat_id,
            _("📍 Place set.") if form.values.get("lat") is not None else _("No place given."),
            reply_markup=main_menu_kb(),
        )
        await form.with_(asked_place=False).save(state, None)


async def pick_category(query: CallbackQuery, callback_data: SnapCb, state: FSMContext,
                        form: SnapForm, snaps: SnapServices, clock: Clock) -> None:  # fmt: skip
    assert isinstance(query.message, Message)
    if callback_data.v not in {c.value for c in SnapCategory}:
        await query.answer(_("That choice is no longer available."), show_alert=True)
        return
    await query.answer()
    form, step, screen = await _category_set(form.with_(cat=callback_data.v), snaps, clock())
    await _show(query.message, state, form, step, screen)


async def _category_set(form: SnapForm, snaps: SnapServices, now: datetime) -> tuple[
        SnapForm, State, tuple[str, InlineKeyboardMarkup]]:  # fmt: skip
    """After the category: the reports of it close by, if any, else the last screen."""
    found = await _nearby(form, snaps, now)
    if found:
        form = form.with_(offered=[f[0] for f in found])  # me too is for these only
        return form, SnapSteps.nearby, nearby_screen(form, found)
    return form, SnapSteps.details, details_screen(form)


async def _nearby(form: SnapForm, snaps: SnapServices,
                  now: datetime) -> list[tuple[int, str, float, str]]:  # fmt: skip
    v = form.values
    if v.get("lat") is None:
        return []
    index = await snaps.recent.get(now)
    found = []
    for hit in index.near(v["cat"], v["lat"], v["lon"], now, radius_m=DUPLICATE_RADIUS_M):
        report = await snaps.reports.get(hit.report_id)
        if report is not None:
            found.append((report.id, report.number, hit.distance_m, status_label(report.status)))
    return found


async def new_one(query: CallbackQuery, state: FSMContext, form: SnapForm) -> None:
    assert isinstance(query.message, Message)
    await query.answer()
    await _show(query.message, state, form, SnapSteps.details, details_screen(form))


async def back(query: CallbackQuery, state: FSMContext, form: SnapForm) -> None:
    assert isinstance(query.message, Message)
    await query.answer()
    await _show(query.message, state, form, SnapSteps.category, category_screen(form))


async def me_too(query: CallbackQuery, callback_data: SnapCb, state: FSMContext,
                 form: SnapForm, user: UserProfile, snaps: SnapServices, clock: Clock,
                 bot: Bot) -> None:  # fmt: skip
    assert isinstance(query.message, Message)
    offered = form.values.get("offered") or []
    report_id = int(callback_data.v) if callback_data.v.isdigit() else 0
    report = await snaps.reports.get(report_id) if report_id in offered else None
    if report is None:
        await query.answer(_("That choice is no longer available."), show_alert=True)
        return
    now = clock()
    if report.user_id == user.id:
        text = _("🙋 {number} is your own report: you hear every change already.")
    elif await snaps.reports.me_too(report.id, user.id, now):
        text = _("🙋 Thank you! You are on report {number} now: you hear what is done, as the "
                 "driver who sent it does. No new report was made.")  # fmt: skip

        async def redraw() -> None:
            await snaps.notifier.redraw(bot, report.id)

        after_commit(snaps.session, redraw)
    else:
        text = _("🙋 You are on report {number} already.")
    await state.clear()
    _drop_staged(snaps, form)
    await query.answer()
    await edit_in_place(query.message, text.format(number=report.number))


async def submit(query: CallbackQuery, state: FSMContext, form: SnapForm, user: UserProfile,
                 snaps: SnapServices, clock: Clock, bot: Bot) -> None:  # fmt: skip
    assert isinstance(query.message, Message)
    v = form.values
    if "cat" not in v:
        await query.answer(_("That choice is no longer available."), show_alert=True)
        return
    if not (form.photos or v.get("lat") is not None or v.get("text") or v.get("voice")):
        await query.answer(_("Add a photo, the place or a few words first, so it can be "
                             "found."), show_alert=True)  # fmt: skip
        return
    now = clock()
    change, report = await snaps.reports.file(user.id, form.key, form.draft(), now)
    if change is not None:
        kept = []
        for n, (path, file_id, phash, width, height) in enumerate(form.photos, start=1):
            staged = snaps.staging.path(path)
            if not staged.is_file():
                continue
            photo = Photo(staged.read_bytes(), width, height, phash, None, None)
            final = snaps.store.save(photo, report.id, n, now)
            kept.append(StoredPhoto(final, file_id, phash, width, height))
        await snaps.reports.attach(report.id, PhotoKind.BEFORE, kept, now)
        await snaps.notifier.after(snaps.session, change, now, bot)
        lat, lon = report.lat, report.lon

        async def settle() -> None:  # the kept copies are committed: staged ones can go
            _drop_staged(snaps, form)
            if lat is not None and lon is not None:
                snaps.recent.add(Recent(report.id, report.category.value, lat, lon, now))

        after_commit(snaps.session, settle)
    await state.clear()
    text = "\n".join([
        _("✅ <b>Report {number} sent.</b> Thank you!").format(number=report.number),
        _("What happens next: an admin checks it (发现), it goes to the office that can fix it "
          "(处置), and you hear when it is fixed (反馈). You get a message at each step."),
        _("⭐ A verified report earns {points} points.").format(points=snaps.rules.per_report),
    ])  # fmt: skip
    await query.answer(_("Sent."))
    await edit_in_place(query.message, text)


# --- messages: photos, places, words ----------------------------------------------------------
async def got_photo(message: Message, state: FSMContext, form: SnapForm, user: UserProfile,
                    snaps: SnapServices, clock: Clock, bot: Bot) -> None:  # fmt: skip
    if len(form.photos) >= MAX_PHOTOS:
        await message.answer(_("Three photos are the most a report takes."))
        return
    got = await read_photo(message, bot, snaps.limits)
    if not isinstance(got, Received):
        await message.answer(got)
        return
    photo = got.photo
    if any(hash_distance(photo.phash, p[2]) <= SAME_PHOTO_DISTANCE for p in form.photos):
        await message.answer(_("You sent this photo already."))
        return
    known = await snaps.reports.same_photo(photo.phash, clock())
    if known is not None:
        report = await snaps.reports.get(known)
        number = report.number if report is not None else "?"
        await message.answer(_("This photo was sent before, in report {number}. Please send a "
                               "photo of your own.").format(number=number))  # fmt: skip
        return
    n = len(form.photos) + 1
    path = snaps.staging.save(photo, user.id, form.slot * 10 + n, clock())
    form = form.with_(photos=[*form.photos, [path, got.file_id, photo.phash, photo.width,
                                             photo.height]])  # fmt: skip
    if photo.gps is not None and not form.values.get("gps") and _valid(*photo.gps):
        form = form.with_(gps=list(photo.gps))
    step = await state.get_state()
    if step == SnapSteps.photos.state:
        await _to_place(bot, message.chat.id, state, form)
    elif step == SnapSteps.place.state:
        await _redraw(bot, message.chat.id, state, form, SnapSteps.place, place_screen(form))
    elif step == SnapSteps.details.state:
        await _redraw(bot, message.chat.id, state, form, SnapSteps.details, details_screen(form))
    else:
        await form.save(state, None)
        await message.answer(_("🖼 Photo added."))


def _valid(lat: float, lon: float) -> bool:
    """A real place: in range, and not the 0,0 a broken GPS reports."""
    return -90 <= lat <= 90 and -180 <= lon <= 180 and (abs(lat) > 1e-6 or abs(lon) > 1e-6)


async def got_location(message: Message, state: FSMContext, form: SnapForm, bot: Bot,
                       snaps: SnapServices, clock: Clock) -> None:  # fmt: skip
    assert message.location is not None
    lat, lon = message.location.latitude, message.location.longitude
    if not _valid(lat, lon):
        await message.answer(_("That location is not valid. Please send it again."))
        return
    await _place_set(
        message,
        bot,
        state,
        form.with_(lat=lat, lon=lon, src=LocationSource.SHARED.value),
        snaps,
        clock,
    )


async def got_text(message: Message, state: FSMContext, form: SnapForm, bot: Bot) -> None:
    text = clean_line(message.text or "").strip()
    if len(text) > TEXT_LIMIT:
        await message.answer(_("That is too long: at most {most} characters, please.").format(
            most=TEXT_LIMIT))  # fmt: skip
        return
    form = form.with_(text=text)
    await _redraw(bot, message.chat.id, state, form, SnapSteps.details, details_screen(form))


async def got_voice(message: Message, state: FSMContext, form: SnapForm, bot: Bot) -> None:
    assert message.voice is not None
    form = form.with_(voice=message.voice.file_id)
    await _redraw(bot, message.chat.id, state, form, SnapSteps.details, details_screen(form))


async def wrong_kind(message: Message, raw_state: str | None) -> None:
    if raw_state == SnapSteps.photos.state:
        text = _("Please send a photo, or tap “No photo”.")
    elif raw_state == SnapSteps.place.state:
        text = _("Please send the place: tap “📍 Send my location”, or use the buttons above.")
    elif raw_state == SnapSteps.details.state:
        text = _("Please type a line of text, send a voice note, or use the buttons above.")
    else:
        text = _("Please use the buttons above.")
    await message.answer(text)


def create_router() -> Router:
    router = Router(name="snaps-filing")
    router.message.register(start_report, Command("snap"))
    open_form = OpenForm(SnapForm)
    cq = router.callback_query
    cq.register(cancel, SnapCb.filter(F.a == "x"), open_form)
    cq.register(no_photo, SnapCb.filter(F.a == "nophoto"), StateFilter(SnapSteps.photos),
                open_form)  # fmt: skip
    cq.register(use_gps, SnapCb.filter(F.a == "gps"), StateFilter(SnapSteps.place), open_form)
    cq.register(no_location, SnapCb.filter(F.a == "noloc"), StateFilter(SnapSteps.place),
                open_form)  # fmt: skip
    cq.register(pick_category, SnapCb.filter(F.a == "cat"), StateFilter(SnapSteps.category),
                open_form)  # fmt: skip
    cq.register(me_too, SnapCb.filter(F.a == "metoo"), StateFilter(SnapSteps.nearby), open_form)
    cq.register(new_one, SnapCb.filter(F.a == "new"), StateFilter(SnapSteps.nearby), open_form)
    cq.register(back, SnapCb.filter(F.a == "back"), StateFilter(SnapSteps.details), open_form)
    cq.register(submit, SnapCb.filter(F.a == "ok"), StateFilter(SnapSteps.details), open_form)
    cq.register(form_closed(FORM_CLOSED), SnapCb.filter())

    m = router.message
    loaded = FormIsOpen(SnapForm)
    steps = StateFilter(*SnapSteps.__all_states__)
    m.register(got_photo, steps, ContentIs(ContentType.PHOTO, ContentType.DOCUMENT), loaded)
    m.register(got_location, StateFilter(SnapSteps.photos, SnapSteps.place),
               ContentIs(ContentType.LOCATION), loaded)  # fmt: skip
    m.register(got_text, StateFilter(SnapSteps.details), ContentIs(ContentType.TEXT),
               ~IsCommand(), loaded)  # fmt: skip
    m.register(got_voice, StateFilter(SnapSteps.details), ContentIs(ContentType.VOICE), loaded)
    m.register(wrong_kind, steps, ~IsCommand())
    return router


__all__ = ["SnapForm", "SnapSteps", "create_router", "start_report"]
