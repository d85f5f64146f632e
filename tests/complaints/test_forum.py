"""In a forum group the cards go to one 诉求 topic, opened once; the local server refuses what
Telegram refuses around topics."""

from __future__ import annotations

import pytest
from aiogram.exceptions import TelegramBadRequest

from tests.complaints.conftest import GROUP
from tests.complaints.test_app_chain import file_with_photo, make_handler
from tests.harness.app import DRIVER, TOKEN, App
from tests.harness.chat import tap


async def test_cards_go_to_one_topic_of_a_forum(app: App) -> None:
    app.server.bot(TOKEN).register_group(GROUP, forum=True)
    await make_handler(app)
    first = await file_with_photo(app)
    await app.text(DRIVER, "/complain")
    await tap(app, DRIVER, "🛣")
    await app.text(DRIVER, "ETC 重复扣费")
    await tap(app, DRIVER, "✅")
    topics = app.server.sent(TOKEN, method="createForumTopic")
    assert len(topics) == 1 and topics[0]["params"]["name"] == "📝 诉求"
    cards = [m for m in app.server.chat_messages(TOKEN, GROUP) if "SQ-" in (m.get("text") or "")]
    assert len(cards) == 2 and first.number in cards[0]["text"]
    assert {m.get("message_thread_id") for m in cards} == {topics[0]["result"]["message_thread_id"]}
    assert all(m.get("is_topic_message") for m in cards)


async def test_the_server_refuses_topics_outside_a_forum(app: App) -> None:
    app.server.bot(TOKEN).register_group(GROUP)
    with pytest.raises(TelegramBadRequest, match="not a forum"):
        await app.bot.create_forum_topic(GROUP, "x")
    app.server.bot(TOKEN).register_group(GROUP - 1, forum=True)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await app.bot.send_message(GROUP - 1, "hi", message_thread_id=999)
    topic = await app.bot.create_forum_topic(GROUP - 1, "诉求")
    sent = await app.bot.send_message(GROUP - 1, "hi", message_thread_id=topic.message_thread_id)
    assert sent.message_thread_id == topic.message_thread_id
    plain = await app.bot.send_message(GROUP, "hi", message_thread_id=999)  # ignored there
    assert plain.message_thread_id is None
    assert (await app.bot.get_chat(GROUP - 1)).is_forum
