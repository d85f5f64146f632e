"""The month's points summary: the right numbers by reason, the chart, once to the group."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.db.outbox.models import OutboxRow
from bot.db.points.models import Reason
from bot.feature import JobContext
from bot.sandbox import BotApiServer, specs
from bot.services.points.ledger import Ledger, NotEnoughPoints, PointsRules, check
from bot.services.points.summary import summarise
from scheduler.jobs.points import month_summary
from tests.harness.app import ADMIN, DRIVER, TOKEN, App, running_app
from tests.harness.chat import methods, texts
from tests.harness.clock import Clock
from tests.harness.people import person

GROUP = -100555
TZ_SHANGHAI = "Asia/Shanghai"


def at(month: int, day: int, hour: int = 12) -> datetime:
    """A Shanghai wall-clock time in 2026 as UTC (8 hours ahead)."""
    return datetime(2026, month, day, hour - 8, tzinfo=UTC)


async def _a_month_of_points(session_factory: async_sessionmaker, ids: list[int]) -> None:  # type: ignore[type-arg]
    from zoneinfo import ZoneInfo

    async with session_factory() as session:
        ledger = Ledger(session, ZoneInfo(TZ_SHANGHAI), PointsRules())
        first, second = ids
        await ledger.reward_report(first, 1, "S1", True, at(11, 2))  # 10 + 20 bonus
        await ledger.grant(second, 50, "g1", first, "送考", at(11, 3))
        await ledger.award(first, 15, "task:1:1", Reason.TASK, at(11, 5))
        await ledger.redeem(second, 40, "redeem:1", at(11, 6))
        await ledger.refund(second, 40, "voucher-refund:1", at(11, 20))
        await ledger.redeem(second, 30, "redeem:2", at(11, 21))
        await ledger.deduct(first, 5, "d1", second, "重复", at(11, 25))
        # The edges: 31 October 23:59 and 1 December 00:00 in Shanghai are other months.
        october_end = datetime(2026, 10, 31, 15, 59, tzinfo=UTC)  # 23:59 in Shanghai
        december_start = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # 00:00 in Shanghai
        await ledger.grant(first, 7, "g-oct", second, "十月", october_end)
        await ledger.grant(first, 9, "g-dec", second, "十二月", december_start)
        with pytest.raises(NotEnoughPoints):  # refused: nothing moves, nothing is counted
            await ledger.redeem(first, 10_000, "redeem:too-much", at(11, 26))
        await session.commit()


async def test_the_summary_sums_the_month_by_reason(engine: AsyncEngine) -> None:
    from zoneinfo import ZoneInfo

    factory = async_sessionmaker(engine, expire_on_commit=False)
    async with factory() as session:
        ids = [await person(session, 5001), await person(session, 5002)]
        await session.commit()
    await _a_month_of_points(factory, ids)
    async with factory() as session:
        summary = await summarise(session, "2026-11", ZoneInfo(TZ_SHANGHAI))
        assert summary.issued == 10 + 20 + 50 + 15
        assert summary.spent == 40 + 30
        assert summary.refunded == 40
        assert summary.taken == 5
        assert summary.net == 95 - 70 + 40 - 5
        assert summary.by_reason[Reason.REDEEM].transfers == 2
        assert set(summary.by_reason) == {
            Reason.REPORT, Reason.FIRST_REPORT, Reason.GRANT, Reason.TASK, Reason.REDEEM,
            Reason.REFUND, Reason.DEDUCT,
        }  # fmt: skip
        assert (summary.earners, summary.spenders) == (2, 2)
        assert summary.held == 95 - 70 + 40 - 5 + 7 + 9
        october = await summarise(session, "2026-10", ZoneInfo(TZ_SHANGHAI))
        assert october.issued == 7 and october.spent == 0
        assert (await summarise(session, "2026-09", ZoneInfo(TZ_SHANGHAI))).empty
        assert await check(session) == []


async def _onboarded_with_points(app: App) -> None:
    """The driver and the admin onboarded, and their month of points stored."""
    await app.onboard(DRIVER)
    await app.onboard(ADMIN)
    driver, admin = await app.user_row(DRIVER.id), await app.user_row(ADMIN.id)
    assert driver is not None and admin is not None
    await _a_month_of_points(app.session_factory, [driver.id, admin.id])


async def test_the_group_gets_last_months_summary_once(
    server: BotApiServer, engine: AsyncEngine, db_url: str, tmp_path: Path
) -> None:
    clock = Clock(at(11, 23))
    async with running_app(server, engine, db_url, clock=clock, admin_chat_id=GROUP,
                           data_dir=tmp_path) as app:  # fmt: skip
        await _onboarded_with_points(app)
        ctx = JobContext(app.dp["core"], app.bot, app.kits)
        clock.now = at(11, 30, 10)
        assert await month_summary(ctx) == 1  # October's (its one grant)
        clock.now = at(12, 1, 10)
        assert await month_summary(ctx) == 1  # November's
        assert await month_summary(ctx) == 0  # once
        async with app.session_factory() as session:
            rows = list(await session.scalars(
                select(OutboxRow).where(OutboxRow.dedupe_key.like("points-month:%"))))  # fmt: skip
            assert await check(session) == []
        assert sorted(r.dedupe_key for r in rows) == ["points-month:2026-10",
                                                      "points-month:2026-11"]  # fmt: skip
        november = next(r for r in rows if r.dedupe_key.endswith("2026-11"))
        assert november.chat_id == GROUP and november.photo is not None
        assert "95" in november.text and "70" in november.text  # issued, spent
        with Image.open(november.photo) as chart:
            assert chart.format == "PNG" and chart.width > 600
        await app.drain(clock.now)
        posted = [m for m in app.server.chat_messages(TOKEN, GROUP) if m.get("photo")]
        assert len(posted) == 2 and DRIVER.first_name not in str(posted)


async def test_an_admin_asks_for_any_month(
    server: BotApiServer, engine: AsyncEngine, db_url: str, tmp_path: Path
) -> None:
    clock = Clock(at(12, 2))
    async with running_app(server, engine, db_url, clock=clock, admin_chat_id=GROUP,
                           data_dir=tmp_path) as app:  # fmt: skip
        await _onboarded_with_points(app)
        sent = await app.feed(specs.text(ADMIN, "/points_report"))
        assert methods(sent) == ["sendPhoto"]
        caption = texts(sent)[0]
        assert "2026-11" in caption and "发放 95" in caption and "兑换 70" in caption
        refused = await app.feed(specs.text(ADMIN, "/points_report 11月"))
        assert methods(refused) == ["sendMessage"] and "/points_report 2026-11" in texts(refused)[0]
        october = await app.feed(specs.text(ADMIN, "/points_report 2026-10"))
        assert methods(october) == ["sendPhoto"] and "发放 7 " in texts(october)[0]
        denied = await app.feed(specs.text(DRIVER, "/points_report 2026-11"))
        assert "sendPhoto" not in methods(denied)
