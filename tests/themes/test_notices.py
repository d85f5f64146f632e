"""The month's notice and the activity reminders: queued to the outbox once (two runs, a
restart), not before their time, only to opted-in drivers (of the activity's city), after
their quiet hours, in their language, never for the sample."""

from __future__ import annotations

from datetime import time

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.outbox.models import MessageKind, OutboxStatus, Priority
from bot.db.users.models import User
from bot.sandbox import BotApiServer
from bot.services.users.profiles import UserService
from tests.harness import DRIVER, EN_DRIVER, App, Clock, running_app
from tests.themes.helpers import (
    OTHER,
    THIRD,
    announce,
    at,
    chats,
    onboard_in,
    outbox,
    remind,
    store,
)


async def _drivers(app: App) -> None:
    """DRIVER in 自贡, OTHER in 乐山, EN_DRIVER (English) in 温州, THIRD without a city."""
    await onboard_in(app, DRIVER, "自贡")
    await onboard_in(app, OTHER, "乐山")
    await onboard_in(app, EN_DRIVER, "Wenzhou")
    await onboard_in(app, THIRD, None)


EVERYONE = sorted([DRIVER.id, OTHER.id, EN_DRIVER.id, THIRD.id])


async def test_the_month_is_announced_once_from_day_1_at_the_set_time(
    app: App, clock: Clock
) -> None:
    await _drivers(app)
    await store(app)
    for moment in (at(2027, 2, 28, 23, 59), at(2027, 3, 1, 8, 59)):
        clock.now = moment
        assert await announce(app) == 0
    assert await outbox(app) == []
    clock.now = at(2027, 3, 1, 9, 0)
    assert await announce(app) == 4
    clock.now = at(2027, 3, 1, 9, 10)
    assert await announce(app) == 0  # the next run finds it announced
    rows = await outbox(app, MessageKind.THEME)
    assert sorted(r.chat_id for r in rows) == EVERYONE
    assert {r.dedupe_key for r in rows} == {f"theme:2027-03:u{r.user_id}" for r in rows}
    assert all(r.status is OutboxStatus.PENDING and r.not_before == at(2027, 3, 1, 9) for r in rows)
    assert all(r.priority == Priority.BULK for r in rows)


async def test_a_restart_or_a_second_scheduler_announces_nothing_again(
    app: App, clock: Clock, server: BotApiServer, engine: AsyncEngine, db_url: str
) -> None:
    await _drivers(app)
    await store(app)
    clock.now = at(2027, 3, 1, 9, 5)
    async with running_app(server, engine, db_url, clock) as second:  # same database
        assert await announce(app) == 4
        assert await announce(second) == 0
        clock.now = at(2027, 3, 2, 10)
        assert await announce(second) == 0
    assert await chats(app, MessageKind.THEME) == EVERYONE


async def test_a_bot_down_on_the_1st_announces_within_the_first_week(
    app: App, clock: Clock
) -> None:
    await _drivers(app)
    await store(app)
    clock.now = at(2027, 3, 7, 20)  # down since February: still the first week
    assert await announce(app) == 4
    clock.now = at(2027, 4, 8, 9)  # April's notice missed its week: the 📅 menu has it
    assert await announce(app) == 0
    assert await chats(app, MessageKind.THEME) == EVERYONE


async def test_the_notice_time_is_a_setting(
    server: BotApiServer, engine: AsyncEngine, db_url: str, clock: Clock
) -> None:
    async with running_app(server, engine, db_url, clock, theme_notice_time="18:30") as app:
        await onboard_in(app, DRIVER, "自贡")
        await store(app)
        clock.now = at(2027, 3, 1, 18, 29)
        assert await announce(app) == 0
        clock.now = at(2027, 3, 1, 18, 30)
        assert await announce(app) == 1


async def test_opted_out_drivers_get_nothing(app: App, clock: Clock) -> None:
    await _drivers(app)
    await store(app)
    other = await app.user_row(OTHER.id)
    assert other is not None
    async with app.session_factory() as session:
        await UserService(session).set_theme_notices(other.id, False)
        await session.commit()
    clock.now = at(2027, 3, 1, 9)
    assert await announce(app) == 3
    clock.now = at(2027, 3, 8, 10)  # the day before 乐山's activity
    assert await remind(app) == 0
    assert OTHER.id not in await chats(app, MessageKind.THEME)


async def test_a_notice_waits_for_the_end_of_the_drivers_quiet_hours(
    app: App, clock: Clock
) -> None:
    await _drivers(app)
    await store(app)
    async with app.session_factory() as session:
        await session.execute(
            update(User)
            .where(User.telegram_id == OTHER.id)
            .values(quiet_start=time(8, 0), quiet_end=time(12, 30))
        )
        await session.commit()
    clock.now = at(2027, 3, 1, 9)
    await announce(app)
    due = {r.chat_id: r.not_before for r in await outbox(app, MessageKind.THEME)}
    assert due[OTHER.id] == at(2027, 3, 1, 12, 30)
    assert due[DRIVER.id] == at(2027, 3, 1, 9)


async def test_the_notice_lists_the_drivers_activities_in_their_language(
    app: App, clock: Clock
) -> None:
    await _drivers(app)
    await store(app)
    clock.now = at(2027, 3, 1, 9)
    await announce(app)
    rows = {r.chat_id: r for r in await outbox(app, MessageKind.THEME)}
    zh = rows[DRIVER.id].text
    assert "平安行车月" in zh and "应急救援实操课" in zh and "安全驾驶线上课" in zh
    assert "道路隐患随手拍" not in zh and "其他城市还有 1 项活动" in zh  # 乐山's is elsewhere
    en = rows[EN_DRIVER.id].text
    assert "Safe driving month" in en and "Safe driving course online" in en
    assert "Hands-on first aid class" not in en and "More in other cities: 2" in en
    buttons = [b["text"] for row in rows[EN_DRIVER.id].buttons or [] for b in row]
    assert buttons == ["📅 All activities", "🔕 No more monthly themes"]
    assert [b["text"] for row in rows[DRIVER.id].buttons or [] for b in row][-1].startswith("🔕")


async def test_an_activity_is_reminded_the_day_before_to_its_citys_drivers_once(
    app: App, clock: Clock
) -> None:
    await _drivers(app)
    await store(app)
    clock.now = at(2027, 3, 12, 9, 59)  # 自贡's first aid class is on the 13th
    assert await remind(app) == 0
    clock.now = at(2027, 3, 12, 10, 0)
    assert await remind(app) == 1
    clock.now = at(2027, 3, 12, 10, 10)
    assert await remind(app) == 0
    [row] = await outbox(app, MessageKind.ACTIVITY)
    assert (
        row.chat_id == DRIVER.id
        and row.dedupe_key == f"activity:zg-first-aid:2027-03-13:u{row.user_id}"
    )
    assert "应急救援实操课" in row.text and "3月13日" in row.text and "自贡市司机之家" in row.text
    assert (row.buttons or [[{}]])[-1][0]["text"].startswith("🔕")
    # The online course has no city: everyone is told.
    clock.now = at(2027, 3, 19, 18)
    assert await remind(app) == 4
    assert len(await outbox(app, MessageKind.ACTIVITY)) == 5
    en = next(r for r in await outbox(app, MessageKind.ACTIVITY) if r.chat_id == EN_DRIVER.id)
    assert "Safe driving course online" in en.text
    assert any(b.get("url") == "https://example.com/course" for b in (en.buttons or [[]])[0])


async def test_a_reminder_missed_the_whole_day_before_is_not_sent_on_the_day(
    app: App, clock: Clock
) -> None:
    await _drivers(app)
    await store(app)
    clock.now = at(2027, 3, 13, 10)  # the activity's own day
    assert await remind(app) == 0
    assert await outbox(app) == []


async def test_sample_themes_are_never_sent(app: App, clock: Clock) -> None:
    await _drivers(app)
    await store(app, is_sample=True)
    clock.now = at(2027, 3, 1, 9)
    assert await announce(app) == 0
    clock.now = at(2027, 3, 12, 10)
    assert await remind(app) == 0
    assert await outbox(app) == []
