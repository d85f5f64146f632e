"""Broadcast tests' helpers: drivers put straight into the users table (only the e2e test
needs them to have chatted), the compose form driven by taps, and the rows it leaves."""

from __future__ import annotations

from datetime import time
from typing import Any

from sqlalchemy import select

from bot.db.broadcasts.models import BroadcastRow
from bot.db.outbox.models import OutboxRow
from bot.db.users.models import Occupation, Role, User
from bot.feature import JobContext
from tests.harness import ADMIN, NOON_MONDAY, App, tap


async def add_driver(
    app: App,
    telegram_id: int,
    name: str | None = "张师傅",
    *,
    language: str = "zh",
    city: str | None = "自贡",
    occupation: Occupation | None = Occupation.TRUCK,
    role: Role = Role.DRIVER,
    notifications: bool = True,
    blocked: bool = False,
    consented: bool = True,
    quiet: tuple[time, time] | None = None,
) -> int:
    async with app.session_factory() as session:
        user = User(
            telegram_id=telegram_id, display_name=name, language=language, role=role,
            occupation=occupation, city=city, notifications=notifications,
            blocked_bot=blocked, consent_at=NOON_MONDAY if consented else None,
            onboarded_at=NOON_MONDAY if consented else None,
            quiet_start=quiet[0] if quiet else None, quiet_end=quiet[1] if quiet else None,
        )  # fmt: skip
        session.add(user)
        await session.commit()
        return user.id


async def admin_id(app: App) -> int:
    """The admin's user id (their row made by a first update, as in a real chat)."""
    await app.text(ADMIN, "/help")
    row = await app.user_row(ADMIN.id)
    assert row is not None
    return row.id


async def broadcasts(app: App) -> list[BroadcastRow]:
    async with app.session_factory() as session:
        return list(await session.scalars(select(BroadcastRow).order_by(BroadcastRow.id)))


async def outbox(app: App, broadcast_id: int | None = None) -> list[OutboxRow]:
    async with app.session_factory() as session:
        query = select(OutboxRow).order_by(OutboxRow.id)
        if broadcast_id is not None:
            query = query.where(OutboxRow.broadcast_id == broadcast_id)
        return list(await session.scalars(query))


def context(app: App) -> JobContext:
    return JobContext(app.dp["core"], app.bot, app.kits)


async def compose(
    app: App,
    text: str = "明天高速施工，请绕行。",
    *,
    links: str | None = None,
    english: str | None = None,
    audience: tuple[str, ...] = ("全部",),
    when: str = "🚀",
) -> list[dict[str, Any]]:
    """/broadcast through to the confirm screen (zh buttons); returns the last calls."""
    await app.text(ADMIN, "/broadcast")
    await app.text(ADMIN, text)
    if links is None:
        await tap(app, ADMIN, "不加按钮")
    else:
        await app.text(ADMIN, links)
    if english is None:
        await tap(app, ADMIN, "同一文本")
    else:
        await tap(app, ADMIN, "英文版")
        await app.text(ADMIN, english)
    for label in audience:
        await tap(app, ADMIN, label)
    await tap(app, ADMIN, "预览")
    if when.startswith("⌨"):
        return await app.text(ADMIN, when[1:])
    return await tap(app, ADMIN, when)
