"""Bot API methods implemented by the sandbox, with Telegram's validation and error texts."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import ApiError, bad_request
from .formatting import FormattedText, format_text
from .markup import inline_markup, validate_reply_markup
from .media import guess_mime_type, photo_dimensions
from .params import Params, UploadedFile
from .state import BotState, ChatState, StoredFile, StoredMessage, Webhook, now

if TYPE_CHECKING:
    from .server import BotApiServer

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_TOPIC_NAME_LENGTH = 128
# The only icon colours a bot may give a topic (the first is the sandbox's default).
TOPIC_ICON_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)
MAX_MEDIA_GROUP = 10
# What Telegram shows as a voice note; other audio goes out as a document.
VOICE_MIME_TYPES = frozenset({"audio/ogg", "audio/mpeg", "audio/mp4", "audio/x-m4a"})
FILE_MISMATCH = "type of file mismatch"
DELETE_WINDOW_SECONDS = 48 * 3600
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# Accepted and logged so bots can configure themselves at startup.
_CONFIG_METHODS = (
    "setMyDescription",
    "setMyShortDescription",
    "setMyName",
    "setChatMenuButton",
    "setMyDefaultAdministratorRights",
)


@dataclass
class Call:
    """One Bot API call being executed."""

    server: BotApiServer
    state: BotState
    name: str  # canonical method name, e.g. "sendMessage"
    params: Params
    record: dict[str, Any]  # the call-log entry, filled in by the handler

    def chat(self) -> ChatState:
        return self.state.chat_for_bot(self.params.get("chat_id"))

    def reply_markup(self) -> dict[str, Any] | None:
        return validate_reply_markup(self.params.get_json("reply_markup"))

    def formatted(
        self, key: str, *, limit: int, too_long: str, required: bool
    ) -> FormattedText | None:
        """Parse text or caption with parse_mode, enforcing Telegram's length limits."""
        raw = self.params.get_str(key)
        if raw is None or raw == "":
            if required:
                raise bad_request("message text is empty")
            return None
        entities_key = "entities" if key == "text" else "caption_entities"
        formatted = format_text(
            raw, self.params.get_str("parse_mode"), self.params.get_json(entities_key)
        )
        self.record["plain_text"] = formatted.text
        if not formatted.text and required:
            raise bad_request("message text is empty")
        if len(formatted.text) > limit:
            raise bad_request(too_long)
        return formatted

    def send(
        self,
        chat: ChatState,
        content: dict[str, Any],
        markup: dict[str, Any] | None,
        raw_text: str | None,
    ) -> dict[str, Any]:
        """Store a new bot message in the chat and return it as a Message object."""
        message: dict[str, Any] = {
            "message_id": 0,
            "from": self.state.user,
            "chat": chat.chat,
            "date": now(),
            **content,
        }
        thread = self.thread(chat)
        if thread is not None:
            message["message_thread_id"] = thread
            message["is_topic_message"] = True
        reply_to = self._reply_to(chat)
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        if (inline := inline_markup(markup)) is not None:
            message["reply_markup"] = inline
        message["message_id"] = chat.new_message_id()
        chat.store(
            StoredMessage(
                message,
                from_bot=True,
                raw_text=raw_text,
                parse_mode=self.params.get_str("parse_mode"),
                editable=markup is None or "inline_keyboard" in markup,
            )
        )
        if markup is not None:
            if "keyboard" in markup:
                chat.reply_keyboard = markup
                chat.reply_keyboard_message_id = message["message_id"]
            elif markup.get("remove_keyboard"):
                chat.reply_keyboard = None
                chat.reply_keyboard_message_id = None
        self.record["message_id"] = message["message_id"]
        return dict(message)

    def thread(self, chat: ChatState) -> int | None:
        """The forum topic a message goes to (also noted in the call log as thread_id).
        Telegram ignores message_thread_id outside forums; in a forum it must be a topic."""
        thread = self.params.get_int("message_thread_id")
        if not thread or not chat.is_forum:
            return None
        if thread not in chat.topics:
            raise bad_request("message thread not found")
        self.record["thread_id"] = thread
        return thread

    def _reply_to(self, chat: ChatState) -> dict[str, Any] | None:
        parameters = self.params.get_json("reply_parameters") or {}
        message_id = parameters.get("message_id") or self.params.get_int("reply_to_message_id")
        if not message_id:
            return None
        stored = chat.messages.get(int(message_id))
        if stored is None:
            allow = parameters.get("allow_sending_without_reply") or self.params.get_bool(
                "allow_sending_without_reply"
            )
            if allow:
                return None
            raise bad_request("message to be replied not found")
        return {k: v for k, v in stored.message.items() if k != "reply_to_message"}

    def target_message(self, *, action: str) -> tuple[ChatState, StoredMessage]:
        """The message an edit/delete refers to."""
        if self.params.has("inline_message_id"):
            raise bad_request("inline messages are not supported by the sandbox")
        chat = self.chat()
        message_id = self.params.get_int("message_id", empty="message identifier is not specified")
        stored = chat.messages.get(int(message_id or 0))
        if stored is None:
            raise bad_request(f"message to {action} not found")
        return chat, stored


Handler = Callable[[Call], Awaitable[Any]]
METHODS: dict[str, tuple[str, Handler]] = {}


def api_method(*names: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for name in names:
            METHODS[name.lower()] = (name, handler)
        return handler

    return register


# --- bot identity / session -------------------------------------------------------------
@api_method("getMe")
async def get_me(call: Call) -> Any:
    return {
        **call.state.user,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    }


@api_method("logOut", "close", *_CONFIG_METHODS)
async def accept(call: Call) -> Any:
    return True


# --- updates & webhook ----------------------------------------------------------------------
@api_method("getUpdates")
async def get_updates(call: Call) -> Any:
    state, params = call.state, call.params
    if state.webhook is not None:
        raise ApiError(409, WEBHOOK_CONFLICT)
    offset = params.get_int("offset")
    limit = min(max(params.get_int("limit") or 100, 1), 100)
    timeout = max(params.get_float("timeout") or 0.0, 0.0)
    allowed = params.get_json("allowed_updates")
    if allowed is not None:
        state.allowed_updates = list(allowed) or None  # Telegram remembers the last setting
    state.confirm(offset)

    # A newer request terminates the older one, as on Telegram.
    state.poll_generation += 1
    generation = state.poll_generation
    state.updates_signal.notify()

    def ready() -> bool:
        return (
            generation != state.poll_generation
            or call.server.closing
            or state.webhook is not None
            or state.has_pending(state.allowed_updates)
        )

    state.waiting_polls += 1
    state.polls_signal.notify()
    try:
        await state.updates_signal.wait_for(ready, timeout)
    finally:
        state.waiting_polls -= 1
    if generation != state.poll_generation:
        raise ApiError(409, POLL_CONFLICT)
    if state.webhook is not None:
        raise ApiError(409, WEBHOOK_CONFLICT)
    batch = state.deliverable(state.allowed_updates)[:limit]
    for queued in batch:
        queued.delivered = True
    return [queued.update for queued in batch]


@api_method("setWebhook")
async def set_webhook(call: Call) -> Any:
    state, params = call.state, call.params
    url = params.get_str("url") or ""
    if not url:
        return await delete_webhook(call)
    if not url.startswith(("http://", "https://")):
        # Telegram demands HTTPS; the sandbox also allows plain HTTP for local endpoints.
        raise bad_request("bad webhook: HTTPS url must be provided for webhook")
    secret = params.get_str("secret_token")
    if secret and not _SECRET_RE.match(secret):
        raise bad_request("secret token contains unallowed characters")
    allowed = params.get_json("allowed_updates")
    if params.get_bool("drop_pending_updates"):
        state.updates.clear()
    state.webhook = Webhook(
        url=url,
        secret_token=secret or None,
        allowed_updates=list(allowed) if allowed else None,
        max_connections=params.get_int("max_connections") or 40,
    )
    call.record["url"] = url
    state.updates_signal.notify()  # pending getUpdates now conflict
    call.server.webhooks.ensure_running(state)
    return True


@api_method("deleteWebhook")
async def delete_webhook(call: Call) -> Any:
    state = call.state
    if call.params.get_bool("drop_pending_updates"):
        state.updates.clear()
    state.webhook = None
    state.updates_signal.notify()
    return True


@api_method("getWebhookInfo")
async def get_webhook_info(call: Call) -> Any:
    return webhook_info(call.state)


def webhook_info(state: BotState) -> dict[str, Any]:
    webhook = state.webhook
    allowed = webhook.allowed_updates if webhook else state.allowed_updates
    info: dict[str, Any] = {
        "url": webhook.url if webhook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(state.updates),
    }
    if webhook is not None:
        info["max_connections"] = webhook.max_connections
        if webhook.last_error_date is not None:
            info["last_error_date"] = webhook.last_error_date
            info["last_error_message"] = webhook.last_error_message
    if allowed:
        info["allowed_updates"] = allowed
    return info


# --- chats and forum topics ---------------------------------------------------------------
@api_method("getChat")
async def get_chat(call: Call) -> Any:
    chat = call.chat()
    gifts = {"unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
             "premium_subscription": False, "gifts_from_channels": False}  # fmt: skip
    return {**chat.chat, "accent_color_id": 0, "max_reaction_count": 11,
            "accepted_gift_types": gifts}  # fmt: skip


@api_method("createForumTopic")
async def create_forum_topic(call: Call) -> Any:
    chat = call.chat()
    name = call.params.get_str("name") or ""
    icon_color = call.params.get_int("icon_color")
    call.record["name"], call.record["icon_color"] = name, icon_color
    if not chat.is_forum:
        raise bad_request("the chat is not a forum")
    if not name:
        raise bad_request("TOPIC_TITLE_EMPTY")
    if len(name) > MAX_TOPIC_NAME_LENGTH:
        raise bad_request("TOPIC_TITLE_TOO_LONG")
    if icon_color is not None and icon_color not in TOPIC_ICON_COLORS:
        raise bad_request("TOPIC_COLOR_INVALID")
    topic = chat.open_topic(
        name, icon_color or TOPIC_ICON_COLORS[0], call.state.user, from_bot=True
    )
    call.record["thread_id"] = call.record["message_id"] = topic["message_thread_id"]
    return topic


# --- sending ------------------------------------------------------------------------------
@api_method("sendMessage")
async def send_message(call: Call) -> Any:
    chat = call.chat()
    text = call.formatted(
        "text", limit=MAX_TEXT_LENGTH, too_long="message is too long", required=True
    )
    assert text is not None  # required=True raised otherwise
    markup = call.reply_markup()
    content: dict[str, Any] = {"text": text.text}
    if text.entities:
        content["entities"] = text.entities
    return call.send(chat, content, markup, call.params.get_str("text"))


def _caption(call: Call) -> dict[str, Any]:
    caption = call.formatted(
        "caption", limit=MAX_CAPTION_LENGTH, too_long="message caption is too long", required=False
    )
    if caption is None or not caption.text:
        return {}
    content: dict[str, Any] = {"caption": caption.text}
    if caption.entities:
        content["caption_entities"] = caption.entities
    return content


def _input_file(call: Call, field: str, kind: str) -> StoredFile:
    """Resolve an InputFile argument: new upload, known file_id or URL."""
    value = call.params.get_file(field)
    if value is None:
        raise bad_request(f"there is no {field} in the request")
    return _stored_file(call, value, kind)


def _stored_file(call: Call, value: UploadedFile | str, kind: str) -> StoredFile:
    """The file an upload, a URL or a file_id gives; a new one is stored as `kind`, except
    that audio Telegram does not play as a voice note is stored as a document."""
    state = call.state
    content: bytes | None
    url: str | None
    file_name: str | None
    declared: str | None
    if isinstance(value, UploadedFile):
        content = value.content
        if not content:
            raise bad_request("file must be non-empty")
        url, file_name, declared = None, value.filename, value.content_type
    elif value.startswith(("http://", "https://")):
        # Telegram would fetch the URL; the sandbox only remembers it.
        content, url, file_name, declared = None, value, value.rsplit("/", 1)[-1] or None, None
    else:
        known = state.files.get(value)
        if known is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if (known.kind == "voice") != (kind == "voice"):
            raise bad_request(FILE_MISMATCH)  # a voice note is re-sent only as one
        return known
    if kind == "photo":
        width, height = photo_dimensions(content)
        return state.store_file(kind, content=content, url=url, width=width, height=height)
    mime_type = guess_mime_type(file_name, declared)
    if kind == "voice" and mime_type in VOICE_MIME_TYPES:
        duration = call.params.get_int("duration") or 0
        return state.store_file(
            kind, content=content, url=url, mime_type=mime_type, duration=duration
        )
    return state.store_file(
        "document", content=content, url=url, file_name=file_name, mime_type=mime_type
    )


@api_method("sendPhoto")
async def send_photo(call: Call) -> Any:
    chat = call.chat()
    content = _caption(call)
    markup = call.reply_markup()
    stored = _input_file(call, "photo", "photo")
    call.record["file"] = stored.describe()
    return call.send(
        chat, {"photo": stored.as_photo(), **content}, markup, call.params.get_str("caption")
    )


@api_method("sendDocument")
async def send_document(call: Call) -> Any:
    chat = call.chat()
    content = _caption(call)
    markup = call.reply_markup()
    stored = _input_file(call, "document", "document")
    call.record["file"] = stored.describe()
    return call.send(
        chat, {"document": stored.as_document(), **content}, markup, call.params.get_str("caption")
    )


@api_method("sendVoice")
async def send_voice(call: Call) -> Any:
    chat = call.chat()
    content = _caption(call)
    markup = call.reply_markup()
    stored = _input_file(call, "voice", "voice")
    call.record["file"] = stored.describe()
    media = (
        {"voice": stored.as_voice()}
        if stored.kind == "voice"
        else {"document": stored.as_document()}
    )
    return call.send(chat, {**media, **content}, markup, call.params.get_str("caption"))


def _item_caption(item: dict[str, Any]) -> tuple[FormattedText | None, str | None]:
    """An album item's caption, parsed with the item's own parse_mode and entities."""
    raw = item.get("caption")
    if raw is None or raw == "":
        return None, None
    if not isinstance(raw, str):
        raise bad_request('can\'t parse InputMedia: field "caption" must be of type String')
    formatted = format_text(raw, item.get("parse_mode"), item.get("caption_entities"))
    if len(formatted.text) > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
    return formatted, raw


@api_method("sendMediaGroup")
async def send_media_group(call: Call) -> Any:
    """An album: one message per item sharing a media_group_id; like Telegram's server, a
    single item goes out as a message of its own. It carries no reply_markup."""
    chat = call.chat()
    items = call.params.get_json("media")
    call.record["media"] = items
    if not items:
        raise bad_request("there are no messages to send")
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise bad_request("can't parse media JSON object")
    if len(items) > MAX_MEDIA_GROUP:
        raise bad_request("too many messages to send as an album")
    kinds = [item.get("type") for item in items]
    for kind in kinds:
        if kind == "animation":
            raise bad_request('can\'t parse InputMedia: type "animation" can\'t be used in '
                              "sendMediaGroup")  # fmt: skip
        if kind in ("video", "audio"):
            raise bad_request(f"{kind} albums are not supported by the sandbox")
        if kind not in ("photo", "document"):
            raise bad_request(f'can\'t parse InputMedia: type "{kind}" is unsupported')
    if "document" in kinds and "photo" in kinds:
        raise bad_request("document can't be mixed with other media types")
    captions = [_item_caption(item) for item in items]
    values: list[UploadedFile | str] = []
    for item in items:
        value = item.get("media")
        if not isinstance(value, str) or not value:
            raise bad_request("can't parse InputMedia: media not found")
        values.append(call.params.resolve_file(value))
    call.thread(chat)  # a missing topic is refused before anything is stored
    group_id = call.state.new_media_group_id() if len(items) > 1 else None
    stored_files = [
        _stored_file(call, value, str(kind)) for value, kind in zip(values, kinds, strict=True)
    ]
    messages: list[dict[str, Any]] = []
    for item, stored, (caption, raw) in zip(items, stored_files, captions, strict=True):
        content: dict[str, Any] = (
            {"photo": stored.as_photo()} if item["type"] == "photo"
            else {"document": stored.as_document()}
        )  # fmt: skip
        if caption is not None and caption.text:
            content["caption"] = caption.text
            if caption.entities:
                content["caption_entities"] = caption.entities
        if group_id is not None:
            content["media_group_id"] = group_id
        message = call.send(chat, content, None, raw)
        chat.messages[message["message_id"]].parse_mode = item.get("parse_mode")
        messages.append(message)
    first_caption = next(((c, raw) for c, raw in captions if c is not None), (None, None))
    call.record.update(
        message_id=messages[0]["message_id"],
        message_ids=[m["message_id"] for m in messages],
        media_group_id=group_id,
        files=[stored.describe() for stored in stored_files],
        text=first_caption[1],
        plain_text=first_caption[0].text if first_caption[0] else None,
    )
    return messages


def _location(call: Call) -> dict[str, float]:
    latitude = call.params.get_float("latitude", empty="latitude is empty")
    longitude = call.params.get_float("longitude", empty="longitude is empty")
    assert latitude is not None and longitude is not None
    call.record["latitude"], call.record["longitude"] = latitude, longitude
    if not -90 <= latitude <= 90:
        raise bad_request("wrong latitude specified: must be between -90 and 90")
    if not -180 <= longitude <= 180:
        raise bad_request("wrong longitude specified: must be between -180 and 180")
    return {"latitude": latitude, "longitude": longitude}


@api_method("sendLocation")
async def send_location(call: Call) -> Any:
    chat = call.chat()
    location = _location(call)
    markup = call.reply_markup()
    return call.send(chat, {"location": location}, markup, None)


@api_method("sendVenue")
async def send_venue(call: Call) -> Any:
    chat = call.chat()
    location = _location(call)
    title = call.params.get_str("title")
    address = call.params.get_str("address")
    call.record["title"], call.record["address"] = title, address
    if not title:
        raise bad_request("venue title is empty")
    if not address:
        raise bad_request("venue address is empty")
    markup = call.reply_markup()
    venue = {"location": location, "title": title, "address": address}
    return call.send(chat, {"venue": venue, "location": location}, markup, None)


@api_method("sendChatAction")
async def send_chat_action(call: Call) -> Any:
    call.chat()
    action = call.params.get_str("action")
    call.record["action"] = action
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


# --- editing & deleting ---------------------------------------------------------------
def _replace(
    stored: StoredMessage, changes: dict[str, Any], drop: tuple[str, ...]
) -> dict[str, Any]:
    """Swap in a new message dict, so Message objects returned earlier stay as they were."""
    message = {k: v for k, v in stored.message.items() if k not in drop}
    message.update(changes)
    message["edit_date"] = now()
    stored.message = message
    return dict(message)


def _edit_body(call: Call, key: str, formatted: FormattedText | None) -> dict[str, Any]:
    _, stored = call.target_message(action="edit")
    if not stored.from_bot or not stored.editable:
        raise bad_request("message can't be edited")
    call.record["message_id"] = stored.message_id
    entities_key = "entities" if key == "text" else "caption_entities"
    new_inline = inline_markup(call.reply_markup())
    text = formatted.text if formatted else None
    entities = formatted.entities if formatted else []
    old = stored.message
    if (
        text == old.get(key)
        and entities == (old.get(entities_key) or [])
        and new_inline == old.get("reply_markup")
    ):
        raise bad_request(NOT_MODIFIED)
    changes: dict[str, Any] = {}
    if text:
        changes[key] = text
    if entities:
        changes[entities_key] = entities
    if new_inline:
        changes["reply_markup"] = new_inline
    # Like Telegram, omitting reply_markup in an edit removes the inline keyboard.
    message = _replace(stored, changes, (key, entities_key, "reply_markup"))
    stored.raw_text = call.params.get_str(key)
    stored.parse_mode = call.params.get_str("parse_mode")
    return message


@api_method("editMessageText")
async def edit_message_text(call: Call) -> Any:
    _, stored = call.target_message(action="edit")
    if "text" not in stored.message and stored.from_bot:
        raise bad_request("there is no text in the message to edit")
    formatted = call.formatted(
        "text", limit=MAX_TEXT_LENGTH, too_long="message is too long", required=True
    )
    return _edit_body(call, "text", formatted)


@api_method("editMessageCaption")
async def edit_message_caption(call: Call) -> Any:
    _, stored = call.target_message(action="edit")
    if not any(k in stored.message for k in ("photo", "document", "voice")) and stored.from_bot:
        raise bad_request("there is no caption in the message to edit")
    formatted = call.formatted(
        "caption", limit=MAX_CAPTION_LENGTH, too_long="message caption is too long", required=False
    )
    return _edit_body(call, "caption", formatted)


@api_method("editMessageReplyMarkup")
async def edit_message_reply_markup(call: Call) -> Any:
    _, stored = call.target_message(action="edit")
    if not stored.from_bot or not stored.editable:
        raise bad_request("message can't be edited")
    call.record["message_id"] = stored.message_id
    new_inline = inline_markup(call.reply_markup())
    if new_inline == stored.message.get("reply_markup"):
        raise bad_request(NOT_MODIFIED)
    return _replace(stored, {"reply_markup": new_inline} if new_inline else {}, ("reply_markup",))


@api_method("deleteMessage")
async def delete_message(call: Call) -> Any:
    chat, stored = call.target_message(action="delete")
    if now() - int(stored.message.get("date", 0)) > DELETE_WINDOW_SECONDS:
        raise bad_request("message can't be deleted")
    _forget(chat, stored.message_id)
    return True


def _forget(chat: ChatState, message_id: int) -> None:
    """Delete a message; the reply keyboard it brought goes with it, as in the apps."""
    chat.messages.pop(message_id, None)
    if chat.reply_keyboard_message_id == message_id:
        chat.reply_keyboard, chat.reply_keyboard_message_id = None, None


@api_method("deleteMessages")
async def delete_messages(call: Call) -> Any:
    chat = call.chat()
    message_ids = call.params.get_json("message_ids") or []
    call.record["message_ids"] = message_ids
    for message_id in message_ids:
        _forget(chat, int(message_id))  # Telegram skips missing ones
    return True


# --- callback queries -------------------------------------------------------------------
@api_method("answerCallbackQuery")
async def answer_callback_query(call: Call) -> Any:
    params, state = call.params, call.state
    query_id = params.get_str("callback_query_id")
    answer = {
        "callback_query_id": query_id,
        "text": params.get_str("text"),
        "show_alert": params.get_bool("show_alert"),
        "url": params.get_str("url"),
        "cache_time": params.get_int("cache_time"),
    }
    call.record.update(answer)
    query = state.callback_queries.get(query_id or "")
    if query is None or query.answered:
        raise bad_request(QUERY_TOO_OLD)
    query.answered = True
    call.record["chat_id"] = query.chat_id
    call.record["message_id"] = query.message_id
    state.callback_answers.append(
        {**answer, "chat_id": query.chat_id, "message_id": query.message_id, "data": query.data}
    )
    return True


# --- files --------------------------------------------------------------------------------
@api_method("getFile")
async def get_file(call: Call) -> Any:
    file_id = call.params.get_str("file_id")
    call.record["file_id"] = file_id
    if not file_id:
        raise bad_request("file_id is empty")
    stored = call.state.files.get(file_id)
    if stored is None:
        raise bad_request("invalid file_id")
    return stored.as_file()


# --- commands -----------------------------------------------------------------------------
def _commands_key(call: Call) -> tuple[str, str]:
    scope = call.params.get_json("scope") or {"type": "default"}
    language = call.params.get_str("language_code") or ""
    call.record["scope"], call.record["language_code"] = scope, language
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("invalid language code specified")
    return json.dumps(scope, sort_keys=True), language


@api_method("setMyCommands")
async def set_my_commands(call: Call) -> Any:
    key = _commands_key(call)
    commands = call.params.get_json("commands")
    call.record["commands"] = commands
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    for command in commands:
        name = command.get("command", "") if isinstance(command, dict) else ""
        description = command.get("description", "") if isinstance(command, dict) else ""
        if not _COMMAND_RE.match(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    cleaned = [{"command": c["command"], "description": c["description"]} for c in commands]
    if cleaned:
        call.state.commands[key] = cleaned
    else:
        call.state.commands.pop(key, None)
    return True


@api_method("getMyCommands")
async def get_my_commands(call: Call) -> Any:
    return call.state.commands.get(_commands_key(call), [])


@api_method("deleteMyCommands")
async def delete_my_commands(call: Call) -> Any:
    call.state.commands.pop(_commands_key(call), None)
    return True
