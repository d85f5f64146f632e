"""Booking rules on both databases: capacity under concurrency, idempotent confirms, cancel,
waitlist offers, reschedule, reminders."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import (
    BookingRow,
    CheckupProviderRow,
    CheckupServiceRow,
    ReminderRow,
    Role,
    SlotRow,
    User,
)
from bot.services.bookings import BookingError, BookingService, reminder_times
from knowledge.checkups import SlotTemplate

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
        old_id = await session.scalar(select(BookingRow.id).where(BookingRow.code == code))
        assert states[old_id] == {"cancelled"} and states[new.id] == {"pending"}


async def test_reminders_fire_once_at_local_times(session_factory: Factory) -> None:
    (user, *_), (slot, _) = await _setup(session_factory, 1)
    code = await _book(session_factory, user, slot)
    async with session_factory() as session:
        service = BookingService(session, TZ)
        # The slot is Tuesday 18:00 in Shanghai: nothing is due before Monday 18:00 there.
        assert await service.due_reminders(datetime(2026, 11, 23, 17, 59, tzinfo=TZ)) == []
        due = await service.due_reminders(datetime(2026, 11, 23, 19, 0, tzinfo=TZ))
        assert [r.kind for r in due] == ["evening"]
        assert due[0].due_at == datetime(2026, 11, 23, 18, 0, tzinfo=TZ)
        assert await service.mark_sent(due[0].id, NOW)
        assert not await service.mark_sent(due[0].id, NOW)  # a retry sends nothing twice
        await session.commit()
        soon = await service.due_reminders(datetime(2026, 11, 24, 16, 0, tzinfo=TZ))
        assert [r.kind for r in soon] == ["soon"]
        await service.cancel(user, code, NOW)
        await session.commit()
        assert await service.due_reminders(datetime(2026, 12, 1, tzinfo=UTC)) == []


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
    monkeypatch.setattr("bot.services.bookings.new_code", lambda: next(draws))
    users, (slot, _) = await _setup(session_factory, 2)
    assert [await _book(session_factory, u, slot) for u in users] == ["AAAAAA", "BBBBBB"]
