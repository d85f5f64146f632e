"""The whole task loop through the local Bot API server: an admin publishes with /task_new in
the admins' group (form, preview, publish once), the card appears in the group's tasks topic,
a volunteer who opted in gets the offer and takes a place, reports done with a photo once the
task has started, and the admin confirms on the card: the points arrive once."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.db.outbox.models import MessageKind, OutboxRow
from bot.db.tasks.models import TakerRow, TaskRow
from bot.db.tasks.statuses import TakerStatus, TaskAudience
from bot.db.users.models import Role
from bot.sandbox import TgUser, specs
from bot.services.points.ledger import Ledger, PointsRules, check
from tests.harness.app import ADMIN, EN_DRIVER, TOKEN, App
from tests.harness.chat import alerts, last_with_buttons, press_again
from tests.harness.clock import Clock, local
from tests.tasks.chat import data_of, make, tap_data
from tests.tasks.conftest import GROUP

DRIVER2 = TgUser(1005, "李师傅")


async def task_row(app: App) -> TaskRow:
    async with app.session_factory() as session:
        row = await session.scalar(select(TaskRow).order_by(TaskRow.id.desc()))
        assert row is not None
        return row


def shown_card(app: App, message_id: int) -> dict:
    return [m for m in app.server.chat_messages(TOKEN, GROUP) if m["message_id"] == message_id][-1]


def group_text(app: App) -> list[str]:
    return [m.get("text") or m.get("caption") or "" for m in app.server.chat_messages(TOKEN, GROUP)]


async def publish(app: App, places: str = "3", points: str = "20") -> None:
    """/task_new in the group, every step answered, the preview published."""
    say = lambda text: app.feed(specs.text(ADMIN, text, chat_id=GROUP))  # noqa: E731
    await say("/task_new")
    await say("高速路口安全宣传")
    await say("在收费站发放交通安全传单")
    await say("自贡东收费站")
    await say("Zigong")
    await say("11-25 09:00-12:00")
    await tap_data(app, ADMIN, f"tf:n:{places}", chat_id=GROUP)
    await tap_data(app, ADMIN, f"tf:n:{points}", chat_id=GROUP)
    await tap_data(app, ADMIN, "tf:aud:volunteers", chat_id=GROUP)


async def test_publish_take_report_confirm(app: App, clock: Clock) -> None:
    app.server.bot(TOKEN).register_group(GROUP, forum=True)
    await app.onboard(ADMIN)
    volunteer = await make(app, EN_DRIVER)
    await app.text(EN_DRIVER, "/tasks")
    await tap_data(app, EN_DRIVER, "tk:sub")
    await publish(app)

    preview = last_with_buttons(app, GROUP)
    assert "高速路口安全宣传" in preview["text"] and "自贡东收费站" in preview["text"]
    assert "11-25 09:00-12:00" in preview["text"]
    publish_data = data_of(preview, "tf:pub")
    await tap_data(app, ADMIN, "tf:pub", chat_id=GROUP)
    again = await app.feed(
        specs.callback(
            ADMIN, preview["message_id"], publish_data, chat_id=GROUP, check_button=False
        )
    )
    assert not alerts(again)  # a quiet "this form is closed"
    async with app.session_factory() as session:
        assert await session.scalar(select(func.count(TaskRow.id))) == 1
    task = await task_row(app)
    assert (task.city, task.places, task.points, task.audience) == (
        "自贡",
        3,
        20,
        TaskAudience.VOLUNTEERS,
    )
    assert task.starts_at == local(25, 9) and task.ends_at == local(25, 12)

    # The card: in the group's tasks topic, no names.
    topics = app.server.sent(TOKEN, method="createForumTopic")
    assert len(topics) == 1
    card = last_with_buttons(app, GROUP)
    assert f"{task.id}" in card["text"] and card.get("message_thread_id")
    assert data_of(card, "tc:roster")

    # The offer reached the volunteer; a tap takes a place.
    offer = last_with_buttons(app, EN_DRIVER.id)
    assert "高速路口安全宣传" in offer["text"] and "Take a place" in offer["text"] + str(offer)
    await tap_data(app, EN_DRIVER, "tk:take")
    again = await press_again(app, EN_DRIVER, offer["message_id"], data_of(offer, "tk:take"))
    assert alerts(again)  # "you have a place already"
    assert (await task_row(app)).taken == 1
    card = [
        m for m in app.server.chat_messages(TOKEN, GROUP) if m["message_id"] == card["message_id"]
    ][-1]

    # Too early to report done; from the start on it works, with a photo.
    clock.now = local(25, 9, 30)
    await app.text(EN_DRIVER, "/tasks")
    await tap_data(app, EN_DRIVER, "tk:show")
    await tap_data(app, EN_DRIVER, "tk:done")
    assert "photo" in last_with_buttons(app, EN_DRIVER.id)["text"]
    await app.text(EN_DRIVER, "done")  # not a photo: asked again, nothing changes
    await app.feed(specs.photo(EN_DRIVER, b"\xff\xd8\xff" + b"0" * 64))
    async with app.session_factory() as session:
        taker = await session.scalar(select(TakerRow).where(TakerRow.user_id == volunteer))
        assert taker is not None and taker.status is TakerStatus.DONE and taker.photo_file_id

    # The card, edited in place, shows the report (by place number); the admin confirms; a
    # second tap pays nothing more.
    await app.drain()
    shown = shown_card(app, card["message_id"])
    assert "📷" in shown["text"] and data_of(shown, "tc:ok") and data_of(shown, "tc:no")
    await tap_data(app, ADMIN, "tc:ok", chat_id=GROUP)
    confirm = f"tc:ok:{task.id}:{taker.id}:"
    again = await app.feed(
        specs.callback(ADMIN, card["message_id"], confirm, chat_id=GROUP, check_button=False)
    )
    assert alerts(again)
    async with app.session_factory() as session:
        assert await Ledger(session, app.settings.tz, PointsRules()).balance(volunteer) == 20
        assert await check(session) == []
    told = app.server.chat_messages(TOKEN, EN_DRIVER.id)[-1]["text"]
    assert "+20" in told

    # The roster goes to the admin's private chat; the group never sees names or phones.
    await tap_data(app, ADMIN, "tc:roster", chat_id=GROUP)
    roster = [m for m in app.server.chat_messages(TOKEN, ADMIN.id) if "photo" not in m][-1]
    assert EN_DRIVER.first_name in roster["text"]
    assert any("photo" in m for m in app.server.chat_messages(TOKEN, ADMIN.id))
    assert all(EN_DRIVER.first_name not in t and "+86" not in t for t in group_text(app))


async def test_offers_follow_the_opt_in_and_the_city(app: App, clock: Clock) -> None:
    app.server.bot(TOKEN).register_group(GROUP)
    await make(app, EN_DRIVER)  # a volunteer in 自贡 who opts in
    await app.text(EN_DRIVER, "/tasks")
    await tap_data(app, EN_DRIVER, "tk:sub")
    await make(app, DRIVER2)  # a volunteer in 自贡 who never opted in
    elsewhere = TgUser(1006, "赵师傅")
    await make(app, elsewhere, city="乐山")
    await app.text(elsewhere, "/tasks")
    await tap_data(app, elsewhere, "tk:sub")
    plain = TgUser(1007, "钱师傅")
    await make(app, plain, role=Role.DRIVER)
    await app.text(plain, "/tasks")
    await tap_data(app, plain, "tk:sub")
    await publish(app)
    await tap_data(app, ADMIN, "tf:pub", chat_id=GROUP)
    async with app.session_factory() as session:
        offers = list(
            await session.scalars(select(OutboxRow).where(OutboxRow.kind == MessageKind.TASK_OFFER))
        )
        assert [o.chat_id for o in offers] == [EN_DRIVER.id]
        assert await check(session) == []
