"""A message to queue: who gets it, what it says, when at the earliest. Telegram-free: the
buttons are plain data the sender turns into an inline keyboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.db.outbox.models import MessageKind, Priority

# Bulk kinds wait for the recipient's quiet hours to end, and can be opted out of.
BULK_KINDS = frozenset(
    {MessageKind.BROADCAST, MessageKind.THEME, MessageKind.ACTIVITY, MessageKind.TASK_OFFER}
)


@dataclass(frozen=True, slots=True)
class Button:
    text: str
    url: str | None = None
    callback_data: str | None = None

    def as_dict(self) -> dict[str, Any]:
        key = "url" if self.url is not None else "callback_data"
        return {"text": self.text, key: self.url if self.url is not None else self.callback_data}


@dataclass(frozen=True, slots=True)
class OutMessage:
    chat_id: int
    kind: MessageKind
    # Unique across the outbox: the same key queued twice is one message (e.g.
    # "theme:2027-03:u42", "offer:17"). A message that may legitimately go out again later
    # carries what makes it new (a reminder's due time).
    dedupe_key: str
    text: str
    user_id: int | None = None
    buttons: tuple[tuple[Button, ...], ...] = ()
    photo: str | None = None  # a Telegram file_id, or a local path
    document: str | None = None  # a local path
    document_name: str | None = None
    not_before: datetime | None = None  # None: as soon as possible
    priority: Priority | None = None  # None: personal unless the kind is bulk
    ref: str | None = None  # what the feature that queued it needs to know on failure
    broadcast_id: int | None = None
    thread_id: int | None = None  # the topic, in a forum group

    @property
    def bulk(self) -> bool:
        return self.kind in BULK_KINDS

    def row(self, now: datetime) -> dict[str, Any]:
        """The outbox row's columns."""
        priority = self.priority
        if priority is None:
            priority = Priority.BULK if self.bulk else Priority.PERSONAL
        return {
            "chat_id": self.chat_id,
            "user_id": self.user_id,
            "kind": self.kind,
            "dedupe_key": self.dedupe_key,
            "ref": self.ref,
            "broadcast_id": self.broadcast_id,
            "thread_id": self.thread_id,
            "priority": int(priority),
            "not_before": self.not_before or now,
            "status": "pending",
            "attempts": 0,
            "text": self.text,
            "photo": self.photo,
            "document": self.document,
            "document_name": self.document_name,
            "buttons": [[b.as_dict() for b in row] for row in self.buttons] or None,
            "created_at": now,
        }
