"""Every checkup screen in English: the only Chinese left is data (provider names and
addresses), never words the bot writes itself."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from bot.db.checkups.models import CheckupProviderRow, SlotRow
from bot.sandbox import TgUser
from tests.checkups.helpers import run_reminders, slot_at
from tests.harness import ADMIN, EN_DRIVER, NOON_MONDAY, TOKEN, App, Clock, local, tap

EN_OTHER = TgUser(1005, "Lee", language_code="en")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")


async def _data_words(app: App) -> list[str]:
    """What may stay Chinese: the providers' names and addresses, the closing reason."""
    async with app.session_factory() as session:
        rows = (
            await session.execute(select(CheckupProviderRow.name, CheckupProviderRow.address))
        ).all()
    words = [w for row in rows for w in row] + ["设备检修"]
    return sorted(words, key=len, reverse=True)


def _chinese_written_by_the_bot(records: list[dict[str, Any]], data: list[str]) -> set[str]:
    found = set()
    for record in records:
        if record["method"] == "answerCallbackQuery":
            parts = [record["params"].get("text") or ""]
        else:
            parts = [record.get("plain_text") or ""]
            markup = record.get("reply_markup") or {}
            parts += [b["text"] for row in markup.get("inline_keyboard", []) for b in row]
        for part in parts:
            for word in data:
                part = part.replace(word, "")
            found.update(CJK.findall(part))
    return found


async def test_english_checkup_screens_have_no_chinese_of_the_bots_own(
    app: App, clock: Clock
) -> None:
    await app.text(EN_DRIVER, "/start")
    await app.press(EN_DRIVER, "✅")
    await app.press(EN_DRIVER, "🚚")
    await app.text(EN_DRIVER, "自贡")  # a city typed in Chinese: shown in English
    await app.text(EN_DRIVER, "⏭ Skip")
    for user in (EN_OTHER, ADMIN):
        await app.onboard(user)
    slot = await slot_at(app, local(24, 18))
    async with app.session_factory() as session:
        await session.execute(update(SlotRow).where(SlotRow.id == slot.id).values(capacity=1))
        await session.commit()
    start = app.last_seq()
    await app.text(EN_DRIVER, "/book")
    sent = await tap(app, EN_DRIVER, "Free general checkup")
    assert _chinese_written_by_the_bot(sent, await _data_words(app)) == set()  # "自贡 first"
    await tap(app, EN_DRIVER, "📍 Nearest to me")
    await app.text(EN_DRIVER, "⬅️ Back to the list")
    await tap(app, EN_DRIVER, "自贡市第三人民医院")
    await tap(app, EN_DRIVER, "·", exact=True)
    await tap(app, EN_DRIVER, "24", exact=True)
    await tap(app, EN_DRIVER, "18:00")
    await tap(app, EN_DRIVER, "Confirm booking")
    await app.text(EN_DRIVER, "/book")
    await tap(app, EN_DRIVER, "Free general checkup")  # already booked: offers to move
    await app.text(EN_OTHER, "/book")
    await tap(app, EN_OTHER, "Free general checkup")
    await tap(app, EN_OTHER, "自贡市第三人民医院")
    await tap(app, EN_OTHER, "24", exact=True)
    await tap(app, EN_OTHER, "waitlist")
    await app.text(EN_DRIVER, "/mybookings")
    await tap(app, EN_DRIVER, "Move")
    await tap(app, EN_DRIVER, "24", exact=True)
    await tap(app, EN_DRIVER, "yours")
    await tap(app, EN_DRIVER, "19:00")
    await tap(app, EN_DRIVER, "Confirm the move")  # the 18:00 seat goes to EN_OTHER
    await tap(app, EN_OTHER, "No, thanks")
    await run_reminders(app, local(23, 18))
    await run_reminders(app, local(24, 17))
    clock.now = local(24, 17, 30)
    await app.text(EN_DRIVER, "/mybookings")
    await tap(app, EN_DRIVER, "Cancel")  # too late: whom to call
    clock.now = NOON_MONDAY + timedelta(hours=1)
    await tap(app, EN_DRIVER, "Cancel")
    await tap(app, EN_DRIVER, "Yes, cancel it")
    await app.text(EN_DRIVER, "/book")
    await tap(app, EN_DRIVER, "Occupational")
    await tap(app, EN_DRIVER, "自贡市第三人民医院")
    await tap(app, EN_DRIVER, "26", exact=True)
    await tap(app, EN_DRIVER, "18:00")
    await tap(app, EN_DRIVER, "Confirm booking")
    await app.text(ADMIN, "/close_day zg-third-hospital 2026-11-26 设备检修")
    english = {EN_DRIVER.id, EN_OTHER.id}
    queries = app.server.bot(TOKEN).callback_queries.values()
    queries = {q.id for q in queries if q.chat_id in english}
    records = [
        r
        for r in app.server.sent(TOKEN, after=start)
        if r["ok"]
        and (r.get("chat_id") in english or r["params"].get("callback_query_id") in queries)
    ]
    assert len(records) > 30
    assert _chinese_written_by_the_bot(records, await _data_words(app)) == set()
    assert "Zigong first." in "".join(r.get("plain_text") or "" for r in records)
