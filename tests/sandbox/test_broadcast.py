"""The offline sandbox shows the outbox at work: a notice composed in the admin's chat reaches
the volunteer's chat through the real sender, and the admin's status message is edited in
place until it says everything went out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp

from bot.sandbox import SandboxClient, TgUser
from bot.sandbox_app import ADMIN, VOLUNTEER
from tests.harness.process import SandboxProcess, free_port
from tests.harness.waiting import until


async def _tap(client: SandboxClient, user: TgUser, label: str) -> None:
    """Press the newest button with `label`, once the bot has drawn it."""

    async def button() -> tuple[int, str] | None:
        for message in reversed(await client.chat_messages(user.id)):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for b in row:
                    if label in b["text"]:
                        return message["message_id"], b["callback_data"]
        return None

    message_id, data = await until(button, 30)
    await client.press_and_wait(user, message_id, data, timeout=30)


async def test_a_broadcast_in_the_sandbox_reaches_the_volunteer_and_reports_progress(
    tmp_path: Path,
) -> None:
    port = free_port()
    proc = SandboxProcess(tmp_path, SANDBOX_LISTEN=f"127.0.0.1:{port}")
    try:
        url = proc.wait_for_url()
        async with aiohttp.ClientSession() as http, http.get(url + "chat/config.json") as resp:
            token = (await resp.json())["token"]
        admin = TgUser(ADMIN.id, ADMIN.first_name)
        async with SandboxClient(url, token) as client:
            await client.send_text_and_wait(admin, "/broadcast", timeout=30)
            await client.send_text_and_wait(admin, "今晚有雨，<b>注意安全</b>。", timeout=30)
            for label in ("不加按钮", "同一文本", "全部", "预览", "🚀 立即发送", "✅ 立即发送"):
                await _tap(client, admin, label)

            async def notice() -> Any:
                messages = await client.chat_messages(VOLUNTEER.id)
                return [m for m in messages if "今晚有雨" in (m.get("text") or "")]

            [got] = await until(notice)
            assert "不再接收此类通知" in str(got["reply_markup"])

            async def finished() -> Any:
                messages = await client.chat_messages(ADMIN.id)
                return [m for m in messages if "100%" in (m.get("text") or "")]

            [status] = await until(finished)
            # The volunteer and the admin (who is a driver too) were reached.
            assert "已发送 2" in status["text"] and not status.get("reply_markup")
    finally:
        code = proc.interrupt()
    assert code == 0, proc.output
    assert "Traceback" not in proc.output, proc.output
