"""Theme tests' helpers: a small themes file, storing it, Shanghai wall-clock times, drivers
onboarded in a city, the jobs run as the scheduler runs them, and the outbox rows they leave."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.db.outbox.models import MessageKind, OutboxRow
from bot.db.themes.models import ActivityRow
from bot.feature import JobContext
from bot.sandbox import TgUser
from bot.services.points.ledger import check
from bot.services.themes.catalog import ThemeCounts, store_themes
from knowledge.themes.files import parse_themes_yaml
from scheduler.jobs.themes import announce_theme, remind_activities, remind_signups
from tests.harness import App
from tests.harness.people import person

OTHER = TgUser(1003, "李师傅")  # drives in 乐山
THIRD = TgUser(1004, "王师傅")  # no city given

# March 2027 with an activity in 自贡, one in 乐山 and one for every city; April with one.
THEMES = """\
themes:
  - month: 2027-03
    title_zh: 平安行车月
    title_en: Safe driving month
    description_zh: 开春讲安全。
    description_en: Safety first this spring.
    activities:
      - key: ls-hazard-walk
        date: 2027-03-09
        time: 09:00-11:00
        title_zh: 道路隐患随手拍
        title_en: Snap report walk
        place: 沙湾区驿站
        city: 乐山
      - key: zg-first-aid
        date: 2027-03-13
        time: 14:00-16:00
        title_zh: 应急救援实操课
        title_en: Hands-on first aid class
        place: 自贡市司机之家
        city: 自贡
      - key: online-course
        date: 2027-03-20
        title_zh: 安全驾驶线上课
        title_en: Safe driving course online
        link: https://example.com/course
  - month: 2027-04
    title_zh: 便民服务月
    title_en: Easy errands month
    activities:
      - key: wz-etc
        date: 2027-04-10
        title_zh: 货车ETC现场办理
        title_en: Truck ETC cards on the spot
        city: 温州
"""


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A Shanghai wall-clock time as an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


async def store(app: App, text: str = THEMES, is_sample: bool = False) -> ThemeCounts:
    result = parse_themes_yaml(text)
    assert result.errors == [] and result.themes is not None
    async with app.session_factory() as session:
        counts = await store_themes(session, result.themes, is_sample=is_sample)
        await session.commit()
    return counts


async def onboard_in(app: App, user: TgUser, city: str | None) -> None:
    """Onboarding with a city typed at its step (skipped when None), the phone skipped."""
    skip = "⏭ Skip" if user.language_code == "en" else "⏭ 跳过"
    await app.text(user, "/start")
    await app.press(user, "✅")
    await app.press(user, "🚚")
    await app.text(user, city or skip)
    await app.text(user, skip)


def context(app: App) -> JobContext:
    return JobContext(app.dp["core"], app.bot, app.kits)


async def announce(app: App) -> int:
    return await announce_theme(context(app))


async def remind(app: App) -> int:
    return await remind_activities(context(app))


async def remind_signed_up(app: App) -> int:
    return await remind_signups(context(app))


async def outbox(app: App, kind: MessageKind | None = None) -> list[OutboxRow]:
    async with app.session_factory() as session:
        query = select(OutboxRow).order_by(OutboxRow.id)
        if kind is not None:
            query = query.where(OutboxRow.kind == kind)
        return list(await session.scalars(query))


async def chats(app: App, kind: MessageKind) -> list[int]:
    return sorted(row.chat_id for row in await outbox(app, kind))


# Activities with seats and points: two on the same day in March 2027 (the class with three
# seats, the walk with a start time only) and a whole-day quiz worth nothing but attendance.
SEATS = """\
themes:
  - month: 2027-03
    title_zh: 平安行车月
    title_en: Safe driving month
    activities:
      - key: zg-first-aid
        date: 2027-03-13
        time: 14:00-16:00
        title_zh: 应急救援实操课
        title_en: Hands-on first aid class
        place: 自贡市司机之家
        city: 自贡
        capacity: 3
        points: 10
      - key: ls-hazard-walk
        date: 2027-03-13
        time: 09:00
        title_zh: 道路隐患随手拍
        title_en: Snap report walk
        place: 沙湾区驿站
        capacity: 20
        points: 5
      - key: online-quiz
        date: 2027-03-20
        title_zh: 安全知识问答
        title_en: Safety quiz
"""


async def activity_ids(app_or_factory: Any) -> dict[str, int]:
    """The stored activities' ids by key."""
    factory = getattr(app_or_factory, "session_factory", app_or_factory)
    async with factory() as session:
        rows = await session.execute(select(ActivityRow.key, ActivityRow.id))
        return {key: id_ for key, id_ in rows.all()}


async def ledger_ok(app_or_factory: Any) -> list[Any]:
    """`points check`: the ledger's invariant violations (none, after every test)."""
    factory = getattr(app_or_factory, "session_factory", app_or_factory)
    async with factory() as session:
        return await check(session)


async def store_file(factory: Any, text: str = SEATS) -> dict[str, int]:
    """A themes file stored as an import (not a sample); the activities' ids by key."""
    result = parse_themes_yaml(text)
    assert result.themes is not None, result.errors
    async with factory() as session:
        await store_themes(session, result.themes)
        await session.commit()
    return await activity_ids(factory)


async def drivers(factory: Any, n: int) -> list[int]:
    """n people in the database (user ids), without a Telegram conversation."""
    async with factory() as session:
        ids = [await person(session, 5000 + i) for i in range(n)]
        await session.commit()
    return ids
