"""Messages a driver gets outside their own taps: waitlist offers to a driver who blocked the
bot, what the reminders invite the driver to do, and which reminders a booking promises."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.checkups.models import CheckupProviderRow, ReminderRow, SlotRow, WaitlistRow
from bot.db.outbox.models import OutboxRow
from bot.sandbox import BotApiServer, TgUser
from tests.checkups.helpers import (
    OTHER,
    THIRD,
    book,
    bookings,
    checkup_app,
    run_notices,
    run_reminders,
    slot_at,
    to_summary,
)
from tests.harness import DRIVER, EN_DRIVER, NOON_MONDAY, TOKEN, App, Clock, local, tap, texts


async def _one_seat_with_two_waiting(app: App) -> None:
    """DRIVER holds the only seat on Tuesday 18:00; OTHER, then THIRD, wait for it."""
    for user in (DRIVER, OTHER, THIRD):
        await app.onboard(user)
    slot = await slot_at(app, local(24, 18))
    async with app.session_factory() as session:
        await session.execute(update(SlotRow).where(SlotRow.id == slot.id).values(capacity=1))
        await session.commit()
    await book(app, DRIVER)
    for user in (OTHER, THIRD):
        await app.text(user, "/book")
        await tap(app, user, "免费体检")
        await tap(app, user, "自贡市第三人民医院")
        await tap(app, user, "24", exact=True)
        await tap(app, user, "18:00 · 已满")


async def _cancel(app: App, user: TgUser) -> list[dict]:
    await app.text(user, "/mybookings")
    await tap(app, user, "❌ 取消")
    return await tap(app, user, "❌ 确定取消")


async def _waitlist(app: App) -> dict[int, str]:
    async with app.session_factory() as session:
        rows = await session.execute(select(WaitlistRow.id, WaitlistRow.status))
        return dict(rows.all())


async def test_an_offer_to_a_driver_who_blocked_the_bot_goes_to_the_next_at_once(
    app: App,
) -> None:
    await _one_seat_with_two_waiting(app)
    app.server.set_blocked(TOKEN, OTHER.id)
    sent = await _cancel(app, DRIVER)
    # The first one waiting cannot be told: the seat is offered to the next, in the same go.
    offers = [r for r in sent if r["chat_id"] == THIRD.id and r["ok"]]
    assert len(offers) == 1 and "为您保留着" in texts(offers)[0]
    assert sorted((await _waitlist(app)).values()) == ["offered", "skipped"]
    assert (await app.user_row(OTHER.id)).blocked_bot
    await tap(app, THIRD, "✅ 预约这个名额")
    assert [b.status for b in await bookings(app)] == ["cancelled", "active"]


async def test_an_offer_that_failed_then_finds_the_driver_gone_passes_on(app: App) -> None:
    """The offer to OTHER meets Telegram errors and waits in the outbox; meanwhile OTHER
    blocks the bot. The next try finds that out and the seat goes to THIRD at once."""
    await _one_seat_with_two_waiting(app)
    app.server.add_fault(TOKEN, 502, method="sendMessage", chat_id=OTHER.id, count=3)
    await _cancel(app, DRIVER)
    async with app.session_factory() as session:
        [row] = await session.scalars(select(OutboxRow).where(OutboxRow.kind == "offer"))
    assert row.status == "pending" and row.attempts == 1 and "Bad Gateway" in (row.last_error or "")
    app.server.set_blocked(TOKEN, OTHER.id)
    before = app.last_seq()
    assert await run_notices(app, NOON_MONDAY + timedelta(minutes=1)) == 0  # nothing new owed
    offers = app.server.sent(TOKEN, chat_id=THIRD.id, after=before)
    assert len([r for r in offers if r["ok"]]) == 1
    assert sorted((await _waitlist(app)).values()) == ["offered", "skipped"]
    assert (await app.user_row(OTHER.id)).blocked_bot


async def _reminder_texts(app: App, at: list) -> list[str]:
    before = app.last_seq()
    for moment in at:
        await run_reminders(app, moment)
    return [t for t in texts(app.server.sent(TOKEN, after=before)) if t.startswith("⏰")]


async def test_reminders_offer_only_what_the_driver_can_do(app: App) -> None:
    await app.onboard(DRIVER)
    await book(app, DRIVER)
    evening, soon = await _reminder_texts(app, [local(23, 18), local(24, 16)])
    # The evening before: cancelling is still possible, and until when.
    assert "/mybookings" in evening and "11月24日周二 16:00" in evening
    # Two hours before, a cancel would be refused: the number to call instead.
    assert "/mybookings" not in soon and "取消" not in soon.split("注意事项")[-1]
    assert "0813-1234567" in soon


async def test_the_two_hour_reminder_without_any_phone_invites_no_cancel(
    server: BotApiServer, engine: AsyncEngine, db_url: str, clock: Clock
) -> None:
    async with checkup_app(server, engine, db_url, clock, booking_help_phone="") as app:
        await app.onboard(DRIVER)
        await book(app, DRIVER)
        [soon] = await _reminder_texts(app, [local(24, 16)])
        assert "/mybookings" not in soon and "☎️" not in soon
        # With the provider's own phone, that one is given.
        async with app.session_factory() as session:
            await session.execute(update(CheckupProviderRow).values(phone="0813-7654321"))
            await session.commit()
        await app.onboard(OTHER)
        await book(app, OTHER, day="25")
        [soon] = await _reminder_texts(app, [local(25, 16)])
        assert "0813-7654321" in soon.split("注意事项")[-1]


async def _reminder_kinds(app: App) -> list[str]:
    async with app.session_factory() as session:
        return sorted(await session.scalars(select(ReminderRow.kind)))


async def test_a_same_day_booking_promises_only_the_reminders_it_gets(
    app: App, clock: Clock
) -> None:
    await app.onboard(DRIVER)
    await to_summary(app, DRIVER, day="23")
    sent = await tap(app, DRIVER, "✅ 确认预约")
    assert await _reminder_kinds(app) == ["soon"]
    assert "2 小时" in texts(sent)[-1] and "前一天晚上" not in texts(sent)[-1]

    await app.onboard(OTHER)
    clock.now = local(23, 16, 30)  # booked 90 minutes before: no reminder at all
    await to_summary(app, OTHER, day="23")
    sent = await tap(app, OTHER, "✅ 确认预约")
    assert await _reminder_kinds(app) == ["soon"]  # still only the first booking's
    assert "提醒" not in texts(sent)[-1]


async def test_english_reminders_say_until_when(app: App) -> None:
    await app.onboard(EN_DRIVER)
    await app.text(EN_DRIVER, "/book")
    await tap(app, EN_DRIVER, "Free general checkup")
    await tap(app, EN_DRIVER, "自贡市第三人民医院")
    await tap(app, EN_DRIVER, "24", exact=True)
    await tap(app, EN_DRIVER, "18:00")
    sent = await tap(app, EN_DRIVER, "Confirm booking")
    assert "the evening before and 2 hours before" in texts(sent)[-1]
    evening, soon = await _reminder_texts(app, [local(23, 18), local(24, 16)])
    assert "/mybookings" in evening and "Tue, Nov 24 16:00" in evening
    assert "/mybookings" not in soon and "0813-1234567" in soon


async def test_the_driver_who_cancels_is_answered_first_and_never_told_of_a_failure_after(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cancel has landed when the next driver is told: a failure there (here a bug)
    is logged, but the driver who cancelled sees the outcome, not an apology."""
    await _one_seat_with_two_waiting(app)

    async def broken(*args: object) -> int:
        raise RuntimeError("notifier broke")

    monkeypatch.setattr(app.kits["checkups"].notifier, "offers", broken)
    app.expect_error("a step after its commit failed")
    sent = await _cancel(app, DRIVER)
    mine = [r for r in sent if r["chat_id"] == DRIVER.id and r["ok"]]
    assert mine[0]["method"] == "answerCallbackQuery"
    assert any("已取消" in (r["plain_text"] or "") for r in mine)
    assert not any("出了点问题" in (r["plain_text"] or "") for r in sent)
    # The offer is owed as a row: the minute job sends it.
    monkeypatch.undo()
    assert await run_notices(app, NOON_MONDAY) == 1


async def test_a_reminder_telegram_failed_to_take_goes_out_once_later(app: App) -> None:
    """A passing failure leaves the reminder queued: a later run of the sender delivers it,
    once, and the job never queues it again. Which reminders are due comes from the rules."""
    await app.onboard(DRIVER)
    await book(app, DRIVER)
    app.server.add_fault(TOKEN, 500, method="sendMessage", chat_id=DRIVER.id, count=3)
    before = app.last_seq()
    assert await run_reminders(app, local(23, 18)) == 1
    assert await run_reminders(app, local(23, 18, 1)) == 0  # queued already; now delivered
    assert await run_reminders(app, local(23, 18, 2)) == 0
    delivered = [r for r in app.server.sent(TOKEN, chat_id=DRIVER.id, after=before) if r["ok"]]
    assert [t[:1] for t in texts(delivered)] == ["⏰"]
    async with app.session_factory() as session:
        statuses = dict((await session.execute(select(ReminderRow.kind, ReminderRow.status))).all())
        [row] = await session.scalars(select(OutboxRow).where(OutboxRow.kind == "reminder"))
    assert statuses == {"evening": "sent", "soon": "pending"}
    assert (row.status, row.attempts, row.message_id) == (
        "sent",
        2,
        delivered[0]["result"]["message_id"],
    )
