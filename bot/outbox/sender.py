"""The outbox sender: claims due rows in batches, sends them under Telegram's limits, and
records what became of each.

- Claimed rows are `sending` under this sender's name; a sender that dies leaves them so, and
  after the lease any sender takes them back. So nothing is lost, and only what was in flight
  when a sender died can go out twice (at least once, never more than the batch twice).
- A row is marked sent, with its Telegram message id, in the same UPDATE. Outcomes are written
  every half second or so, not per message, which keeps the claim overhead small.
- 429: the whole sender waits `retry_after`, then the same row is tried again. 403 from a
  private chat: the user blocked the bot; they are marked so and their other pending rows are
  dropped. 400: the row fails for good, with Telegram's reason. 5xx, timeouts and network
  errors: tried again with a growing backoff, up to `max_attempts`.
- The feature that queued a row is told when it cannot be delivered (a waitlist offer then
  passes its seat on): each kit's `undeliverable`.
- Messages to the same chat go in the order they were queued, one worker per chat.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
)
from aiogram.types import FSInputFile, InlineKeyboardButton, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.outbox.models import MessageKind, OutboxRow, OutboxStatus
from bot.db.outbox.repository import Gone, OutboxRepository, Settled
from bot.db.types import Clock, utcnow
from bot.outbox.pacing import Pacer
from bot.services.users.profile_cache import ProfileCache
from bot.services.users.profiles import UserService

log = logging.getLogger(__name__)

# A feature's word on a row that will never be delivered: (kind, ref, user id, now).
Undeliverable = Callable[[MessageKind, str | None, int | None, datetime], Awaitable[None]]

_IN_BATCH_TRIES = 3  # a 5xx or a dropped connection is tried again at once this often
_LONG_429 = 30.0  # a longer retry_after sends the row back to the queue for later
_FLUSH_EVERY = 0.5  # seconds between writes of outcomes
_FLUSH_SIZE = 200


@dataclass(frozen=True, slots=True)
class SenderConfig:
    rate: float = 25.0  # messages per second in all
    private_interval: float = 1.0  # seconds between two messages to one private chat
    group_interval: float = 3.0  # 20 per minute to a group
    batch: int = 100  # rows claimed at a time: at most this many can go out twice
    concurrency: int = 8  # chats sent to at once
    lease: float = 60.0  # seconds after which a claimed, unsettled row is taken back
    max_attempts: int = 10
    idle_poll: float = 1.0  # seconds between looks at the queue when nothing is due


def sender_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


def backoff(attempts: int) -> timedelta:
    """After the n-th failed attempt: 2, 4, 8 ... seconds, at most ten minutes."""
    return timedelta(seconds=min(2**attempts, 600))


def keyboard(rows: list[list[dict[str, str]]] | None) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton.model_validate(b) for b in row] for row in rows]
    )


async def _nothing() -> list[OutboxRow]:
    return []


@dataclass(frozen=True, slots=True)
class _Blocked:
    chat_id: int
    user_id: int | None


class Sender:
    def __init__(
        self,
        bot: Bot,
        session_factory: async_sessionmaker[AsyncSession],
        config: SenderConfig | None = None,
        *,
        undeliverable: Sequence[Undeliverable] = (),
        profiles: ProfileCache | None = None,
        clock: Clock = utcnow,
        name: str | None = None,
    ) -> None:
        self.bot, self.session_factory = bot, session_factory
        self.config = config or SenderConfig()
        self.undeliverable = tuple(undeliverable)
        self.profiles, self.clock = profiles, clock
        self.name = name or sender_name()
        self.pacer = Pacer(
            self.config.rate, self.config.private_interval, self.config.group_interval
        )
        self._wake = asyncio.Event()
        self._outcomes: list[Settled] = []
        self._sent: list[tuple[int, int]] = []
        self._blocked: list[_Blocked] = []
        self._flush_lock = asyncio.Lock()
        self._last_flush = time.monotonic()
        self.sent_total = 0

    # --- the loop ------------------------------------------------------------------------------
    def wake(self) -> None:
        """Something was queued: look now rather than at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Send until stopped; a failing database or Telegram is waited out, never fatal."""
        stop = stop or asyncio.Event()
        last_recovery = 0.0
        while not stop.is_set():
            self._wake.clear()  # a ring while this round runs makes the next one start at once
            try:
                if time.monotonic() - last_recovery > self.config.lease / 2:
                    await self.recover()
                    last_recovery = time.monotonic()
                await self._pump(None, stop)
            except Exception:
                log.exception("the outbox sender failed; trying again shortly")
            waits = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
            _done, pending = await asyncio.wait(
                waits, timeout=self.config.idle_poll, return_when=asyncio.FIRST_COMPLETED
            )
            for task in pending:
                task.cancel()

    async def drain(self, now: datetime | None = None) -> int:
        """Send everything due (at `now`, default the clock's), then return how many were
        sent: the tests' way to let the sender catch up."""
        before = self.sent_total
        await self._pump(now, None)
        return self.sent_total - before

    async def recover(self) -> int:
        async with self.session_factory() as session:
            taken = await OutboxRepository(session).recover(
                self.clock(), timedelta(seconds=self.config.lease)
            )
            await session.commit()
        if taken:
            log.warning("took back %d outbox rows a sender left unsent", taken)
        return taken

    async def _pump(self, now: datetime | None, stop: asyncio.Event | None) -> int:
        """Batch after batch until nothing is due (or `stop`); the next batch is claimed
        while this one is sent, so the limiter seldom waits for the database. (Two batches
        are claimed at a time, but only the one being sent can go out twice.)"""
        total, fresh = 0, True  # fresh: the claim began after the last outcomes were written
        claiming = asyncio.ensure_future(self._claim(now))
        try:
            while True:
                rows = await claiming
                if not rows and not fresh:  # what was just written may have queued more
                    rows, fresh = await self._claim(now), True
                if not rows:
                    return total
                total += len(rows)
                more = stop is None or not stop.is_set()
                claiming = asyncio.ensure_future(self._claim(now) if more else _nothing())
                fresh = not more
                await self._send_rows(rows)
                # Written before the next batch goes: what a crash can double stays one batch.
                await self._flush()
        finally:
            if not claiming.done():  # an error while sending: let the claim land, lease it
                await asyncio.wait([claiming])
            await self._flush()

    async def _claim(self, now: datetime | None) -> list[OutboxRow]:
        async with self.session_factory() as session:
            rows = await OutboxRepository(session).claim(
                self.name, now or self.clock(), self.config.batch
            )
            await session.commit()
        return rows

    async def _send_rows(self, rows: list[OutboxRow]) -> None:
        """One worker per chat: a chat's messages go in the order they were queued."""
        by_chat: dict[int, list[OutboxRow]] = {}
        for row in rows:
            by_chat.setdefault(row.chat_id, []).append(row)
        queue: asyncio.Queue[list[OutboxRow]] = asyncio.Queue()
        for chat_rows in by_chat.values():
            queue.put_nowait(chat_rows)
        workers = min(self.config.concurrency, len(by_chat))
        await asyncio.gather(*(self._worker(queue) for _ in range(workers)))

    async def _worker(self, queue: asyncio.Queue[list[OutboxRow]]) -> None:
        while not queue.empty():
            chat_rows = queue.get_nowait()
            blocked = False
            for row in chat_rows:
                if blocked:  # the chat blocked the bot a message ago: the rest are dropped
                    self._outcomes.append(Settled(row.id, OutboxStatus.BLOCKED))
                    continue
                outcome = await self._deliver(row)
                blocked = outcome.status is OutboxStatus.BLOCKED
                if outcome.status is OutboxStatus.SENT and outcome.message_id is not None:
                    self._sent.append((row.id, outcome.message_id))
                    self.sent_total += 1
                else:
                    self._outcomes.append(outcome)
                if blocked:
                    self._blocked.append(_Blocked(row.chat_id, row.user_id))
                if (
                    len(self._sent) + len(self._outcomes) >= _FLUSH_SIZE
                    or time.monotonic() - self._last_flush > _FLUSH_EVERY
                ):
                    await self._flush()

    # --- one row -------------------------------------------------------------------------------
    async def _deliver(self, row: OutboxRow) -> Settled:
        chat_id, tries = row.chat_id, 0
        while True:
            await self.pacer.wait_turn(chat_id)
            try:
                message = await self._send(row, chat_id)
                return Settled(row.id, OutboxStatus.SENT, message_id=message.message_id)
            except TelegramRetryAfter as exc:
                self.pacer.pause(exc.retry_after)
                if exc.retry_after > _LONG_429:
                    later = self.clock() + timedelta(seconds=exc.retry_after)
                    return Settled(row.id, OutboxStatus.PENDING, error="429", not_before=later,
                                   count_attempt=False)  # fmt: skip
                log.info("Telegram asks the sender to wait %ss", exc.retry_after)
            except TelegramMigrateToChat as exc:  # a group became a supergroup
                chat_id = exc.migrate_to_chat_id
            except TelegramForbiddenError as exc:
                if chat_id > 0:
                    return Settled(row.id, OutboxStatus.BLOCKED, error=exc.message)
                return Settled(row.id, OutboxStatus.FAILED, error=exc.message)
            except (TelegramBadRequest, TelegramNotFound, TelegramEntityTooLarge) as exc:
                log.warning("outbox row %s refused for good: %s", row.id, exc.message)
                return Settled(row.id, OutboxStatus.FAILED, error=exc.message)
            except FileNotFoundError as exc:
                return Settled(row.id, OutboxStatus.FAILED, error=f"file missing: {exc.filename}")
            except (TelegramAPIError, TelegramNetworkError, ClientDecodeError, TimeoutError) as exc:
                tries += 1
                if tries < _IN_BATCH_TRIES:
                    await asyncio.sleep(0.2 * 2**tries)
                    continue
                error = f"{type(exc).__name__}: {exc}"[:300]
                if row.attempts >= self.config.max_attempts:
                    log.warning("outbox row %s failed %d times: %s", row.id, row.attempts, error)
                    return Settled(row.id, OutboxStatus.FAILED, error=error)
                later = self.clock() + backoff(row.attempts)
                return Settled(row.id, OutboxStatus.PENDING, error=error, not_before=later)

    async def _send(self, row: OutboxRow, chat_id: int) -> Message:
        markup = keyboard(row.buttons)
        if row.document:
            path = Path(row.document)
            if not await asyncio.to_thread(path.is_file):
                raise FileNotFoundError(2, "missing", row.document)
            return await self.bot.send_document(
                chat_id, FSInputFile(path, filename=row.document_name or path.name),
                caption=row.text or None, reply_markup=markup, message_thread_id=row.thread_id,
            )  # fmt: skip
        if row.photo:
            photo: str | FSInputFile = row.photo
            if "/" in row.photo or "\\" in row.photo:  # a file we keep; else a file_id
                if not await asyncio.to_thread(Path(row.photo).is_file):
                    raise FileNotFoundError(2, "missing", row.photo)
                photo = FSInputFile(row.photo)
            return await self.bot.send_photo(
                chat_id, photo, caption=row.text or None, reply_markup=markup,
                message_thread_id=row.thread_id,
            )  # fmt: skip
        return await self.bot.send_message(
            chat_id, row.text, reply_markup=markup, message_thread_id=row.thread_id
        )

    # --- writing outcomes ----------------------------------------------------------------------
    async def _flush(self) -> None:
        async with self._flush_lock:
            sent, self._sent = self._sent, []
            outcomes, self._outcomes = self._outcomes, []
            blocked, self._blocked = self._blocked, []
            self._last_flush = time.monotonic()
            if not (sent or outcomes or blocked):
                return
            now = self.clock()
            gone: list[Gone] = []
            async with self.session_factory() as session:
                repo = OutboxRepository(session)
                await repo.mark_sent(self.name, sent, now)
                await repo.settle(self.name, outcomes, now)
                users = UserService(session, cache=self.profiles)
                for b in blocked:
                    await users.set_blocked(b.chat_id, True)
                    if b.user_id is not None:
                        gone += await repo.drop_for_user(b.user_id, OutboxStatus.BLOCKED)
                failed = [o.id for o in outcomes if o.status in _GONE]
                gone += await repo.kinds_of(failed)
                await session.commit()
            for b in blocked:
                if self.profiles is not None:
                    self.profiles.drop(b.chat_id)
        for row in gone:
            for hook in self.undeliverable:
                try:
                    await hook(row.kind, row.ref, row.user_id, now)
                except Exception:
                    log.exception("a feature failed to handle an undeliverable %s", row.kind)


_GONE = (OutboxStatus.FAILED, OutboxStatus.BLOCKED)
