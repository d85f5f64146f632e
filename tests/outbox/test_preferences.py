"""What a driver decides about messages nobody asked for: quiet hours (22:00-07:00 unless
changed), opting out of notices or themes from the profile or with one tap on the message
itself. Personal messages cannot be opted out."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.db.outbox.models import MessageKind, OutboxRow
from bot.services.outbox.audience import Filter, after_quiet_hours, count, quiet_hours, readers
from bot.services.outbox.messages import Button, OutMessage
from bot.services.outbox.service import OptOut, Outbox
from handlers.outbox.buttons import unsubscribe_button
from tests.harness import DRIVER, EN_DRIVER, App, alerts, buttons, last_with_buttons, local, tap
from tests.outbox.helpers import Factory, add_drivers

TZ = ZoneInfo("Asia/Shanghai")


def test_quiet_hours_default_to_the_night_and_can_be_none() -> None:
    night = quiet_hours(None, None)
    assert night == (time(22), time(7))
    assert after_quiet_hours(local(23, 23), night, TZ) == local(24, 7)
    assert after_quiet_hours(local(24, 6, 59), night, TZ) == local(24, 7)
    assert after_quiet_hours(local(24, 7), night, TZ) == local(24, 7)
    assert after_quiet_hours(local(23, 23), quiet_hours(time(0), time(0)), TZ) == local(23, 23)
    afternoon = quiet_hours(time(13), time(15))  # a span within one day
    assert after_quiet_hours(local(23, 14), afternoon, TZ) == local(23, 15)


async def test_the_audience_leaves_out_who_opted_out_blocked_or_never_agreed(
    session_factory: Factory,
) -> None:
    await add_drivers(session_factory, 3, city="乐山")
    await add_drivers(session_factory, 2, first=800_000, city="自贡", language="en")
    await add_drivers(session_factory, 1, first=810_000, notifications=False)
    await add_drivers(session_factory, 1, first=820_000, theme_notices=False)
    await add_drivers(session_factory, 1, first=830_000, blocked_bot=True)
    await add_drivers(session_factory, 1, first=840_000, consent_at=None)
    async with session_factory() as session:
        assert await count(session, MessageKind.BROADCAST, Filter()) == 6
        assert await count(session, MessageKind.THEME, Filter()) == 6
        assert await count(session, MessageKind.BROADCAST, Filter(city="乐山")) == 3
        assert await count(session, MessageKind.BROADCAST, Filter(language="en")) == 2
        chunks = [c async for c in readers(session, MessageKind.THEME, Filter(), chunk=4)]
    assert [len(c) for c in chunks] == [4, 2]
    assert 810_000 in {r.chat_id for c in chunks for r in c}  # notices off, themes on


async def _queue_for(app: App, user_id: int, chat_id: int) -> None:
    now = app.dp["clock"]()
    with app.dp["i18n"].context(), app.dp["i18n"].use_locale("zh"):
        unsubscribe = unsubscribe_button(OptOut.NOTICES)
    link = Button("详情", url="https://example.org/notice")
    async with app.session_factory() as session:
        await Outbox(session).put([
            OutMessage(chat_id, MessageKind.BROADCAST, "n1", "📢 高温预警", user_id=user_id,
                       buttons=((link,), (unsubscribe,))),
            OutMessage(chat_id, MessageKind.BROADCAST, "n2", "📢 第二条", user_id=user_id,
                       not_before=datetime(2030, 1, 1, tzinfo=UTC)),
            OutMessage(chat_id, MessageKind.THEME, "t1", "📅 本月主题", user_id=user_id,
                       not_before=datetime(2030, 1, 1, tzinfo=UTC)),
            OutMessage(chat_id, MessageKind.REMINDER, "r1", "⏰ 提醒", user_id=user_id,
                       not_before=datetime(2030, 1, 1, tzinfo=UTC)),
        ], now)  # fmt: skip
        await session.commit()
    await app.drain()


async def _statuses(app: App) -> dict[str, str]:
    async with app.session_factory() as session:
        rows = await session.execute(select(OutboxRow.dedupe_key, OutboxRow.status))
        return {k: str(s) for k, s in rows.all()}


async def test_one_tap_on_a_notice_unsubscribes_from_that_kind_only(app: App) -> None:
    await app.onboard(DRIVER)
    user_id = (await app.user_row(DRIVER.id)).id
    await _queue_for(app, user_id, DRIVER.id)
    notice = last_with_buttons(app, DRIVER.id)
    assert notice["text"] == "📢 高温预警"
    sent = await tap(app, DRIVER, "🔕 不再接收此类通知")
    assert "不再给您发送此类通知" in alerts(sent)[0]
    assert [b["text"] for b in buttons(last_with_buttons(app, DRIVER.id))] == ["详情"]
    assert not (await app.user_row(DRIVER.id)).notifications
    assert await _statuses(app) == {"n1": "sent", "n2": "cancelled", "t1": "pending",
                                    "r1": "pending"}  # fmt: skip


async def test_turning_themes_off_in_the_profile_drops_the_waiting_ones(app: App) -> None:
    await app.onboard(EN_DRIVER)
    user_id = (await app.user_row(EN_DRIVER.id)).id
    await _queue_for(app, user_id, EN_DRIVER.id)
    await app.text(EN_DRIVER, "/profile")
    sent = await tap(app, EN_DRIVER, "🔕 Monthly theme off")
    assert "Theme of the month: off" in sent[-1]["plain_text"]
    assert "Quiet hours: 22:00–07:00 (the default)" in sent[-1]["plain_text"]
    statuses = await _statuses(app)
    assert (statuses["t1"], statuses["n2"], statuses["r1"]) == ("cancelled", "pending", "pending")
