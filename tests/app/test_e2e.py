"""End to end: the bot runs for real (polling or webhook) against the local Bot API server and a
user talks to it over HTTP, as through a Telegram client."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import create_dispatcher
from bot.db.engine import create_engine
from bot.sandbox import BotApiServer, SandboxClient, TgUser, specs
from bot.services.checkups.catalog import load_sample_if_empty as load_sample_checkups
from bot.services.stations.service import load_sample_if_empty
from tests.harness import TOKEN, make_bot, test_settings
from tests.harness.redis import REDIS_URL, reachable_redis

ROOT = Path(__file__).resolve().parents[2]
MENU_ZH = ["📍 附近驿站", "🩺 体检预约", "📝 我要投诉", "📸 随手拍", "⭐ 我的积分", "📅 本月活动"]


async def _button(client: SandboxClient, chat_id: int, label: str) -> tuple[int, str]:
    for message in reversed(await client.chat_messages(chat_id)):
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if label in button["text"]:
                    return message["message_id"], button["callback_data"]
    raise AssertionError(f"no button {label!r}")


def _texts(records: list[dict[str, Any]]) -> list[str]:
    return [r["plain_text"] for r in records if r.get("plain_text")]


async def converse_onboarding(client: SandboxClient, user: TgUser) -> None:
    """A driver's whole first conversation, every step checked."""
    sent = await client.send_text_and_wait(user, "/start", method="sendMessage")
    assert "您同意吗" in _texts(sent)[0]
    sent = await client.press_and_wait(
        user, *await _button(client, user.id, "✅"), method="sendMessage"
    )
    assert "您从事什么工作" in _texts(sent)[0]
    sent = await client.press_and_wait(
        user, *await _button(client, user.id, "🚚"), method="sendMessage"
    )
    assert "哪个城市" in _texts(sent)[0]
    sent = await client.send_text_and_wait(user, "自贡", count=2, method="sendMessage")
    assert _texts(sent)[0] == "城市：自贡"
    sent = await client.send_text_and_wait(user, "⏭ 跳过", method="sendMessage")
    assert _texts(sent)[0].startswith("设置完成")
    keyboard = (await client.chat(user.id))["reply_keyboard"]
    assert [b["text"] for row in keyboard["keyboard"] for b in row] == MENU_ZH
    sent = await client.send_text_and_wait(user, "📸 随手拍", method="sendMessage")
    assert _texts(sent)[0].startswith("📸 随手拍\n请发送问题的照片")
    sent = await client.send_text_and_wait(user, "📝 我要投诉", method="sendMessage")
    assert "是哪方面的问题" in _texts(sent)[0]


async def converse_nearest(client: SandboxClient, user: TgUser) -> None:
    """Location in → nearest list → a filter edits it in place → details with map links."""
    sent = await client.send_text_and_wait(user, "📍 附近驿站", method="sendMessage")
    assert "您在哪里" in _texts(sent)[0]
    sent = await client.inject_and_wait(
        specs.location(user, 29.415, 103.55), count=1, method="sendMessage"
    )
    listing = sent[-1]
    assert _texts([listing])[0].startswith("📍 您附近的驿站")
    for label in ("🔍 筛选", "🛏 住宿"):  # the filters open in place, then one is chosen
        sent = await client.press_and_wait(
            user, *await _button(client, user.id, label), method="editMessageText"
        )
        assert sent[0]["message_id"] == listing["result"]["message_id"]
    assert "筛选：🛏 住宿" in _texts(sent)[0]
    sent = await client.press_and_wait(  # 暖心之家, the one station with lodging nearby
        user, *await _button(client, user.id, "1"), method="editMessageText"
    )
    buttons = [b for row in sent[0]["reply_markup"]["inline_keyboard"] for b in row]
    assert {b["text"] for b in buttons if b.get("url")} == {
        "🧭 高德地图",
        "🧭 百度地图",
        "🧭 腾讯地图",
    }


async def _press_exact(client: SandboxClient, user: TgUser, label: str) -> list[dict[str, Any]]:
    for message in reversed(await client.chat_messages(user.id)):
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if button["text"] == label:
                    return await client.press_and_wait(
                        user, message["message_id"], button["callback_data"],
                        method="editMessageText",
                    )  # fmt: skip
    raise AssertionError(f"no button {label!r}")


async def converse_booking(client: SandboxClient, user: TgUser) -> None:
    """体检预约 with the real clock: service → provider → the first open day → its first time →
    confirm, every step an edit of one message; then /mybookings lists the code."""
    sent = await client.send_text_and_wait(user, "🩺 体检预约", method="sendMessage")
    form = sent[0]["result"]["message_id"]
    for label in ("免费体检", "自贡市第三人民医院"):
        sent = await client.press_and_wait(
            user, *await _button(client, user.id, label), method="editMessageText"
        )
        assert sent[0]["message_id"] == form
    days = [
        b["text"]
        for row in sent[0]["reply_markup"]["inline_keyboard"]
        for b in row
        if b["text"].isdigit()
    ]
    sent = await _press_exact(client, user, days[0])
    assert "请选时段" in _texts(sent)[0]
    sent = await client.press_and_wait(
        user, *await _button(client, user.id, "余"), method="editMessageText"
    )
    assert "请核对后确认" in _texts(sent)[0]
    sent = await client.press_and_wait(
        user, *await _button(client, user.id, "✅ 确认预约"), method="editMessageText"
    )
    assert sent[0]["message_id"] == form and "预约成功" in _texts(sent)[0]
    code = _texts(sent)[0].split("预约码是 ")[1][:6]
    sent = await client.send_text_and_wait(user, "/mybookings", method="sendMessage")
    assert code in _texts(sent)[0]


async def edge_cases_over_http(client: SandboxClient, user: TgUser) -> None:
    """/cancel mid-flow, an admin command refused, one update delivered twice."""
    await client.send_text_and_wait(user, "/start", method="sendMessage")
    await client.press_and_wait(user, *await _button(client, user.id, "✅"), method="sendMessage")
    await client.press_and_wait(user, *await _button(client, user.id, "🛵"), method="sendMessage")
    sent = await client.send_text_and_wait(user, "/cancel", method="sendMessage")
    assert _texts(sent) == ["已取消，已返回菜单。"]
    sent = await client.send_text_and_wait(user, "乐山", method="sendMessage")
    # Not the profile's city any more: typed at the menu, a place to list stations near.
    assert _texts(sent)[0].startswith("📍 乐山附近的驿站")

    sent = await client.send_text_and_wait(user, "/stats", method="sendMessage")
    assert _texts(sent) == ["抱歉，此命令仅限管理员使用。"]

    # Telegram delivers at least once: the same update twice, then a marker message. Same-chat
    # updates are handled in order, so once the marker is answered the duplicate was handled.
    before = client.cursor(user.id)
    await client.send_text(user, "/help", update_id=777_001)
    await client.send_text(user, "/help", update_id=777_001)
    await client.send_text_and_wait(user, "/cancel", method="sendMessage")
    sent = await client.wait_sent(user.id, count=2, after=before, method="sendMessage")
    assert [t.split("\n")[0] for t in _texts(sent)] == [
        "暖驶为路上的司机朋友服务。",
        "当前没有需要取消的操作。",
    ]


@asynccontextmanager
async def polling(dp: Dispatcher, bot: Bot, server: BotApiServer) -> AsyncIterator[None]:
    task = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=1))
    try:
        await server.wait_polling(TOKEN, timeout=10)
        yield
    finally:
        # Updates are handled as tasks: one still sending after the conversation's last
        # awaited reply would open a new HTTP session once polling closed the bot's.
        in_flight = list(dp._handle_update_tasks)
        if in_flight:
            await asyncio.wait(in_flight, timeout=10)
        await dp.stop_polling()
        await asyncio.wait_for(task, 10)


async def test_polling_conversation_over_http(
    server: BotApiServer, engine: AsyncEngine, db_url: str
) -> None:
    settings = test_settings(db_url, server.base_url)
    dp = create_dispatcher(settings, engine=engine)
    # As `run` does on a fresh database.
    async with dp["session_factory"]() as session:
        await load_sample_if_empty(session)
        await load_sample_checkups(session, datetime.now(settings.tz).date(), settings.tz)
        await session.commit()
    bot = make_bot(server.base_url)
    async with polling(dp, bot, server), SandboxClient(server.base_url, TOKEN) as client:
        await converse_onboarding(client, TgUser(3001, "周师傅"))
        await converse_nearest(client, TgUser(3001, "周师傅"))
        await converse_booking(client, TgUser(3001, "周师傅"))
        await edge_cases_over_http(client, TgUser(3004, "冯师傅"))
        # Commands were registered at start-up, per language.
        langs = {c["language_code"] for c in await client.my_commands()}
        assert {"zh", "en"} <= langs
    await bot.session.close()


async def test_redis_mode_conversation(
    server: BotApiServer, engine: AsyncEngine, db_url: str
) -> None:
    """Several-workers configuration: FSM, isolation, flood limits in Redis; ledger in the DB."""
    await (await reachable_redis(flush=True)).aclose()
    settings = test_settings(db_url, server.base_url, redis_url=REDIS_URL)
    dp = create_dispatcher(settings, engine=engine)
    bot = make_bot(server.base_url)
    async with polling(dp, bot, server), SandboxClient(server.base_url, TOKEN) as client:
        await converse_onboarding(client, TgUser(3002, "吴师傅"))
    await bot.session.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def bot_process(env: dict[str, str]) -> AsyncIterator[asyncio.subprocess.Process]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=ROOT,
        env={**clean, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(proc.wait(), 15)
            except TimeoutError:
                proc.kill()
                await proc.wait()


async def _output(proc: asyncio.subprocess.Process) -> str:
    assert proc.stdout is not None
    return (await proc.stdout.read()).decode(errors="replace")


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_real_process(server: BotApiServer, db_url: str, tmp_path: Path, mode: str) -> None:
    if db_url.startswith("sqlite"):
        db_url = f"sqlite+aiosqlite:///{tmp_path}/empty.sqlite3"  # run must migrate it itself
    env = {
        "BOT_TOKEN": TOKEN,
        "DATABASE_URL": db_url,
        "TELEGRAM_API_BASE": server.base_url,
        "ADMIN_IDS": "900001",
        "LOG_LEVEL": "WARNING",
        "THROTTLE_RATE": "1000",  # the scripted user is faster than any thumb
    }
    if mode == "webhook":
        port = _free_port()
        env |= {"WEBHOOK_URL": f"http://127.0.0.1:{port}", "WEBHOOK_LISTEN": f"127.0.0.1:{port}"}
    async with bot_process(env) as proc, SandboxClient(server.base_url, TOKEN) as client:
        if mode == "polling":
            await server.wait_polling(TOKEN, timeout=60)
        else:
            state = server.bot(TOKEN)
            assert await state.updates_signal.wait_for(lambda: state.webhook is not None, 60)
        await converse_onboarding(client, TgUser(3003, "郑师傅"))
        await converse_nearest(client, TgUser(3003, "郑师傅"))
        proc.send_signal(signal.SIGINT)
        await asyncio.wait_for(proc.wait(), 30)
        output = await _output(proc)
        assert proc.returncode == 0, output
        assert "Traceback" not in output, output
    if db_url.startswith("sqlite"):
        check = create_engine(db_url)
        async with check.connect() as conn:
            onboarded = await conn.scalar(
                text("SELECT count(*) FROM users WHERE onboarded_at IS NOT NULL")
            )
        assert onboarded == 1
        await check.dispose()


async def test_flood_does_not_hold_up_other_users(
    server: BotApiServer, engine: AsyncEngine, db_url: str
) -> None:
    """A flood is throttled before it queues on its chat's lock, so it holds at most
    THROTTLE_RATE polling slots and everyone else is served at once."""
    settings = test_settings(
        db_url, server.base_url, throttle_rate=3, throttle_period=60, tasks_concurrency_limit=8
    )
    dp = create_dispatcher(settings, engine=engine)
    bot = make_bot(server.base_url)
    flooder, other = TgUser(3101, "刷屏的"), TgUser(3102, "正常的")
    state = server.bot(TOKEN)
    task = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, polling_timeout=1, tasks_concurrency_limit=8)
    )
    try:
        await server.wait_polling(TOKEN, timeout=10)
        state.latency = 0.2  # every reply takes a Telegram round trip
        for i in range(30):
            server.inject_update(TOKEN, specs.text(flooder, f"/help {i}"))
        server.inject_update(TOKEN, specs.text(other, "/help"))
        await server.wait_sent(TOKEN, chat_id=other.id, count=1, timeout=20)
        await server.wait_sent(TOKEN, chat_id=flooder.id, count=4, timeout=20)
        order = [r["chat_id"] for r in server.sent(TOKEN, method="sendMessage")]
        # The other user's answer came before the flooder's three allowed answers were done.
        assert order.index(other.id) < [i for i, c in enumerate(order) if c == flooder.id][2]
        assert order.count(flooder.id) == 3 + 1  # three answers and one warning
    finally:
        state.latency = 0.0
        await dp.stop_polling()
        await asyncio.wait_for(task, 10)
        await bot.session.close()
