"""The points shop end to end through the local Bot API server: ⭐ My points → 🛒 → an item →
confirm → the voucher and its QR image → /myvouchers → an admin's /redeem in the admins'
group → used once, the driver told. Refusals along the way change nothing."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.shop.models import VoucherRow, VoucherStatus
from bot.db.users.models import User
from bot.sandbox import specs
from bot.services.points.ledger import check
from handlers.shop.callbacks import ShopCb
from tests.harness.app import ADMIN, EN_DRIVER, TOKEN, App
from tests.harness.chat import (
    alerts,
    answers,
    button_rows,
    last_with_buttons,
    methods,
    press_again,
    tap,
    texts,
)
from tests.shop.conftest import GROUP, NOW, driver_with, item_row, ledger, stock, vouchers


async def _user_id(app: App, telegram_id: int) -> int:
    async with app.session_factory() as session:
        found = await session.scalar(select(User.id).where(User.telegram_id == telegram_id))
        assert found is not None
        return found


async def test_redeem_show_and_hand_over(app: App) -> None:
    app.server.bot(TOKEN).register_group(GROUP)
    await app.onboard(EN_DRIVER)
    driver = await _user_id(app, EN_DRIVER.id)
    async with app.session_factory() as session:
        ids = await stock(session)
        await ledger(session).grant(driver, 40, "grant:test", driver, "test", NOW)
        await session.commit()

    await app.text(EN_DRIVER, "⭐ My points")
    screen = last_with_buttons(app, EN_DRIVER.id)
    assert ["🛒 Points shop", "🎫 My vouchers"] in button_rows(screen)
    mid = screen["message_id"]
    await tap(app, EN_DRIVER, "🛒")
    shown = last_with_buttons(app, EN_DRIVER.id)
    assert shown["message_id"] == mid  # one message, edited in place
    labels = [label for row in button_rows(shown) for label in row]
    assert any("Towel · 30" in label for label in labels)
    assert not any("Zigong" in label for label in labels)  # another city's item

    await tap(app, EN_DRIVER, "Towel")
    item = last_with_buttons(app, EN_DRIVER.id)
    assert "Left: 10" in item["text"] and "0 of 2" in item["text"]
    await tap(app, EN_DRIVER, "Redeem for 30 points")
    ask = last_with_buttons(app, EN_DRIVER.id)
    assert ask["text"].startswith("Spend 30 points on Towel?")
    confirm = app.find_button(EN_DRIVER.id, "Confirm")
    done = await tap(app, EN_DRIVER, "Confirm")
    [voucher] = await _vouchers(app)
    code = f"{voucher.code[:4]}-{voucher.code[4:]}"
    assert "sendPhoto" in methods(done)
    assert any(code in t for t in texts(done))
    assert last_with_buttons(app, EN_DRIVER.id)["message_id"] == mid

    again = await press_again(app, EN_DRIVER, *confirm)  # a double tap on Confirm
    assert "sendPhoto" not in methods(again) and answers(again)
    assert len(await _vouchers(app)) == 1
    async with app.session_factory() as session:
        assert await ledger(session).balance(driver) == 10

    # Ten points left: the towel's confirm step is refused with an alert, nothing changes.
    await tap(app, EN_DRIVER, "🛒")
    await tap(app, EN_DRIVER, "Towel")
    refused = await tap(app, EN_DRIVER, "Redeem for 30 points")
    assert alerts(refused) == ["You do not have enough points for this yet."]
    forged = ShopCb(a="ok", i=ids["towel"], n="forged00").pack()
    refused = await press_again(app, EN_DRIVER, mid, forged)
    assert alerts(refused) == ["You do not have enough points for this yet."]
    gone = await press_again(app, EN_DRIVER, mid, ShopCb(a="item", i=99999).pack())
    assert alerts(gone) == ["This item is no longer in the shop."]
    theirs = await press_again(app, EN_DRIVER, mid, ShopCb(a="qr", i=99999).pack())
    assert alerts(theirs) == ["This voucher is not one of yours."]
    assert len(await _vouchers(app)) == 1

    mine = await app.text(EN_DRIVER, "/myvouchers")
    assert any(code in t and "unused" in t for t in texts(mine))
    qr = await tap(app, EN_DRIVER, "QR")
    assert "sendPhoto" in methods(qr)

    # At the station: an admin in the admins' group, the code typed any way.
    used = await app.feed(specs.text(ADMIN, f"/redeem {voucher.code.lower()}", chat_id=GROUP))
    assert any(code in t and "Towel" not in t for t in texts(used))  # the admin reads zh
    [row] = await _vouchers(app)
    assert row.status is VoucherStatus.USED and row.used_at is not None
    told = app.server.chat_messages(TOKEN, EN_DRIVER.id)[-1]["text"]
    assert code in told and "was used" in told
    twice = await app.feed(specs.text(ADMIN, f"/redeem {code}", chat_id=GROUP))
    assert texts(twice) and all(code in t and "已于" in t and "请勿发放" in t for t in texts(twice))
    unknown = await app.feed(specs.text(ADMIN, "/redeem ZZZZ-ZZZZ", chat_id=GROUP))
    assert texts(unknown) and "ZZZZ-ZZZZ" in texts(unknown)[0]
    nobody = await app.text(EN_DRIVER, f"/redeem {code}")  # a driver may not
    assert texts(nobody) == ["Sorry, this command is for admins only."]
    report = await app.feed(specs.text(ADMIN, "/shop_report", chat_id=GROUP))
    assert any("10/10" not in t and "9/10 · 0 · 1 · 0" in t for t in texts(report))

    mine = await app.text(EN_DRIVER, "/myvouchers")
    assert any(code in t and "used on" in t for t in texts(mine))
    async with app.session_factory() as session:
        assert (await item_row(session, ids["towel"])).remaining == 9
        assert await check(session) == []


async def _vouchers(app: App) -> list[VoucherRow]:
    async with app.session_factory() as session:
        return await vouchers(session)


async def test_a_driver_without_points_is_told_before_confirming(app: App) -> None:
    await app.onboard(EN_DRIVER)
    async with app.session_factory() as session:
        await stock(session)
        await driver_with(session, 7001, 0)
        await session.commit()
    await app.text(EN_DRIVER, "⭐ My points")
    await tap(app, EN_DRIVER, "🛒")
    await tap(app, EN_DRIVER, "Towel")
    refused = await tap(app, EN_DRIVER, "Redeem")
    assert alerts(refused) == ["You do not have enough points for this yet."]
    assert "Spend" not in last_with_buttons(app, EN_DRIVER.id)["text"]
    async with app.session_factory() as session:
        assert await vouchers(session) == [] and await check(session) == []
