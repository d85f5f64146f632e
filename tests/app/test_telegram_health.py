"""Start-up without Telegram says so in one line; an outage while running is logged once."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from aiogram.utils.backoff import BackoffConfig
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.sandbox import BotApiServer, specs
from bot.telegram_health import install_outage_log
from tests.harness import DRIVER, TOKEN, running_app
from tests.harness.process import clean_env, free_port

ROOT = Path(__file__).resolve().parents[2]


def _start(
    tmp_path: Path, api_base: str, token: str = "123:abc"
) -> subprocess.CompletedProcess[str]:
    env = clean_env(
        BOT_TOKEN=token,
        TELEGRAM_API_BASE=api_base,
        DATABASE_URL=f"sqlite:///{tmp_path}/bot.sqlite3",
    )
    return subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_unreachable_telegram_is_one_line_and_a_failure(tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    result = _start(tmp_path, base)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [result.stderr.strip()]  # exactly one line
    assert result.stderr.startswith(f"warmdrive: cannot reach Telegram at {base}")
    assert "TELEGRAM_API_BASE" in result.stderr
    assert not (tmp_path / "bot.sqlite3").exists()  # nothing was set up for nothing


async def test_refused_token_is_one_line_and_a_failure(tmp_path: Path) -> None:
    async with BotApiServer(tokens={TOKEN}) as server:
        base = server.base_url
        result = await asyncio.to_thread(_start, tmp_path, base, "123:refused")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"warmdrive: Telegram at {base} refused BOT_TOKEN (401 Unauthorized): "
        "check the token @BotFather gave you"
    )


async def test_an_outage_while_polling_is_logged_once(
    server: BotApiServer, engine: AsyncEngine, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    install_outage_log()
    fast = BackoffConfig(min_delay=0.01, max_delay=0.05, factor=1.5, jitter=0.0)
    async with running_app(server, engine, db_url) as app:
        server.add_fault(TOKEN, 502, method="getUpdates", kind="reset", count=4)
        caplog.set_level(logging.INFO, logger="aiogram.dispatcher")
        polling = asyncio.create_task(
            app.dp.start_polling(app.bot, backoff_config=fast, handle_signals=False)
        )
        try:
            before = app.last_seq()
            server.inject_update(TOKEN, specs.text(DRIVER, "/help"))
            # The update waits out the outage, then gets its answer.
            await server.wait_sent(TOKEN, chat_id=DRIVER.id, after=before, timeout=20)
        finally:
            await app.dp.stop_polling()
            await polling
    lines = [
        (r.levelname, r.getMessage()) for r in caplog.records if r.name == "aiogram.dispatcher"
    ]
    lost = [line for line in lines if "lost the connection" in line[1]]
    back = [line for line in lines if "connection to Telegram is back" in line[1]]
    assert len(lost) == 1 and lost[0][0] == "WARNING", lines
    assert len(back) == 1 and "after 4 attempts" in back[0][1], lines
    assert not [line for line in lines if line[0] == "ERROR"], lines
