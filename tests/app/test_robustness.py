"""Duplicates, floods, failures, blocked users, admin refusals, privacy commands."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.updates.models import ProcessedUpdate
from bot.db.users.models import User
from bot.middlewares.throttle import MemoryThrottle, RedisThrottle
from bot.sandbox import BotApiServer, TgUser, specs
from tests.harness import ADMIN, DRIVER, TOKEN, App, running_app, texts
from tests.harness.redis import reachable_redis


async def test_duplicate_update_has_one_effect_even_after_restart(
    app: App, server: BotApiServer, engine: AsyncEngine, db_url: str
) -> None:
    await app.text(DRIVER, "/start")
    message_id, data = app.find_button(DRIVER.id, "✅")
    update = server.inject_update(TOKEN, specs.callback(DRIVER, message_id, data))
    before = app.last_seq()
    await app.feed_raw(update)
    await app.feed_raw(update)  # Telegram delivers at least once
    calls = server.sent(TOKEN, after=before)
    assert [r["method"] for r in calls].count("answerCallbackQuery") == 1
    assert sum("您从事什么工作" in t for t in texts(calls)) == 1

    # A read-only update (a menu tap) is recorded too, in a batch.
    await app.press(DRIVER, "🚚")
    await app.text(DRIVER, "⏭ 跳过")
    await app.text(DRIVER, "⏭ 跳过")
    tap = server.inject_update(TOKEN, specs.text(DRIVER, "📅 本月活动"))
    await app.feed_raw(tap)
    await app.dp.emit_shutdown(bot=app.bot)  # flushes the batch, as a clean stop would

    async with running_app(server, engine, db_url) as restarted:  # fresh memory, same DB
        before = restarted.last_seq()
        await restarted.feed_raw(update)
        await restarted.feed_raw(tap)
        assert server.sent(TOKEN, after=before) == []
        async with restarted.session_factory() as session:
            ids = set(await session.scalars(select(ProcessedUpdate.update_id)))
        assert {update["update_id"], tap["update_id"]} <= ids


async def test_failed_update_leaves_no_trace_and_user_is_told(app: App) -> None:
    await app.text(DRIVER, "/start")
    await app.press(DRIVER, "✅")
    await app.press(DRIVER, "🚚")
    app.server.add_fault(TOKEN, 400, method="sendMessage", description="Bad Request: boom")
    app.expect_error("Bad Request: boom")
    sent = await app.text(DRIVER, "温州")
    assert texts(sent) == ["抱歉，系统出了点问题，请稍后再试。"]
    assert "Traceback" not in json.dumps(sent, ensure_ascii=False)
    assert (await app.user_row(DRIVER.id)).city is None  # the step's write was rolled back
    sent = await app.text(DRIVER, "温州")  # retrying works
    assert "城市：温州" in texts(sent)


async def test_user_who_blocked_the_bot_is_marked(app: App) -> None:
    await app.onboard(DRIVER)
    app.server.set_blocked(TOKEN, DRIVER.id, True)
    await app.text(DRIVER, "📅 本月活动")
    assert (await app.user_row(DRIVER.id)).blocked_bot is True
    app.server.set_blocked(TOKEN, DRIVER.id, False)
    await app.text(DRIVER, "/help")  # writing to the bot again means unblocked
    assert (await app.user_row(DRIVER.id)).blocked_bot is False


async def test_my_chat_member_tracks_blocking(app: App) -> None:
    await app.onboard(DRIVER)
    bot_user = {"id": 123456, "is_bot": True, "first_name": "WarmDrive"}
    for old, new, blocked in (("member", "kicked", True), ("kicked", "member", False)):
        await app.feed(
            specs.raw(
                {
                    "my_chat_member": {
                        "chat": {"id": DRIVER.id, "type": "private", "first_name": "张"},
                        "from": DRIVER.as_dict(),
                        "date": 1,
                        "old_chat_member": {"status": old, "user": bot_user, "until_date": 0},
                        "new_chat_member": {"status": new, "user": bot_user, "until_date": 0},
                    }
                }
            )
        )
        assert (await app.user_row(DRIVER.id)).blocked_bot is blocked


async def test_flood_is_answered_once_and_others_are_not_slowed(
    server: BotApiServer, engine: AsyncEngine, db_url: str
) -> None:
    async with running_app(server, engine, db_url, throttle_rate=3, throttle_period=60) as app:
        flooder, other = DRIVER, TgUser(2002, "李师傅")
        replies = await app.text(flooder, "/language")  # 1 of 3
        replies += await app.text(flooder, "/help")  # 2 of 3
        for i in range(8):
            replies += await app.text(flooder, f"/help {i}")
            if i == 4:
                other_reply = await app.text(other, "/help")
        assert len(texts(replies)) == 3 + 1  # three answers, then one polite warning
        assert texts(replies)[-1] == "您发送得太快了，请稍等几秒再试。"
        assert texts(other_reply)[0].startswith("暖驶为路上的司机朋友服务")
        # A throttled button press is answered silently (no spinner) and changes nothing.
        sent = await app.press(flooder, "English")
        assert [(r["method"], r["params"].get("text")) for r in sent] == [
            ("answerCallbackQuery", None)
        ]
        assert (await app.user_row(flooder.id)).language == "zh"


async def test_a_flood_gets_one_warning_then_silence(
    server: BotApiServer, engine: AsyncEngine, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """60 messages in 2 s with the default limit (10 per 5 s): ten answers, one warning, then
    nothing; not a warning and another answer each time the bucket drains a little. The loop's
    clock (which the buckets drain by) stands still but for 2/60 s per message, however slow
    the machine is."""
    loop = asyncio.get_running_loop()
    start, offset = loop.time(), [0.0]
    monkeypatch.setattr(loop, "time", lambda: start + offset[0])
    async with running_app(server, engine, db_url, throttle_rate=10, throttle_period=5) as app:
        replies: list[str] = []
        for i in range(60):
            replies += texts(await app.text(DRIVER, f"随便说点什么 {i}"))
            offset[0] += 2 / 60
        warning = "您发送得太快了，请稍等几秒再试。"
        assert replies.count(warning) == 1
        assert len(replies) == 10 + 1 and replies[-1] == warning


async def test_a_flood_is_quiet_for_a_whole_period_after_the_warning() -> None:
    now = [0.0]
    throttle = MemoryThrottle(rate=2, period=10, clock=lambda: now[0])
    assert [await throttle.hit(1) for _ in range(3)] == [(True, False)] * 2 + [(False, True)]
    now[0] = 9.9  # still within the period: ignored, and not warned again
    assert [await throttle.hit(1) for _ in range(5)] == [(False, False)] * 5
    assert await throttle.hit(2) == (True, False)  # nobody else is affected


async def test_redis_throttle_warns_once_per_flood() -> None:
    redis = await reachable_redis()
    user = 700_000 + int(time.time() * 1000) % 100_000  # a fresh user per run
    try:
        throttle = RedisThrottle(redis, rate=10, period=60)
        results = [await throttle.hit(user) for _ in range(60)]
        assert results[:10] == [(True, False)] * 10
        assert results[10] == (False, True)
        assert results[11:] == [(False, False)] * 49
    finally:
        await redis.delete(f"warmdrive:throttle-quiet:{user}")
        await redis.aclose()


async def test_admin_commands_refused_for_drivers(app: App) -> None:
    await app.onboard(DRIVER)
    for command in ("/stats", f"/setrole {DRIVER.id} admin"):
        sent = await app.text(DRIVER, command)
        assert texts(sent) == ["抱歉，此命令仅限管理员使用。"]
    assert (await app.user_row(DRIVER.id)).role.value == "driver"


async def test_admin_stats_and_setrole(app: App) -> None:
    await app.onboard(DRIVER)
    await app.onboard(ADMIN)
    sent = await app.text(ADMIN, "/stats")
    assert "司机：1" in texts(sent)[0] and "管理员：1" in texts(sent)[0]
    assert "🚚 货车司机：2" in texts(sent)[0]
    sent = await app.text(ADMIN, f"/setrole {DRIVER.id} volunteer")
    assert texts(sent) == [f"用户 {DRIVER.id} 的角色已改为：志愿者。"]
    assert (await app.user_row(DRIVER.id)).role.value == "volunteer"
    assert "用法" in texts(await app.text(ADMIN, "/setrole 12 king"))[0]
    assert "还没有使用过" in texts(await app.text(ADMIN, "/setrole 77 driver"))[0]
    assert "ADMIN_IDS" in texts(await app.text(ADMIN, f"/setrole {ADMIN.id} driver"))[0]


async def test_mydata_sends_own_data_as_json(app: App) -> None:
    await app.onboard(DRIVER)
    sent = await app.text(DRIVER, "/mydata")
    doc = next(r for r in sent if r["method"] == "sendDocument")
    file_id = doc["result"]["document"]["file_id"]
    file = await app.bot.get_file(file_id)
    data = json.loads((await app.bot.download(file)).read())
    assert data["user"]["telegram_id"] == DRIVER.id
    assert data["user"]["occupation"] == "truck"
    assert data["user"]["consent_at"]


async def test_deleteme_erases_after_confirmation(app: App) -> None:
    await app.onboard(DRIVER)
    await app.text(DRIVER, "/deleteme")
    sent = await app.press(DRIVER, "↩️")
    assert "没有删除" in texts(sent)[0]
    assert (await app.user_row(DRIVER.id)) is not None
    await app.text(DRIVER, "/deleteme")
    sent = await app.press(DRIVER, "🗑 确认删除")
    assert "已删除" in texts(sent)[0]
    assert await app.user_row(DRIVER.id) is None  # no row carries the Telegram id any more
    async with app.session_factory() as session:
        erased = (await session.scalars(select(User).where(User.erased_at.is_not(None)))).all()
        assert len(erased) == 1 and erased[0].display_name is None and erased[0].city is None
        assert await session.scalar(select(func.count()).select_from(User)) == 1
    sent = await app.text(DRIVER, "/start")  # coming back starts afresh
    assert "您同意吗" in texts(sent)[0]


def _command_lists(app: App) -> dict[tuple[str, str | None], list[str]]:
    lists = {}
    for entry in app.server.commands(TOKEN):
        scope = entry.get("scope") or {"type": "default"}
        where = f"chat:{scope['chat_id']}" if scope["type"] == "chat" else scope["type"]
        lists[(where, entry.get("language_code") or None)] = [
            f"{c['command']}={c['description']}" for c in entry["commands"]
        ]
    return lists


async def test_commands_registered_per_language(app: App) -> None:
    await app.dp.emit_startup(bot=app.bot)
    lists = _command_lists(app)
    assert lists[("default", "zh")][0] == "start=开始使用 / 显示菜单"
    assert lists[("default", "en")][0] == "start=Start, or show the menu"
    assert lists[("default", None)] == lists[("default", "zh")]
    assert not any(c.startswith("stats=") for c in lists[("default", "en")])
    # Admins get their own lists, in every language (a chat scope beats any default one).
    admin_en = lists[(f"chat:{ADMIN.id}", "en")]
    assert "stats=User numbers" in admin_en and "start=Start, or show the menu" in admin_en
    assert "stats=用户统计" in lists[(f"chat:{ADMIN.id}", "zh")]


async def test_groups_show_no_personal_commands_and_the_admins_group_the_admin_ones(
    server: BotApiServer, engine: AsyncEngine, db_url: str
) -> None:
    async with running_app(server, engine, db_url, admin_chat_id=GROUP) as app:
        server.inject_update(TOKEN, specs.text(ADMIN, "/help", chat_id=GROUP))  # the group
        await app.dp.emit_startup(bot=app.bot)
        lists = _command_lists(app)
    for language in ("zh", "en", None):
        assert [c.split("=")[0] for c in lists[("all_group_chats", language)]] == ["help"]
        in_admin_group = [c.split("=")[0] for c in lists[(f"chat:{GROUP}", language)]]
        assert {"bookings_today", "checkin", "station_close", "help"} <= set(in_admin_group)
        assert not {"mybookings", "deleteme", "mydata", "start"} & set(in_admin_group)


async def test_setrole_updates_command_menu(app: App) -> None:
    await app.onboard(DRIVER)
    await app.onboard(ADMIN)
    await app.text(ADMIN, f"/setrole {DRIVER.id} admin")
    assert "stats=User numbers" in _command_lists(app)[(f"chat:{DRIVER.id}", "en")]
    await app.text(ADMIN, f"/setrole {DRIVER.id} driver")
    assert (f"chat:{DRIVER.id}", "en") not in _command_lists(app)


async def test_removed_from_admin_ids_loses_admin(
    server: BotApiServer, engine: AsyncEngine, db_url: str
) -> None:
    async with running_app(server, engine, db_url) as app:
        await app.onboard(ADMIN)
        assert (await app.user_row(ADMIN.id)).role.value == "admin"
    async with running_app(server, engine, db_url, admin_ids=frozenset()) as app:
        sent = await app.text(ADMIN, "/stats")
        assert texts(sent) == ["抱歉，此命令仅限管理员使用。"]
        assert (await app.user_row(ADMIN.id)).role.value == "driver"


GROUP = -100555


async def test_personal_data_never_shows_in_a_group(app: App) -> None:
    await app.onboard(DRIVER)
    for command in ("/mydata", "/profile", "/start", "/cancel", "/nearest", "/deleteme"):
        sent = await app.feed(specs.text(DRIVER, command, chat_id=GROUP))
        sent = [r for r in sent if r["method"] != "getMe"]  # the bot looks up its username
        assert [r["method"] for r in sent] == ["sendMessage"], command
        assert texts(sent) == ["为保护您的个人信息，请在与我的私聊中使用此功能。"], command
        buttons = sent[0]["reply_markup"]["inline_keyboard"][0][0]
        assert buttons["url"].startswith("https://t.me/"), command
    for text in ("📍 附近驿站", "随便说点什么"):
        assert await app.feed(specs.text(DRIVER, text, chat_id=GROUP)) == []
    assert await app.feed(specs.location(DRIVER, 29.4, 103.5, chat_id=GROUP)) == []


async def test_anonymous_group_admin_is_ignored_quietly(app: App) -> None:
    anonymous = {
        "id": 1087968824,
        "is_bot": True,
        "first_name": "Group",
        "username": "GroupAnonymousBot",
    }
    for text in ("/stats", "/help", "hello"):
        update = {
            "message": {
                "message_id": 1, "date": 1, "text": text,
                "chat": {"id": GROUP, "type": "supergroup", "title": "管理组"},
                "from": anonymous,
                "sender_chat": {"id": GROUP, "type": "supergroup", "title": "管理组"},
            }
        }  # fmt: skip
        sent = await app.feed(specs.raw(update))
        assert not any("出了点问题" in t for t in texts(sent)), text
        if text == "/stats":  # told why nothing happens, not left in silence
            assert "匿名" in texts(sent)[0]


async def test_admin_who_never_opened_the_bot_is_served_in_the_group(app: App) -> None:
    await app.onboard(DRIVER)
    sent = await app.feed(specs.text(ADMIN, "/stats", chat_id=GROUP))
    assert "司机：1" in texts(sent)[0]  # no consent screen needed for admin work
    row = await app.user_row(ADMIN.id)
    assert row.consent_at is None and row.display_name is None  # and nothing personal kept
    sent = await app.feed(specs.text(DRIVER, "/stats", chat_id=GROUP))
    assert texts(sent) == ["抱歉，此命令仅限管理员使用。"]


async def test_short_rate_limit_is_retried_and_nothing_is_lost(app: App) -> None:
    await app.text(DRIVER, "/start")
    await app.press(DRIVER, "✅")
    await app.press(DRIVER, "🚚")
    app.server.add_fault(TOKEN, 429, method="sendMessage", retry_after=1, count=1)
    sent = await app.text(DRIVER, "温州")
    assert [r["ok"] for r in sent if r["method"] == "sendMessage"][:2] == [False, True]
    assert "城市：温州" in texts(sent)
    assert (await app.user_row(DRIVER.id)).city == "温州"


async def test_long_rate_limit_fails_the_update_cleanly(app: App) -> None:
    await app.text(DRIVER, "/start")
    await app.press(DRIVER, "✅")
    await app.press(DRIVER, "🚚")
    app.server.add_fault(TOKEN, 429, method="sendMessage", retry_after=600, count=1)
    await app.text(DRIVER, "温州")
    assert (await app.user_row(DRIVER.id)).city is None  # rolled back, not half-done
