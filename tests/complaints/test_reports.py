"""The monthly report: its chart opens as a PNG, its spreadsheet holds the month's cases and
the right numbers; the morning list and the week's summary go once."""

from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import create_i18n
from handlers.complaints.reports import build_month
from knowledge.complaints.categories import Category
from tests.complaints.helpers import TZ, World, local
from tests.harness.app import App
from tests.harness.chat import tap

NOW = local("2026-11-02 10:00")  # a Monday


async def _november(factory: async_sessionmaker[AsyncSession]) -> None:
    async with factory() as session:
        w = await World(session).build(NOW)
        handler = await w.actor(w.handler)
        union = await w.actor(w.union_handler)
        fast = await w.file(NOW, Category.FREIGHT, key="a", amount_fen=86_000)
        await w.cases.accept(fast, handler, NOW)
        await w.cases.resolve(fast, handler, "已补发", False, NOW + timedelta(days=1))
        await w.cases.rate(fast, w.driver, 5, True, NOW + timedelta(days=1, hours=1))
        late = await w.file(NOW, Category.UNPAID_PAY, key="b")
        await w.cases.accept(late, union, NOW)
        # Five working days by the test's offices: due by the end of Nov 9; resolved Nov 18.
        await w.cases.resolve(late, union, "已调解", False, local("2026-11-18 10:00"))
        await w.cases.rate(late, w.driver, 2, True, local("2026-11-18 12:00"))
        await w.file(NOW, Category.TOLLS, key="c")  # still open
        await w.file(local("2026-12-01 09:00"), Category.TOLLS, key="d")  # next month
        await session.commit()


async def test_the_month_report_holds_the_right_numbers(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await _november(session_factory)
    i18n = create_i18n("zh")
    with i18n.context(), i18n.use_locale("zh"):
        chart, sheet, summary = await build_month(
            session_factory, TZ, local("2026-12-01 10:00"), "2026-11"
        )
    image = Image.open(io.BytesIO(chart))
    assert image.format == "PNG" and image.size[0] >= 1000
    book = load_workbook(io.BytesIO(sheet))
    rows = list(book["cases"].iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "类别", "状态")
    assert len(rows) == 1 + 3  # November's three cases, not December's
    first = rows[1]
    assert first[1] == "运费纠纷" and first[2] == "已归档" and first[15] == 860.0
    assert first[5].isoformat() == "2026-11-02T10:00:00"  # local time, a real datetime
    assert first[10] == "是" and first[11] == 1.0 and first[12] == 5
    assert rows[2][10] == "否"  # the unpaid-pay case was late
    summary_sheet = dict(book["summary"].iter_rows(values_only=True))
    assert summary_sheet["诉求数"] == 3 and summary_sheet["已办结"] == 2
    assert summary_sheet["按时办结率（%）"] == 50.0
    assert summary_sheet["平均评分"] == 3.5 and summary_sheet["涉及金额（元）"] == 860.0
    assert "诉求：3" in summary and "按时率：50%" in summary


async def test_formula_like_names_stay_text_as_typed(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        w = await World(session).build(NOW)
        await w.file(NOW, Category.FREIGHT, key="f", city="=HYPERLINK(1)")
        await session.commit()
    with create_i18n("zh").context():
        _chart, sheet, _summary = await build_month(
            session_factory, TZ, local("2026-12-01 10:00"), "2026-11"
        )
    cell = load_workbook(io.BytesIO(sheet))["cases"]["E2"]
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"


async def test_an_empty_month_still_renders(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    i18n = create_i18n("en")
    with i18n.context(), i18n.use_locale("en"):
        chart, sheet, summary = await build_month(
            session_factory, TZ, local("2026-12-01 10:00"), "2026-10"
        )
    assert Image.open(io.BytesIO(chart)).format == "PNG"
    assert len(list(load_workbook(io.BytesIO(sheet))["cases"].iter_rows())) == 1
    assert "Cases: 0" in summary


async def test_the_morning_list_and_the_week_go_once(app: App) -> None:
    from bot.db.outbox.models import OutboxRow
    from bot.feature import JobContext
    from scheduler.jobs.complaints import morning_lists, weekly_summary
    from tests.complaints.conftest import GROUP
    from tests.complaints.test_app_chain import HANDLER, file_with_photo, make_handler
    from tests.harness.app import DRIVER

    await make_handler(app)
    await file_with_photo(app)
    for _ in range(11):  # twelve open cases of the handler's office
        await app.text(DRIVER, "/complain")
        await tap(app, DRIVER, "🛣")
        await app.text(DRIVER, "ETC 重复扣费")
        await tap(app, DRIVER, "✅")
    ctx = JobContext(app.dp["core"], app.bot, app.kits)
    saturday = local("2026-11-28 09:00")
    assert await morning_lists(ctx, saturday) == 0  # not a working day
    monday = local("2026-11-30 09:00")
    assert await morning_lists(ctx, monday) == 1
    assert await morning_lists(ctx, monday) == 0  # once a day
    assert await weekly_summary(ctx, local("2026-11-30 09:30")) == 1
    assert await weekly_summary(ctx, local("2026-11-30 09:35")) == 0
    async with app.session_factory() as session:
        rows = list(await session.scalars(select(OutboxRow)))
    handler = await app.user_row(HANDLER.id)
    assert handler is not None
    morning = [r for r in rows if r.dedupe_key.startswith("case-morning:")]
    assert len(morning) == 1 and morning[0].chat_id == HANDLER.id
    assert "12" in morning[0].text and "另有 2 条" in morning[0].text
    week = [r for r in rows if r.dedupe_key.startswith("case-week:")]
    assert len(week) == 1 and week[0].chat_id == GROUP and "提交：12" in week[0].text
