"""Starting a broadcast: the audience into the outbox once per driver, whoever starts it and
however often; the filters; quiet hours."""

from __future__ import annotations

import asyncio
from datetime import time, timedelta

from sqlalchemy import update

from bot.db.broadcasts.models import BroadcastRow, BroadcastStatus
from bot.db.outbox.models import OutboxStatus
from bot.db.users.models import Occupation, Role
from bot.services.broadcasts import delivery
from bot.services.broadcasts.model import Target, TargetKind
from bot.services.broadcasts.service import BroadcastService
from scheduler.jobs.broadcasts import BroadcastRunner, drop_broadcast_drafts, start_broadcasts
from tests.broadcasts.helpers import add_driver, admin_id, broadcasts, compose, context, outbox
from tests.harness import ADMIN, App, Clock, local, tap, texts


async def test_a_scheduled_broadcast_starts_once_however_often_it_is_started(
    app: App, clock: Clock
) -> None:
    drivers = {await add_driver(app, 2000 + i, f"司机{i}") for i in range(3)}
    await compose(app, when="1 小时后")
    await tap(app, ADMIN, "定时发送")
    (row,) = await broadcasts(app)
    assert row.status is BroadcastStatus.SCHEDULED
    ctx = context(app)
    assert await start_broadcasts(ctx) == 0  # not yet
    clock.now += timedelta(hours=1)
    assert await start_broadcasts(ctx) == 1
    # A second scheduler, and the first one again: nothing more.
    other = BroadcastRunner(app.session_factory, app.settings.tz, app.settings.data_dir)
    assert await other.start_due(app.kits["broadcasts"].wording(), clock.now) == []
    assert await start_broadcasts(ctx) == 0
    # Even were its status lost (set back to scheduled), the dedupe key queues each once.
    async with app.session_factory() as session:
        await session.execute(update(BroadcastRow).values(status=BroadcastStatus.SCHEDULED))
        await session.commit()
    assert await start_broadcasts(ctx) == 1
    rows = await outbox(app, row.id)
    assert sorted(r.user_id for r in rows) == sorted(drivers)
    (after,) = await broadcasts(app)
    assert after.status is BroadcastStatus.RUNNING and after.recipients == 3


async def test_audience_filters_pick_the_right_drivers(app: App, clock: Clock) -> None:
    zigong = await add_driver(app, 2001, city="自贡", occupation=Occupation.TRUCK)
    leshan_en = await add_driver(app, 2002, city="乐山", occupation=Occupation.DELIVERY,
                                 language="en")  # fmt: skip
    volunteer = await add_driver(app, 2003, city="自贡", role=Role.VOLUNTEER,
                                 occupation=Occupation.COURIER)  # fmt: skip
    await add_driver(app, 2004, city="自贡", notifications=False)  # opted out
    await add_driver(app, 2005, city="自贡", blocked=True)  # blocked the bot
    await add_driver(app, 2006, city="自贡", consented=False)  # never agreed
    expected = {
        Target(): {zigong, leshan_en, volunteer},
        Target(TargetKind.CITY, "自贡"): {zigong, volunteer},
        Target(TargetKind.OCCUPATION, "delivery"): {leshan_en},
        Target(TargetKind.ROLE, "volunteer"): {volunteer},
        Target(TargetKind.LANGUAGE, "en"): {leshan_en},
    }
    author, tz, wording = await admin_id(app), app.settings.tz, app.kits["broadcasts"].wording()
    for target, users in expected.items():
        async with app.session_factory() as session:
            service = BroadcastService(session, tz)
            assert await service.count(target) == len(users), target
            b = await service.new_draft(author, "通知", None)
            await service.set_target(b.id, author, target)
            await service.confirm(b.id, author, None, clock.now, ADMIN.id, 1)
            assert await delivery.start(session, b.id, clock.now, tz, wording) == len(users)
            await session.commit()
        assert {r.user_id for r in await outbox(app, b.id)} == users, target


async def test_the_city_picker_and_a_typed_city(app: App) -> None:
    await add_driver(app, 2001, city="乐山")
    await add_driver(app, 2002, city="自贡")
    await add_driver(app, 2003, city="自贡")
    await app.text(ADMIN, "/broadcast")
    await app.text(ADMIN, "通知")
    await tap(app, ADMIN, "不加按钮")
    await tap(app, ADMIN, "同一文本")
    await tap(app, ADMIN, "按城市")
    picked = await tap(app, ADMIN, "乐山")
    assert "乐山的司机 — 将有 1 位司机收到" in texts(picked)[-1]
    await tap(app, ADMIN, "按城市")
    typed = await app.text(ADMIN, "自贡市")
    assert "自贡的司机 — 将有 2 位司机收到" in texts(typed)[-1]
    (row,) = await broadcasts(app)
    assert row.audience == {"kind": "city", "value": "自贡"}


async def test_quiet_hours_set_not_before(app: App, clock: Clock) -> None:
    default = await add_driver(app, 2001)  # 22:00-07:00
    night_owl = await add_driver(app, 2002, quiet=(time(0, 0), time(0, 0)))  # none
    early = await add_driver(app, 2003, quiet=(time(20, 0), time(6, 0)))
    await compose(app, when="⌨23:00")
    await tap(app, ADMIN, "定时发送")
    clock.now = local(23, 23)
    assert await start_broadcasts(context(app)) == 1
    rows = {r.user_id: r for r in await outbox(app)}
    assert rows[default].not_before == local(24, 7)
    assert rows[night_owl].not_before == local(23, 23)
    assert rows[early].not_before == local(24, 6)
    assert {r.status for r in rows.values()} == {OutboxStatus.PENDING}


async def test_two_schedulers_at_once_queue_each_driver_once(app: App, clock: Clock) -> None:
    drivers = sorted([await add_driver(app, 2000 + i, f"司机{i}") for i in range(5)])
    await compose(app, when="1 小时后")
    await tap(app, ADMIN, "定时发送")
    clock.now += timedelta(hours=1)
    wording, settings = app.kits["broadcasts"].wording(), app.settings
    runners = [
        BroadcastRunner(app.session_factory, settings.tz, settings.data_dir) for _ in range(2)
    ]
    started = await asyncio.gather(*(r.start_due(wording, clock.now) for r in runners))
    assert sorted(len(s) for s in started) == [0, 1]
    assert sorted(r.user_id for r in await outbox(app)) == drivers


async def test_drafts_given_up_are_dropped_after_a_week(app: App, clock: Clock) -> None:
    await add_driver(app, 2001)
    await app.text(ADMIN, "/broadcast")
    await app.text(ADMIN, "写了一半")
    await compose(app, "发出去的")
    await tap(app, ADMIN, "立即发送")
    async with app.session_factory() as session:
        await session.execute(update(BroadcastRow).values(created_at=clock.now - timedelta(days=8)))
        await session.commit()
    assert await drop_broadcast_drafts(context(app)) == 1
    (kept,) = await broadcasts(app)
    assert kept.text_zh == "发出去的" and kept.status is BroadcastStatus.RUNNING
