"""Shared by the checkup tests: a fixed clock, the app with the sample catalog, and helpers
that tap buttons and read rows. Each test module declares its own `clock` and `app` fixtures
with `checkup_app` (fixtures are not shared by import)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.checkups.models import BookingRow, SlotRow
from bot.sandbox import BotApiServer, TgUser, specs
from bot.services.checkups.catalog import load_sample_if_empty
from tests.harness import NOON_MONDAY, App, running_app

TOKEN = "123456:TEST"
TZ_OFFSET = timedelta(hours=8)
OTHER = TgUser(1003, "李师傅")
THIRD = TgUser(1004, "王师傅")
GROUP = -100777


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A Shanghai wall-clock time in November 2026, as an aware UTC datetime."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC) - TZ_OFFSET


@dataclass
class Clock:
    now: datetime = NOON_MONDAY

    def __call__(self) -> datetime:
        return self.now


@asynccontextmanager
async def checkup_app(
    server: BotApiServer, engine: AsyncEngine, db_url: str, clock: Clock, **overrides: Any
) -> AsyncIterator[App]:
    """The app with the sample checkups loaded, on `clock`."""
    overrides.setdefault("booking_help_phone", "0813-1234567")
    async with running_app(server, engine, db_url, clock=clock, **overrides) as app:
        tz = app.settings.tz
        await load_sample_if_empty(app.session_factory, NOON_MONDAY.astimezone(tz).date(), tz)
        yield app


def buttons(record: dict[str, Any]) -> list[dict[str, Any]]:
    markup = record.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def button_rows(record: dict[str, Any]) -> list[list[str]]:
    markup = record.get("reply_markup") or {}
    return [[b["text"] for b in row] for row in markup.get("inline_keyboard", [])]


def last_with_buttons(app: App, chat_id: int) -> dict[str, Any]:
    for message in reversed(app.server.chat_messages(TOKEN, chat_id)):
        if buttons(message):
            return message
    raise AssertionError("no message with buttons")


def shown(app: App, chat_id: int, message_id: int) -> dict[str, Any]:
    """The message as the chat shows it now."""
    for message in app.server.chat_messages(TOKEN, chat_id):
        if message["message_id"] == message_id:
            return message
    raise AssertionError(f"no message {message_id} in chat {chat_id}")


async def tap(
    app: App, user: TgUser, text: str, exact: bool = False, chat_id: int | None = None
) -> list[dict[str, Any]]:
    """Tap a button of the newest message that has buttons; `exact` for calendar days."""
    message = last_with_buttons(app, chat_id or user.id)
    for button in buttons(message):
        if (button["text"] == text) if exact else (text in button["text"]):
            extra = {"chat_id": chat_id} if chat_id else {}
            return await app.feed(
                specs.callback(user, message["message_id"], button["callback_data"], **extra)
            )
    raise AssertionError(f"no button {text!r} in {[b['text'] for b in buttons(message)]}")


async def press_again(app: App, user: TgUser, message_id: int, data: str) -> list[dict[str, Any]]:
    """A tap on a button the chat no longer shows (a client with an old keyboard)."""
    return await app.feed(specs.callback(user, message_id, data, check_button=False))


def answers(records: list[dict[str, Any]]) -> list[str]:
    return [r["text"] or "" for r in records if r["method"] == "answerCallbackQuery"]


def alerts(records: list[dict[str, Any]]) -> list[str]:
    return [
        r["text"] or ""
        for r in records
        if r["method"] == "answerCallbackQuery" and r["params"].get("show_alert")
    ]


def methods(records: list[dict[str, Any]]) -> list[str]:
    return [r["method"] for r in records]


async def to_summary(app: App, user: TgUser, day: str = "24", time_: str = "18:00") -> int:
    """Menu → 免费体检 → 第三人民医院 → the day → the time; returns the form's message id."""
    sent = await app.text(user, "🩺 体检预约")
    form = sent[-1]["result"]["message_id"]
    await tap(app, user, "免费体检")
    await tap(app, user, "自贡市第三人民医院")
    await tap(app, user, day, exact=True)
    await tap(app, user, time_)
    return form


async def book(app: App, user: TgUser, day: str = "24", time_: str = "18:00") -> BookingRow:
    await to_summary(app, user, day, time_)
    await tap(app, user, "✅ 确认预约")
    rows = [b for b in await bookings(app) if b.status == "active"]
    return rows[-1]


async def bookings(app: App) -> list[BookingRow]:
    async with app.session_factory() as session:
        return list(await session.scalars(select(BookingRow).order_by(BookingRow.id)))


async def slot_at(app: App, starts_at: datetime, provider: str = "zg-third-hospital") -> SlotRow:
    async with app.session_factory() as session:
        slot = await session.scalar(
            select(SlotRow).where(
                SlotRow.provider_id == provider,
                SlotRow.service_id == "general",
                SlotRow.starts_at == starts_at,
            )
        )
        assert slot is not None
        session.expunge(slot)
        return slot
