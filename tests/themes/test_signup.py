"""Sign-up, the rules on both databases: the seats hold under concurrency, a double tap or a
full, started, forged or seatless activity changes nothing, a cancel frees the seat, and a
re-import keeps those signed up (a lowered capacity included)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.themes.models import ActivityRow, SignupRow
from bot.services.themes.attendance import Attendance
from bot.services.themes.attendance import SignupOutcome as S
from tests.themes.helpers import SEATS, at, drivers, ledger_ok, store_file

Factory = async_sessionmaker[AsyncSession]
TZ = ZoneInfo("Asia/Shanghai")
BEFORE = at(2027, 3, 10)  # days before the activities


def _attendance(session: AsyncSession) -> Attendance:
    return Attendance(session, TZ)


async def _sign_up(factory: Factory, activity_id: int, user_id: int, now: datetime = BEFORE) -> S:
    async with factory() as session:
        outcome = await _attendance(session).sign_up(activity_id, user_id, now)
        await session.commit()
    return outcome


async def _cancel(factory: Factory, activity_id: int, user_id: int, now: datetime = BEFORE) -> S:
    async with factory() as session:
        outcome = await _attendance(session).cancel(activity_id, user_id, now)
        await session.commit()
    return outcome


async def _seats(factory: Factory, activity_id: int) -> tuple[int, int]:
    """The counter and the rows' count, which must agree."""
    async with factory() as session:
        row = await session.get(ActivityRow, activity_id)
        assert row is not None
        rows = await session.scalar(
            select(func.count()).select_from(SignupRow).where(SignupRow.activity_id == activity_id)
        )
        return row.signed_up, int(rows or 0)


async def test_three_seats_and_fifteen_drivers_at_once_end_with_exactly_three(
    session_factory: Factory,
) -> None:
    ids = await store_file(session_factory)
    people = await drivers(session_factory, 15)
    aid = ids["zg-first-aid"]  # capacity 3
    outcomes = await asyncio.gather(*(_sign_up(session_factory, aid, d) for d in people))
    assert outcomes.count(S.SIGNED_UP) == 3
    assert outcomes.count(S.FULL) == 12
    assert await _seats(session_factory, aid) == (3, 3)
    # A seat given back is one more for the next driver, and no more than that.
    winner = people[outcomes.index(S.SIGNED_UP)]
    assert await _cancel(session_factory, aid, winner) == S.CANCELLED
    late = [d for d, o in zip(people, outcomes, strict=True) if o is S.FULL]
    again = await asyncio.gather(*(_sign_up(session_factory, aid, d) for d in late))
    assert again.count(S.SIGNED_UP) == 1 and again.count(S.FULL) == 11
    assert await _seats(session_factory, aid) == (3, 3)
    assert await ledger_ok(session_factory) == []


async def test_a_double_tap_a_full_a_started_and_a_forged_activity_change_nothing(
    session_factory: Factory,
) -> None:
    ids = await store_file(session_factory)
    a, b, c, d = await drivers(session_factory, 4)
    aid = ids["zg-first-aid"]
    assert await _sign_up(session_factory, aid, a) == S.SIGNED_UP
    assert await _sign_up(session_factory, aid, a) == S.ALREADY  # the double tap
    assert await _seats(session_factory, aid) == (1, 1)
    # Twice at once (two phones): one seat.
    both = await asyncio.gather(
        _sign_up(session_factory, aid, b), _sign_up(session_factory, aid, b)
    )
    assert sorted(both) == sorted([S.SIGNED_UP, S.ALREADY])
    assert await _sign_up(session_factory, aid, c) == S.SIGNED_UP
    assert await _sign_up(session_factory, aid, d) == S.FULL
    assert await _seats(session_factory, aid) == (3, 3)
    # Sign-up closes at the start (14:00 on the 13th); so does cancelling.
    walk = ids["ls-hazard-walk"]  # starts 09:00
    assert await _sign_up(session_factory, walk, d, at(2027, 3, 13, 8, 59)) == S.SIGNED_UP
    assert await _cancel(session_factory, walk, d, at(2027, 3, 13, 9)) == S.STARTED
    assert await _sign_up(session_factory, walk, a, at(2027, 3, 13, 9)) == S.STARTED
    assert await _seats(session_factory, walk) == (1, 1)
    # No capacity: no sign-up. An id that is no activity (a forged button): nothing.
    assert await _sign_up(session_factory, ids["online-quiz"], a) == S.UNAVAILABLE
    assert await _sign_up(session_factory, 999_999, a) == S.UNAVAILABLE
    assert await _cancel(session_factory, 999_999, a) == S.UNAVAILABLE
    assert await _cancel(session_factory, aid, d) == S.NOT_SIGNED_UP
    assert await _seats(session_factory, aid) == (3, 3)
    assert await _seats(session_factory, ids["online-quiz"]) == (0, 0)
    assert await ledger_ok(session_factory) == []


async def test_a_reimport_keeps_sign_ups_even_below_a_lowered_capacity(
    session_factory: Factory,
) -> None:
    ids = await store_file(session_factory)
    people = await drivers(session_factory, 4)
    aid = ids["zg-first-aid"]
    for d in people[:3]:
        assert await _sign_up(session_factory, aid, d) == S.SIGNED_UP
    # The room got smaller: everyone keeps their seat, nobody new gets one...
    assert await store_file(session_factory, SEATS.replace("capacity: 3", "capacity: 2")) == ids
    assert await _seats(session_factory, aid) == (3, 3)
    assert await _sign_up(session_factory, aid, people[3]) == S.FULL
    # ...until enough seats are given back to be under the new capacity.
    assert await _cancel(session_factory, aid, people[0]) == S.CANCELLED
    assert await _sign_up(session_factory, aid, people[3]) == S.FULL
    assert await _cancel(session_factory, aid, people[1]) == S.CANCELLED
    assert await _sign_up(session_factory, aid, people[3]) == S.SIGNED_UP
    assert await _seats(session_factory, aid) == (2, 2)
    # Sign-up taken away in the file: the seats stay booked, no new ones.
    no_seats = SEATS.replace("        capacity: 3\n", "")
    await store_file(session_factory, no_seats)
    assert await _seats(session_factory, aid) == (2, 2)
    assert await _sign_up(session_factory, aid, people[0]) == S.UNAVAILABLE
    # The activity dropped from the file: it goes with its sign-ups.
    cut = no_seats.index("      - key: zg-first-aid")
    end = no_seats.index("      - key: ls-hazard-walk")
    await store_file(session_factory, no_seats[:cut] + no_seats[end:])
    async with session_factory() as session:
        assert await session.get(ActivityRow, aid) is None
        assert await session.scalar(select(func.count()).select_from(SignupRow)) == 0
    assert await ledger_ok(session_factory) == []
