"""The offline sandbox: `python -m bot` without a token runs the real bot against the local Bot
API server and serves the web chat; its settings, demo users and page routes."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import __main__ as cli
from bot import runner, sandbox_app
from bot.config import Settings
from bot.db.themes.models import ActivityRow, ThemeRow
from bot.db.users.models import Occupation, Role
from bot.sandbox import BotApiServer, ControlApiError, SandboxClient, TgUser, specs
from bot.sandbox.updates import MAX_PHOTO_BYTES
from bot.sandbox.webchat import CSP, DemoUser, PresetPlace, WebChatConfig, add_webchat_routes
from bot.sandbox_app import (
    ADMIN,
    ADMIN_GROUP_ID,
    DRIVER,
    SANDBOX_DATABASE_URL,
    VOLUNTEER,
    WELCOME_POINTS,
    new_token,
    sample_places,
    sandbox_settings,
    seed_demo_users,
)
from bot.sandbox_programme import DEMO_POINTS, DEMO_SEATS, demo_activity
from bot.services.points.ledger import Ledger, PointsRules, check
from bot.services.users.profiles import UserService
from knowledge.themes.window import window
from tests.harness.process import SandboxProcess, free_port, png


async def test_run_without_token_opens_the_sandbox_and_ctrl_c_stops_it(tmp_path: Path) -> None:
    port = free_port()
    proc = SandboxProcess(tmp_path, SANDBOX_LISTEN=f"127.0.0.1:{port}")
    try:
        url = proc.wait_for_url()
        assert url == f"http://127.0.0.1:{port}/"
        async with aiohttp.ClientSession() as http:
            async with http.get(url) as resp:
                assert resp.status == 200
                assert "/chat/static/chat.js" in await resp.text()
            async with http.get(url + "chat/config.json") as resp:
                config = await resp.json()
        # The page's token reaches the real bot: a user's /start gets the consent question.
        async with SandboxClient(url, config["token"]) as client:
            sent = await client.send_text_and_wait(
                TgUser(DRIVER.id, DRIVER.first_name), "/start", method="sendMessage", timeout=30
            )
            assert "您同意吗" in sent[0]["plain_text"]
    finally:
        code = proc.interrupt()
    assert code == 0, proc.output
    assert "Traceback" not in proc.output, proc.output
    assert "Ctrl-C stops" in proc.output
    assert (tmp_path / "data" / "sandbox.sqlite3").exists()  # not the production default file
    assert not (tmp_path / "data" / "warmdrive.sqlite3").exists()


@pytest.mark.parametrize(
    ("argv", "token", "sandbox"),
    [
        ([], None, True),
        (["run"], None, True),
        (["--sandbox"], "123456:REAL", True),
        (["--sandbox", "run"], "123456:REAL", True),
        (["run", "--sandbox"], "123456:REAL", True),
        (["run"], "123456:REAL", False),
    ],
)
def test_cli_chooses_the_sandbox(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], token: str | None, sandbox: bool
) -> None:
    calls: list[str] = []

    async def fake_run(settings: Settings) -> None:
        calls.append("telegram")

    def fake_sandbox(settings: Settings, *, forced: bool) -> int:
        calls.append("sandbox")
        return 0

    monkeypatch.setattr(runner, "run", fake_run)
    monkeypatch.setattr(sandbox_app, "main", fake_sandbox)
    monkeypatch.setattr(cli, "load_settings", lambda: Settings(_env_file=None, bot_token=token))
    assert cli.main(argv) == 0
    assert calls == ["sandbox" if sandbox else "telegram"]


async def test_busy_port_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        settings = Settings(_env_file=None, sandbox_listen=f"127.0.0.1:{port}")
        assert await sandbox_app.serve(settings) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"warmdrive: cannot listen on 127.0.0.1:{port}")
    assert err[0].endswith("set SANDBOX_LISTEN=HOST:PORT")


def test_sandbox_settings() -> None:
    base = Settings(_env_file=None, admin_ids="7", webhook_url="https://example.org")
    token = new_token()
    settings = sandbox_settings(base, "http://127.0.0.1:9999", token)
    assert settings.bot_token is not None and settings.bot_token.get_secret_value() == token
    assert Settings(_env_file=None, bot_token=token).bot_token is not None  # a valid token
    assert settings.telegram_api_base == "http://127.0.0.1:9999"
    assert settings.webhook_url is None
    assert settings.admin_ids == {7, ADMIN.id}
    assert settings.admin_chat_id == ADMIN_GROUP_ID
    assert settings.database_url == SANDBOX_DATABASE_URL
    # An explicitly configured database is used as it is.
    explicit = Settings(_env_file=None, database_url="postgresql://u@h/db")
    assert sandbox_settings(explicit, "http://x", token).database_url == explicit.database_url
    assert new_token() != token  # a fresh bot id and secret every start


def test_sample_places_come_from_the_sample_stations() -> None:
    places = sample_places()
    assert places[0].label.startswith("乐山 · ")  # the city with the most sample stations
    assert len({p.label.split(" · ")[0] for p in places}) == len(places)  # one per city
    assert all(-90 <= p.latitude <= 90 and -180 <= p.longitude <= 180 for p in places)


async def test_demo_users_are_seeded_once(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    settings = Settings(_env_file=None, admin_ids=str(ADMIN.id))
    await seed_demo_users(session_factory, settings)
    await seed_demo_users(session_factory, settings)  # a second start changes nothing
    async with session_factory() as session:
        users = UserService(session, settings.admin_ids)
        volunteer = await users.load(VOLUNTEER.id, VOLUNTEER.first_name)
        admin = await users.load(ADMIN.id, ADMIN.first_name)
        assert await users.load(DRIVER.id, None) is None  # the driver starts fresh
    assert volunteer is not None and admin is not None
    assert volunteer.role is Role.VOLUNTEER and volunteer.onboarded
    assert volunteer.occupation is Occupation.RIDE_HAILING and volunteer.phone == VOLUNTEER.phone
    assert admin.role is Role.ADMIN and admin.onboarded and admin.admin_from_config
    async with session_factory() as session:  # points to try the shop with, given once
        ledger = Ledger(session, settings.tz, PointsRules())
        assert await ledger.balance(volunteer.id) == WELCOME_POINTS
        assert await check(session) == []
        # The sample year as a real programme, with one activity today to sign up and check in.
        themes = list(await session.scalars(select(ThemeRow)))
        assert themes and not any(t.is_sample for t in themes)
        today = list(await session.scalars(
            select(ActivityRow).where(ActivityRow.key.like("sandbox-%"))))  # fmt: skip
    assert len(today) == 1 and today[0].capacity == DEMO_SEATS and today[0].points == DEMO_POINTS
    when = window(today[0].day, today[0].time, settings.tz)
    assert when.open_at(datetime.now(UTC)) and datetime.now(UTC) < when.start  # sign up, check in


def test_the_demo_activity_fits_in_its_day() -> None:
    tz = ZoneInfo("Asia/Shanghai")
    late = datetime(2026, 12, 4, 15, 50, tzinfo=UTC)  # 23:50 in Shanghai
    activity = demo_activity(late, tz)
    assert activity.day.isoformat() == "2026-12-04" and activity.time == "23:50-23:59"
    morning = demo_activity(datetime(2026, 12, 4, 1, 0, tzinfo=UTC), tz)
    assert morning.time == "09:20-12:20" and morning.capacity == DEMO_SEATS


TOKEN = "123456:WEBCHAT"


@pytest.fixture
async def webchat() -> AsyncIterator[BotApiServer]:
    server = BotApiServer()
    config = WebChatConfig(
        token=TOKEN,
        users=(DemoUser("driver", 1, "Li", "司机", "Driver", "+8613800000009"),),
        group_id=-100123,
        group_title="Admins",
        places=(PresetPlace("乐山", 29.4, 103.5),),
    )
    add_webchat_routes(server, config)
    await server.start()
    yield server
    await server.stop()


async def test_page_files_and_config(webchat: BotApiServer) -> None:
    base = webchat.base_url
    async with aiohttp.ClientSession() as http:
        async with http.get(base + "/") as resp:
            assert resp.status == 200 and resp.content_type == "text/html"
            assert resp.headers["Content-Security-Policy"] == CSP  # nothing from elsewhere
            page = await resp.text()
        for asset in ("/chat/static/chat.js", "/chat/static/chat.css"):
            assert asset in page
            async with http.get(base + asset) as resp:
                assert resp.status == 200
        for missing in ("/chat/static/nope.js", "/chat/static/..%2Fserver.py"):
            async with http.get(base + missing) as resp:
                assert resp.status == 404
        async with http.get(base + "/chat/config.json") as resp:
            config = await resp.json()
    assert config["token"] == TOKEN
    assert config["group"] == {"id": -100123, "title": "Admins", "forum": False}
    assert config["users"][0]["phone"] == "+8613800000009"
    assert config["limits"]["photo_bytes"] == MAX_PHOTO_BYTES


async def test_control_api_for_the_page(webchat: BotApiServer) -> None:
    async with SandboxClient(webchat.base_url, TOKEN) as client:
        # The admin group exists before anyone writes in it, with its title.
        chats = await client.chats()
        assert [c["chat"]["title"] for c in chats["chats"]] == ["Admins"]
        before = chats["last_seq"]
        user = TgUser(1, "Li")
        await client.send_text(user, "hi", chat_id=-100123)
        body = await client.chat(-100123)
        assert body["messages"][0]["text"] == "hi" and body["last_seq"] == before
        # Telegram's photo limit, with a message the page can show.
        too_big = specs.photo(user, b"\xff\xd8" + bytes(MAX_PHOTO_BYTES))
        with pytest.raises(ControlApiError, match="photo is too large"):
            await client.inject(too_big)
        ok = specs.photo(user, png(3, 2))
        assert (await client.inject(ok))["message"]["photo"][0]["width"] == 3
