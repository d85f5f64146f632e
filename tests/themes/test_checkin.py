"""Check-in, the rules on both databases: the code counts within the activity's window only,
earns the points once however often it is sent, a wrong, stale or other activity's code
earns nothing, an activity without points still records who came, and erasure frees seats."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.points.models import TransferRow
from bot.db.themes.models import ActivityRow, CheckinRow
from bot.services.points.ledger import Ledger, PointsRules
from bot.services.themes import personal_data
from bot.services.themes.attendance import Attendance, Attended
from bot.services.themes.attendance import CheckinOutcome as C
from bot.services.themes.attendance import SignupOutcome as S
from bot.services.themes.catalog import store_themes
from knowledge.themes import codes
from knowledge.themes.files import parse_themes_yaml
from knowledge.themes.window import window
from tests.harness.people import person
from tests.themes.helpers import SEATS, at, drivers, ledger_ok, store_file

Factory = async_sessionmaker[AsyncSession]
TZ = ZoneInfo("Asia/Shanghai")
IN_CLASS = at(2027, 3, 13, 14, 30)  # the first aid class runs 14:00-16:00 on the 13th


async def _code(factory: Factory, activity_id: int, now: datetime) -> str:
    async with factory() as session:
        screen = await Attendance(session, TZ).code(activity_id, now)
        await session.commit()
    assert screen is not None
    return screen.code


async def _check_in(
    factory: Factory, user_id: int, code: str, now: datetime, activity_id: int | None = None
) -> Attended:
    async with factory() as session:
        result = await Attendance(session, TZ).check_in(user_id, code, now, activity_id)
        await session.commit()
    return result


async def _balance(factory: Factory, user_id: int) -> int:
    async with factory() as session:
        return await Ledger(session, TZ, PointsRules()).balance(user_id)


async def _checkins(factory: Factory) -> int:
    async with factory() as session:
        return int(await session.scalar(select(func.count()).select_from(CheckinRow)) or 0)


def test_the_window_from_the_day_and_the_time() -> None:
    day = datetime(2027, 3, 13).date()
    span = window(day, "14:00-16:00", TZ)
    assert (span.opens, span.start, span.end) == (
        at(2027, 3, 13, 13, 30), at(2027, 3, 13, 14), at(2027, 3, 13, 16)
    )  # fmt: skip
    assert span.open_at(at(2027, 3, 13, 13, 30)) and not span.open_at(at(2027, 3, 13, 16))
    assert span.remind_at == at(2027, 3, 13, 12)
    start_only = window(day, "09:00", TZ)  # two hours from the start
    assert (start_only.start, start_only.end) == (at(2027, 3, 13, 9), at(2027, 3, 13, 11))
    whole = window(day, "", TZ)  # the whole local day
    assert (whole.opens, whole.end) == (at(2027, 3, 13, 0), at(2027, 3, 14, 0))
    assert whole.remind_at == at(2027, 3, 13, 8)


def test_codes_rotate_and_the_one_before_still_counts() -> None:
    secret = codes.new_secret()
    now = at(2027, 3, 13, 14, 30)
    code = codes.current_code(secret, now)
    assert codes.CODE_PATTERN.match(code)
    later = now + timedelta(seconds=codes.STEP_SECONDS)
    assert codes.age(secret, code, now) == 0 and codes.age(secret, code, later) == 1
    assert codes.accepted(codes.age(secret, code, later))
    much_later = now + timedelta(seconds=2 * codes.STEP_SECONDS)
    assert codes.age(secret, code, much_later) == 2 and not codes.accepted(2)
    assert codes.normalise(" 123 456 ") == "123456" and codes.normalise("１２３４５６") == "123456"
    assert codes.normalise("12345") is None and codes.normalise("12a456") is None


async def test_a_code_outside_the_window_gives_nothing(session_factory: Factory) -> None:
    ids = await store_file(session_factory)
    (driver,) = await drivers(session_factory, 1)
    aid = ids["zg-first-aid"]
    early = at(2027, 3, 13, 13, 29)  # a minute before check-in opens
    result = await _check_in(
        session_factory, driver, await _code(session_factory, aid, early), early
    )
    assert result.outcome is C.TOO_EARLY and result.opens == at(2027, 3, 13, 13, 30)
    over = at(2027, 3, 13, 16)  # the class is over
    result = await _check_in(session_factory, driver, await _code(session_factory, aid, over), over)
    assert result.outcome is C.OVER
    the_day_before = at(2027, 3, 12, 14, 30)
    code = await _code(session_factory, aid, the_day_before)
    assert (await _check_in(session_factory, driver, code, the_day_before)).outcome is C.TOO_EARLY
    assert await _checkins(session_factory) == 0 and await _balance(session_factory, driver) == 0
    assert await ledger_ok(session_factory) == []


async def test_the_same_code_twice_or_a_new_one_after_gives_the_points_once(
    session_factory: Factory,
) -> None:
    ids = await store_file(session_factory)
    (driver,) = await drivers(session_factory, 1)
    aid = ids["zg-first-aid"]  # 10 points; no sign-up needed (walk-ins welcome)
    code = await _code(session_factory, aid, IN_CLASS)
    first = await _check_in(session_factory, driver, code, IN_CLASS)
    assert first.outcome is C.CHECKED_IN and first.points == 10
    assert first.activity is not None and first.activity.id == aid
    assert (await _check_in(session_factory, driver, code, IN_CLASS)).outcome is C.ALREADY
    later = IN_CLASS + timedelta(minutes=20)
    new = await _code(session_factory, aid, later)
    again = await _check_in(session_factory, driver, new, later, activity_id=aid)  # the QR link
    assert again.outcome is C.ALREADY and again.points == 0
    assert await _balance(session_factory, driver) == 10 and await _checkins(session_factory) == 1
    async with session_factory() as session:
        keys = list(await session.scalars(select(TransferRow.key)))
    assert keys == [f"activity:{aid}:{driver}"]
    assert await ledger_ok(session_factory) == []


async def test_a_wrong_or_stale_code_gives_nothing(session_factory: Factory) -> None:
    ids = await store_file(session_factory)
    (driver,) = await drivers(session_factory, 1)
    aid = ids["zg-first-aid"]
    code = await _code(session_factory, aid, IN_CLASS)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert (await _check_in(session_factory, driver, wrong, IN_CLASS)).outcome is C.WRONG_CODE
    # The code two steps on: the one before still counts, this one no longer does.
    stale_at = IN_CLASS + timedelta(seconds=2 * codes.STEP_SECONDS)
    assert (await _check_in(session_factory, driver, code, stale_at)).outcome is C.EXPIRED
    # A typo of the link's code, and a link to no activity at all.
    result = await _check_in(session_factory, driver, wrong, IN_CLASS, activity_id=aid)
    assert result.outcome is C.WRONG_CODE
    result = await _check_in(session_factory, driver, code, IN_CLASS, activity_id=999_999)
    assert result.outcome is C.WRONG_CODE
    assert await _checkins(session_factory) == 0 and await _balance(session_factory, driver) == 0
    # Within grace: one step old still works.
    grace = IN_CLASS + timedelta(seconds=codes.STEP_SECONDS)
    assert (await _check_in(session_factory, driver, code, grace)).outcome is C.CHECKED_IN
    assert await ledger_ok(session_factory) == []


async def test_the_code_of_one_activity_does_not_check_in_to_another(
    session_factory: Factory,
) -> None:
    ids = await store_file(session_factory)
    (driver,) = await drivers(session_factory, 1)
    class_id, walk_id = ids["zg-first-aid"], ids["ls-hazard-walk"]
    now = at(2027, 3, 13, 10)  # the walk (09:00-11:00) is on; the class opens at 13:30
    walk_code = await _code(session_factory, walk_id, now)
    class_code = await _code(session_factory, class_id, now)
    # The class's code sent to the walk's link, and the class's code while it is not open.
    result = await _check_in(session_factory, driver, class_code, now, activity_id=walk_id)
    assert result.outcome is C.WRONG_CODE
    result = await _check_in(session_factory, driver, class_code, now)
    assert result.outcome is C.TOO_EARLY and result.activity is not None
    assert result.activity.id == class_id
    result = await _check_in(session_factory, driver, walk_code, now)
    assert result.outcome is C.CHECKED_IN and result.points == 5
    async with session_factory() as session:
        rows = list(await session.scalars(select(CheckinRow)))
    assert [(r.activity_id, r.user_id, r.points) for r in rows] == [(walk_id, driver, 5)]
    assert await _balance(session_factory, driver) == 5
    assert await ledger_ok(session_factory) == []


async def test_no_points_still_records_attendance(session_factory: Factory) -> None:
    ids = await store_file(session_factory)
    (driver,) = await drivers(session_factory, 1)
    quiz = ids["online-quiz"]  # the whole of the 20th, no points
    now = at(2027, 3, 20, 23, 59)
    result = await _check_in(session_factory, driver, await _code(session_factory, quiz, now), now)
    assert result.outcome is C.CHECKED_IN and result.points == 0
    assert await _checkins(session_factory) == 1 and await _balance(session_factory, driver) == 0
    assert await ledger_ok(session_factory) == []


async def test_a_sample_activity_takes_no_sign_up_and_no_check_in(
    session_factory: Factory,
) -> None:
    themes = parse_themes_yaml(SEATS).themes
    assert themes is not None
    async with session_factory() as session:
        await store_themes(session, themes, is_sample=True)
        driver = await person(session, 7001)
        await session.commit()
    async with session_factory() as session:
        aid = await session.scalar(select(ActivityRow.id).where(ActivityRow.key == "zg-first-aid"))
        assert aid is not None
        attendance = Attendance(session, TZ)
        assert await attendance.sign_up(aid, driver, at(2027, 3, 1)) is S.UNAVAILABLE
        assert await attendance.code(aid, IN_CLASS) is None
        assert await attendance.today(IN_CLASS) == []
        await session.commit()


async def test_mydata_shows_and_deleteme_erases_sign_ups_and_check_ins(
    session_factory: Factory,
) -> None:
    ids = await store_file(session_factory)
    driver, other = await drivers(session_factory, 2)
    aid = ids["zg-first-aid"]
    async with session_factory() as session:
        attendance = Attendance(session, TZ)
        assert await attendance.sign_up(aid, driver, at(2027, 3, 1)) is S.SIGNED_UP
        assert await attendance.sign_up(aid, other, at(2027, 3, 1)) is S.SIGNED_UP
        await session.commit()
    code = await _code(session_factory, aid, IN_CLASS)
    assert (await _check_in(session_factory, driver, code, IN_CLASS)).outcome is C.CHECKED_IN
    async with session_factory() as session:
        exported = await personal_data.export(session, driver, TZ)
    assert exported["signups"] == [{"activity": "zg-first-aid", "at": at(2027, 3, 1).isoformat()}]
    assert exported["checkins"] == [
        {"activity": "zg-first-aid", "at": IN_CLASS.isoformat(), "points": 10}
    ]
    async with session_factory() as session:
        await personal_data.erase(session, driver, IN_CLASS, TZ)
        await session.commit()
    async with session_factory() as session:
        assert await personal_data.export(session, driver, TZ) == {"signups": [], "checkins": []}
        row = await session.get(ActivityRow, aid)
        assert row is not None and row.signed_up == 1  # the seat freed; the other's kept
        assert (await personal_data.export(session, other, TZ))["signups"] != []
    assert await ledger_ok(session_factory) == []


async def test_two_check_ins_of_one_driver_at_once_pay_once(session_factory: Factory) -> None:
    ids = await store_file(session_factory)
    (driver,) = await drivers(session_factory, 1)
    aid = ids["zg-first-aid"]
    code = await _code(session_factory, aid, IN_CLASS)
    results = await asyncio.gather(
        _check_in(session_factory, driver, code, IN_CLASS),
        _check_in(session_factory, driver, code, IN_CLASS, activity_id=aid),
    )
    assert sorted(r.outcome for r in results) == sorted([C.CHECKED_IN, C.ALREADY])
    assert await _balance(session_factory, driver) == 10 and await _checkins(session_factory) == 1
    assert await ledger_ok(session_factory) == []
