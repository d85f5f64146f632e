"""Reminders go once each (the day before, 2 h before) to those holding a place; cancelling
a task from its card tells them; /mydata and /deleteme cover the tasks' rows."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.outbox.models import MessageKind, OutboxRow, OutboxStatus
from bot.db.tasks.models import TakerRow, TaskSubscriptionRow
from bot.db.tasks.statuses import TakerStatus, TaskStatus
from bot.db.users.models import Role
from bot.sandbox import specs
from bot.services.points.ledger import Ledger, PointsRules, check
from bot.services.tasks.personal_data import PART
from tests.harness.app import ADMIN, EN_DRIVER, TOKEN, App
from tests.harness.chat import alerts, last_with_buttons, press_again
from tests.harness.clock import Clock, local
from tests.tasks.chat import make, tap_data
from tests.tasks.conftest import GROUP
from tests.tasks.test_app_flow import DRIVER2, publish, task_row


async def _published_and_taken(app: App) -> int:
    app.server.bot(TOKEN).register_group(GROUP)
    volunteer = await make(app, EN_DRIVER)
    await app.text(EN_DRIVER, "/tasks")
    await tap_data(app, EN_DRIVER, "tk:sub")
    await publish(app)
    await tap_data(app, ADMIN, "tf:pub", chat_id=GROUP)
    await tap_data(app, EN_DRIVER, "tk:take")
    return volunteer


async def _reported_then_disputed(app: App, clock: Clock) -> int:
    """The volunteer reports done without a photo and the admin taps dispute on the card."""
    volunteer = await _published_and_taken(app)
    await app.onboard(ADMIN)
    clock.now = local(25, 10)
    await tap_data(app, EN_DRIVER, "tk:list")
    await tap_data(app, EN_DRIVER, "tk:show")
    await tap_data(app, EN_DRIVER, "tk:done")
    await tap_data(app, EN_DRIVER, "tk:nophoto")
    await app.drain()
    await tap_data(app, ADMIN, "tc:no", chat_id=GROUP)
    return volunteer


async def _reminders(app: App) -> list[OutboxRow]:
    async with app.session_factory() as session:
        rows = await session.scalars(
            select(OutboxRow)
            .where(OutboxRow.kind == MessageKind.TASK, OutboxRow.dedupe_key.like("task-remind:%"))
            .order_by(OutboxRow.id)
        )
        return list(rows)


async def test_reminders_go_once_each(app: App, clock: Clock) -> None:
    await _published_and_taken(app)  # the task: Wednesday 25th 09:00
    kit = app.kits["tasks"]
    assert await kit.remind() == 0  # Monday noon: nothing due
    clock.now = local(24, 10)  # the day before
    assert await kit.remind() == 1
    assert await kit.remind() == 0
    clock.now = local(25, 7, 30)
    assert await kit.remind() == 1
    assert await kit.remind() == 0
    clock.now = local(25, 9, 30)  # started: nothing more
    assert await kit.remind() == 0
    keys = [r.dedupe_key.rsplit(":", 1)[1] for r in await _reminders(app)]
    assert keys == ["day", "soon"]
    await app.drain()
    assert "高速路口安全宣传" in app.server.chat_messages(TOKEN, EN_DRIVER.id)[-1]["text"]
    async with app.session_factory() as session:
        assert await check(session) == []


async def test_withdrawing_in_the_app_and_the_cut_off(app: App, clock: Clock) -> None:
    await _published_and_taken(app)
    await tap_data(app, EN_DRIVER, "tk:leave")
    assert (await task_row(app)).taken == 0
    await tap_data(app, EN_DRIVER, "tk:take")
    assert (await task_row(app)).taken == 1
    clock.now = local(25, 7, 30)  # inside the 2 h cut-off: the button is gone, a stale one refused
    offer = last_with_buttons(app, EN_DRIVER.id)
    leave = next(
        b["callback_data"]
        for row in offer["reply_markup"]["inline_keyboard"]
        for b in row
        if b["callback_data"].startswith("tk:leave")
    )
    refused = await press_again(app, EN_DRIVER, offer["message_id"], leave)
    assert alerts(refused) and "2 hours" in alerts(refused)[0]
    assert (await task_row(app)).taken == 1
    async with app.session_factory() as session:
        assert await check(session) == []


async def test_a_volunteers_only_task_refuses_a_driver_in_the_app(app: App) -> None:
    await _published_and_taken(app)
    driver = await make(app, DRIVER2, role=Role.DRIVER)
    task = await task_row(app)
    await app.text(DRIVER2, "/tasks")
    message = last_with_buttons(app, DRIVER2.id)
    refused = await app.feed(
        specs.callback(DRIVER2, message["message_id"], f"tk:take:{task.id}:0", check_button=False)
    )
    assert alerts(refused)
    async with app.session_factory() as session:
        assert await session.scalar(select(TakerRow).where(TakerRow.user_id == driver)) is None
        assert await check(session) == []


async def test_cancel_from_the_card_tells_the_takers(app: App) -> None:
    await _published_and_taken(app)
    await tap_data(app, ADMIN, "tc:cancel", chat_id=GROUP)
    await tap_data(app, ADMIN, "tc:cancel_ok", chat_id=GROUP)
    task = await task_row(app)
    assert task.status is TaskStatus.CANCELLED and task.taken == 0
    told = app.server.chat_messages(TOKEN, EN_DRIVER.id)[-1]["text"]
    assert "cancelled" in told and "高速路口安全宣传" in told
    async with app.session_factory() as session:
        assert await check(session) == []


async def test_mydata_and_deleteme(app: App) -> None:
    volunteer = await _published_and_taken(app)
    async with app.session_factory() as session:
        exported = await PART.export(session, volunteer, app.settings.tz)
    assert exported["hears_of_new_tasks"] is True
    assert [p["status"] for p in exported["places"]] == ["taken"]
    async with app.session_factory() as session:
        await PART.erase(session, volunteer, local(23, 13), app.settings.tz)
        await session.commit()
    task = await task_row(app)
    assert task.taken == 0
    async with app.session_factory() as session:
        taker = await session.scalar(select(TakerRow))
        assert taker is not None and taker.user_id is None
        assert taker.status is TakerStatus.WITHDRAWN
        assert await session.get(TaskSubscriptionRow, volunteer) is None
        assert await check(session) == []


async def test_unsubscribing_drops_waiting_offers(app: App, clock: Clock) -> None:
    app.server.bot(TOKEN).register_group(GROUP)
    await make(app, EN_DRIVER)
    await app.text(EN_DRIVER, "/tasks")
    await tap_data(app, EN_DRIVER, "tk:sub")
    clock.now = local(23, 23)  # quiet hours: the offer waits until 07:00
    await publish(app)
    await tap_data(app, ADMIN, "tf:pub", chat_id=GROUP)
    async with app.session_factory() as session:
        offer = await session.scalar(
            select(OutboxRow).where(OutboxRow.kind == MessageKind.TASK_OFFER)
        )
        assert offer is not None and offer.status is OutboxStatus.PENDING
        assert offer.not_before == local(24, 7)
    await app.text(EN_DRIVER, "/tasks")
    await tap_data(app, EN_DRIVER, "tk:unsub")
    async with app.session_factory() as session:
        offer = await session.scalar(
            select(OutboxRow).where(OutboxRow.kind == MessageKind.TASK_OFFER)
        )
        assert offer is not None and offer.status is OutboxStatus.CANCELLED
        assert await check(session) == []


async def test_a_typed_dispute_then_a_confirm_after_all(app: App, clock: Clock) -> None:
    volunteer = await _reported_then_disputed(app, clock)
    await tap_data(app, ADMIN, "tc:why", chat_id=GROUP)  # the first preset reason
    async with app.session_factory() as session:
        taker = await session.scalar(select(TakerRow).where(TakerRow.user_id == volunteer))
        assert taker is not None and taker.status is TakerStatus.DISPUTED
        assert taker.dispute_reason is not None
    told = app.server.chat_messages(TOKEN, EN_DRIVER.id)[-1]["text"]
    assert "disputed" in told
    await app.drain()
    await tap_data(app, ADMIN, "tc:ok", chat_id=GROUP)  # "confirm after all"
    async with app.session_factory() as session:
        taker = await session.scalar(select(TakerRow).where(TakerRow.user_id == volunteer))
        assert taker is not None and taker.status is TakerStatus.CONFIRMED
        assert await Ledger(session, app.settings.tz, PointsRules()).balance(volunteer) == 20
        assert await check(session) == []


async def test_a_typed_dispute_reason(app: App, clock: Clock) -> None:
    volunteer = await _reported_then_disputed(app, clock)
    card = last_with_buttons(app, GROUP)
    other = next(
        b["callback_data"]
        for row in card["reply_markup"]["inline_keyboard"]
        for b in row
        if b["callback_data"].endswith(":other")
    )
    await app.feed(specs.callback(ADMIN, card["message_id"], other, chat_id=GROUP))
    await app.text(ADMIN, "照片里看不到传单")
    async with app.session_factory() as session:
        taker = await session.scalar(select(TakerRow).where(TakerRow.user_id == volunteer))
        assert taker is not None and taker.status is TakerStatus.DISPUTED
        assert taker.dispute_note == "照片里看不到传单"
        assert await Ledger(session, app.settings.tz, PointsRules()).balance(volunteer) == 0
        assert await check(session) == []
    assert "照片里看不到传单" in app.server.chat_messages(TOKEN, EN_DRIVER.id)[-1]["text"]
    assert all(
        "照片里看不到传单" not in (m.get("text") or "")
        for m in app.server.chat_messages(TOKEN, GROUP)
    )
