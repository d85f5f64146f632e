"""The sandbox Bot API server, exercised through the real aiogram client."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
)
from aiogram.filters import CommandStart
from aiogram.methods import GetChatAdministrators
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from aiohttp import web

from bot.sandbox import (
    BotApiServer,
    ControlApiError,
    SandboxClient,
    SentTimeoutError,
    TgUser,
    specs,
)
from bot.sandbox.errors import ControlError
from bot.sandbox.formatting import EntityParseError, parse_html
from tests.harness import FastSession

TOKEN = "123456:TEST"
USER = TgUser(1001, "Li", username="li_driver")
OTHER = TgUser(1002, "Wang", language_code="en")


def png_bytes(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + header + b"rest-of-png"


@pytest.fixture
async def server() -> AsyncIterator[BotApiServer]:
    sandbox = BotApiServer(webhook_retry_delay=0.05)
    await sandbox.start()
    yield sandbox
    await sandbox.stop()


@pytest.fixture
async def bot(server: BotApiServer) -> AsyncIterator[Bot]:
    session = FastSession(api=TelegramAPIServer.from_base(server.base_url))
    tg_bot = Bot(TOKEN, session=session)
    yield tg_bot
    await session.close()


@pytest.fixture
async def client(server: BotApiServer) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(server.base_url, TOKEN) as sandbox_client:
        yield sandbox_client


async def greet(server: BotApiServer, bot: Bot, user: TgUser = USER) -> None:
    """The user writes first (a private chat is unknown until then); consume that update."""
    update = server.inject_update(TOKEN, specs.text(user, "hi"))
    await bot.get_updates(offset=update["update_id"] + 1, timeout=0)


def inline(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d) for t, d in buttons]]
    )


# --- identity & transport --------------------------------------------------------------------
async def test_get_me_identity_comes_from_token(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456
    assert me.is_bot is True
    assert me.username == "warmdrive_test_bot"
    assert me.first_name == "WarmDrive"


async def test_bad_token_unknown_method_and_body_encodings(server: BotApiServer) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{server.base_url}/botnot-a-token/getMe") as resp:
            assert resp.status == 401
            assert await resp.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        async with http.post(f"{server.base_url}/bot{TOKEN}/noSuchMethod") as resp:
            assert resp.status == 404
        server.inject_update(TOKEN, specs.text(USER, "hi"))
        # JSON body, upper-case method name (Telegram method names are case-insensitive).
        async with http.post(
            f"{server.base_url}/bot{TOKEN}/SENDMESSAGE",
            json={"chat_id": USER.id, "text": "json", "reply_markup": {"remove_keyboard": True}},
        ) as resp:
            body = await resp.json()
            assert body["ok"] is True
            assert body["result"]["text"] == "json"
        # urlencoded body and GET query string.
        async with http.post(
            f"{server.base_url}/bot{TOKEN}/sendMessage",
            data={"chat_id": str(USER.id), "text": "form"},
        ) as resp:
            assert (await resp.json())["result"]["text"] == "form"
        async with http.get(
            f"{server.base_url}/bot{TOKEN}/sendMessage", params={"chat_id": USER.id, "text": "q"}
        ) as resp:
            assert (await resp.json())["result"]["text"] == "q"
    texts = [r["text"] for r in server.sent(TOKEN, chat_id=USER.id, method="sendMessage")]
    assert texts == ["json", "form", "q"]


# --- updates ------------------------------------------------------------------------------
async def test_long_polling_delivers_injected_update_and_offset_confirms(
    server: BotApiServer, bot: Bot
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await server.wait_polling(TOKEN)  # the request is parked on the server
    injected = server.inject_update(TOKEN, specs.text(USER, "/start ref42"))
    updates = await poll

    assert [u.update_id for u in updates] == [injected["update_id"]]
    message = updates[0].message
    assert message is not None
    assert message.text == "/start ref42"
    assert message.from_user is not None and message.from_user.id == USER.id
    assert message.chat.type == "private"
    assert message.entities is not None
    assert (message.entities[0].type, message.entities[0].length) == ("bot_command", 6)

    # Not confirmed yet: delivered again. Confirmed by offset: gone.
    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [injected["update_id"]]
    assert await bot.get_updates(offset=injected["update_id"] + 1, timeout=0) == []


async def test_second_get_updates_terminates_the_first(server: BotApiServer, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await server.wait_polling(TOKEN)
    assert await bot.get_updates(timeout=0) == []
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
        await first


async def test_forced_update_id_is_delivered_twice(server: BotApiServer, bot: Bot) -> None:
    server.inject_update(TOKEN, specs.text(USER, "dup", update_id=777))
    server.inject_update(TOKEN, specs.text(USER, "dup", update_id=777))
    updates = await bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == [777, 777]
    assert await bot.get_updates(offset=778, timeout=0) == []

    # A redelivery of an already confirmed update still reaches the bot once.
    server.inject_update(TOKEN, specs.text(USER, "dup", update_id=777))
    assert [u.update_id for u in await bot.get_updates(offset=778, timeout=0)] == [777]
    assert await bot.get_updates(offset=778, timeout=0) == []


async def test_user_message_kinds(server: BotApiServer, bot: Bot) -> None:
    server.inject_update(TOKEN, specs.location(USER, 31.23, 121.47))
    server.inject_update(TOKEN, specs.contact(USER, "+8613800000000"))
    server.inject_update(TOKEN, specs.venue(USER, 31.2, 121.4, "Depot", "1 Road"))
    server.inject_update(TOKEN, specs.text(USER, "fwd", forward_from=OTHER.as_dict()))
    messages = [u.message for u in await bot.get_updates(timeout=0)]
    assert all(m is not None for m in messages)
    location, contact, venue, forwarded = messages
    assert location and location.location and location.location.latitude == 31.23
    assert contact and contact.contact and contact.contact.user_id == USER.id
    assert contact.contact.phone_number == "+8613800000000"
    assert venue and venue.venue and venue.venue.title == "Depot"
    assert forwarded and forwarded.forward_origin is not None
    assert forwarded.forward_origin.sender_user.id == OTHER.id  # type: ignore[union-attr]
    # message_id is a per-chat counter.
    assert [m.message_id for m in messages if m] == [1, 2, 3, 4]


async def test_raw_update_registers_chat(server: BotApiServer, bot: Bot) -> None:
    raw = {
        "message": {
            "from": {"id": 2002, "is_bot": False, "first_name": "Raw"},
            "chat": {"id": 2002, "type": "private", "first_name": "Raw"},
            "text": "raw text",
        }
    }
    update = server.inject_update(TOKEN, specs.raw(raw))
    received = await bot.get_updates(timeout=0)
    assert received[0].update_id == update["update_id"]
    assert received[0].message is not None and received[0].message.text == "raw text"
    sent = await bot.send_message(2002, "reply")  # the chat is known now
    assert sent.message_id == 2


# --- sending, keyboards, callbacks, editing ------------------------------------------------
async def test_inline_keyboard_callback_answer_and_edit(server: BotApiServer, bot: Bot) -> None:
    await greet(server, bot)
    keyboard = inline(("Pick 1", "pick:1"), ("Pick 2", "pick:2"))
    sent = await bot.send_message(USER.id, "Choose", reply_markup=keyboard)
    assert sent.reply_markup is not None
    assert sent.reply_markup.model_dump() == keyboard.model_dump()
    assert sent.from_user is not None and sent.from_user.id == 123456

    with pytest.raises(ControlError, match="no inline button"):
        server.inject_update(TOKEN, specs.callback(USER, sent.message_id, "pick:9"))
    server.inject_update(TOKEN, specs.callback(USER, sent.message_id, "pick:2"))
    (update,) = await bot.get_updates(timeout=0)
    query = update.callback_query
    assert query is not None and query.data == "pick:2"
    assert query.message is not None and query.message.message_id == sent.message_id

    assert await bot.answer_callback_query(query.id, text="Done", show_alert=True)
    answers = server.callback_answers(TOKEN)
    assert [(a["text"], a["show_alert"], a["data"]) for a in answers] == [("Done", True, "pick:2")]
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query.id)
    with pytest.raises(TelegramBadRequest, match="query ID is invalid"):
        await bot.answer_callback_query("nope")

    edited = await bot.edit_message_text(
        "Picked 2", chat_id=USER.id, message_id=sent.message_id, reply_markup=keyboard
    )
    assert isinstance(edited, Message)
    assert (edited.text, edited.message_id) == ("Picked 2", sent.message_id)
    assert edited.reply_markup is not None
    assert edited.reply_markup.model_dump() == keyboard.model_dump()
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "Picked 2", chat_id=USER.id, message_id=sent.message_id, reply_markup=keyboard
        )
    # Like Telegram, an edit without reply_markup drops the inline keyboard.
    await bot.edit_message_text("Final", chat_id=USER.id, message_id=sent.message_id)
    markup_edit = await bot.edit_message_reply_markup(
        chat_id=USER.id, message_id=sent.message_id, reply_markup=inline(("Undo", "undo"))
    )
    assert isinstance(markup_edit, Message) and markup_edit.text == "Final"

    stored = {m["message_id"]: m for m in server.chat_messages(TOKEN, USER.id)}
    assert stored[sent.message_id]["text"] == "Final"
    assert stored[sent.message_id]["reply_markup"]["inline_keyboard"][0][0]["text"] == "Undo"
    assert stored[sent.message_id]["from_bot"] is True
    assert stored[1]["from_bot"] is False
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text("x", chat_id=USER.id, message_id=1)


async def test_reply_keyboards_are_tracked_but_not_echoed(server: BotApiServer, bot: Bot) -> None:
    await greet(server, bot)
    keyboard = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="📍 Share", request_location=True)]]
    )
    sent = await bot.send_message(USER.id, "Where are you?", reply_markup=keyboard)
    assert sent.reply_markup is None  # Telegram only echoes inline keyboards
    chat = server.chat(TOKEN, USER.id)
    assert chat.reply_keyboard is not None
    assert chat.reply_keyboard["keyboard"][0][0]["request_location"] is True
    await bot.send_message(USER.id, "Thanks", reply_markup=ReplyKeyboardRemove())
    assert chat.reply_keyboard is None
    (record,) = server.sent(TOKEN, chat_id=USER.id, after=0, method="sendMessage")[:1]
    assert record["reply_markup"]["keyboard"][0][0]["text"] == "📍 Share"


async def test_a_message_with_a_reply_keyboard_cannot_be_edited_and_takes_it_along(
    server: BotApiServer, bot: Bot
) -> None:
    """Telegram edits only messages without markup or with an inline keyboard; deleting the
    message that brought a reply keyboard takes the keyboard off the chat in the apps."""
    await greet(server, bot)
    keyboard = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Menu")]])
    sent = await bot.send_message(USER.id, "Here is the menu", reply_markup=keyboard)
    for edit in (
        bot.edit_message_text("Changed", chat_id=USER.id, message_id=sent.message_id),
        bot.edit_message_reply_markup(chat_id=USER.id, message_id=sent.message_id),
    ):
        with pytest.raises(TelegramBadRequest, match="message can't be edited"):
            await edit
    removed = await bot.send_message(USER.id, "Bye", reply_markup=ReplyKeyboardRemove())
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text("x", chat_id=USER.id, message_id=removed.message_id)
    chat = server.chat(TOKEN, USER.id)
    again = await bot.send_message(USER.id, "Menu again", reply_markup=keyboard)
    other = await bot.send_message(USER.id, "Just text")
    await bot.delete_message(USER.id, other.message_id)
    assert chat.reply_keyboard is not None  # another message's deletion keeps it
    await bot.delete_message(USER.id, again.message_id)
    assert chat.reply_keyboard is None


async def test_delete_message(server: BotApiServer, bot: Bot) -> None:
    await greet(server, bot)
    sent = await bot.send_message(USER.id, "temporary")
    assert await bot.delete_message(USER.id, sent.message_id) is True
    assert sent.message_id not in [m["message_id"] for m in server.chat_messages(TOKEN, USER.id)]
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(USER.id, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER.id, message_id=sent.message_id)
    old = server.inject_update(TOKEN, specs.text(USER, "ancient", date=1_600_000_000))
    with pytest.raises(TelegramBadRequest, match="message can't be deleted"):
        await bot.delete_message(USER.id, old["message"]["message_id"])


async def test_html_entities_and_validation(server: BotApiServer, bot: Bot) -> None:
    await greet(server, bot)
    sent = await bot.send_message(
        USER.id,
        '  <b>Hi</b> &amp; <a href="https://example.com">link</a> &#128512;\n',
        parse_mode=ParseMode.HTML,
    )
    assert sent.text == "Hi & link 😀"
    assert sent.entities is not None
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 2),
        ("text_link", 5, 4),
    ]
    assert sent.html_text == '<b>Hi</b> &amp; <a href="https://example.com">link</a> 😀'

    bad = {
        "<b>bold</i>": 'Unmatched end tag at byte offset 7, expected "</b>", found "</i>"',
        "<div>x</div>": 'Unsupported start tag "div" at byte offset 0',
        "<b>open": 'Can\'t find end tag corresponding to start tag "b"',
        "a &nbsp; b": 'Unsupported HTML entity "&nbsp;"',
        "1 < 2": "Unsupported start tag",
        '<span class="x">s</span>': 'Tag "span" must have class "tg-spoiler"',
    }
    for text, reason in bad.items():
        with pytest.raises(TelegramBadRequest, match="can't parse entities") as info:
            await bot.send_message(USER.id, text, parse_mode=ParseMode.HTML)
        assert reason in info.value.message

    records = server.sent(TOKEN, chat_id=USER.id, method="sendMessage")
    assert records[0]["ok"] is True
    assert records[0]["plain_text"] == "Hi & link 😀"
    assert records[0]["text"].startswith("  <b>Hi</b>")
    assert [r["ok"] for r in records[1:]] == [False] * len(bad)
    assert "can't parse entities" in records[1]["error"]["description"]


def test_html_parser_utf16_offsets_and_pre_language() -> None:
    parsed = parse_html('😀 <b>x</b><pre><code class="language-python">print()</code></pre>')
    assert parsed.text == "😀 xprint()"
    assert parsed.entities == [
        {"type": "bold", "offset": 3, "length": 1},
        {"type": "pre", "language": "python", "offset": 4, "length": 7},
    ]
    spoiler = parse_html('<tg-spoiler>a</tg-spoiler><span class="tg-spoiler">b</span>')
    assert [e["type"] for e in spoiler.entities] == ["spoiler", "spoiler"]
    assert parse_html("AT&T").text == "AT&T"
    with pytest.raises(EntityParseError):
        parse_html("<br/>")


async def test_text_validation_errors(server: BotApiServer, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(999_999, "hello?")
    group = await bot.send_message(-100123, "hello group")
    assert group.chat.type == "supergroup" and group.chat.title

    await greet(server, bot)
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(USER.id, "")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER.id, "x" * 4097)
    assert (await bot.send_message(USER.id, "x" * 4096)).text == "x" * 4096
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(USER.id, "kb", reply_markup=inline(("Long", "d" * 65)))
    with pytest.raises(TelegramBadRequest, match="caption is too long"):
        await bot.send_photo(
            USER.id, BufferedInputFile(png_bytes(1, 1), "a.png"), caption="c" * 1025
        )
    with pytest.raises(TelegramBadRequest, match="wrong parameter action"):
        await bot.send_chat_action(USER.id, "dancing")
    assert await bot.send_chat_action(USER.id, "typing") is True


# --- faults & blocking --------------------------------------------------------------------
async def test_retry_after_fault(server: BotApiServer, bot: Bot) -> None:
    await greet(server, bot)
    server.add_fault(TOKEN, 429, method="sendMessage", chat_id=USER.id, retry_after=7)
    with pytest.raises(TelegramRetryAfter) as info:
        await bot.send_message(USER.id, "first")
    assert info.value.retry_after == 7
    assert "retry after 7" in info.value.message
    assert (await bot.send_message(USER.id, "second")).text == "second"

    server.add_fault(TOKEN, 500, count=2)
    for _ in range(2):
        with pytest.raises(Exception, match="Internal Server Error"):
            await bot.send_chat_action(USER.id, "typing")
    assert await bot.send_chat_action(USER.id, "typing") is True
    failed = [r for r in server.sent(TOKEN, chat_id=USER.id) if not r["ok"]]
    assert [(r["method"], r["error"]["error_code"]) for r in failed] == [
        ("sendMessage", 429),
        ("sendChatAction", 500),
        ("sendChatAction", 500),
    ]
    assert failed[0]["error"]["parameters"] == {"retry_after": 7}


async def test_blocked_chat(server: BotApiServer, bot: Bot) -> None:
    await greet(server, bot)
    server.set_blocked(TOKEN, USER.id)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(USER.id, "are you there?")
    server.set_blocked(TOKEN, USER.id, False)
    assert (await bot.send_message(USER.id, "welcome back")).text == "welcome back"


# --- files -----------------------------------------------------------------------------------
async def test_upload_photo_and_document_then_download(server: BotApiServer, bot: Bot) -> None:
    await greet(server, bot)
    image = png_bytes(3, 2)
    photo_message = await bot.send_photo(
        USER.id,
        BufferedInputFile(image, "truck.png"),
        caption="<b>Truck</b>",
        parse_mode=ParseMode.HTML,
    )
    assert photo_message.caption == "Truck"
    assert photo_message.photo is not None
    size = photo_message.photo[-1]
    assert (size.width, size.height, size.file_size) == (3, 2, len(image))
    file = await bot.get_file(size.file_id)
    assert file.file_path and file.file_path.startswith("photos/")
    downloaded = await bot.download(file)
    assert downloaded is not None and downloaded.read() == image

    pdf = b"%PDF-1.4 waybill"
    doc_message = await bot.send_document(USER.id, BufferedInputFile(pdf, "waybill.pdf"))
    document = doc_message.document
    assert document is not None
    assert (document.file_name, document.mime_type, document.file_size) == (
        "waybill.pdf",
        "application/pdf",
        len(pdf),
    )
    downloaded_doc = await bot.download(document)
    assert downloaded_doc is not None and downloaded_doc.read() == pdf

    resent = await bot.send_document(USER.id, document.file_id)
    assert resent.document is not None and resent.document.file_id == document.file_id
    by_url = await bot.send_photo(USER.id, "https://example.com/a.jpg")
    assert by_url.photo
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_photo(USER.id, "no-such-file-id")
    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await bot.get_file("no-such-file-id")
    record = server.sent(TOKEN, chat_id=USER.id, method="sendDocument")[0]
    assert record["file"]["file_name"] == "waybill.pdf"
    assert record["params"]["document"]["upload"] == "waybill.pdf"


async def test_user_photo_and_document_are_downloadable(server: BotApiServer, bot: Bot) -> None:
    image = png_bytes(640, 480)
    server.inject_update(TOKEN, specs.photo(USER, image, caption="receipt"))
    server.inject_update(TOKEN, specs.document(USER, b"a,b\n1,2\n", "trips.csv"))
    photo_update, doc_update = await bot.get_updates(timeout=0)
    assert photo_update.message is not None and photo_update.message.photo
    size = photo_update.message.photo[-1]
    assert (size.width, size.height) == (640, 480)
    assert photo_update.message.caption == "receipt"
    downloaded = await bot.download(size)
    assert downloaded is not None and downloaded.read() == image

    assert doc_update.message is not None and doc_update.message.document
    assert doc_update.message.document.mime_type == "text/csv"
    downloaded_doc = await bot.download(doc_update.message.document)
    assert downloaded_doc is not None and downloaded_doc.read() == b"a,b\n1,2\n"


# --- locations & commands ---------------------------------------------------------------------
async def test_location_and_venue(server: BotApiServer, bot: Bot) -> None:
    await greet(server, bot)
    with pytest.raises(TelegramBadRequest, match="latitude"):
        await bot.send_location(USER.id, latitude=91, longitude=0)
    with pytest.raises(TelegramBadRequest, match="longitude"):
        await bot.send_location(USER.id, latitude=0, longitude=-180.5)
    sent = await bot.send_location(USER.id, latitude=39.9, longitude=116.4)
    assert sent.location is not None and sent.location.longitude == 116.4
    venue = await bot.send_venue(USER.id, 39.9, 116.4, title="Rest stop", address="G4, km 12")
    assert venue.venue is not None and venue.venue.address == "G4, km 12"
    record = server.sent(TOKEN, method="sendVenue")[0]
    assert (record["title"], record["latitude"]) == ("Rest stop", 39.9)


async def test_commands_by_language(server: BotApiServer, bot: Bot, client: SandboxClient) -> None:
    zh = [
        BotCommand(command="start", description="开始"),
        BotCommand(command="help", description="帮助"),
    ]
    en = [BotCommand(command="start", description="Start")]
    assert await bot.set_my_commands(zh, language_code="zh")
    assert await bot.set_my_commands(en, language_code="en")
    by_language = {entry["language_code"]: entry for entry in await client.my_commands()}
    assert by_language["zh"]["commands"] == [
        {"command": "start", "description": "开始"},
        {"command": "help", "description": "帮助"},
    ]
    assert by_language["en"]["scope"] == {"type": "default"}
    assert [c.command for c in await bot.get_my_commands(language_code="en")] == ["start"]
    assert await bot.delete_my_commands(language_code="en")
    assert [e["language_code"] for e in await client.my_commands()] == ["zh"]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad-Name", description="x")])


# --- webhook --------------------------------------------------------------------------------
async def run_endpoint(
    reply: dict[str, Any] | None = None,
) -> tuple[web.AppRunner, str, asyncio.Queue[tuple[dict[str, Any], str | None]]]:
    received: asyncio.Queue[tuple[dict[str, Any], str | None]] = asyncio.Queue()

    async def handle(request: web.Request) -> web.Response:
        received.put_nowait(
            (await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        return web.json_response(reply or {})

    app = web.Application()
    app.router.add_post("/hook", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/hook", received


async def test_webhook_delivery_and_get_updates_conflict(server: BotApiServer, bot: Bot) -> None:
    runner, url, received = await run_endpoint()
    try:
        assert await bot.set_webhook(url, secret_token="s3cret")
        injected = server.inject_update(TOKEN, specs.text(USER, "via webhook"))
        update, secret = await asyncio.wait_for(received.get(), 5)
        assert update == injected
        assert secret == "s3cret"

        with pytest.raises(TelegramConflictError, match="webhook is active"):
            await bot.get_updates(timeout=0)
        info = await bot.get_webhook_info()
        assert (info.url, info.pending_update_count) == (url, 0)

        assert await bot.delete_webhook()
        server.inject_update(TOKEN, specs.text(USER, "via polling"))
        updates = await bot.get_updates(timeout=0)
        assert [u.message.text for u in updates if u.message] == ["via polling"]
    finally:
        await runner.cleanup()


async def test_webhook_reply_is_executed(server: BotApiServer, bot: Bot) -> None:
    reply = {"method": "sendMessage", "chat_id": USER.id, "text": "pong"}
    runner, url, received = await run_endpoint(reply)
    try:
        await bot.set_webhook(url)
        server.inject_update(TOKEN, specs.text(USER, "ping"))
        records = await server.wait_sent(TOKEN, chat_id=USER.id, method="sendMessage")
        assert records[0]["text"] == "pong"
        assert (await received.get())[1] is None  # no secret configured
    finally:
        await runner.cleanup()


async def test_unreachable_webhook_keeps_update_pending(server: BotApiServer, bot: Bot) -> None:
    runner, url, _ = await run_endpoint()
    await runner.cleanup()  # nothing listens there any more
    await bot.set_webhook(url)
    server.inject_update(TOKEN, specs.text(USER, "lost?"))
    state = server.bot(TOKEN)
    assert await state.webhook_signal.wait_for(
        lambda: state.webhook is not None and state.webhook.last_error_message is not None, 5
    )
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 1
    assert info.last_error_message
    await bot.delete_webhook()
    assert [u.message.text for u in await bot.get_updates(timeout=0) if u.message] == ["lost?"]


# --- control API over HTTP ------------------------------------------------------------------
async def test_control_api_through_client(
    server: BotApiServer, bot: Bot, client: SandboxClient
) -> None:
    update = await client.send_text(USER, "hello")
    assert update["message"]["text"] == "hello"
    (received,) = await bot.get_updates(timeout=0)
    assert received.message is not None
    await bot.send_message(USER.id, "<i>hi</i> Li", parse_mode="HTML")

    records = await client.wait_sent(USER.id)
    assert [(r["method"], r["plain_text"], r["text"]) for r in records] == [
        ("sendMessage", "hi Li", "<i>hi</i> Li")
    ]
    messages = await client.chat_messages(USER.id)
    assert [(m["text"], m["from_bot"]) for m in messages] == [("hello", False), ("hi Li", True)]
    assert messages[1]["raw_text"] == "<i>hi</i> Li"

    # Nothing new since the cursor: a clear assertion listing what was sent.
    with pytest.raises(SentTimeoutError, match="got 0") as info:
        await client.wait_sent(USER.id, timeout=0.1)
    assert "(nothing)" in str(info.value)
    with pytest.raises(SentTimeoutError, match=r"#\d+ sendMessage chat=1001 \[ok\]"):
        await client.wait_sent(USER.id, count=2, after=0, timeout=0.1)

    await client.inject_fault(403, method="sendMessage", chat_id=USER.id)
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(USER.id, "x")
    await client.set_blocked(USER.id, True)
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(USER.id, "y")
    await client.set_blocked(USER.id, False)

    with pytest.raises(ControlApiError, match="not found"):
        await client.press(USER, 999, "nope")
    with pytest.raises(ControlApiError, match="unknown update kind"):
        await client.inject({"kind": "sticker", "user": USER.as_dict()})

    await client.reset()
    assert await client.sent() == []
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(USER.id, "after reset")


# --- a real Dispatcher ------------------------------------------------------------------------
async def test_dispatcher_polling_round_trip(
    server: BotApiServer, bot: Bot, client: SandboxClient
) -> None:
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        assert message.from_user is not None
        await message.answer(
            f"欢迎, <b>{message.from_user.first_name}</b>!",
            parse_mode=ParseMode.HTML,
            reply_markup=inline(("Go", "go")),
        )

    @dp.callback_query(F.data == "go")
    async def go(query: CallbackQuery) -> None:
        await query.answer("Going")
        assert isinstance(query.message, Message)
        await query.message.edit_text("On the road")

    polling = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, polling_timeout=1, close_bot_session=False)
    )
    try:
        (reply,) = await client.send_text_and_wait(USER, "/start")
        assert reply["method"] == "sendMessage"
        assert reply["plain_text"] == "欢迎, Li!"
        assert reply["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "go"

        records = await client.press_and_wait(USER, reply["message_id"], "go", count=2)
        assert [r["method"] for r in records] == ["answerCallbackQuery", "editMessageText"]
        assert records[0]["text"] == "Going"
        assert records[1]["message_id"] == reply["message_id"]
        messages = await client.chat_messages(USER.id)
        assert messages[-1]["text"] == "On the road"
        assert "reply_markup" not in messages[-1]
    finally:
        await dp.stop_polling()
        await polling


async def test_unknown_chat_messages_is_404(client: SandboxClient) -> None:
    with pytest.raises(ControlApiError) as info:
        await client.chat_messages(4242)
    assert info.value.status == 404


async def test_not_found_error_type(bot: Bot) -> None:
    # Unsupported methods answer 404 like Telegram, which aiogram maps to TelegramNotFound.
    with pytest.raises(TelegramNotFound):
        await bot(GetChatAdministrators(chat_id=1))


# --- voice notes --------------------------------------------------------------------------------
OGG = b"OggS\x00\x02" + bytes(22) + b"OpusHead-a-voice-note"


async def test_send_voice_upload_resend_and_refusals(server: BotApiServer, bot: Bot) -> None:
    await greet(server, bot)
    sent = await bot.send_voice(
        USER.id, BufferedInputFile(OGG, "note.ogg"), caption="<b>听</b>", parse_mode="HTML",
        duration=4,
    )  # fmt: skip
    voice = sent.voice
    assert voice is not None and sent.caption == "听"
    assert (voice.duration, voice.mime_type, voice.file_size) == (4, "audio/ogg", len(OGG))
    file = await bot.get_file(voice.file_id)
    assert (
        file.file_path and file.file_path.startswith("voice/") and file.file_path.endswith(".oga")
    )
    downloaded = await bot.download(file)
    assert downloaded is not None and downloaded.read() == OGG
    recaptioned = await bot.edit_message_caption(
        chat_id=USER.id, message_id=sent.message_id, caption="听一下"
    )
    assert isinstance(recaptioned, Message) and recaptioned.voice is not None
    resent = await bot.send_voice(USER.id, voice.file_id)
    assert resent.voice is not None and resent.voice.file_id == voice.file_id
    assert resent.voice.duration == 4
    record = server.sent(TOKEN, method="sendVoice")[0]
    assert record["file"]["duration"] == 4 and record["plain_text"] == "听"

    # A voice note is re-sent only as one, and only a voice note goes out with sendVoice.
    with pytest.raises(TelegramBadRequest, match="type of file mismatch"):
        await bot.send_document(USER.id, voice.file_id)
    photo = await bot.send_photo(USER.id, BufferedInputFile(png_bytes(2, 2), "p.png"))
    assert photo.photo
    with pytest.raises(TelegramBadRequest, match="type of file mismatch"):
        await bot.send_voice(USER.id, photo.photo[-1].file_id)
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_voice(USER.id, "no-such-voice")
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_voice(USER.id, voice.file_id, caption="长" * 1025)
    # Audio Telegram does not play as a voice note arrives as a document.
    wav = await bot.send_voice(USER.id, BufferedInputFile(b"RIFF....WAVE", "note.wav"))
    assert wav.voice is None and wav.document is not None
    assert wav.document.mime_type == "audio/x-wav"


async def test_user_voice_note_can_be_downloaded_and_resent(server: BotApiServer, bot: Bot) -> None:
    server.inject_update(TOKEN, specs.voice(USER, duration=7))
    server.inject_update(TOKEN, specs.voice(USER, content=OGG, caption="路况"))
    placeholder, given = await bot.get_updates(timeout=0)
    assert placeholder.message is not None and placeholder.message.voice is not None
    voice = placeholder.message.voice
    assert (voice.duration, voice.mime_type) == (7, "audio/ogg")
    downloaded = await bot.download(voice)
    assert downloaded is not None and downloaded.read().startswith(b"OggS")
    assert given.message is not None and given.message.voice is not None
    assert given.message.caption == "路况" and given.message.voice.file_size == len(OGG)

    forwarded = await bot.send_voice(-100500, voice.file_id, caption="来自司机的语音")
    assert forwarded.voice is not None and forwarded.voice.file_id == voice.file_id
    again = server.inject_update(TOKEN, specs.voice(OTHER, voice.file_id))
    assert again["message"]["voice"]["file_id"] == voice.file_id
    with pytest.raises(ControlError, match="no voice note"):
        server.inject_update(TOKEN, specs.voice(USER, "no-such-voice"))


# --- forum groups and topics ------------------------------------------------------------------
FORUM = -100700


async def test_get_chat_and_create_forum_topic(server: BotApiServer, bot: Bot) -> None:
    server.register_group(TOKEN, FORUM, "Admins", forum=True)
    server.register_group(TOKEN, FORUM - 1, "Plain")
    await greet(server, bot)
    forum = await bot.get_chat(FORUM)
    assert (forum.type, forum.title, forum.is_forum) == ("supergroup", "Admins", True)
    assert not (await bot.get_chat(FORUM - 1)).is_forum
    private = await bot.get_chat(USER.id)
    assert (private.type, private.first_name, private.username) == ("private", "Li", "li_driver")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.get_chat(4242)

    topic = await bot.create_forum_topic(FORUM, "诉求", icon_color=16766590)
    assert (topic.name, topic.icon_color) == ("诉求", 16766590)
    other = await bot.create_forum_topic(FORUM, "随手拍")
    assert other.icon_color == 7322096 and other.message_thread_id != topic.message_thread_id
    # Like Telegram, the thread id is the id of the service message that opens the topic.
    opened = [m for m in server.chat_messages(TOKEN, FORUM) if m.get("forum_topic_created")]
    assert [m["message_id"] for m in opened] == [topic.message_thread_id, other.message_thread_id]
    assert opened[0]["message_thread_id"] == topic.message_thread_id
    assert opened[0]["forum_topic_created"] == {"name": "诉求", "icon_color": 16766590}
    assert server.sent(TOKEN, method="createForumTopic")[0]["thread_id"] == topic.message_thread_id

    with pytest.raises(TelegramBadRequest, match="the chat is not a forum"):
        await bot.create_forum_topic(FORUM - 1, "诉求")
    with pytest.raises(TelegramBadRequest, match="TOPIC_TITLE_EMPTY"):
        await bot.create_forum_topic(FORUM, "")
    with pytest.raises(TelegramBadRequest, match="TOPIC_TITLE_TOO_LONG"):
        await bot.create_forum_topic(FORUM, "话" * 129)
    assert (await bot.create_forum_topic(FORUM, "话" * 128)).name == "话" * 128
    with pytest.raises(TelegramBadRequest, match="TOPIC_COLOR_INVALID"):
        await bot.create_forum_topic(FORUM, "x", icon_color=0x123456)


async def test_sends_go_to_a_topic_only_in_a_forum(server: BotApiServer, bot: Bot) -> None:
    server.register_group(TOKEN, FORUM, forum=True)
    thread = (await bot.create_forum_topic(FORUM, "诉求")).message_thread_id
    pdf = BufferedInputFile(b"%PDF-1.4", "case.pdf")
    image = BufferedInputFile(png_bytes(2, 2), "p.png")
    sent = [
        await bot.send_message(FORUM, "card", message_thread_id=thread),
        await bot.send_photo(FORUM, image, message_thread_id=thread),
        await bot.send_document(FORUM, pdf, message_thread_id=thread),
        await bot.send_voice(FORUM, BufferedInputFile(OGG, "v.ogg"), message_thread_id=thread),
    ]
    assert all(m.message_thread_id == thread and m.is_topic_message for m in sent)
    records = server.sent(
        TOKEN, chat_id=FORUM, method="sendMessage,sendPhoto,sendDocument,sendVoice"
    )
    assert [r["thread_id"] for r in records] == [thread] * 4
    general = await bot.send_message(FORUM, "to General")
    assert general.message_thread_id is None and not general.is_topic_message
    stored = server.chat_messages(TOKEN, FORUM)
    assert [m.get("message_thread_id") for m in stored] == [thread] * 5 + [None]
    # An edit keeps the message in its topic.
    edited = await bot.edit_message_text("card v2", chat_id=FORUM, message_id=sent[0].message_id)
    assert isinstance(edited, Message) and edited.message_thread_id == thread

    before = len(server.chat_messages(TOKEN, FORUM))
    for send in (
        bot.send_message(FORUM, "x", message_thread_id=999),
        bot.send_photo(FORUM, sent[1].photo[-1].file_id, message_thread_id=999),  # type: ignore[index]
        bot.send_voice(FORUM, sent[3].voice.file_id, message_thread_id=999),  # type: ignore[union-attr]
    ):
        with pytest.raises(TelegramBadRequest, match="message thread not found"):
            await send
    assert len(server.chat_messages(TOKEN, FORUM)) == before
    assert server.sent(TOKEN, method="sendMessage")[-1]["ok"] is False

    # Outside a forum Telegram ignores message_thread_id.
    plain = await bot.send_message(-100800, "hi", message_thread_id=999)
    assert plain.message_thread_id is None
    assert "thread_id" not in server.sent(TOKEN, chat_id=-100800)[0]


async def test_users_in_topics_through_the_control_api(
    server: BotApiServer, bot: Bot, client: SandboxClient
) -> None:
    chat = await client.register_group(FORUM, "Admins", forum=True)
    assert chat["is_forum"] is True
    topic = await client.create_topic(FORUM, "随手拍", OTHER)
    thread = topic["message_thread_id"]
    await client.send_text(USER, "路口积水", chat_id=FORUM, message_thread_id=thread)
    await client.send_voice(USER, duration=3, chat_id=FORUM, message_thread_id=thread)
    text_update, voice_update = await bot.get_updates(timeout=0)
    for update in (text_update, voice_update):
        assert update.message is not None and update.message.message_thread_id == thread
        assert update.message.is_topic_message
    assert voice_update.message is not None and voice_update.message.voice is not None
    reply = await bot.send_message(FORUM, "收到", message_thread_id=thread)
    assert reply.message_thread_id == thread
    opened = (await client.chat(FORUM))["messages"][0]
    assert opened["forum_topic_created"]["name"] == "随手拍" and opened["from"]["id"] == OTHER.id
    assert (await client.chat(FORUM))["topics"] == [topic]

    with pytest.raises(ControlApiError, match="has no topic"):
        await client.send_text(USER, "x", chat_id=FORUM, message_thread_id=999)
    await client.register_group(FORUM - 1)
    with pytest.raises(ControlApiError, match="not a forum"):
        await client.send_text(USER, "x", chat_id=FORUM - 1, message_thread_id=thread)
    with pytest.raises(ControlApiError, match="not a forum"):
        await client.create_topic(FORUM - 1, "x")
    with pytest.raises(ControlApiError, match="negative"):
        await client.register_group(5, forum=True)

    # An admin deletes the topic: its messages go, and the bot can no longer post there.
    await client.delete_topic(FORUM, thread)
    assert await client.chat_messages(FORUM) == []
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(FORUM, "x", message_thread_id=thread)
    with pytest.raises(ControlApiError) as info:
        await client.delete_topic(FORUM, thread)
    assert info.value.status == 404


# --- albums ---------------------------------------------------------------------------------------
async def test_send_media_group(server: BotApiServer, bot: Bot) -> None:
    await greet(server, bot)
    first = await bot.send_photo(USER.id, BufferedInputFile(png_bytes(4, 3), "a.png"))
    assert first.photo
    album = await bot.send_media_group(
        USER.id,
        [
            InputMediaPhoto(
                media=first.photo[-1].file_id, caption="<b>现场</b>", parse_mode="HTML"
            ),
            InputMediaPhoto(media=BufferedInputFile(png_bytes(5, 6), "b.png")),
        ],
    )
    assert len(album) == 2 and album[0].media_group_id and album[1].photo
    assert album[0].media_group_id == album[1].media_group_id
    assert album[0].caption == "现场" and album[1].caption is None
    assert (album[1].photo[-1].width, album[1].photo[-1].height) == (5, 6)
    (record,) = server.sent(TOKEN, method="sendMediaGroup")
    assert record["message_ids"] == [m.message_id for m in album]
    assert record["media_group_id"] == album[0].media_group_id and record["plain_text"] == "现场"
    assert len(record["files"]) == 2

    server.register_group(TOKEN, FORUM, forum=True)
    thread = (await bot.create_forum_topic(FORUM, "诉求")).message_thread_id
    docs = await bot.send_media_group(
        FORUM,
        [InputMediaDocument(media=BufferedInputFile(b"%PDF", f"{n}.pdf")) for n in range(3)],
        message_thread_id=thread,
    )
    assert [m.document.file_name for m in docs if m.document] == ["0.pdf", "1.pdf", "2.pdf"]
    assert {m.message_thread_id for m in docs} == {thread}
    assert docs[0].media_group_id != album[0].media_group_id
    # As Telegram's server does, a single item is sent as a message outside any album.
    (single,) = await bot.send_media_group(
        USER.id, [InputMediaPhoto(media=first.photo[-1].file_id)]
    )
    assert single.photo and single.media_group_id is None

    before = len(server.chat_messages(TOKEN, USER.id))
    photo_id = first.photo[-1].file_id
    refusals: list[tuple[list[Any], str]] = [
        ([], "there are no messages to send"),
        ([InputMediaPhoto(media=photo_id)] * 11, "too many messages to send as an album"),
        (
            [InputMediaPhoto(media=photo_id), InputMediaDocument(media=docs[0].document.file_id)],  # type: ignore[union-attr]
            "document can't be mixed with other media types",
        ),
        (
            [InputMediaPhoto(media=photo_id, caption="长" * 1025), InputMediaPhoto(media=photo_id)],
            "message caption is too long",
        ),
        ([InputMediaPhoto(media=photo_id), InputMediaPhoto(media="nope")], "wrong file identifier"),
    ]
    for media, error in refusals:
        with pytest.raises(TelegramBadRequest, match=error):
            await bot.send_media_group(USER.id, media)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_media_group(
            FORUM, [InputMediaPhoto(media=photo_id)] * 2, message_thread_id=9
        )
    assert len(server.chat_messages(TOKEN, USER.id)) == before
