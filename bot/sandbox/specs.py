"""Builders for update-injection specs (the body of POST /control/{token}/updates).

Shared by SandboxClient (HTTP) and in-process callers of BotApiServer.inject_update.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

Spec = dict[str, Any]


@dataclass(frozen=True)
class TgUser:
    """A Telegram user on the sandbox's user side."""

    id: int
    first_name: str
    language_code: str | None = "zh"
    username: str | None = None
    last_name: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


UserLike = TgUser | dict[str, Any]


def user_dict(user: UserLike) -> dict[str, Any]:
    return user.as_dict() if isinstance(user, TgUser) else dict(user)


def _spec(kind: str, user: UserLike | None, extra: dict[str, Any]) -> Spec:
    spec: Spec = {"kind": kind}
    if user is not None:
        spec["user"] = user_dict(user)
    spec.update({key: value for key, value in extra.items() if value is not None})
    return spec


def text(user: UserLike, text: str, **extra: Any) -> Spec:
    """extra: chat_id, update_id, reply_to_message_id, forward_from, entities, date,
    message_thread_id (a topic of a forum group)..."""
    return _spec("text", user, {"text": text, **extra})


def callback(user: UserLike, message_id: int, data: str | None, **extra: Any) -> Spec:
    """extra: chat_id, check_button=False to press data the message does not offer."""
    return _spec("callback", user, {"message_id": message_id, "data": data, **extra})


def location(user: UserLike, latitude: float, longitude: float, **extra: Any) -> Spec:
    return _spec("location", user, {"latitude": latitude, "longitude": longitude, **extra})


def venue(
    user: UserLike, latitude: float, longitude: float, title: str, address: str, **extra: Any
) -> Spec:
    fields = {"latitude": latitude, "longitude": longitude, "title": title, "address": address}
    return _spec("venue", user, {**fields, **extra})


def contact(user: UserLike, phone_number: str, user_id: int | None = None, **extra: Any) -> Spec:
    """user_id defaults to the sender (sharing one's own number)."""
    spec = _spec("contact", user, {"phone_number": phone_number, **extra})
    if user_id is not None:
        spec["user_id"] = user_id
    return spec


def photo(
    user: UserLike,
    content: bytes,
    caption: str | None = None,
    *,
    width: int | None = None,
    height: int | None = None,
    **extra: Any,
) -> Spec:
    fields = {
        "content_base64": base64.b64encode(content).decode("ascii"),
        "caption": caption,
        "width": width,
        "height": height,
    }
    return _spec("photo", user, {**fields, **extra})


def document(
    user: UserLike,
    content: bytes,
    file_name: str = "document.bin",
    mime_type: str | None = None,
    caption: str | None = None,
    **extra: Any,
) -> Spec:
    fields = {
        "content_base64": base64.b64encode(content).decode("ascii"),
        "file_name": file_name,
        "mime_type": mime_type,
        "caption": caption,
    }
    return _spec("document", user, {**fields, **extra})


def voice(
    user: UserLike,
    file_id: str | None = None,
    duration: int = 1,
    *,
    content: bytes | None = None,
    mime_type: str | None = None,
    caption: str | None = None,
    **extra: Any,
) -> Spec:
    """A voice note: a new file (`content`, default a short placeholder clip) the bot can
    getFile, download and re-send with sendVoice, or an existing voice note's `file_id`.
    extra as for text(), e.g. chat_id and message_thread_id to speak in a forum topic."""
    fields: dict[str, Any] = {"file_id": file_id, "caption": caption}
    if file_id is None:
        fields.update(duration=duration, mime_type=mime_type)
        if content is not None:
            fields["content_base64"] = base64.b64encode(content).decode("ascii")
    return _spec("voice", user, {**fields, **extra})


def raw(update: dict[str, Any], update_id: int | None = None) -> Spec:
    return _spec("raw", None, {"update": update, "update_id": update_id})
