"""Free text at the menu, end to end through the local Bot API server: each intent starts its
flow as its button would (the nearest list already filtered, the complaint with its category,
the snap report with its category), a misspelt city opens the list there, traditional
characters read as simplified, unsure text offers choices, nothing understood offers a person
(a consultation case), an FAQ answer carries its action, and text inside a flow stays there."""

from __future__ import annotations

from typing import Any

from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import select

from bot.db.complaints.models import CaseRow
from bot.db.intents.models import IntentMissRow
from bot.sandbox import TgUser, specs
from handlers.intents.callbacks import GoCb
from knowledge.complaints.categories import Category
from knowledge.intents.book import Intent
from tests.harness.app import DRIVER, EN_DRIVER, TOKEN, App
from tests.harness.chat import answers, buttons, last_with_buttons, methods, press_again, texts

ZIGONG = (29.339, 104.779)


async def fsm(app: App, user: TgUser) -> tuple[str | None, dict[str, Any]]:
    key = StorageKey(bot_id=app.bot.id, chat_id=user.id, user_id=user.id)
    return await app.dp.storage.get_state(key), await app.dp.storage.get_data(key)


async def ready(app: App, *users: TgUser) -> None:
    for user in users:
        await app.onboard(user)


def go_buttons(record: dict[str, Any]) -> list[GoCb]:
    return [GoCb.unpack(b["callback_data"]) for b in buttons(record)
            if b.get("callback_data", "").startswith("go|")]  # fmt: skip


async def press_go(app: App, user: TgUser, action: str) -> list[dict[str, Any]]:
    for message in reversed(app.server.chat_messages(TOKEN, user.id)):
        for button in buttons(message):
            data = button.get("callback_data", "")
            if data.startswith("go|") and GoCb.unpack(data).a == action:
                return await app.feed(specs.callback(user, message["message_id"], data))
    raise AssertionError(f"no button for {action}")


# --- the nearest list ---------------------------------------------------------------------
async def test_where_to_shower_asks_the_place_then_lists_with_the_shower_filter(app: App) -> None:
    await ready(app, DRIVER)
    sent = await app.text(DRIVER, "附近哪里能洗澡")
    assert (await fsm(app, DRIVER)) == ("NearestSteps:place", {"filter": "shower"})
    assert "📍" in app.reply_keyboard(DRIVER.id)[0]  # the share-location keyboard
    assert len(texts(sent)) == 1
    listed = await app.feed(specs.location(DRIVER, *ZIGONG))
    shown = next(r for r in listed if r["method"] == "sendMessage")
    near = [b["callback_data"] for b in buttons(shown) if b["callback_data"].startswith("nr:")]
    assert near and all(":shower:" in data for data in near), near


async def test_traditional_characters_read_as_simplified(app: App) -> None:
    await ready(app, DRIVER)
    await app.text(DRIVER, "附近哪裡能洗澡？")
    assert (await fsm(app, DRIVER)) == ("NearestSteps:place", {"filter": "shower"})


async def test_a_city_named_with_the_service_opens_the_filtered_list_there(app: App) -> None:
    await ready(app, DRIVER)
    sent = await app.text(DRIVER, "自贡哪里能洗澡")
    listing = texts(sent)[-1]
    assert "自贡" in listing.splitlines()[0]
    assert (await fsm(app, DRIVER))[0] is None


async def test_a_misspelt_city_alone_opens_the_list_there(app: App) -> None:
    await ready(app, DRIVER, EN_DRIVER)
    for user, typed, city in ((DRIVER, "乐善", "乐山"), (DRIVER, "应潭", "鹰潭"),
                              (EN_DRIVER, "Zigong", "Zigong")):  # fmt: skip
        sent = await app.text(user, typed)
        assert city in texts(sent)[-1].splitlines()[0], (typed, texts(sent))


# --- flows with a preset ------------------------------------------------------------------
async def test_a_complaint_opens_with_its_category(app: App) -> None:
    await ready(app, DRIVER)
    await app.text(DRIVER, "我要投诉运费")
    state, data = await fsm(app, DRIVER)
    assert state == "FileSteps:story"
    assert data["v"]["cat"] == Category.FREIGHT.value


async def test_a_snap_report_opens_with_its_category(app: App) -> None:
    await ready(app, DRIVER)
    await app.text(DRIVER, "路上有个大坑")
    state, data = await fsm(app, DRIVER)
    assert state == "SnapSteps:photos"
    assert data["v"]["want"] == "pothole"


async def test_each_screen_intent_opens_its_screen(app: App) -> None:
    await ready(app, EN_DRIVER)
    cases = {
        "book a checkup": ("BookSteps:flow", None),
        "my points": (None, "Your points"),
        "what can I buy with points": (None, "Points shop"),
        "show my vouchers": (None, "voucher"),
        "any volunteer tasks": (None, "task"),
        "what's on this month": (None, None),
        "what can this bot do": (None, "/help"),
        "my bookings": (None, "checkup"),
        "status of my complaint": (None, "complaint"),
    }
    for typed, (state, words) in cases.items():
        await app.text(EN_DRIVER, "/cancel")  # text inside a flow would stay in it
        sent = await app.text(EN_DRIVER, typed)
        assert (await fsm(app, EN_DRIVER))[0] == state, typed
        said = " ".join(texts(sent))
        assert said, typed
        assert "did not understand" not in said, (typed, said)
        if words:
            assert words.lower() in said.lower(), (typed, said)


async def test_greeting_and_thanks(app: App) -> None:
    await ready(app, DRIVER)
    hello = texts(await app.text(DRIVER, "你好"))
    assert len(hello) == 1 and "👋" in hello[0]
    assert "🚚" in texts(await app.text(DRIVER, "谢谢"))[0]


# --- unsure, nothing, and a person ----------------------------------------------------------
async def test_unsure_text_offers_choices_and_a_choice_starts_its_flow(app: App) -> None:
    await ready(app, DRIVER)
    reader = app.kits["intents"].reader
    async with app.session_factory() as session:
        reading = await reader.read(session, "工伤", None)
    assert not reading.sure and len(reading.guesses) >= 2  # the precondition of this test
    await app.text(DRIVER, "工伤")
    offer = last_with_buttons(app, DRIVER.id)
    offered = go_buttons(offer)
    assert [g.a for g in offered[:-1]] == [g.label for g in reading.guesses]
    assert offered[-1].a == "human" and len(offered) <= 4
    first = reading.guesses[0]
    chosen = await press_go(app, DRIVER, first.label)
    assert answers(chosen) == [""]
    settled = app.server.chat_messages(TOKEN, DRIVER.id)
    offer_now = next(m for m in settled if m["message_id"] == offer["message_id"])
    assert not buttons(offer_now) and offer_now["text"].startswith("➡️ ❓")
    answer = next(r for r in chosen if r["method"] == "sendMessage")
    assert any(b["callback_data"].startswith("faq:") for b in buttons(answer))  # the thumbs
    data = GoCb(a=first.label, c=True).pack()
    again = await press_again(app, DRIVER, offer["message_id"], data)  # a stale second tap
    assert len(answers(again)) == 1 and "sendMessage" not in methods(again)
    async with app.session_factory() as session:
        missed = list(await session.scalars(select(IntentMissRow)))
    assert [(m.text, m.outcome) for m in missed] == [("工伤", "choice")]


async def test_nothing_understood_offers_a_person_who_gets_a_consultation(app: App) -> None:
    await ready(app, EN_DRIVER)
    question = "qwzx vbnm plk"
    sent = await app.text(EN_DRIVER, question)
    assert "did not understand" in texts(sent)[-1]
    await press_go(app, EN_DRIVER, "human")
    confirm = last_with_buttons(app, EN_DRIVER.id)
    assert question in confirm["text"]
    await app.press(EN_DRIVER, "Send")
    async with app.session_factory() as session:
        found = list(await session.scalars(select(CaseRow)))
    assert [(c.category, c.description) for c in found] == [(Category.CONSULT, question)]


async def test_a_direct_request_for_a_person_asks_for_the_question(app: App) -> None:
    await ready(app, DRIVER)
    await app.text(DRIVER, "转人工")
    state, _data = await fsm(app, DRIVER)
    assert state is not None and state.startswith("ConsultSteps")


# --- the FAQ ------------------------------------------------------------------------------
async def test_a_question_gets_its_answer_with_the_action_button(app: App) -> None:
    await ready(app, DRIVER)
    sent = await app.text(DRIVER, "运费被拖欠怎么办")
    answer = next(r for r in sent if r["method"] == "sendMessage")
    assert "12328" in answer["plain_text"]
    actions = [g.a for g in go_buttons(answer)]
    assert actions == ["complaint:freight"]
    await press_go(app, DRIVER, "complaint:freight")
    state, data = await fsm(app, DRIVER)
    assert state == "FileSteps:story" and data["v"]["cat"] == "freight"
    kept = next(m for m in app.server.chat_messages(TOKEN, DRIVER.id)
                if m["message_id"] == answer["message_id"])  # fmt: skip
    assert buttons(kept)  # the answer keeps its buttons (the thumbs)


# --- inside a flow --------------------------------------------------------------------------
async def test_text_inside_a_flow_goes_to_the_flow(app: App) -> None:
    await ready(app, DRIVER)
    await app.text(DRIVER, "/complain")
    await app.press(DRIVER, Category.FREIGHT.value and "运费")
    assert (await fsm(app, DRIVER))[0] == "FileSteps:story"
    await app.text(DRIVER, "附近哪里能洗澡")
    state, data = await fsm(app, DRIVER)
    assert state == "FileSteps:details" and data["v"]["text"] == "附近哪里能洗澡"


async def test_a_forged_go_button_starts_nothing(app: App) -> None:
    await ready(app, DRIVER)
    sent = await app.text(DRIVER, "你好")
    mid = next(r for r in sent if r["method"] == "sendMessage")["result"]["message_id"]
    for forged in ("complaint:nosuch", "nearest:spa", "faq:nosuch", "shell", "points@北京"):
        data = GoCb(a=forged).pack()
        got = await app.feed(specs.callback(DRIVER, mid, data, check_button=False))
        assert len(answers(got)) == 1, forged
        assert (await fsm(app, DRIVER))[0] is None
    assert Intent.NONE.value == "none"


def test_actions_are_checked_and_services_map_to_filters() -> None:
    from handlers.intents.launch import Action, parse_action

    assert parse_action("nearest:meals") == Action(Intent.NEAREST, "meal")  # a service code
    assert parse_action("nearest:wifi") == Action(Intent.NEAREST, "")  # no filter: all
    assert parse_action("nearest:shower@自贡") == Action(Intent.NEAREST, "shower", "自贡")
    assert parse_action("complaint:freight") == Action(Intent.COMPLAINT, "freight")
    assert parse_action("faq:call-12348") == Action(Intent.FAQ, faq="call-12348")
    for forged in ("nearest:spa", "complaint:consult", "points:x", "faq:", "greeting", "x"):
        assert parse_action(forged) is None, forged
