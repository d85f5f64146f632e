"""/task_new refuses bad answers with a clear word and keeps the step, lets the admin change a
field from the preview, works in the admin's private chat too, and /cancel or a stale
button publishes nothing. Non-admins are refused."""

from __future__ import annotations

from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import func, select

from bot.db.tasks.models import TaskRow
from bot.sandbox import specs
from bot.services.points.ledger import check
from tests.harness.app import ADMIN, EN_DRIVER, TOKEN, App
from tests.harness.chat import last_with_buttons
from tests.harness.clock import local
from tests.tasks.chat import data_of, make, tap_data
from tests.tasks.conftest import GROUP


async def state_of(app: App, chat_id: int, user_id: int) -> str | None:
    key = StorageKey(bot_id=app.bot.id, chat_id=chat_id, user_id=user_id)
    return await app.dp.fsm.storage.get_state(key)


async def tasks(app: App) -> int:
    async with app.session_factory() as session:
        return int(await session.scalar(select(func.count(TaskRow.id))) or 0)


async def test_bad_answers_keep_the_step(app: App) -> None:
    app.server.bot(TOKEN).register_group(GROUP)
    say = lambda text: app.feed(specs.text(ADMIN, text, chat_id=GROUP))  # noqa: E731
    await say("/task_new")
    assert await state_of(app, GROUP, ADMIN.id) == "TaskFormSteps:title"
    await say("x" * 81)  # too long
    assert await state_of(app, GROUP, ADMIN.id) == "TaskFormSteps:title"
    await say("高速路口安全宣传")
    await say("发放传单")
    await say("自贡东收费站")
    await say("Atlantis")  # not a city
    assert await state_of(app, GROUP, ADMIN.id) == "TaskFormSteps:city"
    await tap_data(app, ADMIN, "tf:all", chat_id=GROUP)
    for bad in ("tomorrow", "11-25 12:00-09:00", "11-23 09:00-10:00", "11-22 09:00-10:00"):
        await say(bad)  # not a time; the end before the start; passed today; yesterday
        assert await state_of(app, GROUP, ADMIN.id) == "TaskFormSteps:when", bad
    await say("11-25 09:00-12:00")
    for bad in ("0", "101", "three"):
        await say(bad)
        assert await state_of(app, GROUP, ADMIN.id) == "TaskFormSteps:places", bad
    await say("4")
    await say("1001")
    assert await state_of(app, GROUP, ADMIN.id) == "TaskFormSteps:points"
    await say("15")
    await tap_data(app, ADMIN, "tf:aud:all", chat_id=GROUP)
    assert await state_of(app, GROUP, ADMIN.id) == "TaskFormSteps:preview"

    # Change the title from the preview: back to the preview after that one step.
    await tap_data(app, ADMIN, "tf:edit", chat_id=GROUP)
    await tap_data(app, ADMIN, "tf:field:title", chat_id=GROUP)
    await say("收费站志愿服务")
    preview = last_with_buttons(app, GROUP)
    assert "收费站志愿服务" in preview["text"]
    assert await state_of(app, GROUP, ADMIN.id) == "TaskFormSteps:preview"
    await tap_data(app, ADMIN, "tf:pub", chat_id=GROUP)
    async with app.session_factory() as session:
        task = await session.scalar(select(TaskRow))
        assert task is not None
        assert (task.title, task.city, task.places, task.points) == ("收费站志愿服务", None, 4, 15)
        assert task.starts_at == local(25, 9)
        assert await check(session) == []


async def test_cancel_and_a_stale_publish_publish_nothing(app: App) -> None:
    app.server.bot(TOKEN).register_group(GROUP)
    await app.onboard(ADMIN)
    # In the admin's private chat this time.
    for text in (
        "/task_new",
        "清扫服务区",
        "清扫",
        "服务区",
        "自贡",
        "11-25 09:00-12:00",
        "2",
        "0",
    ):
        await app.text(ADMIN, text)
    await tap_data(app, ADMIN, "tf:aud:volunteers")
    preview = last_with_buttons(app, ADMIN.id)
    publish = data_of(preview, "tf:pub")
    await app.text(ADMIN, "/cancel")
    assert await state_of(app, ADMIN.id, ADMIN.id) is None
    await app.feed(specs.callback(ADMIN, preview["message_id"], publish, check_button=False))
    assert await tasks(app) == 0
    async with app.session_factory() as session:
        assert await check(session) == []


async def test_only_admins_publish(app: App) -> None:
    await make(app, EN_DRIVER)
    await app.text(EN_DRIVER, "/task_new")
    assert await state_of(app, EN_DRIVER.id, EN_DRIVER.id) is None
    assert "admins only" in app.server.chat_messages(TOKEN, EN_DRIVER.id)[-1]["text"]
    assert await tasks(app) == 0
    async with app.session_factory() as session:
        assert await check(session) == []
