"""/tasks: the open tasks near me (my city and all-city tasks, soonest first, a page at a
time), my tasks with their status, and the opt-in; it fits a phone screen."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.db.users.models import Role
from bot.services.points.ledger import check
from tests.harness.app import EN_DRIVER, App
from tests.harness.chat import button_rows, last_with_buttons
from tests.harness.clock import local
from tests.harness.people import person
from tests.harness.phone import SCREEN_LINES, too_wide, wrapped_lines
from tests.tasks.chat import make, tap_data
from tests.tasks.helpers import draft, service


async def test_open_tasks_near_me_paged_and_mine(app: App) -> None:
    volunteer = await make(app, EN_DRIVER)
    now = local(23, 12)
    async with app.session_factory() as session:
        admin = await person(session, 9000, Role.ADMIN)
        base = draft()
        for n, (city, hours) in enumerate(
            [("自贡", 30), (None, 20), ("乐山", 10), ("自贡", 40), ("自贡", 50)]
        ):
            starts = now + timedelta(hours=hours)
            await service(session).publish(
                replace(
                    base,
                    title=f"任务{n}",
                    city=city,
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                ),
                f"k{n}",
                admin,
                now,
                None,
            )
        await session.commit()
    await app.text(EN_DRIVER, "/tasks")
    screen = last_with_buttons(app, EN_DRIVER.id)
    text = screen["text"]
    # Soonest first; 乐山's task is not near; three a page.
    assert text.index("任务1") < text.index("任务0") < text.index("任务3")
    assert "任务2" not in text and "任务4" not in text
    assert len(button_rows(screen)) <= 4 and not too_wide(button_rows(screen))
    assert wrapped_lines(text) <= SCREEN_LINES
    await tap_data(app, EN_DRIVER, "tk:list:0:1")  # ▶
    assert "任务4" in last_with_buttons(app, EN_DRIVER.id)["text"]
    await tap_data(app, EN_DRIVER, "tk:show")
    await tap_data(app, EN_DRIVER, "tk:take")
    await tap_data(app, EN_DRIVER, "tk:list")
    screen = last_with_buttons(app, EN_DRIVER.id)
    assert "My tasks" in screen["text"] and "you have a place" in screen["text"]
    assert volunteer
    async with app.session_factory() as session:
        assert await check(session) == []
