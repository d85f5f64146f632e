"""Issue 15's two ways into the complaints: a filing form opened with its category already
chosen (free text such as "我要投诉运费"), and "ask a person", a consultation (咨询) that is a
real case in the chain: its number, its card in the admins' group, its deadlines (those of
"other"), /mycases, the reports. Free-text routing calls `start_filing` and `ask_a_person`
itself; here tiny test handlers on the app's dispatcher call them the same way (aiogram's
injection, from a typed command or from a button on the bot's own message)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import CallbackQuery, Message
from openpyxl import load_workbook
from sqlalchemy import delete, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.complaints.models import CaseRow, DeadlineRow, EventRow, EvidenceRow
from bot.db.complaints.statuses import CaseAction, CaseStatus, EvidenceKind
from bot.db.engine import create_engine
from bot.db.migrate import upgrade
from bot.i18n import create_i18n
from bot.sandbox import TgUser, specs
from bot.services.complaints.cases import CaseService, Draft
from bot.services.complaints.offices import load_book, store_book
from handlers.complaints.callbacks import FileCb
from handlers.complaints.consult import ask_a_person
from handlers.complaints.filing import start_filing
from handlers.complaints.reports import build_month, labels
from knowledge import DATA_DIR
from knowledge.complaints.categories import FILING_CATEGORIES, Category
from knowledge.complaints.files import dump_offices_yaml, parse_offices_yaml
from knowledge.complaints.offices import Deadlines, OfficeBook
from tests import db_backends
from tests.complaints.conftest import GROUP
from tests.complaints.helpers import BOOK, TZ, World, local
from tests.harness.app import ADMIN, EN_DRIVER, TOKEN, App
from tests.harness.chat import alerts, answers, buttons, last_with_buttons, press_again, tap, texts
from tests.harness.clock import NOON_MONDAY
from tests.harness.process import png

QUESTION = "Can I get free legal aid for unpaid freight?"
NOW = local("2026-11-02 10:00")  # a Monday


class HumanCb(CallbackData, prefix="test-human"):
    """A stand-in for the intents' "🙋 Ask a person" button."""


def wire(app: App) -> None:
    """What free-text routing will do, as test handlers: /preset CODE opens the filing form
    with that category, /ask [QUESTION] asks a person, and a button asks without words."""

    async def preset(message: Message, state: FSMContext, command: CommandObject) -> None:
        await start_filing(message, state, preset=command.args)

    async def ask(message: Message, state: FSMContext, command: CommandObject) -> None:
        await ask_a_person(message, state, question=command.args)

    async def human(query: CallbackQuery, state: FSMContext) -> None:
        assert isinstance(query.message, Message)
        await query.answer()
        await ask_a_person(query.message, state)  # the bot's own message

    app.dp.message.register(preset, Command("preset"))
    app.dp.message.register(ask, Command("ask"))
    app.dp.callback_query.register(human, HumanCb.filter())


async def fsm(app: App, user: TgUser) -> tuple[str | None, dict[str, Any]]:
    key = StorageKey(bot_id=app.bot.id, chat_id=user.id, user_id=user.id)
    return await app.dp.storage.get_state(key), await app.dp.storage.get_data(key)


async def cases(app: App) -> list[CaseRow]:
    async with app.session_factory() as session:
        return list(await session.scalars(select(CaseRow).order_by(CaseRow.id)))


async def events(app: App, case_id: int) -> list[CaseAction]:
    async with app.session_factory() as session:
        rows = await session.scalars(
            select(EventRow).where(EventRow.complaint_id == case_id).order_by(EventRow.id)
        )
        return [e.action for e in rows]


# --- the filing form with a preset ---------------------------------------------------------------
async def test_the_picker_still_offers_the_eight_categories(app: App) -> None:
    await app.onboard(EN_DRIVER)
    await app.text(EN_DRIVER, "/complain")
    picker = last_with_buttons(app, EN_DRIVER.id)
    values = [FileCb.unpack(b["callback_data"]).v for b in buttons(picker)]
    assert values[:-1] == [c.value for c in FILING_CATEGORIES] and len(values) == 9
    assert Category.CONSULT.value not in values and len(FILING_CATEGORIES) == 8
    assert "Consultation" not in str(picker["reply_markup"])

    forged = FileCb(a="cat", v=Category.CONSULT.value).pack()
    sent = await press_again(app, EN_DRIVER, picker["message_id"], forged)
    assert alerts(sent) == ["That choice is no longer available."]
    assert (await fsm(app, EN_DRIVER))[0] == "FileSteps:category"


async def test_a_preset_opens_what_happened_and_files_that_category(app: App) -> None:
    wire(app)
    await app.onboard(EN_DRIVER)
    sent = await app.text(EN_DRIVER, "/preset freight")
    assert "Freight charge dispute" in texts(sent)[-1] and "what happened" in texts(sent)[-1]
    state, data = await fsm(app, EN_DRIVER)
    assert state == "FileSteps:story" and data["v"] == {"cat": "freight"}
    assert data["mid"] == sent[-1]["result"]["message_id"]

    await app.text(EN_DRIVER, "The shipper has owed me 3200 yuan of freight since October.")
    assert (await fsm(app, EN_DRIVER))[0] == "FileSteps:details"
    await tap(app, EN_DRIVER, "✅ Submit")
    [case] = await cases(app)
    assert case.category is Category.FREIGHT and case.office_id == "transport"


async def test_back_from_a_preset_shows_the_categories(app: App) -> None:
    wire(app)
    await app.onboard(EN_DRIVER)
    await app.text(EN_DRIVER, "/preset insurance")
    await tap(app, EN_DRIVER, "⬅️ Back")
    assert (await fsm(app, EN_DRIVER))[0] == "FileSteps:category"
    picker = last_with_buttons(app, EN_DRIVER.id)
    assert "What is it about?" in picker["text"] and len(buttons(picker)) == 9
    await tap(app, EN_DRIVER, "Highway tolls")
    state, data = await fsm(app, EN_DRIVER)
    assert state == "FileSteps:story" and data["v"]["cat"] == "tolls"


@pytest.mark.parametrize("code", ["cargo", "consult", ""])
async def test_an_unknown_or_unpickable_preset_shows_the_categories(app: App, code: str) -> None:
    wire(app)
    await app.onboard(EN_DRIVER)
    sent = await app.text(EN_DRIVER, f"/preset {code}".strip())
    assert "What is it about?" in texts(sent)[-1]
    state, data = await fsm(app, EN_DRIVER)
    assert state == "FileSteps:category" and data["v"] == {}


async def test_the_menu_button_still_shows_the_categories(app: App) -> None:
    await app.onboard(EN_DRIVER)
    sent = await app.text(EN_DRIVER, "📝 File a complaint")
    assert "What is it about?" in texts(sent)[-1]
    assert (await fsm(app, EN_DRIVER))[0] == "FileSteps:category"


# --- ask a person -------------------------------------------------------------------------
async def test_a_question_becomes_a_consultation_case(app: App) -> None:
    wire(app)
    await app.onboard(EN_DRIVER)
    sent = await app.text(EN_DRIVER, f"/ask {QUESTION}")
    confirm = sent[-1]
    assert "Send this to our staff?" in confirm["plain_text"] and QUESTION in confirm["plain_text"]
    assert [b["text"] for b in buttons(confirm)] == ["✅ Send", "✖ Cancel"]
    assert (await fsm(app, EN_DRIVER))[0] == "ConsultSteps:confirm"
    mid, send = app.find_button(EN_DRIVER.id, "✅ Send")

    done = await tap(app, EN_DRIVER, "✅ Send")
    [case] = await cases(app)
    assert case.category is Category.CONSULT and case.status is CaseStatus.NEW
    assert case.description == QUESTION and case.office_id == "mediation"  # the catch-all
    assert await events(app, case.id) == [CaseAction.FILED]
    async with app.session_factory() as session:
        book = await CaseService(session, TZ).book()
    limits, calendar = book.deadlines_for(Category.OTHER), book.calendar()
    assert (case.accept_due, case.respond_due, case.resolve_due) == tuple(
        calendar.deadline(NOON_MONDAY, days, app.settings.tz)
        for days in (limits.accept, limits.respond, limits.resolve)
    )
    edited = [r for r in done if r["method"] == "editMessageText"][-1]
    assert case.number in edited["plain_text"] and "Sent to our staff" in edited["plain_text"]
    assert not buttons(edited) and (await fsm(app, EN_DRIVER))[0] is None

    card = last_with_buttons(app, GROUP)  # in the admins' group, in its language
    assert case.number in card["text"] and "🙋" in card["text"]
    assert EN_DRIVER.first_name not in card["text"]

    again = await press_again(app, EN_DRIVER, mid, send)  # a second tap on Send
    assert answers(again) == ["This question was sent or cancelled already."]
    assert len(await cases(app)) == 1

    listing = await app.text(EN_DRIVER, "/mycases")
    assert case.number in texts(listing)[-1] and "🙋 Consultation" in texts(listing)[-1]

    await tap(app, ADMIN, "✋", chat_id=GROUP)  # the chain: 受理 like any case
    [accepted] = await cases(app)
    assert accepted.status is CaseStatus.ACCEPTED
    news = app.server.chat_messages(TOKEN, EN_DRIVER.id)[-1]
    assert case.number in news["text"]


async def test_asked_without_words_the_driver_types_the_question(app: App) -> None:
    wire(app)
    await app.onboard(EN_DRIVER)
    menu = app.server.chat_messages(TOKEN, EN_DRIVER.id)[-1]["message_id"]
    sent = await app.feed(specs.callback(EN_DRIVER, menu, HumanCb().pack(), check_button=False))
    assert "Type your question" in texts(sent)[-1]
    assert (await fsm(app, EN_DRIVER))[0] == "ConsultSteps:question"

    sent = await app.feed(specs.photo(EN_DRIVER, png(20, 20)))
    assert texts(sent) == ["Please type your question, or send a voice note."]
    assert (await fsm(app, EN_DRIVER))[0] == "ConsultSteps:question"

    sent = await app.text(EN_DRIVER, "Where can I get a free checkup?")
    assert "Where can I get a free checkup?" in texts(sent)[-1]
    sent = await app.text(EN_DRIVER, "Where is the nearest Driver Home?")  # typed again
    state, data = await fsm(app, EN_DRIVER)
    assert state == "ConsultSteps:confirm"
    assert data["v"] == {"text": "Where is the nearest Driver Home?"}
    [confirm] = [r for r in sent if r["method"] == "sendMessage"]
    assert data["mid"] == confirm["result"]["message_id"]
    earlier = [
        m
        for m in app.server.chat_messages(TOKEN, EN_DRIVER.id)
        if "free checkup" in (m.get("text") or "") and m["message_id"] != data["mid"]
    ]
    assert earlier and not any(buttons(m) for m in earlier)  # the old confirm lost its buttons

    done = await tap(app, EN_DRIVER, "✖ Cancel")
    assert texts(done)[-1] == "Not sent." and not buttons(done[-1])
    assert await cases(app) == [] and (await fsm(app, EN_DRIVER))[0] is None


async def test_a_voice_question_is_sent_with_its_voice_note(app: App) -> None:
    wire(app)
    await app.onboard(EN_DRIVER)
    await app.text(EN_DRIVER, "/ask")
    sent = await app.feed(specs.voice(EN_DRIVER, duration=6))
    assert "Voice note attached" in texts(sent)[-1]
    await tap(app, EN_DRIVER, "✅ Send")
    [case] = await cases(app)
    assert case.category is Category.CONSULT and case.description == ""
    async with app.session_factory() as session:
        files = list(await session.scalars(select(EvidenceRow)))
    assert [f.kind for f in files] == [EvidenceKind.VOICE]


async def test_a_question_too_long_asks_again(app: App) -> None:
    wire(app)
    await app.onboard(EN_DRIVER)
    sent = await app.text(EN_DRIVER, "/ask " + "x" * 2001)
    assert texts(sent)[0] == "That is too long: at most 2000 characters, please."
    assert (await fsm(app, EN_DRIVER))[0] == "ConsultSteps:question"


# --- the rules beneath --------------------------------------------------------------------
async def test_one_key_files_one_consultation(session: AsyncSession) -> None:
    w = await World(session).build(NOW)
    draft = Draft(Category.CONSULT, "卸货超时能收压车费吗？")
    first = await w.cases.file(w.driver, draft, "ask-1", NOW)
    second = await w.cases.file(w.driver, draft, "ask-1", NOW)
    assert first.new and not second.new and first.case.id == second.case.id
    assert first.case.category is Category.CONSULT and first.case.office_id == "transport"
    assert len(list(await session.scalars(select(CaseRow)))) == 1


def test_the_offices_file_routes_and_times_a_consultation_like_other() -> None:
    book = parse_offices_yaml((DATA_DIR / "complaints_sample.yaml").read_text("utf-8")).book
    assert book is not None
    assert book.route(Category.CONSULT, None).id == book.route(Category.OTHER, None).id
    assert book.deadlines_for(Category.CONSULT) == book.deadlines_for(Category.OTHER)

    text = """\
offices:
  - id: a
    name: 甲单位
  - id: hotline
    name: 咨询热线
routes:
  - category: "*"
    office: a
  - category: consult
    office: hotline
deadlines:
  default: {accept: 1, respond: 2, resolve: 5}
  other: {resolve: 8}
"""
    result = parse_offices_yaml(text)
    assert result.ok and result.book is not None, result.errors
    book = result.book
    assert book.route(Category.CONSULT, "温州").id == "hotline"
    assert book.deadlines_for(Category.CONSULT) == Deadlines(1, 2, 8)  # as other
    again = parse_offices_yaml(dump_offices_yaml(book))
    assert again.ok and again.book == book

    named = parse_offices_yaml(text + "  consult: {resolve: 3}\n").book
    assert named is not None
    assert named.deadlines_for(Category.CONSULT) == Deadlines(1, 2, 3)  # the rest from other
    again = parse_offices_yaml(dump_offices_yaml(named))
    assert again.ok and again.book == named and "consult" in dump_offices_yaml(named)

    bad = parse_offices_yaml(text + "  consult: {accept: 4, respond: 2}\n")
    assert not bad.ok and any("deadlines of consult" in e for e in bad.errors)


async def test_stored_deadlines_without_a_consultation_row_take_other(
    session: AsyncSession,
) -> None:
    """Offices imported before consultations existed have no row for them."""
    book = OfficeBook(
        BOOK.offices, BOOK.routes, {**BOOK.deadlines, Category.OTHER: Deadlines(2, 3, 7)}
    )
    await store_book(session, book, NOW)
    await session.execute(delete(DeadlineRow).where(DeadlineRow.category == "consult"))
    loaded = await load_book(session)
    assert loaded.deadlines_for(Category.CONSULT) == Deadlines(2, 3, 7)


async def test_the_reports_count_consultations(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        w = await World(session).build(NOW)
        await w.file(NOW, Category.FREIGHT, key="a")
        await w.cases.file(w.driver, Draft(Category.CONSULT, "哪里有免费法律援助？"), "b", NOW)
        await session.commit()
    i18n = create_i18n("en")
    with i18n.context(), i18n.use_locale("en"):
        assert set(labels("2026-11").categories) == set(Category)
        _chart, sheet, _summary = await build_month(
            session_factory, TZ, local("2026-12-01 10:00"), "2026-11"
        )
    rows = list(load_workbook(io.BytesIO(sheet))["cases"].iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["Freight charge dispute", "Consultation"]
    assert (
        dict(load_workbook(io.BytesIO(sheet))["summary"].iter_rows(values_only=True))["Cases"] == 2
    )


# --- the migration, on rows that are there --------------------------------------------------
AT = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
ROWS_AT_0018: list[tuple[str, dict[str, object]]] = [
    ("users", {"id": 1, "telegram_id": 11, "language": "zh", "role": "driver",
               "notifications": True, "blocked_bot": False, "admin_from_config": False,
               "language_chosen": False, "theme_notices": True}),
    ("complaint_offices", {"id": "a", "name": "A", "active": True, "position": 0}),
    ("complaints", {"id": 1, "number": "SQ-2026-000001", "user_id": 1, "filing_key": "k1",
                    "category": "other", "description": "运费", "anonymous": False,
                    "status": "new", "office_id": "a", "created_at": AT, "accept_due": AT,
                    "respond_due": AT, "resolve_due": AT, "no_fault": False, "reopened": 0,
                    "overdue": False, "review_needed": False, "card_version": 1,
                    "card_shown": 0, "erased": False}),
    ("complaint_events", {"id": 1, "complaint_id": 1, "at": AT, "action": "filed",
                          "to_status": "new"}),
    ("complaint_evidence", {"complaint_id": 1, "event_id": 1, "kind": "voice", "file_id": "f",
                            "file_unique_id": "u", "created_at": AT}),
]  # fmt: skip


@pytest.fixture(params=["sqlite", "postgresql"])
async def blank_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of its own (the shared ones are migrated already)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/blank.sqlite3"
        return
    shared = make_url(request.getfixturevalue("postgres_url"))  # skips without PostgreSQL
    url = shared.set(database=f"{shared.database}_0019").render_as_string(hide_password=False)
    await db_backends._admin_execute(f'CREATE DATABASE "{make_url(url).database}"')
    try:
        yield url
    finally:
        db_backends.drop_postgres_database(url)


async def test_the_migration_keeps_cases_and_their_events(blank_url: str) -> None:
    """SQLite rebuilds the table for its new CHECK, under rows that point at it."""
    engine = create_engine(blank_url)
    try:
        await upgrade(engine, "0018")
        async with engine.begin() as conn:
            for table, row in ROWS_AT_0018:
                names = ", ".join(row)
                marks = ", ".join(f":{name}" for name in row)
                await conn.execute(text(f"INSERT INTO {table} ({names}) VALUES ({marks})"), row)
        await upgrade(engine, "0019")
        async with engine.begin() as conn:
            await conn.execute(text("UPDATE complaints SET category = 'consult' WHERE id = 1"))
            counts = [
                (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
                for table in ("complaints", "complaint_events", "complaint_evidence")
            ]
        assert counts == [1, 1, 1]
        wrong = [
            ("UPDATE complaints SET category = 'cargo'", {}),  # the CHECK holds the others
            ("UPDATE complaints SET status = 'lost'", {}),  # the other CHECKs are kept
            ("INSERT INTO complaint_events (complaint_id, at, action) VALUES (9, :at, 'note')",
             {"at": AT}),  # the foreign keys still point at the table
        ]  # fmt: skip
        for statement, values in wrong:
            with pytest.raises(IntegrityError):
                async with engine.begin() as conn:
                    await conn.execute(text(statement), values)
    finally:
        await engine.dispose()
