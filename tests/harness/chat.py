"""Reading what the bot sent and tapping what it shows, as a driver would."""

from __future__ import annotations

from typing import Any

from bot.sandbox import TgUser, specs
from tests.harness.app import TOKEN, App


def texts(records: list[dict[str, Any]]) -> list[str]:
    """The plain text of each message the bot sent or edited."""
    return [r["plain_text"] for r in records if r.get("plain_text") and r.get("ok")]


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
