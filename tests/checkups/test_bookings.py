"""Booking rules on both databases: capacity under concurrency, idempotent confirms, cancel,
waitlist offers, reschedule, reminders."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.checkups.claims import NoticeClaims
from bot.db.checkups.models import (
    BookingRow,
    CheckupProviderRow,
    CheckupServiceRow,
    ReminderRow,
    SlotRow,
    WaitlistRow,
)
from bot.db.users.models import Role, User
from bot.services.checkups.bookings import BookingError, BookingService, reminder_times
from knowledge.checkups.catalog import SlotTemplate

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # Monday 12:00 in Shanghai
Factory = async_sessionmaker[AsyncSession]


async def _setup(factory: Factory, users: int, capacity: int = 10) -> tuple[list[int], list[int]]:
    """A provider, two services, users, and two evening slots (Tuesday 18:00, 18:30)."""
    async with factory() as session:
        session.add(
            CheckupProviderRow(id="p1", name="自贡市第三人民医院", kind="hospital", city="自贡",
                               address="", lat=29.35, lon=104.75, phone="")
        )  # fmt: skip
        for sid in ("general", "eye"):
            session.add(CheckupServiceRow(id=sid, name_zh=sid, name_en=sid, duration_min=30,
                                          prep_zh="", prep_en=""))  # fmt: skip
        rows = [
            User(telegram_id=900_000 + i, language="zh", role=Role.DRIVER) for i in range(users)
        ]
        session.add_all(rows)
        await session.flush()
        template = SlotTemplate("p1", "general", frozenset({1}), time(18), time(19), 30, capacity,
                                days_ahead=7)  # fmt: skip
        service = BookingService(session, TZ)
        assert await service.generate_slots([template], date(2026, 11, 23)) == 2
        assert await service.generate_slots([template], date(2026, 11, 23)) == 0  # idempotent
        slots = list(await session.scalars(select(SlotRow.id).order_by(SlotRow.starts_at)))
        await session.commit()
        return [u.id for u in rows], slots


async def _book(factory: Factory, user_id: int, slot_id: int, key: str | None = None) -> str:
    async with factory() as session:
        try:
            booking = await BookingService(session, TZ).book(user_id, slot_id, NOW, key)
        except BookingError as exc:
            await session.rollback()
            return exc.code
        await session.commit()
        return booking.code


async def test_200_concurrent_attempts_on_10_seats(session_factory: Factory) -> None:
    users, (slot, _) = await _setup(session_factory, 200)
    results = await asyncio.gather(*(_book(session_factory, u, slot) for u in users))
    codes = [r for r in results if len(r) == 6]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert results.count("full") == 190
    async with session_factory() as session:
        assert await session.scalar(select(SlotRow.booked).where(SlotRow.id == slot)) == 10
        count = select(func.count()).select_from(BookingRow).where(BookingRow.status == "active")
        assert await session.scalar(count) == 10


async def test_duplicate_confirm_books_once(session_factory: Factory) -> None:
    (user, *_), (slot, _) = await _setup(session_factory, 1)
    first = await asyncio.gather(*(_book(session_factory, user, slot, "upd:42") for _ in range(5)))
    assert len(set(first)) == 1 and len(first[0]) == 6  # every retry gets the same booking
    async with session_factory() as session:
        assert await session.scalar(select(SlotRow.booked).where(SlotRow.id == slot)) == 1


async def test_one_active_booking_per_service(session_factory: Factory) -> None:
    (user, *_), (slot_a, slot_b) = await _setup(session_factory, 1)
    assert len(await _book(session_factory, user, slot_a)) == 6
    assert await _book(session_factory, user, slot_b) == "already_booked"


async def test_cancel_frees_the_seat_or_offers_it_to_the_waitlist(
    session_factory: Factory,
) -> None:
    users, (slot, _) = await _setup(session_factory, 3, capacity=1)
    first, second, third = users
    code = await _book(session_factory, first, slot)
    assert await _book(session_factory, second, slot) == "full"
    async with session_factory() as session:
        service = BookingService(session, TZ)
        assert await service.join_waitlist(second, slot, NOW)
        assert await service.join_waitlist(third, slot, NOW + timedelta(seconds=1))
        assert not await service.join_waitlist(second, slot, NOW)  # once is enough
        with pytest.raises(BookingError) as exc:
            await service.cancel(third, code, NOW)  # someone else's code: refused
        assert exc.value.code == "booking_unknown"
        offer = await service.cancel(first, code, NOW)
        assert offer is not None and offer.user_id == second
        assert offer.expires_at == NOW + timedelta(minutes=30)
        await session.commit()
    assert await _book(session_factory, third, slot) == "full"  # the seat is held for the offer
    async with session_factory() as session:
        service = BookingService(session, TZ)
        later = NOW + timedelta(minutes=31)
        offers = await service.expire_offers(later)  # second did not answer in time
        assert [o.user_id for o in offers] == [third]
        booking = await service.accept_offer(third, offers[0].waitlist_id, later)
        assert booking.status == "active"
        with pytest.raises(BookingError):
            await service.accept_offer(second, offer.waitlist_id, later)
        await session.commit()
        assert await session.scalar(select(SlotRow.booked).where(SlotRow.id == slot)) == 1


async def test_cancel_too_late_is_refused(session_factory: Factory) -> None:
    (user, *_), (slot, _) = await _setup(session_factory, 1)
    code = await _book(session_factory, user, slot)
    async with session_factory() as session:
        start = await session.scalar(select(SlotRow.starts_at).where(SlotRow.id == slot))
        with pytest.raises(BookingError) as exc:
            await BookingService(session, TZ).cancel(user, code, start - timedelta(minutes=90))
        assert exc.value.code == "too_late"


async def test_reschedule_keeps_the_old_seat_until_the_new_one_is_taken(
    session_factory: Factory,
) -> None:
    users, (slot_a, slot_b) = await _setup(session_factory, 2, capacity=1)
    mover, other = users
    code = await _book(session_factory, mover, slot_a)
    await _book(session_factory, other, slot_b)  # slot B is now full
    async with session_factory() as session:
        with pytest.raises(BookingError) as exc:
            await BookingService(session, TZ).reschedule(mover, code, slot_b, NOW)
        assert exc.value.code == "full"
        await session.commit()
        row = await session.scalar(select(BookingRow).where(BookingRow.code == code))
        assert row.status == "active"  # still booked where it was
    async with session_factory() as session:  # B frees up: now the move works
        other_code = await session.scalar(
            select(BookingRow.code).where(BookingRow.user_id == other)
        )
        await BookingService(session, TZ).cancel(other, other_code, NOW)
        new, _ = await BookingService(session, TZ).reschedule(mover, code, slot_b, NOW)
        await session.commit()
        booked = dict((await session.execute(select(SlotRow.id, SlotRow.booked))).all())
        assert booked == {slot_a: 0, slot_b: 1}
        reminders = await session.execute(select(ReminderRow.booking_id, ReminderRow.status))
        states = {}
        for booking_id, status in reminders.all():
            states.setdefault(booking_id, set()).add(status)
        # The booking moved: same row, same code; its reminders follow it to the new time.
        assert new.code == code and new.slot_id == slot_b and new.status == "active"
        assert states[new.id] == {"pending"}
        due = await session.scalars(
            select(ReminderRow.due_at)
            .where(ReminderRow.booking_id == new.id)
            .order_by(ReminderRow.due_at)
        )
        assert list(due) == [datetime(2026, 11, 23, 18, 0, tzinfo=TZ),
                             datetime(2026, 11, 24, 16, 30, tzinfo=TZ)]  # fmt: skip


async def test_reminders_fire_once_at_local_times(session_factory: Factory) -> None:
    (user, *_), (slot, _) = await _setup(session_factory, 1)
    code = await _book(session_factory, user, slot)
    async with session_factory() as session:
        claims = NoticeClaims(session)
        # The slot is Tuesday 18:00 in Shanghai: nothing is due before Monday 18:00 there.
        assert await claims.due_reminders(datetime(2026, 11, 23, 17, 59, tzinfo=TZ)) == []
        due = await claims.due_reminders(datetime(2026, 11, 23, 19, 0, tzinfo=TZ))
        assert [r.kind for r in due] == ["evening"]
        assert due[0].due_at == datetime(2026, 11, 23, 18, 0, tzinfo=TZ)
        assert await claims.mark_sent(due[0], slot, NOW)
        assert not await claims.mark_sent(due[0], slot, NOW)  # a retry sends nothing twice
        await session.commit()
        soon = await claims.due_reminders(datetime(2026, 11, 24, 16, 0, tzinfo=TZ))
        assert [r.kind for r in soon] == ["soon"]
        await BookingService(session, TZ).cancel(user, code, NOW)
        await session.commit()
        assert await claims.due_reminders(datetime(2026, 12, 1, tzinfo=UTC)) == []


async def _waitlist_offer(factory: Factory, capacity_users: int = 3) -> tuple[list[int], int, int]:
    """Slot of one seat, booked by the first user; the others wait; the first cancels.
    Returns the users, the slot and the waitlist id offered to the second."""
    users, (slot, _) = await _setup(factory, capacity_users, capacity=1)
    code = await _book(factory, users[0], slot)
    async with factory() as session:
        service = BookingService(session, TZ)
        for i, user in enumerate(users[1:]):
            await service.join_waitlist(user, slot, NOW + timedelta(seconds=i))
        offer = await service.cancel(users[0], code, NOW)
        await session.commit()
    assert offer is not None and offer.user_id == users[1]
    return users, slot, offer.waitlist_id


async def test_an_offer_expired_by_another_process_cannot_be_taken(
    session_factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The expiry job commits while the driver's accept is half-way: one of them wins, and
    the seat is counted once."""
    users, slot, offered = await _waitlist_offer(session_factory)
    later = NOW + timedelta(minutes=29, seconds=59)
    original = BookingService._active

    async def expire_meanwhile(self: BookingService, *args: object) -> BookingRow | None:
        async with session_factory() as other:
            await BookingService(other, TZ).expire_offers(NOW + timedelta(minutes=31))
            await other.commit()
        return await original(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(BookingService, "_active", expire_meanwhile)
    async with session_factory() as session:
        with pytest.raises(BookingError) as exc:
            await BookingService(session, TZ).accept_offer(users[1], offered, later)
        assert exc.value.code == "offer_gone"
        await session.rollback()
    monkeypatch.setattr(BookingService, "_active", original)
    async with session_factory() as session:
        booked = await session.scalar(select(SlotRow.booked).where(SlotRow.id == slot))
        active = await session.scalar(
            select(func.count()).select_from(BookingRow).where(BookingRow.status == "active")
        )
        statuses = list(await session.scalars(select(WaitlistRow.status).order_by(WaitlistRow.id)))
    assert (booked, active, statuses) == (1, 0, ["expired", "offered"])  # held for the third


async def test_a_reminder_read_before_a_move_is_not_sent_for_the_old_time(
    session_factory: Factory,
) -> None:
    """The reminder job reads a booking at 18:00; the driver moves it to 18:30 (the same
    rows, re-armed: the evening reminder is even due at the same minute) and that commits
    before the job claims. The claim fails, and the next run tells the new time."""
    (user, *_), (slot_a, slot_b) = await _setup(session_factory, 1)
    code = await _book(session_factory, user, slot_a)
    evening = datetime(2026, 11, 23, 19, 0, tzinfo=TZ)
    async with session_factory() as job:
        claims = NoticeClaims(job)
        [reminder] = await claims.due_reminders(evening)
        async with session_factory() as driver:  # the move lands meanwhile
            await BookingService(driver, TZ).reschedule(user, code, slot_b, NOW)
            await driver.commit()
        assert not await claims.mark_sent(reminder, slot_a, evening)  # not for 18:00
        await job.commit()
    async with session_factory() as job:
        claims = NoticeClaims(job)
        [again] = await claims.due_reminders(evening)
        assert again.id == reminder.id and await claims.mark_sent(again, slot_b, evening)
        await job.commit()


async def test_a_driver_who_declined_can_wait_again(session_factory: Factory) -> None:
    users, slot, offered = await _waitlist_offer(session_factory)
    async with session_factory() as session:
        service = BookingService(session, TZ)
        nxt = await service.decline_offer(users[1], offered, NOW)
        assert nxt is not None and nxt.user_id == users[2]
        assert await service.join_waitlist(users[1], slot, NOW)  # back in the queue, last
        assert not await service.join_waitlist(users[1], slot, NOW)
        await session.commit()


async def test_offers_end_when_the_start_is_too_close(session_factory: Factory) -> None:
    """A seat freed 40 minutes before the start goes back on sale: nobody could come."""
    _, slot, _ = await _waitlist_offer(session_factory, capacity_users=4)
    async with session_factory() as session:
        starts = await session.scalar(select(SlotRow.starts_at).where(SlotRow.id == slot))
        assert await BookingService(session, TZ).expire_offers(starts - timedelta(minutes=40)) == []
        await session.commit()
        booked = await session.scalar(select(SlotRow.booked).where(SlotRow.id == slot))
        statuses = list(await session.scalars(select(WaitlistRow.status).order_by(WaitlistRow.id)))
    assert booked == 0 and statuses == ["expired", "ended", "ended"]


async def test_a_past_booking_nobody_checked_in_blocks_nothing(session_factory: Factory) -> None:
    users, (slot, _) = await _setup(session_factory, 1)
    code = await _book(session_factory, users[0], slot)
    async with session_factory() as session:
        # Next week's slot of the same service, after the first one has passed unchecked.
        template = SlotTemplate("p1", "general", frozenset({1}), time(18), time(19), 30, 10,
                                days_ahead=14)  # fmt: skip
        await BookingService(session, TZ).generate_slots([template], date(2026, 11, 23))
        await session.commit()
        later_slot = await session.scalar(select(SlotRow.id).order_by(SlotRow.starts_at.desc()))
        assert later_slot is not None
        next_week = NOW + timedelta(days=3)
        booking = await BookingService(session, TZ).book(users[0], later_slot, next_week)
        await session.commit()
        old = await session.scalar(select(BookingRow.status).where(BookingRow.code == code))
    assert booking.status == "active" and old == "lapsed"


async def test_a_closed_day_stays_closed_when_slots_are_generated(
    session_factory: Factory,
) -> None:
    users, (slot, _) = await _setup(session_factory, 1)
    code = await _book(session_factory, users[0], slot)
    template = SlotTemplate("p1", "general", frozenset({1}), time(18), time(19), 30, 10,
                            days_ahead=14)  # fmt: skip
    async with session_factory() as session:
        service = BookingService(session, TZ)
        closed = await service.close_day("p1", date(2026, 11, 24), NOW, "停电")
        assert len(closed) == 1
        # A day not generated yet (beyond the window) is closed ahead of time.
        assert await service.close_day("p1", date(2026, 12, 1), NOW) == []
        assert await service.close_day("p1", date(2026, 11, 24), NOW) == []  # once
        assert await service.generate_slots([template], date(2026, 11, 23)) == 0
        await session.commit()
        row = await session.scalar(select(BookingRow).where(BookingRow.code == code))
        assert row is not None and (row.status, row.note) == ("closed", "停电")
        assert await _book(session_factory, users[0], slot) == "full"  # closed, not bookable
        open_slots = await session.scalar(
            select(func.count()).select_from(SlotRow).where(SlotRow.closed.is_(False))
        )
    assert open_slots == 0  # the 24th's two are closed; the 1st's were never made


def test_reminder_times_skip_the_past() -> None:
    start = datetime(2026, 11, 24, 18, 0, tzinfo=TZ)
    assert set(reminder_times(start, NOW, TZ)) == {"evening", "soon"}
    late = datetime(2026, 11, 23, 19, 0, tzinfo=TZ)  # booked on the evening itself
    assert set(reminder_times(start, late, TZ)) == {"soon"}


async def test_a_clashing_code_is_drawn_again(
    session_factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Codes are random: when one is already taken, the confirm still succeeds with another."""
    draws = iter(["AAAAAA", "AAAAAA", "AAAAAA", "BBBBBB"])
    monkeypatch.setattr("bot.services.checkups.bookings.new_code", lambda: next(draws))
    users, (slot, _) = await _setup(session_factory, 2)
    assert [await _book(session_factory, u, slot) for u in users] == ["AAAAAA", "BBBBBB"]


async def test_a_lost_booking_race_keeps_the_updates_earlier_changes(
    session_factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process books the same service for this driver between our check and our
    insert: the unique index refuses ours, and only the booking's own write is undone: the
    change this update made before stays, and the seat taken goes back."""
    (user, *_), (slot_a, slot_b) = await _setup(session_factory, 1)
    async with session_factory() as other:  # the rival process (SQLite: one writer at a time)
        await BookingService(other, TZ).book(user, slot_b, NOW)
        await other.commit()
    async with session_factory() as session:
        service = BookingService(session, TZ)
        # The update's earlier write (any feature's: here the driver's city).
        driver = await session.get(User, user)
        assert driver is not None
        driver.city = "自贡"
        await session.flush()
        check = service.repo.active

        async def blind_once(user_id: int, service_id: str) -> BookingRow | None:
            monkeypatch.setattr(service.repo, "active", check)  # seen again after the race
            return None  # the race: the rival's booking lands after this check

        monkeypatch.setattr(service.repo, "active", blind_once)
        with pytest.raises(BookingError) as exc:
            await service.book(user, slot_a, NOW)
        assert exc.value.code == "already_booked" and exc.value.booking is not None
        await session.commit()
    async with session_factory() as session:
        assert (await session.get(User, user)).city == "自贡"  # type: ignore[union-attr]
        seats = dict((await session.execute(select(SlotRow.id, SlotRow.booked))).all())
        assert seats == {slot_a: 0, slot_b: 1}
        bookings = await session.scalar(select(func.count()).select_from(BookingRow))
        assert bookings == 1


async def test_a_waitlist_is_only_for_an_open_full_slot(session_factory: Factory) -> None:
    """Whoever calls it: a free seat is booked, not waited for; a past, closed or unknown
    slot has no waitlist; a driver with this service booked waits for nothing."""
    users, (slot, other_slot) = await _setup(session_factory, 3, capacity=1)
    first, second, third = users
    async with session_factory() as session:
        service = BookingService(session, TZ)
        with pytest.raises(BookingError) as exc:
            await service.join_waitlist(second, slot, NOW)
        assert exc.value.code == "not_full"
        with pytest.raises(BookingError) as exc:
            await service.join_waitlist(second, 10**9, NOW)
        assert exc.value.code == "slot_unknown"
        starts = await session.scalar(select(SlotRow.starts_at).where(SlotRow.id == slot))
        assert starts is not None
        with pytest.raises(BookingError) as exc:
            await service.join_waitlist(second, slot, starts)
        assert exc.value.code == "slot_closed"
        await session.rollback()
    await _book(session_factory, first, slot)
    await _book(session_factory, third, other_slot)
    async with session_factory() as session:
        service = BookingService(session, TZ)
        with pytest.raises(BookingError) as exc:
            await service.join_waitlist(third, slot, NOW)  # has this service at 18:30
        assert exc.value.code == "already_booked"
        assert await service.join_waitlist(second, slot, NOW)
        await service.close_day("p1", starts.astimezone(TZ).date(), NOW)
        with pytest.raises(BookingError) as exc:
            await service.join_waitlist(third, slot, NOW)
        assert exc.value.code == "slot_closed"
        await session.commit()


async def test_an_offer_accepted_while_booked_elsewhere_stays_open(
    session_factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The driver booked this service elsewhere between the accept's check and its insert:
    the accept is refused and the offer stays open, so it can be passed on."""
    users, slot, offered = await _waitlist_offer(session_factory)
    _, other_slot = list(await _slots(session_factory))
    assert len(await _book(session_factory, users[1], other_slot)) == 6  # the rival booking
    async with session_factory() as session:
        service = BookingService(session, TZ)

        async def blind(user_id: int, service_id: str, now: datetime) -> BookingRow | None:
            return None  # the rival booking lands after this check

        monkeypatch.setattr(service, "_active", blind)
        with pytest.raises(BookingError) as exc:
            await service.accept_offer(users[1], offered, NOW)
        assert exc.value.code == "already_booked"
        await session.commit()
    async with session_factory() as session:
        place = await session.get(WaitlistRow, offered)
        assert place is not None and place.status == "offered"
        held = await session.scalar(select(SlotRow.booked).where(SlotRow.id == slot))
        assert held == 1  # still held for the offer, to pass on


async def _slots(factory: Factory) -> list[int]:
    async with factory() as session:
        return list(await session.scalars(select(SlotRow.id).order_by(SlotRow.starts_at)))
