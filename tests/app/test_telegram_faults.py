"""What Telegram does to a reply — refuses an edit, loses a connection, answers 5xx or late —
never costs the user their answer, never shows it twice, and never answers a button twice."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from aiogram import F
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from aiogram.methods import EditMessageText, SendMessage
from aiogram.types import CallbackQuery, Message, Update
from aiohttp import ClientConnectorError, ServerDisconnectedError
from aiohttp.client_reqrep import ConnectionKey

from bot.app import create_bot
from bot.sandbox import specs
from bot.telegram_retry import retry_delay
from tests.harness import DRIVER, TOKEN, App, FastSession, texts

SHAWAN = (29.4150, 103.5500)


async def _nearest_list(app: App) -> dict[str, Any]:
    """The nearest list with its filter panel open (the shower filter one tap away)."""
    await app.onboard(DRIVER)
    sent = await app.feed(specs.location(DRIVER, *SHAWAN))
    listing = [r for r in sent if r["method"] == "sendMessage"][-1]
    await app.press(DRIVER, "🔍")
    return listing


def _delivered(records: list[dict[str, Any]], method: str = "sendMessage") -> list[dict[str, Any]]:
    return [r for r in records if r["method"] == method and r["ok"]]


async def test_a_button_on_a_deleted_message_shows_the_screen_anew(app: App) -> None:
    listing = await _nearest_list(app)
    message_id = listing["result"]["message_id"]
    _, data = app.find_button(DRIVER.id, "🚿")
    update = app.server.inject_update(TOKEN, specs.callback(DRIVER, message_id, data))
    del app.server.chat(TOKEN, DRIVER.id).messages[message_id]  # the driver deleted it
    before = app.last_seq()
    await app.feed_raw(update)
    sent = app.server.sent(TOKEN, after=before)
    answers = [r for r in sent if r["method"] == "answerCallbackQuery"]
    assert len(answers) == 1 and answers[0]["ok"]  # once, and no apology in it
    assert not answers[0]["params"].get("text")
    [screen] = _delivered(sent)
    assert "筛选" in screen["plain_text"]  # the filtered list, as a new message


async def test_5xx_html_pages_and_short_429s_on_a_reply_are_retried_once_delivered(
    app: App,
) -> None:
    await app.onboard(DRIVER)
    for fault in (
        {"error_code": 500},
        {"error_code": 502, "kind": "html"},
        {"error_code": 429, "retry_after": 1},
    ):
        app.server.add_fault(TOKEN, method="sendMessage", chat_id=DRIVER.id, **fault)
        sent = await app.text(DRIVER, "/help")
        assert len(_delivered(sent)) == 1, fault
        assert texts(sent)[0].startswith("暖驶为路上的司机朋友服务"), fault


async def test_a_send_whose_connection_drops_is_never_doubled(app: App) -> None:
    """A connection dropped after the request went out leaves it open whether Telegram sent
    the message: whether it did ("reset_after") or not ("reset"), the bot cannot tell, so it
    does not send again. A driver sees at most one copy, never two."""
    await app.onboard(DRIVER)
    for kind, copies in (("reset_after", 1), ("reset", 0)):
        app.server.add_fault(TOKEN, 0, method="sendMessage", chat_id=DRIVER.id, kind=kind)
        sent = await app.text(DRIVER, "/help")
        assert len(_delivered(sent)) == copies, kind
        attempts = [r for r in sent if r["method"] == "sendMessage"]
        assert len(attempts) == 1, kind  # tried once; and no apology (it would meet the same)


async def test_an_edit_or_an_answer_whose_connection_drops_is_repeated(app: App) -> None:
    """The repeat lands as a no-op: Telegram refuses a second answer or an identical edit,
    which the bot takes as done; the driver sees the screen once, the toast once."""
    await _nearest_list(app)  # its filter panel is open
    for method, button in (("editMessageText", "🚿"), ("answerCallbackQuery", "🔍")):
        app.server.add_fault(TOKEN, 0, method=method, kind="reset_after")
        sent = await app.press(DRIVER, button)
        done = [r for r in sent if r["method"] == method]
        assert len(done) == 2, method
        assert done[0]["ok"] and done[0].get("fault") == "reset_after", method
        assert not done[1]["ok"], method


def test_what_is_repeated_after_which_failure() -> None:
    send = SendMessage(chat_id=1, text="hi")
    edit = EditMessageText(chat_id=1, message_id=2, text="hi")

    def network(cause: BaseException) -> TelegramNetworkError:
        exc = TelegramNetworkError(method=send, message=str(cause))
        exc.__cause__ = cause
        return exc

    refused = network(ClientConnectorError(ConnectionKey("h", 1, False, True, None, None, None),
                                           OSError(111, "refused")))  # fmt: skip
    dropped = network(ServerDisconnectedError())
    late = network(TimeoutError())
    for exc in (refused, dropped, late):
        assert retry_delay(exc, edit, 0.2) == 0.2  # an edit is safe to repeat
    assert retry_delay(refused, send, 0.2) == 0.2  # never reached Telegram
    assert retry_delay(dropped, send, 0.2) is None  # may have been sent
    assert retry_delay(late, send, 0.2) is None
    assert retry_delay(TelegramServerError(method=send, message="500"), send, 0.2) == 0.2
    assert (
        retry_delay(TelegramRetryAfter(method=send, message="429", retry_after=3), send, 0.2) == 3
    )


async def test_a_late_answer_to_a_send_is_not_sent_twice(app: App) -> None:
    """A send whose answer times out may have been delivered: it is not repeated. An edit
    that times out is repeated (a second identical edit changes nothing)."""
    listing = await _nearest_list(app)
    impatient = create_bot(
        app.settings,
        FastSession(api=TelegramAPIServer.from_base(app.server.base_url), timeout=0.3),
    )
    try:
        app.server.add_fault(TOKEN, 0, method="sendMessage", kind="delay", delay=0.6)
        before = app.last_seq()
        update = app.server.inject_update(TOKEN, specs.text(DRIVER, "/help"))
        await app.dp.feed_update(impatient, Update.model_validate(update))
        sends = app.server.sent(TOKEN, after=before, method="sendMessage")
        assert len(_delivered(sends)) == 1  # the late one; no second copy, no apology

        app.server.add_fault(TOKEN, 0, method="editMessageText", kind="delay", delay=0.6)
        message_id = listing["result"]["message_id"]
        _, data = app.find_button(DRIVER.id, "🚿")
        update = app.server.inject_update(TOKEN, specs.callback(DRIVER, message_id, data))
        before = app.last_seq()
        await app.dp.feed_update(impatient, Update.model_validate(update))
        sent = app.server.sent(TOKEN, after=before)
        edits = [r for r in sent if r["method"] == "editMessageText"]
        assert edits[0]["ok"] and "筛选" in edits[0]["plain_text"]
        assert all("not modified" in r["error"]["description"] for r in edits[1:] if not r["ok"])
        assert not _delivered(sent)  # nothing sent anew: the edit had landed
    finally:
        await impatient.session.close()


async def test_an_error_after_the_answer_is_told_in_the_chat_not_in_a_second_answer(
    app: App,
) -> None:
    await _nearest_list(app)
    app.server.add_fault(TOKEN, 400, method="editMessageText", description="Bad Request: boom")
    app.expect_error("Bad Request: boom")
    sent = await app.press(DRIVER, "🚿")
    answers = [r for r in sent if r["method"] == "answerCallbackQuery"]
    assert len(answers) == 1  # the handler's own; Telegram would refuse a second one
    assert texts(_delivered(sent)) == ["抱歉，系统出了点问题，请稍后再试。"]


async def test_a_button_nobody_answers_is_answered_anyway(app: App) -> None:
    async def forgetful(query: CallbackQuery) -> None:
        """A handler that forgets to answer: the spinner must stop all the same."""

    app.dp.callback_query.register(forgetful, F.data == "test:forget")
    await app.onboard(DRIVER)
    sent = await app.text(DRIVER, "/help")
    message_id = sent[-1]["result"]["message_id"]
    sent = await app.feed(specs.callback(DRIVER, message_id, "test:forget", check_button=False))
    assert [r["method"] for r in sent] == ["answerCallbackQuery"]
    assert sent[0]["ok"] and not sent[0]["params"].get("text")


async def test_a_dead_button_in_a_private_chat_is_taken_away(app: App) -> None:
    """A button no handler knows any more (an old release's, a forged one) is answered
    gently once, and its message loses the buttons that can only disappoint."""
    await app.onboard(DRIVER)
    sent = await app.text(DRIVER, "/language")
    message_id = sent[-1]["result"]["message_id"]
    sent = await app.feed(specs.callback(DRIVER, message_id, "gone:1", check_button=False))
    assert [r["method"] for r in sent] == ["answerCallbackQuery", "editMessageReplyMarkup"]
    assert sent[0]["params"]["text"] == "此按钮已失效。"
    shown = next(
        m for m in app.server.chat_messages(TOKEN, DRIVER.id) if m["message_id"] == message_id
    )
    assert "reply_markup" not in shown


async def test_tidying_a_left_flow_never_fails_the_update(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    """Taking the buttons off an abandoned form is tidying: Telegram refusing it for a
    minute must not turn the driver's /cancel into a failed update."""
    await app.onboard(DRIVER)
    await app.text(DRIVER, "🩺 体检预约")
    app.server.add_fault(TOKEN, 429, method="editMessageReplyMarkup", retry_after=60)
    caplog.set_level(logging.INFO)
    sent = await app.text(DRIVER, "/cancel")
    assert texts(sent) == ["已取消，已返回菜单。"]
    assert [r["method"] for r in sent] == ["sendMessage", "editMessageReplyMarkup"]
    assert not [r for r in caplog.records if "not handled" in r.getMessage()]


async def test_a_form_left_for_another_flow_loses_its_buttons(app: App) -> None:
    await app.onboard(DRIVER)
    sent = await app.text(DRIVER, "🩺 体检预约")
    form = sent[-1]["result"]["message_id"]
    sent = await app.text(DRIVER, "/nearest")
    assert "editMessageReplyMarkup" in [r["method"] for r in sent]
    shown = {m["message_id"]: m for m in app.server.chat_messages(TOKEN, DRIVER.id)}
    assert "reply_markup" not in shown[form]


async def test_a_flow_that_moves_into_another_flows_state_closes_the_old_form(app: App) -> None:
    """Even a handler that forgets to clear the old flow's data: the state left the form's
    flow, so the form's buttons go and its message id is dropped with them."""

    class Elsewhere(StatesGroup):
        step = State()

    async def careless(message: Message, state: FSMContext) -> None:
        await state.set_state(Elsewhere.step)
        await message.answer("elsewhere")

    app.dp.message.register(careless, Command("elsewhere"))
    await app.onboard(DRIVER)
    sent = await app.text(DRIVER, "🩺 体检预约")
    form = sent[-1]["result"]["message_id"]
    sent = await app.text(DRIVER, "/elsewhere")
    assert [r["method"] for r in sent] == ["sendMessage", "editMessageReplyMarkup"]
    key = StorageKey(bot_id=app.bot.id, chat_id=DRIVER.id, user_id=DRIVER.id)
    assert (await app.dp.storage.get_data(key)).get("mid") is None
    shown = {m["message_id"]: m for m in app.server.chat_messages(TOKEN, DRIVER.id)}
    assert "reply_markup" not in shown[form]
