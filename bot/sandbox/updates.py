"""Building the updates a user's actions produce, from control-API injection specs.

A spec is a JSON-friendly dict: {"kind": ..., "user": {...}, "chat_id"?, "update_id"?, ...}.
See bot/sandbox/specs.py for helpers that build them.
"""

from __future__ import annotations

import base64
import binascii
import copy
from collections.abc import Callable, Mapping
from typing import Any

from .errors import ControlError
from .formatting import bot_command_entities
from .media import compress_photo, guess_mime_type, photo_dimensions
from .state import BotState, CallbackQuery, ChatState, QueuedUpdate, StoredMessage, now

_USER_FIELDS = ("last_name", "username", "language_code", "is_premium")
# Telegram's limits: a photo is at most 10 MB; a bot can download files of at most 20 MB.
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
# What a voice note holds when a test gives no content: an Ogg page header, then silence.
PLACEHOLDER_VOICE = b"OggS\x00\x02" + bytes(58) + b"OpusHead" + bytes(64)


def inject(state: BotState, spec: Mapping[str, Any]) -> QueuedUpdate:
    """Build the update described by `spec`, record its message in the chat and queue it."""
    if not isinstance(spec, Mapping):
        raise ControlError("update spec must be a JSON object")
    kind = spec.get("kind", "text")
    if kind == "raw":
        update, forced_id = _raw(state, spec)
    else:
        user = _user(spec.get("user"))
        chat = _chat(state, user, spec.get("chat_id"), spec.get("chat_title"))
        if kind == "callback":
            update = {"callback_query": _callback(state, spec, user, chat)}
        else:
            builder = _CONTENT_BUILDERS.get(kind)
            if builder is None:
                known = ", ".join(["raw", "callback", *_CONTENT_BUILDERS])
                raise ControlError(f"unknown update kind {kind!r}; expected one of: {known}")
            update = {"message": _user_message(state, spec, user, chat, builder)}
        forced_id = spec.get("update_id")
    forced = _int(forced_id, "update_id") if forced_id is not None else None
    update = {"update_id": state.next_update_id(forced), **update}
    return state.enqueue(update, forced=forced is not None)


# --- helpers ----------------------------------------------------------------------------
def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ControlError(f"{name} must be an integer, got {value!r}") from None


def _float(spec: Mapping[str, Any], name: str, limit: float) -> float:
    try:
        value = float(spec[name])
    except (KeyError, TypeError, ValueError):
        raise ControlError(f"{name} must be a number") from None
    if not -limit <= value <= limit:
        raise ControlError(f"{name} must be between {-limit} and {limit}")
    return value


def _required_str(spec: Mapping[str, Any], name: str) -> str:
    value = spec.get(name)
    if not isinstance(value, str) or not value:
        raise ControlError(f"{name!r} must be a non-empty string")
    return value


def _user(data: Any) -> dict[str, Any]:
    if not isinstance(data, Mapping) or "id" not in data:
        raise ControlError('"user" must be an object with at least "id" and "first_name"')
    user: dict[str, Any] = {
        "id": _int(data["id"], "user.id"),
        "is_bot": False,
        "first_name": str(data.get("first_name") or "User"),
    }
    for key in _USER_FIELDS:
        if data.get(key) is not None:
            user[key] = data[key]
    return user


def _chat(state: BotState, user: dict[str, Any], chat_id: Any, title: Any) -> ChatState:
    if chat_id is None or _int(chat_id, "chat_id") == user["id"]:
        return state.register_private(user)
    chat_id = _int(chat_id, "chat_id")
    if chat_id > 0:
        raise ControlError("a private chat's id must equal the user's id; groups have negative ids")
    return state.register_group(chat_id, title if isinstance(title, str) else None)


def _decode(spec: Mapping[str, Any], limit: int, what: str) -> bytes:
    try:
        content = base64.b64decode(spec.get("content_base64") or "", validate=True)
    except (binascii.Error, ValueError):
        raise ControlError("content_base64 is not valid base64") from None
    if not content:
        raise ControlError("content_base64 must not be empty")
    if len(content) > limit:
        raise ControlError(f"{what} is too large: {len(content)} bytes, at most {limit}")
    return content


# --- message kinds ----------------------------------------------------------------------
ContentBuilder = Callable[[BotState, Mapping[str, Any], dict[str, Any]], dict[str, Any]]


def _text(state: BotState, spec: Mapping[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    text = _required_str(spec, "text")
    entities = spec.get("entities") or bot_command_entities(text)
    return {"text": text, **({"entities": entities} if entities else {})}


def _location(state: BotState, spec: Mapping[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    return {
        "location": {
            "latitude": _float(spec, "latitude", 90),
            "longitude": _float(spec, "longitude", 180),
        }
    }


def _venue(state: BotState, spec: Mapping[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    location = _location(state, spec, user)["location"]
    venue = {
        "location": location,
        "title": _required_str(spec, "title"),
        "address": _required_str(spec, "address"),
    }
    return {"venue": venue, "location": location}


def _contact(state: BotState, spec: Mapping[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    contact: dict[str, Any] = {
        "phone_number": _required_str(spec, "phone_number"),
        "first_name": spec.get("first_name") or user["first_name"],
    }
    if spec.get("last_name"):
        contact["last_name"] = spec["last_name"]
    # An explicit null user_id means a contact that is not a Telegram user.
    user_id = spec["user_id"] if "user_id" in spec else user["id"]
    if user_id is not None:
        contact["user_id"] = _int(user_id, "user_id")
    return {"contact": contact}


def _caption(spec: Mapping[str, Any]) -> dict[str, Any]:
    caption = spec.get("caption")
    return {"caption": caption} if caption else {}


def _photo(state: BotState, spec: Mapping[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    content = compress_photo(_decode(spec, MAX_PHOTO_BYTES, "photo"))
    width, height = photo_dimensions(content, spec.get("width"), spec.get("height"))
    stored = state.store_file("photo", content=content, width=width, height=height)
    return {"photo": stored.as_photo(), **_caption(spec)}


def _document(state: BotState, spec: Mapping[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    content = _decode(spec, MAX_DOCUMENT_BYTES, "document")
    file_name = spec.get("file_name") or "document.bin"
    stored = state.store_file(
        "document",
        content=content,
        file_name=file_name,
        mime_type=spec.get("mime_type") or guess_mime_type(file_name),
    )
    return {"document": stored.as_document(), **_caption(spec)}


def _voice(state: BotState, spec: Mapping[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    """A voice note: a new one (content_base64, or a short placeholder clip), or one already
    known by file_id, as when a user forwards it."""
    file_id = spec.get("file_id")
    if file_id is not None:
        known = state.files.get(str(file_id))
        if known is None or known.kind != "voice":
            raise ControlError(f"no voice note with file_id {file_id!r}")
        return {"voice": known.as_voice(), **_caption(spec)}
    content = PLACEHOLDER_VOICE
    if spec.get("content_base64"):
        content = _decode(spec, MAX_DOCUMENT_BYTES, "voice")
    duration = _int(spec.get("duration", 1), "duration")
    if duration < 0:
        raise ControlError("duration must be >= 0")
    stored = state.store_file(
        "voice", content=content, mime_type=spec.get("mime_type") or "audio/ogg", duration=duration
    )
    return {"voice": stored.as_voice(), **_caption(spec)}


_CONTENT_BUILDERS: dict[str, ContentBuilder] = {
    "text": _text,
    "location": _location,
    "venue": _venue,
    "contact": _contact,
    "photo": _photo,
    "document": _document,
    "voice": _voice,
}


def _user_message(
    state: BotState,
    spec: Mapping[str, Any],
    user: dict[str, Any],
    chat: ChatState,
    builder: ContentBuilder,
) -> dict[str, Any]:
    date = _int(spec.get("date") or now(), "date")
    message: dict[str, Any] = {"message_id": 0, "from": user, "chat": chat.chat, "date": date}
    if spec.get("reply_to_message_id") is not None:
        replied = chat.messages.get(_int(spec["reply_to_message_id"], "reply_to_message_id"))
        if replied is None:
            raise ControlError(f"message {spec['reply_to_message_id']} not found in chat {chat.id}")
        message["reply_to_message"] = {
            k: v for k, v in replied.message.items() if k != "reply_to_message"
        }
    if spec.get("forward_from") is not None:
        origin_user = _user(spec["forward_from"])
        message["forward_origin"] = {"type": "user", "date": date, "sender_user": origin_user}
    elif spec.get("forward_sender_name"):
        message["forward_origin"] = {
            "type": "hidden_user",
            "date": date,
            "sender_user_name": spec["forward_sender_name"],
        }
    if spec.get("message_thread_id") is not None:
        thread = _int(spec["message_thread_id"], "message_thread_id")
        if not chat.is_forum:
            raise ControlError(f"chat {chat.id} is not a forum; register it with forum=True")
        if thread not in chat.topics:
            raise ControlError(f"chat {chat.id} has no topic {thread}; topics: {list(chat.topics)}")
        message.update(message_thread_id=thread, is_topic_message=True)
    message.update(builder(state, spec, user))  # last: it may store a file
    message["message_id"] = chat.new_message_id()
    chat.store(StoredMessage(message, from_bot=False))
    return message


def _callback(
    state: BotState, spec: Mapping[str, Any], user: dict[str, Any], chat: ChatState
) -> dict[str, Any]:
    message_id = _int(spec.get("message_id"), "message_id")
    stored = chat.messages.get(message_id)
    if stored is None:
        raise ControlError(f"message {message_id} not found in chat {chat.id}", status=404)
    data = spec.get("data")
    if spec.get("check_button", True) and data not in stored.callback_data():
        raise ControlError(
            f"message {message_id} has no inline button with callback_data {data!r}; "
            f"available: {stored.callback_data()}; pass check_button=false to press anyway"
        )
    state.callback_counter += 1
    query_id = f"{state.id}{state.callback_counter:06d}"
    state.callback_queries[query_id] = CallbackQuery(query_id, chat.id, message_id, data)
    query: dict[str, Any] = {
        "id": query_id,
        "from": user,
        "message": dict(stored.message),
        "chat_instance": state.chat_instance(chat.id),
    }
    if data is not None:
        query["data"] = data
    return query


def _raw(state: BotState, spec: Mapping[str, Any]) -> tuple[dict[str, Any], Any]:
    """A raw update; its chats become known and its message joins the chat history."""
    raw = spec.get("update")
    if not isinstance(raw, Mapping):
        raise ControlError('raw updates need an "update" object')
    update = copy.deepcopy(dict(raw))
    forced_id = update.pop("update_id", None)
    if spec.get("update_id") is not None:
        forced_id = spec["update_id"]
    for key in ("message", "edited_message", "channel_post"):
        message = update.get(key)
        if isinstance(message, dict) and isinstance(message.get("chat"), Mapping):
            chat = state.register_chat(message["chat"])
            message.setdefault("date", now())
            if "message_id" not in message:
                message["message_id"] = chat.new_message_id()
            if key == "edited_message" and message["message_id"] in chat.messages:
                chat.messages[message["message_id"]].message = message
            elif key != "edited_message":
                chat.store(StoredMessage(message, from_bot=False))
    query = update.get("callback_query")
    if isinstance(query, dict) and query.get("id"):
        message = query.get("message") or {}
        chat_id = (message.get("chat") or {}).get("id")
        if chat_id is not None:
            state.register_chat(message["chat"])
        state.callback_queries[str(query["id"])] = CallbackQuery(
            str(query["id"]), chat_id, message.get("message_id"), query.get("data")
        )
    return update, forced_id
