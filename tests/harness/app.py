"""The app under test: the real dispatcher from the factory, talking HTTP to the local Bot API
server. `feed()` injects a user update on the server, hands it to the dispatcher and returns what
the bot sent in response, so a test reads like a conversation."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Update
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app import create_bot, create_dispatcher
from bot.config import Settings
from bot.db.users.models import User
from bot.outbox.factory import create_sender
from bot.outbox.sender import Sender
from bot.sandbox import BotApiServer, TgUser, specs
from bot.services.stations.service import load_sample_if_empty
from tests.harness.clock import Clock

TOKEN = "123456:TEST"
ADMIN = TgUser(900001, "管理员")
DRIVER = TgUser(1001, "张师傅")
EN_DRIVER = TgUser(1002, "Sam", language_code="en")


class FastSession(AiohttpSession):
    """AiohttpSession.close() sleeps 250 ms for TLS shutdown; a local HTTP server needs none."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


def make_bot(base_url: str, retry: bool = True) -> Bot:
    settings = Settings(bot_token=TOKEN, telegram_api_base=base_url, _env_file=None)
    session = FastSession(api=TelegramAPIServer.from_base(base_url))
    return create_bot(settings, session, retry=retry)


def test_settings(database_url: str, base_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "bot_token": TOKEN,
        "database_url": database_url,
        "telegram_api_base": base_url,
        "admin_ids": frozenset({ADMIN.id}),
        # Conversations in tests are quicker than any thumb; the flood test sets its own limit.
        "throttle_rate": 1000,
        "throttle_period": 1.0,
        # Notices to one driver go out back to back; the pacing tests set their own.
        "outbox_private_interval": 0.0,
        "_env_file": None,
    }
    values.update(overrides)
    return Settings(**values)


test_settings.__test__ = False  # type: ignore[attr-defined]  # not a test, despite the name


class ErrorLog(logging.Handler):
    """Every ERROR logged while the app runs: a failed update, a traceback in a job."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class App:
    server: BotApiServer
    dp: Dispatcher
    bot: Bot
    settings: Settings
    session_factory: async_sessionmaker[AsyncSession]
    sender: Sender
    errors: ErrorLog = field(default_factory=ErrorLog)
    expected_errors: list[str] = field(default_factory=list)

    @property
    def kits(self) -> dict[str, Any]:
        """Each feature's process-wide part (the station index, the checkup notifier...)."""
        kits: dict[str, Any] = self.dp["kits"]
        return kits

    def expect_error(self, fragment: str) -> None:
        """This test provokes an error whose log message contains `fragment`."""
        self.expected_errors.append(fragment)

    def check_protocol(self) -> None:
        """What every conversation must satisfy, checked when the app stops: no update
        failed unless the test meant it to, and every button press was answered once
        (Telegram shows nothing for a second answer, and a spinner for none)."""
        unexpected = [
            r.getMessage()
            for r in self.errors.records
            if not any(f in r.getMessage() for f in self.expected_errors)
        ]
        assert not unexpected, f"errors were logged: {unexpected}"
        answers: dict[str, int] = {}
        retried: set[str] = set()  # its answer landed but the connection dropped: repeated
        for record in self.server.sent(TOKEN, method="answerCallbackQuery"):
            query_id = record["params"].get("callback_query_id")
            if query_id in retried and not record["ok"]:
                retried.discard(query_id)  # the transport's repeat, refused as a duplicate
                continue
            if record["ok"] and record.get("fault") in {"reset_after", "delay"}:
                retried.add(query_id)
            answers[query_id] = answers.get(query_id, 0) + 1
        queries = self.server.bot(TOKEN).callback_queries
        twice = {q: n for q, n in answers.items() if n > 1}
        assert not twice, f"callback queries answered more than once: {twice}"
        never = [q for q in queries if q not in answers]
        assert not never, f"callback queries never answered: {never}"

    def last_seq(self) -> int:
        records = self.server.sent(TOKEN)
        return records[-1]["seq"] if records else 0

    async def feed(self, spec: dict[str, Any]) -> list[dict[str, Any]]:
        """One user action, handled to the end; returns the bot's calls it caused."""
        before = self.last_seq()
        update = self.server.inject_update(TOKEN, spec)
        await self.feed_raw(update)
        return self.server.sent(TOKEN, after=before)

    async def feed_raw(self, update: dict[str, Any]) -> Any:
        """Handle an update, then let the outbox sender send what it queued (in production
        the commit rings the sender's doorbell)."""
        result = await self.dp.feed_update(
            self.bot, Update.model_validate(update, context={"bot": self.bot})
        )
        await self.sender.drain()
        return result

    async def drain(self, now: datetime | None = None) -> int:
        """The outbox sender sends everything due at `now` (default: the test's clock)."""
        return await self.sender.drain(now)

    async def text(self, user: TgUser, text: str) -> list[dict[str, Any]]:
        return await self.feed(specs.text(user, text))

    async def press(self, user: TgUser, button_text: str) -> list[dict[str, Any]]:
        """Press the inline button whose text contains `button_text` on the newest message."""
        message_id, data = self.find_button(user.id, button_text)
        return await self.feed(specs.callback(user, message_id, data))

    def find_button(self, chat_id: int, button_text: str) -> tuple[int, str]:
        for message in reversed(self.server.chat_messages(TOKEN, chat_id)):
            markup = message.get("reply_markup") or {}
            for row in markup.get("inline_keyboard", []):
                for button in row:
                    if button_text in button["text"]:
                        return message["message_id"], button["callback_data"]
        raise AssertionError(f"no button {button_text!r} in chat {chat_id}")

    def reply_keyboard(self, chat_id: int) -> list[str]:
        """Texts of the reply keyboard the user currently sees."""
        keyboard = self.server.chat(TOKEN, chat_id).reply_keyboard or {}
        return [b["text"] for row in keyboard.get("keyboard", []) for b in row]

    async def user_row(self, telegram_id: int) -> User | None:
        async with self.session_factory() as session:
            return await session.scalar(select(User).where(User.telegram_id == telegram_id))

    async def onboard(self, user: TgUser) -> None:
        """Complete onboarding the quickest way (agree, occupation, skip, skip)."""
        await self.text(user, "/start")
        await self.press(user, "✅")
        await self.press(user, "🚚")
        await self.text(user, self._skip(user))
        await self.text(user, self._skip(user))

    def _skip(self, user: TgUser) -> str:
        return "⏭ Skip" if user.language_code == "en" else "⏭ 跳过"


AppFactory = Callable[..., Awaitable[App]]


@asynccontextmanager
async def running_app(
    server: BotApiServer,
    engine: AsyncEngine,
    db_url: str,
    clock: Callable[[], datetime] | None = None,
    **overrides: Any,
) -> AsyncIterator[App]:
    settings = test_settings(db_url, server.base_url, **overrides)
    dp = create_dispatcher(settings, engine=engine, clock=clock or Clock())
    async with dp["session_factory"]() as session:
        await load_sample_if_empty(session)
        await session.commit()
    bot = make_bot(server.base_url)
    sender_bot = make_bot(server.base_url, retry=False)
    sender = create_sender(dp["core"], sender_bot, dp["kits"])
    app = App(server, dp, bot, settings, dp["session_factory"], sender)
    logging.getLogger().addHandler(app.errors)
    try:
        yield app
        app.check_protocol()
    finally:
        logging.getLogger().removeHandler(app.errors)
        await dp.emit_shutdown(bot=bot)
        await bot.session.close()
        await sender_bot.session.close()
