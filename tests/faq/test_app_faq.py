"""The FAQ end to end through the local Bot API server, on the FAQ a fresh install loads: /faq
→ a topic → its pages → an answer with its source, its related action and 👍/👎 → back, all
on one message that fits a phone; votes marked on the message without a redundant edit; an
answer sent for a typed question (send_answer); /faq_report; /mydata and /deleteme."""

from __future__ import annotations

from typing import Any

from aiogram.types import Message
from sqlalchemy import select

from bot.db.faq.models import FaqVoteRow
from bot.db.faq.repository import FaqRepository
from bot.sandbox import TgUser, specs
from bot.services.faq.library import shipped_entries
from handlers.faq.views import send_answer
from handlers.intents.callbacks import GoCb
from knowledge.faq.model import Faq, Topic
from tests.app.test_personal_data import _my_data
from tests.faq.conftest import GROUP, entry_ids, entry_row
from tests.harness.app import ADMIN, EN_DRIVER, TOKEN, App
from tests.harness.chat import (
    answers,
    button_rows,
    buttons,
    last_with_buttons,
    methods,
    press_again,
    shown,
    tap,
    texts,
)
from tests.harness.phone import SCREEN_LINES, too_wide, wrapped_lines

THUMBS = ["👍 Helpful", "👎 Not helpful"]


def _in(topic: Topic) -> list[Faq]:
    return [e for e in shipped_entries() if e.topic is topic]


def _fits(record: dict[str, Any]) -> None:
    assert not too_wide(button_rows(record)), button_rows(record)
    assert wrapped_lines(record["text"]) + len(button_rows(record)) <= SCREEN_LINES + 2


def _data(record: dict[str, Any], label: str) -> str:
    [button] = [b for b in buttons(record) if b["text"] == label]
    return str(button["callback_data"])


async def test_browse_topics_pages_and_an_answer_on_one_message(app: App) -> None:
    await app.onboard(EN_DRIVER)
    await app.text(EN_DRIVER, "/faq")
    home = last_with_buttons(app, EN_DRIVER.id)
    rows = button_rows(home)
    assert [len(row) for row in rows] == [2, 2, 2, 2]
    assert rows[0] == ["✊ Your rights", "🛡 Insurance"] and rows[3] == ["🩺 Checkups", "⭐ Points"]
    _fits(home)
    mid = home["message_id"]

    rights = _in(Topic.RIGHTS)
    assert len(rights) > 6  # two pages
    await tap(app, EN_DRIVER, "Your rights")
    first = shown(app, EN_DRIVER.id, mid)
    assert "Page 1 of 2" in first["text"]
    assert f"1. {rights[0].questions_en[0]}" in first["text"]
    assert f"6. {rights[5].questions_en[0]}" in first["text"]
    assert rights[6].questions_en[0] not in first["text"]
    assert button_rows(first) == [["1", "2", "3", "4", "5", "6"], ["⬅️ Back", "▶"]]
    _fits(first)

    await tap(app, EN_DRIVER, "▶")
    second = shown(app, EN_DRIVER.id, mid)
    assert "Page 2 of 2" in second["text"] and f"7. {rights[6].questions_en[0]}" in second["text"]
    numbers = [str(n) for n in range(7, len(rights) + 1)]
    assert button_rows(second) == [numbers, ["◀", "⬅️ Back"]]

    await tap(app, EN_DRIVER, "7", exact=True)
    answer = shown(app, EN_DRIVER.id, mid)
    entry = rights[6]
    assert answer["text"].startswith(f"❓ {entry.questions_en[0]}")
    assert entry.answer_en.splitlines()[0] in answer["text"]
    assert f"📞 Source / whom to contact: {entry.source_en}" in answer["text"]
    assert button_rows(answer)[-2:] == [THUMBS, ["⬅️ Back"]]
    assert not too_wide(button_rows(answer))  # English answers run long: see test_views.py

    await tap(app, EN_DRIVER, "⬅️ Back")  # to the page it came from
    assert shown(app, EN_DRIVER.id, mid)["text"] == second["text"]
    await tap(app, EN_DRIVER, "◀")
    await tap(app, EN_DRIVER, "⬅️ Back")  # to the topics
    assert button_rows(shown(app, EN_DRIVER.id, mid)) == rows
    assert [m["message_id"] for m in app.server.chat_messages(TOKEN, EN_DRIVER.id)
            if buttons(m)][-1] == mid  # fmt: skip
    async with app.session_factory() as session:
        assert (await entry_row(session, entry.key)).shown == 1


async def test_an_answer_offers_its_related_action(app: App) -> None:
    await app.onboard(EN_DRIVER)
    await app.text(EN_DRIVER, "/faq")
    await tap(app, EN_DRIVER, "Your rights")
    await tap(app, EN_DRIVER, "1", exact=True)  # unpaid freight: complaint:freight
    answer = last_with_buttons(app, EN_DRIVER.id)
    assert button_rows(answer)[0] == ["📝 File a complaint about this"]
    data = _data(answer, "📝 File a complaint about this")
    assert data == GoCb(a="complaint:freight").pack()
    assert GoCb.unpack(data).a == "complaint:freight"

    await tap(app, EN_DRIVER, "⬅️ Back")
    await tap(app, EN_DRIVER, "⬅️ Back")
    await tap(app, EN_DRIVER, "Stations")
    stations = _in(Topic.STATIONS)
    shower = next(n for n, e in enumerate(stations, 1) if e.action == "nearest:shower")
    await tap(app, EN_DRIVER, str(shower), exact=True)
    answer = last_with_buttons(app, EN_DRIVER.id)
    assert _data(answer, "📍 Find a station with it") == GoCb(a="nearest:shower").pack()

    # An answer with no related action has only the thumbs and the way back.
    await tap(app, EN_DRIVER, "⬅️ Back")
    plain = next(n for n, e in enumerate(stations, 1) if not e.action)
    if plain > 6:
        await tap(app, EN_DRIVER, "▶")
    await tap(app, EN_DRIVER, str(plain), exact=True)
    assert button_rows(last_with_buttons(app, EN_DRIVER.id)) == [THUMBS, ["⬅️ Back"]]


async def test_votes_are_marked_and_a_second_press_edits_nothing(app: App) -> None:
    await app.onboard(EN_DRIVER)
    await app.text(EN_DRIVER, "/faq")
    await tap(app, EN_DRIVER, "Legal aid")
    await tap(app, EN_DRIVER, "1", exact=True)
    answer = last_with_buttons(app, EN_DRIVER.id)
    mid, key = answer["message_id"], _in(Topic.LEGAL_AID)[0].key
    up, down = _data(answer, "👍 Helpful"), _data(answer, "👎 Not helpful")

    done = await tap(app, EN_DRIVER, "👍 Helpful")
    assert answers(done) == ["Thanks for telling us"]
    assert methods(done).count("editMessageReplyMarkup") == 1
    now = shown(app, EN_DRIVER.id, mid)
    assert ["👍✓ Helpful", "👎 Not helpful"] in button_rows(now)
    assert now["text"] == answer["text"]  # only the buttons change

    again = await tap(app, EN_DRIVER, "👍✓ Helpful")  # the same thumb: nothing to edit
    assert answers(again) == ["Thanks for telling us"]
    assert "editMessageReplyMarkup" not in methods(again)
    assert all(r["ok"] for r in again)

    turned = await press_again(app, EN_DRIVER, mid, down)
    assert "editMessageReplyMarkup" in methods(turned)
    assert ["👍 Helpful", "👎✓ Not helpful"] in button_rows(shown(app, EN_DRIVER.id, mid))
    stale = await press_again(app, EN_DRIVER, mid, down)  # a client with an old keyboard
    assert answers(stale) == ["Thanks for telling us"] and all(r["ok"] for r in stale)
    assert "editMessageReplyMarkup" not in methods(stale)
    assert up != down
    async with app.session_factory() as session:
        row = await entry_row(session, key)
        assert (row.helpful, row.unhelpful) == (0, 1)
        assert await FaqRepository(session).mismatches() == []
        assert len((await session.scalars(select(FaqVoteRow))).all()) == 1

    # Opened again from /faq, the answer shows the driver's vote.
    await tap(app, EN_DRIVER, "⬅️ Back")
    await tap(app, EN_DRIVER, "1", exact=True)
    assert ["👍 Helpful", "👎✓ Not helpful"] in button_rows(shown(app, EN_DRIVER.id, mid))


async def _send_answer(app: App, user: TgUser, entry: Faq, language: str = "en") -> None:
    """What the free-text router does with a question it matched to `entry`."""
    update = app.server.inject_update(TOKEN, specs.text(user, "question"))
    message = Message.model_validate(update["message"], context={"bot": app.bot})
    i18n = app.dp["i18n"]
    with i18n.context(), i18n.use_locale(language):
        async with app.session_factory() as session:
            await send_answer(message, app.kits["faq"].for_update(session), entry)
            await session.commit()


async def test_send_answer_sends_a_new_message_counted_as_shown(app: App) -> None:
    await app.onboard(EN_DRIVER)
    async with app.session_factory() as session:
        entry = await FaqRepository(session).by_key("unpaid-freight")
    assert entry is not None
    before = len(app.server.chat_messages(TOKEN, EN_DRIVER.id))
    await _send_answer(app, EN_DRIVER, entry)
    [sent] = [m for m in app.server.chat_messages(TOKEN, EN_DRIVER.id)[before:]
              if m["from"]["is_bot"]]  # fmt: skip
    assert sent["text"].startswith("❓ The shipper won't pay my freight")
    assert button_rows(sent) == [["📝 File a complaint about this"], THUMBS]  # no Back
    assert _data(sent, "📝 File a complaint about this") == GoCb(a="complaint:freight").pack()
    done = await tap(app, EN_DRIVER, "👎 Not helpful")
    assert answers(done) == ["Thanks for telling us"]
    assert ["👍 Helpful", "👎✓ Not helpful"] in button_rows(
        shown(app, EN_DRIVER.id, sent["message_id"])
    )
    async with app.session_factory() as session:
        row = await entry_row(session, "unpaid-freight")
        assert (row.shown, row.helpful, row.unhelpful) == (1, 0, 1)

    await _send_answer(app, EN_DRIVER, entry, language="zh")  # in the reader's language
    zh = app.server.chat_messages(TOKEN, EN_DRIVER.id)[-1]
    assert zh["text"].startswith(f"❓ {entry.questions_zh[0]}")
    assert entry.source_zh in zh["text"]

    # An entry an import dropped since it was matched: the answer, without thumbs.
    gone = Faq(**{**entry.__dict__, "key": "not-stored-any-more", "action": ""})
    await _send_answer(app, EN_DRIVER, gone)
    assert not buttons(app.server.chat_messages(TOKEN, EN_DRIVER.id)[-1])


async def _vote(app: App, telegram_id: int, key: str, helpful: bool) -> None:
    async with app.session_factory() as session:
        user = await app.user_row(telegram_id)
        assert user is not None
        entry = (await entry_ids(session))[key]
        await app.kits["faq"].for_update(session).service.vote(user.id, entry, helpful,
                                                              app.dp["clock"]())  # fmt: skip
        await session.commit()


async def test_the_report_lists_the_least_helpful_first(app: App) -> None:
    app.server.bot(TOKEN).register_group(GROUP)
    app.server.bot(TOKEN).register_group(-100555)
    drivers = [TgUser(1100 + n, f"Driver {n}", language_code="en") for n in range(3)]
    for driver in drivers:
        await app.onboard(driver)
    voted = {"unpaid-freight": (3, 0), "platform-deduction": (1, 2), "call-12348": (0, 1)}
    for key, (up, down) in voted.items():
        for driver, helpful in zip(drivers, [True] * up + [False] * down, strict=False):
            await _vote(app, driver.id, key, helpful)

    report = await app.feed(specs.text(ADMIN, "/faq_report", chat_id=GROUP))
    [text] = texts(report)
    lines = text.splitlines()
    questions = {e.key: e.questions_zh[0] for e in shipped_entries()}  # the admin reads zh
    assert lines[1] == f"1. {questions['call-12348']}: 👍 0 · 👎 1 · 0"
    assert lines[2] == f"2. {questions['platform-deduction']}: 👍 1 · 👎 2 · 0"
    assert lines[3] == f"3. {questions['unpaid-freight']}: 👍 3 · 👎 0 · 0"
    assert len(lines) == 6 and "4" in lines[-1] and "3" in lines[-1]  # 👍 4 · 👎 3 on 3
    private = await app.text(ADMIN, "/faq_report")
    assert texts(private) == [text]
    elsewhere = await app.feed(specs.text(ADMIN, "/faq_report", chat_id=-100555))
    assert texts(elsewhere) == ["请在与我的私聊或管理员群里使用。"]
    nobody = await app.text(drivers[0], "/faq_report")
    assert texts(nobody) == ["Sorry, this command is for admins only."]


async def test_the_report_shows_at_most_fifteen_entries(app: App) -> None:
    driver = TgUser(1200, "Driver", language_code="en")
    await app.onboard(driver)
    keys = [e.key for e in shipped_entries()][:20]
    for key in keys:
        await _vote(app, driver.id, key, False)
    [text] = texts(await app.text(ADMIN, "/faq_report"))
    listed = [line for line in text.splitlines() if line[:1].isdigit()]
    assert len(listed) == 15
    assert "5" in text.splitlines()[-3]  # … and 5 more with votes


async def test_mydata_holds_the_votes_and_deleteme_keeps_them_unnamed(app: App) -> None:
    await app.onboard(EN_DRIVER)
    await _vote(app, EN_DRIVER.id, "unpaid-freight", True)
    await _vote(app, EN_DRIVER.id, "call-12348", False)
    data = await _my_data(app, EN_DRIVER)
    votes = {v["entry"]: v["helpful"] for v in data["faq"]["votes"]}
    assert votes == {"unpaid-freight": True, "call-12348": False}

    await app.text(EN_DRIVER, "/deleteme")
    await app.press(EN_DRIVER, "🗑 Yes, erase my data")
    async with app.session_factory() as session:
        rows = (await session.scalars(select(FaqVoteRow))).all()
        assert len(rows) == 2 and all(r.user_id is None for r in rows)
        assert (await entry_row(session, "unpaid-freight")).helpful == 1  # still counted
        assert await FaqRepository(session).mismatches() == []
    await app.onboard(EN_DRIVER)  # back afresh: nothing attached, free to vote again
    assert (await _my_data(app, EN_DRIVER))["faq"] == {"votes": []}


async def test_a_fresh_install_has_the_shipped_faq_once(app: App) -> None:
    async with app.session_factory() as session:
        repo = FaqRepository(session)
        assert tuple(await repo.all_entries()) == shipped_entries()
        before = await repo.fingerprint()
    await app.kits["faq"].start()  # a restart: the FAQ is there, nothing is loaded again
    async with app.session_factory() as session:
        assert await FaqRepository(session).fingerprint() == before
