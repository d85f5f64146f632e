"""The whole chain through the local Bot API server: a driver files with a photo, a handler
takes it from the group card, asks for more, the driver answers, it is resolved, rated 2 and
"not solved", reopened, resolved again, rated 5, closed; every audit event checked, the group
never shown who the driver is."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.complaints.models import CaseRow, EventRow
from bot.db.complaints.statuses import CaseAction, CaseStatus
from bot.sandbox import TgUser, specs
from tests.complaints.conftest import GROUP
from tests.harness.app import ADMIN, DRIVER, TOKEN, App
from tests.harness.chat import alerts, last_with_buttons, press_again, tap, texts
from tests.harness.process import png

HANDLER = TgUser(2001, "陈科员")
OTHER = TgUser(1003, "李师傅")


async def case_row(app: App) -> CaseRow:
    async with app.session_factory() as session:
        row = await session.scalar(select(CaseRow))
        assert row is not None
        return row


async def actions(app: App, case_id: int) -> list[tuple[CaseAction, CaseStatus | None]]:
    async with app.session_factory() as session:
        rows = await session.scalars(
            select(EventRow).where(EventRow.complaint_id == case_id).order_by(EventRow.id)
        )
        return [(e.action, e.to_status) for e in rows]


async def file_with_photo(app: App) -> CaseRow:
    await app.onboard(DRIVER)
    await app.text(DRIVER, "/complain")
    await tap(app, DRIVER, "💴")
    await app.text(DRIVER, "货主拖欠运费 860 元，说好到货结清。")
    await app.feed(specs.photo(DRIVER, png(40, 30)))
    await tap(app, DRIVER, "✅")
    return await case_row(app)


async def make_handler(app: App) -> None:
    await app.onboard(HANDLER)
    await app.feed(specs.text(ADMIN, f"/handler {HANDLER.id} transport", chat_id=GROUP))


async def typed_in_private(app: App, user: TgUser, text: str) -> list[dict[str, object]]:
    return await app.text(user, text)


async def test_the_whole_chain_from_the_group_card(app: App) -> None:
    await make_handler(app)
    case = await file_with_photo(app)
    assert case.status is CaseStatus.NEW and case.office_id == "transport"
    assert any(case.number in t for t in texts(app.server.sent(TOKEN)))  # the driver's receipt
    card = last_with_buttons(app, GROUP)
    assert case.number in card["text"]
    for secret in (DRIVER.first_name, "张师傅", str(DRIVER.id)):
        assert secret not in card["text"]  # who the driver is never reaches the group

    refused = await tap(app, OTHER, "✋", chat_id=GROUP)  # not a handler
    assert alerts(refused) and (await case_row(app)).status is CaseStatus.NEW

    await tap(app, HANDLER, "✋", chat_id=GROUP)
    accepted = await case_row(app)
    assert accepted.status is CaseStatus.ACCEPTED and accepted.owner_id is not None
    news = app.server.chat_messages(TOKEN, DRIVER.id)[-1]
    assert case.number in news["text"] and "市公路与运输管理中心" in news["text"]

    await tap(app, HANDLER, "▶️", chat_id=GROUP)
    await tap(app, HANDLER, "💬", chat_id=GROUP)
    await typed_in_private(app, HANDLER, "请补充运单照片和聊天记录。")
    assert (await case_row(app)).status is CaseStatus.WAITING_DRIVER

    await tap(app, DRIVER, "✍️")
    await app.text(DRIVER, "运单已拍照，货主 11 月 3 日确认过。")
    assert (await case_row(app)).status is CaseStatus.IN_PROGRESS

    await tap(app, HANDLER, "✅", chat_id=GROUP)
    await typed_in_private(app, HANDLER, "已与货主协调，运费本周补发。")
    assert (await case_row(app)).status is CaseStatus.RESOLVED
    await tap(app, DRIVER, "★★", exact=True)
    await tap(app, DRIVER, "❌")
    reopened = await case_row(app)
    assert reopened.status is CaseStatus.IN_PROGRESS and reopened.reopened == 1

    await tap(app, HANDLER, "✅", chat_id=GROUP)
    await typed_in_private(app, HANDLER, "货主已补发全部运费 860 元。")
    await tap(app, DRIVER, "5★", exact=True)
    await tap(app, DRIVER, "✅")
    closed = await case_row(app)
    assert closed.status is CaseStatus.CLOSED and closed.rating == 5 and closed.review_needed

    assert await actions(app, closed.id) == [
        (CaseAction.FILED, CaseStatus.NEW),
        (CaseAction.ACCEPTED, CaseStatus.ACCEPTED),
        (CaseAction.STARTED, CaseStatus.IN_PROGRESS),
        (CaseAction.ASKED, CaseStatus.WAITING_DRIVER),
        (CaseAction.ANSWERED, CaseStatus.IN_PROGRESS),
        (CaseAction.RESOLVED, CaseStatus.RESOLVED),
        (CaseAction.REOPENED, CaseStatus.IN_PROGRESS),
        (CaseAction.RESOLVED, CaseStatus.RESOLVED),
        (CaseAction.RATED, CaseStatus.CLOSED),
    ]
    await app.drain()
    final = last_with_buttons(app, GROUP)
    assert closed.number in final["text"]
    group_texts = [m.get("text") or m.get("caption") or "" for m in
                   app.server.chat_messages(TOKEN, GROUP)]  # fmt: skip
    assert all(DRIVER.first_name not in t and "1380" not in t for t in group_texts)


async def test_a_stale_card_button_is_refused(app: App) -> None:
    await make_handler(app)
    await file_with_photo(app)
    card = last_with_buttons(app, GROUP)
    take = next(b for row in card["reply_markup"]["inline_keyboard"] for b in row
                if "✋" in b["text"])  # fmt: skip
    await tap(app, HANDLER, "✋", chat_id=GROUP)
    again = await press_again(app, HANDLER, card["message_id"], take["callback_data"])
    assert alerts(again)
    assert [a for a, _ in await actions(app, (await case_row(app)).id)].count(
        CaseAction.ACCEPTED
    ) == 1
