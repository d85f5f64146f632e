"""More time: a handler asks from the card, an admin decides from the group, the driver hears
of the new date; nobody else may decide."""

from __future__ import annotations

from bot.db.complaints.statuses import CaseStatus
from tests.complaints.conftest import GROUP
from tests.complaints.test_app_chain import HANDLER, case_row, file_with_photo, make_handler
from tests.harness.app import ADMIN, DRIVER, TOKEN, App
from tests.harness.chat import alerts, tap


async def test_an_approved_extension_moves_the_deadline(app: App) -> None:
    await make_handler(app)
    await app.onboard(ADMIN)
    case = await file_with_photo(app)
    await tap(app, HANDLER, "✋", chat_id=GROUP)
    await tap(app, HANDLER, "▶️", chat_id=GROUP)
    await tap(app, HANDLER, "⏳", chat_id=GROUP)
    await app.text(HANDLER, "3 需要调取高速监控")
    request = app.server.chat_messages(TOKEN, GROUP)[-1]
    assert "申请延期" in request["text"] and "需要调取高速监控" in request["text"]

    refused = await tap(app, HANDLER, "✅ 批准", chat_id=GROUP)
    assert alerts(refused) == ["只有管理员可以审批。"]
    assert (await case_row(app)).resolve_due == case.resolve_due

    await tap(app, ADMIN, "✅ 批准", chat_id=GROUP)
    moved = await case_row(app)
    assert moved.status is CaseStatus.IN_PROGRESS
    # Filed Monday Nov 23: resolve by the end of Mon Nov 30, three more working days: Dec 3.
    assert moved.resolve_due.isoformat() == "2026-12-03T16:00:00+00:00"
    decided = next(m for m in app.server.chat_messages(TOKEN, GROUP)
               if m["message_id"] == request["message_id"])  # fmt: skip
    assert "✔️" in decided["text"] and not decided.get("reply_markup")
    news = app.server.chat_messages(TOKEN, DRIVER.id)[-1]["text"]
    assert case.number in news and "12月3日" in news
    again = await app.text(HANDLER, "/case " + case.number)
    assert any(case.number in (r.get("plain_text") or "") for r in again)


async def test_case_and_handler_commands_refuse_drivers(app: App) -> None:
    case = await file_with_photo(app)
    sent = await app.text(DRIVER, "/case " + case.number)
    assert "只有承办人和管理员可以办理诉求。" in [r.get("plain_text") for r in sent]
    sent = await app.text(DRIVER, f"/handler {DRIVER.id} transport")
    assert any("仅限管理员" in (r.get("plain_text") or "") or "admins only" in
               (r.get("plain_text") or "") for r in sent)  # fmt: skip
    assert (await app.user_row(DRIVER.id)).role.value == "driver"  # type: ignore[union-attr]
