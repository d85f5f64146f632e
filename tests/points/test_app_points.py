"""⭐ My points and /points_grant through the local Bot API server."""

from __future__ import annotations

from bot.sandbox import TgUser, specs
from bot.services.points.ledger import check
from tests.app.test_personal_data import _my_data
from tests.harness.app import ADMIN, DRIVER, TOKEN, App
from tests.harness.chat import texts

STRANGER = TgUser(1006, "孙师傅")


async def test_grant_deduct_and_the_screen(app: App) -> None:
    await app.onboard(DRIVER)
    await app.onboard(ADMIN)
    sent = await app.text(DRIVER, "⭐ 我的积分")
    assert texts(sent)[0].startswith("⭐ 我的积分：0") and "随手拍" in texts(sent)[0]

    update = specs.text(ADMIN, f"/points_grant {DRIVER.id} 50 帮助组织送考活动")
    await app.feed(update)
    told = app.server.chat_messages(TOKEN, DRIVER.id)[-1]["text"]
    assert "50" in told and "帮助组织送考活动" in told

    raw = app.server.inject_update(TOKEN, specs.text(ADMIN, f"/points_grant {DRIVER.id} 5 again"))
    await app.feed_raw(raw)
    await app.feed_raw(raw)  # the same update delivered twice moves points once

    refused = await app.text(ADMIN, f"/points_grant {DRIVER.id} -100 too much")
    assert texts(refused) == [f"用户 {DRIVER.id} 只有 55 积分：未扣除。"]
    await app.text(ADMIN, f"/points_grant {DRIVER.id} -15 重复领取")

    screen = texts(await app.text(DRIVER, "⭐ 我的积分"))[0]
    assert screen.startswith("⭐ 我的积分：40")
    assert "帮助组织送考活动" in screen and "重复领取" in screen

    await app.onboard(STRANGER)
    denied = await app.text(STRANGER, f"/points_grant {STRANGER.id} 1000 me")
    assert texts(denied) == ["未知命令。发送 /help 查看可用功能。"]  # not an admin command to them
    async with app.session_factory() as session:
        assert await check(session) == []


async def test_mydata_holds_the_points(app: App) -> None:
    await app.onboard(DRIVER)
    await app.onboard(ADMIN)
    await app.text(ADMIN, f"/points_grant {DRIVER.id} 7 感谢")
    data = await _my_data(app, DRIVER)
    assert data["points"]["balance"] == 7
    assert [(m["points"], m["reason"], m["note"]) for m in data["points"]["movements"]] == [
        (7, "grant", "感谢")
    ]
