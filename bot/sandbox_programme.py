"""The sandbox's theme programme: the sample year stored as a real one (so the month's notice
and reminders reach the demo users), plus an activity today that takes sign-ups and
check-ins, so the whole sign-up → code → check-in loop can be tried at once. Only the sandbox's
own database ever gets it."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.themes.catalog import SAMPLE_FILE, load_themes, store_themes
from knowledge.months import month_key
from knowledge.themes.files import parse_themes_yaml
from knowledge.themes.programme import Activity, Theme

DEMO_SEATS, DEMO_POINTS = 20, 10


def demo_activity(now: datetime, tz: ZoneInfo) -> Activity:
    """Starts in 20 minutes (sign-up still open, check-in already open: it opens 30 minutes
    before) and lasts three hours, or until the end of the day."""
    local = now.astimezone(tz).replace(second=0, microsecond=0)
    start = local + timedelta(minutes=20)
    if start.date() != local.date():  # just before midnight: the rest of today
        start = local
    end = min(start + timedelta(hours=3), start.replace(hour=23, minute=59))
    return Activity(
        key=f"sandbox-{local:%Y-%m-%d}", day=local.date(),
        time=f"{start:%H:%M}-{end:%H:%M}", title_zh="沙盒体验：报名与到场签到",
        title_en="Sandbox: sign up and check in", place="乐山市司机之家（沙盒）", city="",
        capacity=DEMO_SEATS, points=DEMO_POINTS,
    )  # fmt: skip


async def store_sandbox_programme(session: AsyncSession, now: datetime, tz: ZoneInfo) -> None:
    """Once a day at the sandbox's start: the sample year as a real programme (unless a real
    file was imported since) with today's demo activity in this month's theme."""
    stored = await load_themes(session)
    parsed = parse_themes_yaml(SAMPLE_FILE.read_text(encoding="utf-8"))
    assert parsed.ok and parsed.themes is not None, parsed.errors
    themes = {t.month: t for t in (stored or parsed.themes)}
    today = demo_activity(now, tz)
    month = month_key(today.day)
    theme = themes.get(month) or Theme(month, "沙盒体验月", "Sandbox month")
    if any(a.key == today.key for a in theme.activities):
        return  # today's is there already: its time stays, so its reminder is not redone
    themes[month] = dataclasses.replace(theme, activities=(*theme.activities, today))
    await store_themes(session, tuple(themes.values()), is_sample=False)
