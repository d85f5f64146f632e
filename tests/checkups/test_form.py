"""The booking form's service on both databases: the screen each choice leads to, stale choices
dropped, confirming and the waitlist from the form; and the form's typed FSM state."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import MemoryStorage
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.checkups.models import CheckupProviderRow, CheckupServiceRow, SlotRow
from bot.db.users.models import Role, User
from bot.services.checkups.bookings import BookingErrorCode, BookingService
from bot.services.checkups.browse import CheckupBrowser
from bot.services.checkups.form import (
    AlreadyBookedScreen,
    Booked,
    BookingForm,
    CalendarScreen,
    Choices,
    DayScreen,
    MoveKeptScreen,
    NotWaitlisted,
    ProviderOrder,
    ProvidersScreen,
    Refused,
    SeatFree,
    ServicesScreen,
    Step,
    SummaryScreen,
    Waitlisted,
)
from handlers.checkups.flow import BookingFormState, BookSteps
from knowledge.checkups.catalog import SlotTemplate

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # Monday 12:00 in Shanghai
TUESDAY, NEXT_TUESDAY = date(2026, 11, 24), date(2026, 12, 1)
Factory = async_sessionmaker[AsyncSession]
GENERAL = Choices(service="general")
AT_P1 = Choices(service="general", provider="p1")


async def _setup(factory: Factory) -> tuple[list[int], list[int]]:
    """Two providers (自贡, 乐山), the general checkup on two Tuesdays (18:00, 18:30; two
    seats each), an eye checkup nobody offers, two drivers. Returns the drivers and p1's
    slots of the first Tuesday."""
    async with factory() as session:
        session.add_all([
            CheckupProviderRow(id="p1", name="自贡市第三人民医院", kind="hospital", city="自贡",
                               lat=29.35, lon=104.75),
            CheckupProviderRow(id="p2", name="乐山市人民医院", kind="hospital", city="乐山",
                               lat=29.55, lon=103.77),
            CheckupServiceRow(id="general", name_zh="免费体检", name_en="Checkup",
                              duration_min=30),
            CheckupServiceRow(id="eye", name_zh="眼科", name_en="Eyes", duration_min=15),
        ])  # fmt: skip
        users = [User(telegram_id=800_000 + i, language="zh", role=Role.DRIVER) for i in (1, 2)]
        session.add_all(users)
        await session.flush()
        templates = [
            SlotTemplate(p, "general", frozenset({1}), time(18), time(19), 30, 2, days_ahead=14)
            for p in ("p1", "p2")
        ]
        await BookingService(session, TZ).generate_slots(templates, NOW.date())
        before_wednesday = SlotRow.starts_at < datetime(2026, 11, 25, tzinfo=UTC)
        slots = await session.scalars(
            select(SlotRow.id)
            .where(SlotRow.provider_id == "p1", before_wednesday)
            .order_by(SlotRow.starts_at)
        )
        slot_ids = list(slots)
        await session.commit()
        return [u.id for u in users], slot_ids


def _form(session: AsyncSession) -> BookingForm:
    return BookingForm(CheckupBrowser(session, TZ), BookingService(session, TZ))


async def test_each_choice_leads_to_its_screen(session_factory: Factory) -> None:
    (driver, _), (first, _) = await _setup(session_factory)
    async with session_factory() as session:
        form = _form(session)
        step = await form.screen(Choices(), NOW, None)
        assert isinstance(step.screen, ServicesScreen) and not step.stale
        assert [s.id for s in step.screen.services] == ["general"]  # nobody offers eyes

        step = await form.pick_service(step.choices or Choices(), "general", driver, NOW, "自贡")
        assert isinstance(step.screen, ProvidersScreen) and step.choices == GENERAL
        assert [p.id for p in step.screen.providers] == ["p1", "p2"]
        assert step.screen.order is ProviderOrder.CITY_FIRST
        leshan = await form.screen(GENERAL, NOW, "乐山")
        assert isinstance(leshan.screen, ProvidersScreen)
        assert [p.id for p in leshan.screen.providers] == ["p2", "p1"]
        near_p2 = await form.screen(replace(GENERAL, origin=(29.5, 103.7)), NOW, "自贡")
        assert isinstance(near_p2.screen, ProvidersScreen)
        assert near_p2.screen.order is ProviderOrder.NEAREST_TO_YOU
        assert near_p2.screen.providers[0].id == "p2"
        unsorted = await form.screen(GENERAL, NOW, None)
        assert isinstance(unsorted.screen, ProvidersScreen)
        assert unsorted.screen.order is ProviderOrder.UNSORTED

        step = await form.pick_provider(GENERAL, "p1", NOW, None)
        assert isinstance(step.screen, CalendarScreen) and step.choices == AT_P1
        assert step.screen.month == (2026, 11)
        assert step.screen.months == ((2026, 11), (2026, 12))
        assert set(step.screen.days) == {TUESDAY, NEXT_TUESDAY}
        assert step.screen.moving_code is None
        december = await form.pick_month(AT_P1, "2026-12", NOW, None)
        assert isinstance(december.screen, CalendarScreen) and december.screen.month == (2026, 12)
        # A month without times shows the first one; the choice stays, nothing went stale.
        old = await form.pick_month(AT_P1, "1999-01", NOW, None)
        assert isinstance(old.screen, CalendarScreen) and old.screen.month == (2026, 11)
        assert not old.stale and old.choices == replace(AT_P1, month=(1999, 1))

        step = await form.pick_day(AT_P1, TUESDAY.isoformat(), NOW, None)
        assert isinstance(step.screen, DayScreen) and step.screen.day == TUESDAY
        assert len(step.screen.slots) == 2 and step.screen.current_slot_id is None
        step = await form.pick_slot(step.choices or AT_P1, str(first), NOW, None)
        assert isinstance(step.screen, SummaryScreen) and step.screen.slot.id == first
        assert step.choices == replace(AT_P1, day=TUESDAY, slot=first)
        back = await form.back(step.choices, NOW, None)
        assert isinstance(back.screen, DayScreen) and back.choices == replace(AT_P1, day=TUESDAY)


async def test_stale_and_forged_choices_are_dropped(session_factory: Factory) -> None:
    _, (first, _) = await _setup(session_factory)
    async with session_factory() as session:
        form = _form(session)
        # A provider that does not offer it (or does not exist): back to the providers.
        step = await form.screen(replace(GENERAL, provider="nowhere", day=TUESDAY), NOW, None)
        assert isinstance(step.screen, ProvidersScreen)
        assert step.stale and step.choices == GENERAL
        # Values that are no day, no month, no slot.
        step = await form.pick_day(AT_P1, "2026-13-45", NOW, None)
        assert isinstance(step.screen, CalendarScreen) and step.stale and step.choices == AT_P1
        step = await form.pick_month(AT_P1, "soon", NOW, None)
        assert isinstance(step.screen, ProvidersScreen) and step.stale
        assert step.choices == GENERAL
        step = await form.pick_slot(replace(AT_P1, day=TUESDAY), "x", NOW, None)
        assert isinstance(step.screen, DayScreen) and step.stale
        # A slot of another provider, and steps skipped (a day before a provider).
        step = await form.pick_slot(
            Choices(service="general", provider="p2"), str(first), NOW, None
        )
        assert isinstance(step.screen, CalendarScreen) and step.stale
        step = await form.pick_day(GENERAL, TUESDAY.isoformat(), NOW, None)
        assert isinstance(step.screen, ProvidersScreen) and step.stale
        # A time that filled up: the day, which shows it full.
        await session.execute(update(SlotRow).where(SlotRow.id == first).values(capacity=0))
        step = await form.screen(replace(AT_P1, day=TUESDAY, slot=first), NOW, None)
        assert isinstance(step.screen, DayScreen) and step.stale
        assert [s.free for s in step.screen.slots] == [0, 2]
        # Back never says stale; back at the start stays there.
        back = await form.back(replace(GENERAL, provider="nowhere"), NOW, None)
        assert isinstance(back.screen, ProvidersScreen) and not back.stale
        assert (await form.back(Choices(), NOW, None)).choices == Choices()


async def test_confirm_books_and_says_why_not(session_factory: Factory) -> None:
    (driver, other), (first, second) = await _setup(session_factory)
    summary = replace(AT_P1, day=TUESDAY, slot=first)
    async with session_factory() as session:
        form = _form(session)
        booked = await form.confirm(summary, driver, NOW, "key-1", None)
        assert isinstance(booked, Booked) and not booked.moved and booked.offer is None
        assert booked.booking.slot.id == first and booked.booking.user_id == driver
        assert booked.reminders  # the evening before and two hours before
        again = await form.confirm(summary, driver, NOW, "key-1", None)  # a double tap
        assert isinstance(again, Booked) and again.booking.code == booked.booking.code
        await session.commit()

        # Booked already: choosing the service shows that booking, the choices stay.
        step = await form.pick_service(Choices(), "general", driver, NOW, None)
        assert isinstance(step.screen, AlreadyBookedScreen) and step.choices == Choices()
        assert step.screen.booking.code == booked.booking.code
        # Confirming another time: that booking, and the form starts over.
        refused = await form.confirm(replace(summary, slot=second), driver, NOW, "key-2", None)
        assert isinstance(refused, Refused) and refused.code is BookingErrorCode.ALREADY_BOOKED
        assert refused.quiet and refused.step is not None
        assert isinstance(refused.step.screen, AlreadyBookedScreen)
        assert refused.step.choices == Choices()

        # The last seat taken meanwhile: an alert, and the day without that time chosen.
        await session.execute(update(SlotRow).where(SlotRow.id == first).values(capacity=1))
        full = await form.confirm(summary, other, NOW, "key-3", None)
        assert isinstance(full, Refused) and full.code is BookingErrorCode.FULL and not full.quiet
        assert full.step is not None and isinstance(full.step.screen, DayScreen)
        assert full.step.choices == replace(AT_P1, day=TUESDAY)

        # A confirm tapped on a form that is over finds what it booked.
        landed = await form.landed(driver, first, moved=False)
        assert landed is not None and landed.booking.code == booked.booking.code
        assert await form.landed(other, first, moved=False) is None


async def test_a_move_says_so_and_can_be_given_up(session_factory: Factory) -> None:
    (driver, _), (first, second) = await _setup(session_factory)
    async with session_factory() as session:
        form = _form(session)
        booked = await form.confirm(replace(AT_P1, slot=first), driver, NOW, "k", None)
        assert isinstance(booked, Booked)
        code = booked.booking.code
        moving = replace(AT_P1, moving=code)
        step = await form.screen(moving, NOW, None)
        assert isinstance(step.screen, CalendarScreen) and step.screen.moving_code == code
        day = await form.pick_day(moving, TUESDAY.isoformat(), NOW, None)
        assert isinstance(day.screen, DayScreen)
        assert day.screen.current_slot_id == first and day.screen.moving_code == code
        kept = await form.back(moving, NOW, None)
        assert kept == Step(MoveKeptScreen(code), None)

        same = await form.confirm(replace(moving, slot=first), driver, NOW, "k", None)
        assert isinstance(same, Refused) and same.code is BookingErrorCode.SAME_SLOT
        assert same.step is None  # this very move, landed before
        moved = await form.confirm(replace(moving, slot=second), driver, NOW, "k", None)
        assert isinstance(moved, Booked) and moved.moved and moved.booking.code == code
        assert moved.booking.slot.id == second


async def test_the_waitlist_from_the_form(session_factory: Factory) -> None:
    (driver, other), (first, second) = await _setup(session_factory)
    on_day = replace(AT_P1, day=TUESDAY)
    async with session_factory() as session:
        form = _form(session)
        free = await form.join_waitlist(on_day, str(first), driver, NOW, None)
        assert isinstance(free, SeatFree) and isinstance(free.step.screen, DayScreen)
        assert await form.join_waitlist(on_day, "x", driver, NOW, None) is NotWaitlisted.GONE
        elsewhere = replace(on_day, provider="p2")
        assert await form.join_waitlist(elsewhere, str(first), driver, NOW, None) is (
            NotWaitlisted.GONE
        )

        await session.execute(update(SlotRow).where(SlotRow.id == first).values(capacity=0))
        joined = await form.join_waitlist(on_day, str(first), driver, NOW, None)
        assert isinstance(joined, Waitlisted) and joined.added and joined.slot.id == first
        again = await form.join_waitlist(on_day, str(first), driver, NOW, None)
        assert isinstance(again, Waitlisted) and not again.added
        moving = replace(on_day, moving="ABCDEF")
        assert await form.join_waitlist(moving, str(first), other, NOW, None) is (
            NotWaitlisted.MOVING
        )
        # Booked meanwhile (in another form): that booking instead of a place on the list.
        booked = await form.confirm(replace(AT_P1, slot=second), other, NOW, "k", None)
        assert isinstance(booked, Booked)
        instead = await form.join_waitlist(on_day, str(first), other, NOW, None)
        assert isinstance(instead, Step) and isinstance(instead.screen, AlreadyBookedScreen)
        assert instead.screen.booking.code == booked.booking.code and instead.choices == on_day


async def test_weekday_days_of_the_month_shown(session_factory: Factory) -> None:
    await _setup(session_factory)
    async with session_factory() as session:
        form = _form(session)
        tuesdays = await form.weekday(AT_P1, 1, NOW)
        assert tuesdays is not None and tuesdays.days == (24,)
        december = await form.weekday(replace(AT_P1, month=(2026, 12)), 1, NOW)
        assert december is not None and december.days == (1,)
        mondays = await form.weekday(AT_P1, 0, NOW)
        assert mondays is not None and mondays.days == ()
        assert await form.weekday(GENERAL, 1, NOW) is None  # no calendar shown
        assert await form.weekday(AT_P1, 9, NOW) is None


def test_choices_go_back_newest_first() -> None:
    full = Choices("s", "p", (2026, 12), TUESDAY, 7, "ABCDEF", (1.0, 2.0))
    assert full.back() == replace(full, slot=None)
    assert full.back().back() == replace(full, slot=None, day=None)
    # The provider takes its calendar page with it; the move and the location stay.
    assert full.back().back().back() == Choices("s", moving="ABCDEF", origin=(1.0, 2.0))
    assert Choices().back() == Choices()


async def test_the_form_state_round_trips_through_the_fsm_data() -> None:
    state = FSMContext(MemoryStorage(), StorageKey(bot_id=1, chat_id=5, user_id=5))
    choices = Choices("s", "p", (2026, 12), TUESDAY, 7, "C0DE12", (29.5, 104.0))
    form = BookingFormState(mid=42, choices=choices)
    assert await BookingFormState.load(state) is None  # no form open
    await form.save(state, BookSteps.flow)
    assert await BookingFormState.load(state) == form
    # The keys the form has always used (a form open across a restart goes on).
    assert await state.get_data() == {
        "mid": 42, "key": form.key, "svc": "s", "prov": "p", "month": "2026-12",
        "day": "2026-11-24", "slot": 7, "move": "C0DE12", "lat": 29.5, "lon": 104.0,
    }  # fmt: skip
    await state.set_data({"mid": 42, "key": "k", "svc": "s", "slot": "7", "day": "junk"})
    assert await BookingFormState.load(state) == BookingFormState(
        mid=42, key="k", choices=Choices("s", slot=7)
    )
    await state.set_state(None)  # the form is over
    assert await BookingFormState.load(state) is None
