"""The admins' day list: no driver's name or phone in the group, the full list in an admin's
private chat, and check-in buttons that follow the same rule as /checkin."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.users.models import User
from bot.sandbox import BotApiServer, TgUser, specs
from tests.checkups.helpers import GROUP, OTHER, book, bookings, checkup_app
from tests.harness import (
    ADMIN,
    DRIVER,
    TOKEN,
    App,
    Clock,
    alerts,
    answers,
    button_rows,
    buttons,
    last_with_buttons,
    local,
    methods,
    shown,
    tap,
    texts,
)

SECOND_ADMIN = TgUser(900002, "赵主任")
PHONE = "13800001234"


@pytest.fixture
async def app(
    server: BotApiServer, engine: AsyncEngine, db_url: str, clock: Clock
) -> AsyncIterator[App]:
    admins = frozenset({ADMIN.id, SECOND_ADMIN.id})
    async with checkup_app(server, engine, db_url, clock, admin_ids=admins) as app:
        yield app


async def _two_bookings(app: App) -> list:
    for user in (DRIVER, OTHER, ADMIN):
        await app.onboard(user)
    async with app.session_factory() as session:
        await session.execute(update(User).where(User.telegram_id == DRIVER.id).values(phone=PHONE))
        await session.commit()
    return [await book(app, DRIVER), await book(app, OTHER, time_="18:30")]


async def group_text(app: App, user: TgUser, text: str) -> list[dict]:
    return await app.feed(specs.text(user, text, chat_id=GROUP))


async def test_the_group_list_shows_no_name_or_phone(app: App, clock: Clock) -> None:
    first, second = await _two_bookings(app)
    clock.now = local(24, 17)
    sent = await group_text(app, ADMIN, "/bookings_today")
    [listing] = [r for r in sent if r["method"] == "sendMessage"]
    assert listing["chat_id"] == GROUP
    text = listing["plain_text"]
    assert first.code in text and second.code in text and "18:00" in text and "已预约" in text
    for private in ("张师傅", "李师傅", PHONE):
        assert private not in text
    rows = button_rows(listing)
    assert rows[0] == [f"✅ {first.code} 已到", "🚫 未到"]
    assert rows[1] == [f"✅ {second.code} 已到", "🚫 未到"]
    assert rows[-1] == ["📱 私聊发我完整名单"]
    # In an admin's private chat the same list has the names and phones.
    sent = await app.text(ADMIN, "/bookings_today 2026-11-24")
    assert "张师傅" in texts(sent)[0] and PHONE in texts(sent)[0]


async def test_check_in_buttons_edit_the_list_and_follow_the_checkin_rule(
    app: App, clock: Clock
) -> None:
    first, second = await _two_bookings(app)
    sent = await group_text(app, ADMIN, "/bookings_today 2026-11-24")
    # Check-in opens on the day: the day before, the list has no check-in buttons.
    assert [row for row in button_rows(sent[-1]) if "🚫 未到" in row] == []
    clock.now = local(24, 18, 5)
    sent = await group_text(app, ADMIN, "/bookings_today")
    listing = sent[-1]["result"]["message_id"]
    sent = await tap(app, ADMIN, f"✅ {first.code}", chat_id=GROUP)
    assert methods(sent) == ["answerCallbackQuery", "editMessageText"]
    assert (
        answers(sent)[0].startswith(f"✅ {first.code} 已签到") and "张师傅" not in answers(sent)[0]
    )
    now = shown(app, GROUP, listing)
    assert "✅ 已到" in now["text"] and "张师傅" not in now["text"]
    assert [r for r in button_rows(now) if r and r[0].startswith("✅")] == [
        [f"✅ {second.code} 已到", "🚫 未到"]
    ]  # only the booking still waiting keeps its buttons
    sent = await tap(app, ADMIN, "🚫 未到", chat_id=GROUP)
    assert "爽约" in answers(sent)[0]
    assert [b.status for b in await bookings(app)] == ["attended", "no_show"]

    # The rule of /checkin holds for a button too: before the day, check-in is refused.
    clock.now = local(23, 12)
    data = f"ad:in:2026-11-24:0:{first.code}"
    sent = await app.feed(specs.callback(ADMIN, listing, data, chat_id=GROUP, check_button=False))
    assert "当天才能签到" in answers(sent)[0]


async def test_only_admins_may_press(app: App, clock: Clock) -> None:
    first, _ = await _two_bookings(app)
    clock.now = local(24, 18)
    await group_text(app, ADMIN, "/bookings_today")
    sent = await tap(app, OTHER, f"✅ {first.code}", chat_id=GROUP)
    assert answers(sent) == ["只有管理员可以使用这些按钮。"]
    assert methods(sent) == ["answerCallbackQuery"]
    assert (await bookings(app))[0].status == "active"


async def test_the_full_list_goes_to_the_admins_private_chat(app: App, clock: Clock) -> None:
    await _two_bookings(app)
    clock.now = local(24, 17)
    await group_text(app, ADMIN, "/bookings_today")
    sent = await tap(app, ADMIN, "📱", chat_id=GROUP)
    [private] = [r for r in sent if r["method"] == "sendMessage"]
    assert private["chat_id"] == ADMIN.id
    assert "张师傅" in private["plain_text"] and PHONE in private["plain_text"]
    assert answers(sent) == ["已发到您和我的私聊里。"]
    assert any("已到" in b["text"] for b in buttons(last_with_buttons(app, ADMIN.id)))
    for record in app.server.sent(TOKEN, chat_id=GROUP):
        assert "张师傅" not in (record.get("plain_text") or "")

    # An admin who never opened a private chat with the bot (who agreed elsewhere, e.g. in
    # the web sandbox): a bot cannot start that chat, so the alert says how.
    async with app.session_factory() as session:
        session.add(User(telegram_id=SECOND_ADMIN.id, language="zh", consent_at=local(1, 0)))
        await session.commit()
    sent = await tap(app, SECOND_ADMIN, "📱", chat_id=GROUP)
    [alert] = alerts(sent)
    assert "/start" in alert and "@" in alert
    assert [r for r in sent if r["method"] == "sendMessage" and r["ok"]] == []


async def test_telegram_down_for_the_private_list_still_stops_the_spinner(
    app: App, clock: Clock
) -> None:
    await _two_bookings(app)
    clock.now = local(24, 17)
    await group_text(app, ADMIN, "/bookings_today")
    app.server.add_fault(TOKEN, 429, method="sendMessage", chat_id=ADMIN.id, retry_after=60)
    sent = await tap(app, ADMIN, "📱", chat_id=GROUP)
    assert [r["method"] for r in sent] == ["sendMessage", "answerCallbackQuery"]
    assert sent[1]["ok"]  # answered once, quietly: the update could not be done


async def test_a_long_day_is_paged_within_telegrams_limits(app: App, clock: Clock) -> None:
    drivers = [TgUser(5000 + i, f"司机{i}") for i in range(19)]
    await app.onboard(ADMIN)
    for i, user in enumerate(drivers):
        await app.onboard(user)
        await book(app, user, time_=("18:00", "18:30", "19:00", "19:30")[i % 4])
    clock.now = local(24, 17)
    sent = await group_text(app, ADMIN, "/bookings_today")
    listing = sent[-1]
    assert "第 1/3 页" in listing["plain_text"]
    assert len(buttons(listing)) <= 100 and len(listing["plain_text"]) < 4096
    assert button_rows(listing)[-2] == ["更晚 ➡️"]
    sent = await tap(app, ADMIN, "更晚", chat_id=GROUP)
    assert "第 2/3 页" in texts(sent)[0]
    sent = await tap(app, ADMIN, "更晚", chat_id=GROUP)
    assert "第 3/3 页" in texts(sent)[0]
    assert len(button_rows(sent[-1])) == 3 + 2  # three bookings, Earlier, the private list
