"""/mydata and /deleteme cover every table that holds something about a person."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from bot.db.checkups.models import BookingRow, ReminderRow, SlotRow, WaitlistRow
from bot.db.schema import metadata
from bot.db.users.models import User
from bot.features import FEATURES
from bot.sandbox import TgUser
from bot.services.checkups.bookings import BookingService
from bot.services.personal_data import USER_TABLES, holds_personal_data
from tests.checkups.helpers import load_sample
from tests.harness import DRIVER, NOON_MONDAY, App, texts

PARTS = [part for feature in FEATURES for part in feature.personal_data]
OTHER = TgUser(1003, "李师傅")


def test_every_table_says_whether_it_is_personal_and_those_that_are_are_covered() -> None:
    """A feature that adds a table must say in its model whether it holds anything about a
    person (`holds_personal`), and what /mydata and /deleteme do with it if it does."""
    tables = metadata().tables
    silent = [name for name, table in tables.items() if holds_personal_data(table) is None]
    assert not silent, f"tables that do not say whether they hold personal data: {silent}"
    claimed = set(USER_TABLES)
    for part in PARTS:
        assert not claimed & part.tables, f"{part.key} claims a table twice"
        claimed |= part.tables
    personal = {name for name, table in tables.items() if holds_personal_data(table)}
    assert personal == claimed, (
        f"personal tables without a part: {personal - claimed}, "
        f"parts for tables not marked personal: {claimed - personal}"
    )
    # Whatever points at a person (directly or through another personal table) is personal.
    pointing = set(USER_TABLES)
    changed = True
    while changed:
        changed = False
        for name, table in tables.items():
            targets = {fk.column.table.name for fk in table.foreign_keys}
            if name not in pointing and targets & pointing:
                pointing.add(name)
                changed = True
    assert pointing <= personal, (
        f"tables pointing at people not marked personal: {pointing - personal}"
    )


async def _setup_bookings(app: App) -> tuple[int, int, int]:
    """DRIVER books the only seat of a slot and waits for another full slot; OTHER waits for
    DRIVER's slot. Returns (driver's user id, other's user id, the booked slot id)."""
    tz = app.settings.tz
    await load_sample(app.session_factory, NOON_MONDAY.astimezone(tz).date(), tz)
    await app.onboard(DRIVER)
    await app.onboard(OTHER)
    driver = (await app.user_row(DRIVER.id)).id
    other = (await app.user_row(OTHER.id)).id
    async with app.session_factory() as session:
        slots = list(
            await session.scalars(
                select(SlotRow)
                .where(SlotRow.starts_at > NOON_MONDAY + timedelta(days=1))
                .order_by(SlotRow.starts_at)
                .limit(2)
            )
        )
        booked, full = slots[0].id, slots[1].id
        await session.execute(
            update(SlotRow).where(SlotRow.id.in_([booked, full])).values(capacity=1)
        )
        service = BookingService(session, tz)
        await service.book(driver, booked, NOON_MONDAY)
        await service.book(other, full, NOON_MONDAY)
        assert await service.join_waitlist(driver, full, NOON_MONDAY)
        assert await service.join_waitlist(other, booked, NOON_MONDAY)
        await session.commit()
    return driver, other, booked


async def _my_data(app: App, user: TgUser) -> dict[str, Any]:
    sent = await app.text(user, "/mydata")
    doc = next(r for r in sent if r["method"] == "sendDocument")
    file = await app.bot.get_file(doc["result"]["document"]["file_id"])
    data: dict[str, Any] = json.loads((await app.bot.download(file)).read())
    return data


async def test_mydata_holds_bookings_waitlist_and_reminders(app: App) -> None:
    await _setup_bookings(app)
    data = await _my_data(app, DRIVER)
    assert data["user"]["telegram_id"] == DRIVER.id
    [booking] = data["checkups"]["bookings"]
    assert booking["status"] == "active" and len(booking["code"]) == 6
    assert {r["kind"] for r in booking["reminders"]} == {"evening", "soon"}
    [place] = data["checkups"]["waitlist"]
    assert place["status"] == "waiting"
    assert "李师傅" not in json.dumps(data, ensure_ascii=False)  # nobody else's data


async def test_deleteme_cancels_bookings_and_passes_seats_on(app: App) -> None:
    driver, other, booked = await _setup_bookings(app)
    await app.text(DRIVER, "/deleteme")
    sent = await app.press(DRIVER, "🗑 确认删除")
    assert any("已删除" in t for t in texts(sent))
    # The seat the leaving driver held is offered at once to the driver waiting for it.
    offers = [r for r in sent if r["chat_id"] == OTHER.id and r["method"] == "sendMessage"]
    assert len(offers) == 1 and "名额" in offers[0]["plain_text"]
    async with app.session_factory() as session:
        bookings = list(
            await session.scalars(select(BookingRow).where(BookingRow.user_id == driver))
        )
        assert [b.status for b in bookings] == ["cancelled"]
        reminders = await session.scalars(
            select(ReminderRow.status).where(ReminderRow.booking_id == bookings[0].id)
        )
        assert set(reminders) == {"cancelled"}
        places = await session.scalars(
            select(WaitlistRow.status).where(WaitlistRow.user_id == driver)
        )
        assert list(places) == ["declined"]
        offered = await session.scalar(
            select(WaitlistRow.status).where(
                WaitlistRow.user_id == other, WaitlistRow.slot_id == booked
            )
        )
        assert offered == "offered"
        row = await session.get(User, driver)
        assert row is not None and row.telegram_id is None and row.erased_at is not None
    await app.onboard(DRIVER)  # coming back starts afresh, with nothing attached
    data = await _my_data(app, DRIVER)
    assert data["checkups"] == {"bookings": [], "waitlist": []}
