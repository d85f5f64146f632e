"""Profile steps: occupation, city, phone. Used by onboarding and by /profile edits."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
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

from bot.db.users.models import Occupation
from bot.services.users.profiles import ProfileError, ProfileErrorCode, UserProfile, UserService
from handlers.common.editing import FLOW_MESSAGE, edit_in_place
from handlers.common.filters import N_, Button, ContentIs, private_only
from handlers.common.menu import main_menu_kb
from handlers.common.texts import OCCUPATION_LABELS, SKIP, city_label, location_request_kb, q
from handlers.users.profile_view import show_profile

REMOVE_PHONE = N_("🗑 Remove my number")

# Messages for ProfileError codes a user can cause in these steps.
PROFILE_ERRORS = {
    ProfileErrorCode.CITY_INVALID: N_(
        "I could not read a city from that. Please type a city name (e.g. Wenzhou) "
        "or tap “📍 Share my location”."
    ),
    ProfileErrorCode.CITY_UNKNOWN_LOCATION: N_(
        "I could not find a city near that location. Please type your city's name instead."
    ),
    ProfileErrorCode.LOCATION_INVALID: N_(
        "Those coordinates are not a real place. Please share your location again."
    ),
    ProfileErrorCode.PHONE_INVALID: N_(
        "That phone number does not look valid. Use the button below, or skip."
    ),
}


class ProfileSteps(StatesGroup):
    occupation = State()
    city = State()
    phone = State()


class OccupationCb(CallbackData, prefix="occ"):
    value: Occupation


def occupation_kb() -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for occupation, label in OCCUPATION_LABELS.items():
        kb.button(text=_(label), callback_data=OccupationCb(value=occupation))
    kb.adjust(2)
    return kb.as_markup()


def city_kb() -> ReplyKeyboardMarkup:
    return location_request_kb(SKIP, _("City name, e.g. Zigong"))


def phone_kb(editing: bool) -> ReplyKeyboardMarkup:
    rows = [[KeyboardButton(text=_("📱 Share my phone number"), request_contact=True)]]
    if editing:
        rows.append([KeyboardButton(text=_(REMOVE_PHONE))])
    rows.append([KeyboardButton(text=_(SKIP))])
    return ReplyKeyboardMarkup(keyboard=rows, resize_keyboard=True, one_time_keyboard=True)


async def ask_occupation(message: Message, state: FSMContext, editing: bool = False) -> None:
    await state.set_state(ProfileSteps.occupation)
    sent = await message.answer(
        _("What kind of work do you do? It helps us show what matters to you."),
        reply_markup=occupation_kb(),
    )
    # The question's buttons go when the flow is left without an answer (CloseLeftFlows).
    await state.update_data({"editing": editing, FLOW_MESSAGE: sent.message_id})


async def ask_city(message: Message, state: FSMContext, editing: bool = False) -> None:
    await state.set_state(ProfileSteps.city)
    await state.update_data(editing=editing)
    await message.answer(
        _(
            "Which city do you usually work in? Type its name (e.g. Zigong) "
            "or tap “📍 Share my location”."
        ),
        reply_markup=city_kb(),
    )


async def ask_phone(message: Message, state: FSMContext, editing: bool = False) -> None:
    await state.set_state(ProfileSteps.phone)
    await state.update_data(editing=editing)
    await message.answer(
        _(
            "Would you like to share your phone number? Stations and case handlers use it only "
            "to call you back. This step is optional."
        ),
        reply_markup=phone_kb(editing),
    )


async def _next_step(
    message: Message, state: FSMContext, user: UserProfile, users: UserService
) -> None:
    """After a step: back to the profile when editing, else on to the next onboarding step."""
    current = await state.get_state()
    editing = bool((await state.get_data()).get("editing"))
    if editing:
        await state.clear()
        await show_profile(message, user)
    elif current == ProfileSteps.occupation.state:
        await ask_city(message, state)
    elif current == ProfileSteps.city.state:
        await ask_phone(message, state)
    else:
        await state.clear()
        await users.complete_onboarding(user.id)
        await message.answer(
            _(
                "All set! Choose what you need from the menu below. "
                "You can change your details any time with /profile."
            ),
            reply_markup=main_menu_kb(),
        )


async def occupation_chosen(
    query: CallbackQuery,
    callback_data: OccupationCb,
    state: FSMContext,
    user: UserProfile,
    users: UserService,
) -> None:
    user = await users.set_occupation(user.id, callback_data.value)
    await query.answer()
    if isinstance(query.message, Message):
        await state.update_data({FLOW_MESSAGE: None})  # answered: the question is final
        chosen = _(OCCUPATION_LABELS[callback_data.value])
        shown = await edit_in_place(
            query.message, _("Occupation: {occupation}").format(occupation=chosen)
        )
        await _next_step(shown, state, user, users)


async def occupation_expected(message: Message, state: FSMContext) -> None:
    """Typed text instead of a tap: ask again below; the old question loses its buttons."""
    editing = bool((await state.get_data()).get("editing"))
    await message.answer(_("Please choose one of the buttons."))
    await ask_occupation(message, state, editing)


async def step_skipped(
    message: Message, state: FSMContext, user: UserProfile, users: UserService
) -> None:
    await _next_step(message, state, user, users)


async def city_typed(
    message: Message, state: FSMContext, user: UserProfile, users: UserService
) -> None:
    try:
        user = await users.set_city(user.id, message.text or "")
    except ProfileError as exc:
        await message.answer(_(PROFILE_ERRORS[exc.code]), reply_markup=city_kb())
        return
    await message.answer(_("City: {city}").format(city=q(city_label(user.city or ""))))
    await _next_step(message, state, user, users)


async def city_located(
    message: Message, state: FSMContext, user: UserProfile, users: UserService
) -> None:
    assert message.location is not None
    try:
        user = await users.set_city_from_location(
            user.id, message.location.latitude, message.location.longitude
        )
    except ProfileError as exc:
        await message.answer(_(PROFILE_ERRORS[exc.code]), reply_markup=city_kb())
        return
    await message.answer(_("City: {city}").format(city=q(city_label(user.city or ""))))
    await _next_step(message, state, user, users)


async def city_expected(message: Message) -> None:
    await message.answer(
        _("Please type your city's name or tap “📍 Share my location”."), reply_markup=city_kb()
    )


async def phone_shared(
    message: Message, state: FSMContext, user: UserProfile, users: UserService
) -> None:
    contact = message.contact
    assert contact is not None and message.from_user is not None
    editing = bool((await state.get_data()).get("editing"))
    if contact.user_id != message.from_user.id:
        await message.answer(
            _("Please share your own number with the button below, not someone else's contact."),
            reply_markup=phone_kb(editing),
        )
        return
    try:
        user = await users.set_phone(user.id, contact.phone_number)
    except ProfileError as exc:
        await message.answer(_(PROFILE_ERRORS[exc.code]), reply_markup=phone_kb(editing))
        return
    await message.answer(_("Phone number saved: {phone}").format(phone=q(user.phone)))
    await _next_step(message, state, user, users)


async def phone_removed(
    message: Message, state: FSMContext, user: UserProfile, users: UserService
) -> None:
    user = await users.set_phone(user.id, None)
    await message.answer(_("Phone number removed."))
    await _next_step(message, state, user, users)


async def phone_expected(message: Message, state: FSMContext) -> None:
    editing = bool((await state.get_data()).get("editing"))
    await message.answer(
        _("Please use the button below to share your number, or tap “⏭ Skip”."),
        reply_markup=phone_kb(editing),
    )


def create_router() -> Router:
    router = Router(name="onboarding")
    private_only(router)
    router.callback_query.register(
        occupation_chosen, StateFilter(ProfileSteps.occupation), OccupationCb.filter()
    )
    router.message.register(occupation_expected, StateFilter(ProfileSteps.occupation))
    router.message.register(step_skipped, StateFilter(ProfileSteps.city), Button(SKIP))
    router.message.register(step_skipped, StateFilter(ProfileSteps.phone), Button(SKIP))
    router.message.register(city_typed, StateFilter(ProfileSteps.city), ContentIs(ContentType.TEXT))
    router.message.register(
        city_located, StateFilter(ProfileSteps.city), ContentIs(ContentType.LOCATION)
    )
    router.message.register(city_expected, StateFilter(ProfileSteps.city))
    router.message.register(
        phone_shared, StateFilter(ProfileSteps.phone), ContentIs(ContentType.CONTACT)
    )
    router.message.register(phone_removed, StateFilter(ProfileSteps.phone), Button(REMOVE_PHONE))
    router.message.register(phone_expected, StateFilter(ProfileSteps.phone))
    return router
