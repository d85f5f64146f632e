"""In-memory state of the sandbox server: one BotState per bot token, plain Python objects."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from .errors import ApiError, bad_request
from .flood import FloodRules

GROUP_TITLE = "Sandbox group {id}"


def now() -> int:
    return int(time.time())


class Signal:
    """Broadcast wake-up for waiters that re-check a predicate.

    Unlike asyncio.Condition it can be notified from synchronous code, which keeps the state
    mutators (injecting updates, logging calls) plain functions usable from anywhere.
    """

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()

    def notify(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float,  # noqa: ASYNC109 - a timeout is reported as False, not raised
    ) -> bool:
        """Wait until predicate() is true; False if the timeout elapsed first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.add(waiter)
            try:
                await asyncio.wait([waiter], timeout=remaining)
            finally:
                self._waiters.discard(waiter)
        return True


@dataclass
class StoredMessage:
    """A message of a chat as Telegram keeps it (after edits)."""

    message: dict[str, Any]
    from_bot: bool
    raw_text: str | None = None  # text/caption exactly as the bot sent it
    parse_mode: str | None = None
    # Sent with a reply keyboard (or its removal, or force_reply): Telegram edits only
    # messages without markup or with an inline keyboard.
    editable: bool = True

    @property
    def message_id(self) -> int:
        return int(self.message["message_id"])

    def as_dict(self) -> dict[str, Any]:
        data = {**self.message, "from_bot": self.from_bot}
        if self.from_bot:
            data["raw_text"] = self.raw_text
            data["parse_mode"] = self.parse_mode
        return data

    def callback_data(self) -> list[str]:
        markup = self.message.get("reply_markup") or {}
        return [
            button["callback_data"]
            for row in markup.get("inline_keyboard", [])
            for button in row
            if "callback_data" in button
        ]


@dataclass
class ChatState:
    chat: dict[str, Any]
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1  # shared by user and bot messages, like Telegram
    reply_keyboard: dict[str, Any] | None = None  # the keyboard the user currently sees
    # The message that brought it: the apps drop the keyboard when that message is deleted.
    reply_keyboard_message_id: int | None = None
    # A forum's topics by thread id, each the ForumTopic object Telegram returns.
    topics: dict[int, dict[str, Any]] = field(default_factory=dict)

    @property
    def id(self) -> int:
        return int(self.chat["id"])

    @property
    def is_forum(self) -> bool:
        return bool(self.chat.get("is_forum"))

    def new_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def open_topic(
        self, name: str, icon_color: int, creator: dict[str, Any], *, from_bot: bool
    ) -> dict[str, Any]:
        """A new forum topic; like Telegram, its thread id is the id of the service message
        that opens it, which is the first message of the topic."""
        thread = self.new_message_id()
        topic = {"message_thread_id": thread, "name": name, "icon_color": icon_color}
        message = {
            "message_id": thread,
            "from": creator,
            "chat": self.chat,
            "date": now(),
            "message_thread_id": thread,
            "is_topic_message": True,
            "forum_topic_created": {"name": name, "icon_color": icon_color},
        }
        self.store(StoredMessage(message, from_bot=from_bot, editable=False))
        self.topics[thread] = topic
        return dict(topic)

    def delete_topic(self, thread: int) -> None:
        """Delete a topic with all its messages, as deleting one does in the apps."""
        self.topics.pop(thread, None)
        for message_id, stored in list(self.messages.items()):
            if stored.message.get("message_thread_id") == thread:
                del self.messages[message_id]

    def store(self, stored: StoredMessage) -> StoredMessage:
        self.messages[stored.message_id] = stored
        self.next_message_id = max(self.next_message_id, stored.message_id + 1)
        return stored

    def as_dict(self) -> dict[str, Any]:
        return {
            "chat": self.chat,
            "message_count": len(self.messages),
            "reply_keyboard": self.reply_keyboard,
            "topics": list(self.topics.values()),
        }


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    kind: str  # "photo" | "document" | "voice"
    content: bytes | None = None  # None for files known only by URL
    url: str | None = None
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    duration: int | None = None  # seconds, of a voice note

    @property
    def file_size(self) -> int | None:
        return len(self.content) if self.content is not None else None

    def _base(self) -> dict[str, Any]:
        data: dict[str, Any] = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.file_size is not None:
            data["file_size"] = self.file_size
        return data

    def as_file(self) -> dict[str, Any]:
        return {**self._base(), "file_path": self.file_path}

    def as_photo(self) -> list[dict[str, Any]]:
        return [{**self._base(), "width": self.width or 0, "height": self.height or 0}]

    def as_document(self) -> dict[str, Any]:
        data = self._base()
        if self.file_name:
            data["file_name"] = self.file_name
        if self.mime_type:
            data["mime_type"] = self.mime_type
        return data

    def as_voice(self) -> dict[str, Any]:
        data = {**self._base(), "duration": self.duration or 0}
        if self.mime_type:
            data["mime_type"] = self.mime_type
        return data

    def describe(self) -> dict[str, Any]:
        """File info for the call log."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_path": self.file_path,
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "file_size": self.file_size,
            "url": self.url,
            "width": self.width,
            "height": self.height,
            "duration": self.duration,
        }


FAULT_KINDS = ("error", "html", "reset", "reset_after", "delay")


@dataclass
class Fault:
    """The next `count` matching calls fail like this.

    kind "error": the Bot API error `error_code` (JSON, as Telegram answers); "html": a
    non-JSON page with that HTTP status, as a proxy in front of Telegram sends on a 502;
    "reset": the connection is dropped before the method runs (nothing happened);
    "reset_after": the method runs, then the connection is dropped (it happened, but the
    client cannot know); "delay": the method runs and the answer comes `delay` seconds late.
    """

    error_code: int
    description: str | None = None
    method: str | None = None  # None: any method except getUpdates
    chat_id: int | None = None
    retry_after: int | None = None
    count: int = 1
    kind: str = "error"
    delay: float = 0.0

    def matches(self, method: str, chat_id: int | None) -> bool:
        if self.method is None:
            if method.lower() == "getupdates":
                return False  # a wildcard must not break the bot's polling loop
        elif self.method.lower() != method.lower():
            return False
        return self.chat_id is None or self.chat_id == chat_id

    def to_error(self) -> ApiError:
        if self.error_code == 429:
            retry_after = self.retry_after if self.retry_after is not None else 1
            return ApiError(
                429,
                self.description or f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )
        defaults = {
            400: "Bad Request: injected fault",
            401: "Unauthorized",
            403: "Forbidden: bot was blocked by the user",
            404: "Not Found",
            409: "Conflict: injected fault",
            500: "Internal Server Error",
            502: "Bad Gateway",
        }
        description = self.description or defaults.get(self.error_code, "Injected fault")
        return ApiError(self.error_code, description)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class QueuedUpdate:
    update: dict[str, Any]
    forced: bool = False  # update_id given by the test (simulated redelivery)
    delivered: bool = False

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])

    @property
    def type(self) -> str:
        return next((key for key in self.update if key != "update_id"), "")


@dataclass
class Webhook:
    url: str
    secret_token: str | None = None
    allowed_updates: list[str] | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class CallbackQuery:
    id: str
    chat_id: int | None
    message_id: int | None
    data: str | None
    answered: bool = False


def _allowed(update: QueuedUpdate, allowed: list[str] | None) -> bool:
    return not allowed or update.type in allowed


class BotState:
    """Everything the sandbox knows about one bot token."""

    def __init__(self, token: str, user: dict[str, Any]) -> None:
        self.token = token
        self.user = user
        # Counters stay monotonic across reset() so running pollers and client cursors
        # never see ids going backwards.
        self.last_update_id = 0
        self.last_seq = 0
        self.poll_generation = 0
        self.waiting_polls = 0
        self.updates_signal = Signal()
        self.records_signal = Signal()
        self.polls_signal = Signal()
        self.webhook_signal = Signal()  # after every webhook delivery attempt
        self.webhook_task: asyncio.Task[None] | None = None
        # Seconds each Bot API call takes (getUpdates aside), like a round trip to Telegram.
        self.latency = 0.0
        # Telegram's limits on sending, when a test switches them on (flood.py).
        self.flood: FloodRules | None = None
        self.last_media_group = 0
        self.reset()

    @property
    def id(self) -> int:
        return int(self.user["id"])

    def reset(self) -> None:
        self.chats: dict[int, ChatState] = {}
        self.updates: list[QueuedUpdate] = []
        self.records: list[dict[str, Any]] = []
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.file_counter = 0
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.webhook: Webhook | None = None
        self.allowed_updates: list[str] | None = None
        self.faults: list[Fault] = []
        self.blocked: set[int] = set()  # chats where the user blocked the bot
        self.callback_queries: dict[str, CallbackQuery] = {}
        self.callback_answers: list[dict[str, Any]] = []
        self.callback_counter = 0
        self.updates_signal.notify()

    # --- chats ----------------------------------------------------------------------
    def chat_instance(self, chat_id: int) -> str:
        digest = hashlib.sha1(f"{self.id}:{chat_id}".encode(), usedforsecurity=False)
        return str(int(digest.hexdigest()[:15], 16))

    def find_chat(self, chat_id: int | str | None) -> ChatState | None:
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            username = chat_id[1:].lower()
            return next(
                (
                    c
                    for c in self.chats.values()
                    if (c.chat.get("username") or "").lower() == username
                ),
                None,
            )
        try:
            return self.chats.get(int(chat_id)) if chat_id is not None else None
        except ValueError:
            return None

    def chat_for_bot(self, chat_id: int | str | None) -> ChatState:
        """The chat the bot addresses; a private chat must have talked to the bot first."""
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        chat = self.find_chat(chat_id)
        if chat is not None:
            return chat
        try:
            numeric = int(chat_id)
        except ValueError:
            raise bad_request("chat not found") from None
        if numeric >= 0:
            raise bad_request("chat not found")
        return self.register_group(numeric)

    def register_group(
        self, chat_id: int, title: str | None = None, forum: bool = False
    ) -> ChatState:
        """A group the bot is in; `forum`: a supergroup with topics."""
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = ChatState(
                {
                    "id": chat_id,
                    "type": "supergroup",
                    "title": title or GROUP_TITLE.format(id=-chat_id),
                }
            )
            self.chats[chat_id] = chat
        if forum:
            chat.chat["is_forum"] = True
        return chat

    def register_private(self, user: dict[str, Any]) -> ChatState:
        """Create or refresh the private chat with a user (names follow the latest update)."""
        chat_data: dict[str, Any] = {"id": user["id"], "type": "private"}
        for key in ("first_name", "last_name", "username"):
            if user.get(key):
                chat_data[key] = user[key]
        chat = self.chats.get(int(user["id"]))
        if chat is None:
            chat = ChatState(chat_data)
            self.chats[chat.id] = chat
        else:
            chat.chat = chat_data
        return chat

    def register_chat(self, chat_data: dict[str, Any]) -> ChatState:
        """Register a chat object taken from a raw update."""
        chat_id = int(chat_data["id"])
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = ChatState(dict(chat_data))
            self.chats[chat_id] = chat
        return chat

    # --- updates ----------------------------------------------------------------------
    def enqueue(self, update: dict[str, Any], *, forced: bool = False) -> QueuedUpdate:
        queued = QueuedUpdate(update, forced=forced)
        self.updates.append(queued)
        self.updates_signal.notify()
        return queued

    def next_update_id(self, forced: int | None = None) -> int:
        if forced is not None:
            self.last_update_id = max(self.last_update_id, forced)
            return forced
        self.last_update_id += 1
        return self.last_update_id

    def confirm(self, offset: int | None) -> None:
        """Forget updates confirmed by a getUpdates offset.

        Forced-id updates (simulated redeliveries) survive until delivered once, otherwise
        a duplicate of an already confirmed update could never reach the bot.
        """
        if offset is None:
            return
        if offset < 0:
            ordered = sorted(self.updates, key=lambda u: u.update_id)
            keep = {id(u) for u in ordered[offset:]}
            self.updates = [u for u in self.updates if id(u) in keep]
            return
        self.updates = [
            u for u in self.updates if u.update_id >= offset or (u.forced and not u.delivered)
        ]

    def deliverable(self, allowed: list[str] | None) -> list[QueuedUpdate]:
        """Pending updates in delivery order; types the bot did not ask for are dropped."""
        if allowed:
            self.updates = [u for u in self.updates if _allowed(u, allowed)]
        return sorted(self.updates, key=lambda u: u.update_id)

    def has_pending(self, allowed: list[str] | None) -> bool:
        return any(_allowed(u, allowed) for u in self.updates)

    # --- files -----------------------------------------------------------------------
    def store_file(
        self,
        kind: str,
        *,
        content: bytes | None = None,
        url: str | None = None,
        file_name: str | None = None,
        mime_type: str | None = None,
        width: int | None = None,
        height: int | None = None,
        duration: int | None = None,
    ) -> StoredFile:
        self.file_counter += 1
        number = self.file_counter
        # Telegram keeps voice notes as voice/file_N.oga whatever they were uploaded as.
        extension = {"photo": ".jpg", "voice": ".oga"}.get(kind) or _extension(file_name)
        folder, prefix = _FILE_KINDS[kind]
        stored = StoredFile(
            file_id=f"{prefix}sbx{self.id}_{number}",
            file_unique_id=f"AQADsbx{number}",
            file_path=f"{folder}/file_{number}{extension}",
            kind=kind,
            content=content,
            url=url,
            file_name=file_name,
            mime_type=mime_type,
            width=width,
            height=height,
            duration=duration,
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    def new_media_group_id(self) -> str:
        """A media_group_id: like Telegram's, the decimal text of a 64-bit number."""
        self.last_media_group += 1
        return str(13_000_000_000_000_000 + self.last_media_group)

    # --- call log -----------------------------------------------------------------------
    def log(self, record: dict[str, Any]) -> dict[str, Any]:
        self.last_seq += 1
        record["seq"] = self.last_seq
        self.records.append(record)
        self.records_signal.notify()
        return record


# kind -> (download folder, file_id prefix as in Telegram's ids of that kind)
_FILE_KINDS = {"photo": ("photos", "AgAC"), "document": ("documents", "BQAC"),
               "voice": ("voice", "AwAC")}  # fmt: skip


def _extension(file_name: str | None) -> str:
    if file_name and "." in file_name:
        suffix = file_name.rsplit(".", 1)[1]
        if suffix.isalnum() and len(suffix) <= 8:
            return "." + suffix.lower()
    return ""
