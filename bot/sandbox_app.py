"""The offline sandbox: the real bot, the project's local Bot API server and a web chat.

`python -m bot` without BOT_TOKEN (or with --sandbox) lands here. The bot itself is started by
`runner.run` exactly as in production (same dispatcher, middlewares, scheduler, database code);
only its settings differ: a generated token and TELEGRAM_API_BASE pointing at the local server,
which also serves the web chat page at /.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import sys
from datetime import UTC, datetime, time
from ipaddress import ip_address

from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import runner
from bot.config import Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade
from bot.db.users.models import Occupation, Role
from bot.sandbox import BotApiServer
from bot.sandbox.webchat import (
    DemoUser,
    PresetPlace,
    SampleImage,
    WebChatConfig,
    add_webchat_routes,
)
from bot.sandbox_programme import store_sandbox_programme
from bot.services.points.ledger import Ledger, PointsRules
from bot.services.stations.service import SAMPLE_FILE
from bot.services.users.profiles import UserService, register
from bot.web.open311 import add_open311
from knowledge.snaps.samples import SAMPLE_PHOTOS
from knowledge.stations.files import parse_csv
from knowledge.stations.station import Station

log = logging.getLogger(__name__)

# Its own file, so trying the sandbox never mixes demo users into a real bot's database.
SANDBOX_DATABASE_URL = "sqlite+aiosqlite:///./data/sandbox.sqlite3"
BOT_NAME = "暖驶 WarmDrive"
BOT_USERNAME = "warmdrive_sandbox_bot"
ADMIN_GROUP_ID = -1001000000001
ADMIN_GROUP_TITLE = "暖驶管理群 · Admin group"

DRIVER = DemoUser("driver", 20001, "张师傅", "司机", "Driver", "+8613800000001")
VOLUNTEER = DemoUser("volunteer", 20002, "李志愿", "志愿者", "Volunteer", "+8613800000002")
ADMIN = DemoUser("admin", 20003, "王管理", "管理员", "Admin", "+8613800000003")
DEMO_USERS = (DRIVER, VOLUNTEER, ADMIN)
# The driver starts fresh (onboarding is the first thing to try); the volunteer and the admin
# are ready to act at once. (user, role, occupation, city)
SEEDED = ((VOLUNTEER, Role.VOLUNTEER, Occupation.RIDE_HAILING, "乐山"),
          (ADMIN, Role.ADMIN, Occupation.OTHER, "乐山"))  # fmt: skip

WELCOME_POINTS = 300  # the volunteer's, to spend in the sample shop

NOTES = {
    "zh": "离线沙盒：真实的暖驶机器人，连接本地 Bot API 服务器而不是 Telegram。",
    "en": "Offline sandbox: the real WarmDrive bot, talking to a local Bot API server "
    "instead of Telegram.",
}


def sample_places(limit: int = 6) -> tuple[PresetPlace, ...]:
    """The location picker's presets: one sample station per city, the cities with the most
    stations first (their nearest lists have the most to show)."""
    result = parse_csv(SAMPLE_FILE.read_text(encoding="utf-8"), is_sample=True)
    by_city: dict[str, list[Station]] = {}
    for station in result.stations:
        by_city.setdefault(station.city, []).append(station)
    cities = sorted(by_city.values(), key=len, reverse=True)[:limit]  # stable: file order ties
    return tuple(
        PresetPlace(f"{first.city} · {first.name}", first.lat, first.lon) for first, *_ in cities
    )


SAMPLE_PHOTO_LABELS = {  # name -> (zh, en)
    "pothole": ("路面坑洼", "Pothole"),
    "water": ("积水", "Standing water"),
    "traffic_light": ("红绿灯损坏", "Broken traffic light"),
}


def sample_photos() -> tuple[SampleImage, ...]:
    """The attach menu's 📸 sample photos: the bundled snap samples (JPEGs with EXIF GPS)."""
    return tuple(
        SampleImage(p.name, *SAMPLE_PHOTO_LABELS.get(p.name, (p.name, p.name)), p.lat, p.lon,
                    p.path)
        for p in SAMPLE_PHOTOS
    )  # fmt: skip


def new_token() -> str:
    """A fresh bot id per run: the update ledger keys on (bot id, update id), and the local
    server numbers updates from 1 again after every start."""
    bot_id = 6_000_000_000 + secrets.randbelow(1_000_000_000)
    return f"{bot_id}:{secrets.token_urlsafe(27)}"


def sandbox_settings(settings: Settings, api_base: str, token: str) -> Settings:
    """The user's settings with the sandbox's token, server, admins and admin group."""
    overrides: dict[str, object] = {
        "bot_token": SecretStr(token),
        "telegram_api_base": api_base,
        "webhook_url": None,  # the local server delivers by long polling
        "open311_listen": None,  # Open311 is served beside the web chat instead
        "admin_ids": settings.admin_ids | {ADMIN.id},
        "admin_chat_id": ADMIN_GROUP_ID,
    }
    if "database_url" not in settings.model_fields_set:
        overrides["database_url"] = SANDBOX_DATABASE_URL
    return settings.model_copy(update=overrides)


async def seed_demo_users(factory: async_sessionmaker[AsyncSession], settings: Settings) -> None:
    """Register the volunteer and the admin as onboarded users (once; later runs keep them)."""
    async with factory() as session:
        for demo, *_ in SEEDED:
            await register(session, settings.admin_ids, demo.id, "zh", settings.default_language)
        await session.commit()
    async with factory() as session:
        users = UserService(session, settings.admin_ids)
        for demo, role, occupation, city in SEEDED:
            profile = await users.load(demo.id, demo.first_name)
            if profile is None or profile.onboarded:
                continue
            await users.accept_consent(profile.id, demo.first_name)
            await users.set_occupation(profile.id, occupation)
            await users.set_city(profile.id, city)
            await users.set_phone(profile.id, demo.phone)
            # No quiet hours: a notice tried in the sandbox at night arrives at once, as the
            # person trying it expects (a driver's default is 22:00-07:00).
            await users.set_quiet_hours(profile.id, time(0, 0), time(0, 0))
            await users.complete_onboarding(profile.id)
            if role is not Role.ADMIN:  # the admin is pinned by ADMIN_IDS already
                await users.set_role(demo.id, role)
        await session.commit()
    await _welcome_points(factory, settings)
    async with factory() as session:
        await store_sandbox_programme(session, datetime.now(UTC), settings.tz)
        await session.commit()


async def _welcome_points(factory: async_sessionmaker[AsyncSession], settings: Settings) -> None:
    """The volunteer starts with points, so the shop can be tried at once (once: the key)."""
    async with factory() as session:
        users = UserService(session, settings.admin_ids)
        volunteer = await users.load(VOLUNTEER.id, VOLUNTEER.first_name)
        admin = await users.load(ADMIN.id, ADMIN.first_name)
        if volunteer is None or admin is None:
            return
        ledger = Ledger(session, settings.tz, PointsRules())
        await ledger.grant(volunteer.id, WELCOME_POINTS, f"sandbox-welcome:{volunteer.id}",
                           admin.id, "沙盒体验积分 / sandbox points to try the shop",
                           datetime.now(UTC))  # fmt: skip
        await session.commit()


async def prepare_database(settings: Settings) -> None:
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        await seed_demo_users(create_session_factory(engine), settings)
    finally:
        await engine.dispose()


_WILDCARD_HOSTS = {"0.0.0.0", "::", ""}


def _split_listen(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    return host.strip("[]"), int(port)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


async def _until_polling(server: BotApiServer, token: str) -> None:
    state = server.bot(token)
    while not await state.polls_signal.wait_for(lambda: state.waiting_polls > 0, 3600):
        pass


def _banner(url: str, settings: Settings, host: str, forced: bool) -> str:
    why = "--sandbox" if forced else "no BOT_TOKEN set"
    lines = [
        f"WarmDrive sandbox: open {url}",
        f"The real bot, offline ({why}): it talks to a local Bot API server instead of "
        "Telegram; set BOT_TOKEN from @BotFather to run on Telegram. Ctrl-C stops.",
    ]
    if not _is_loopback(host):
        lines.append(
            f"warning: listening on {settings.sandbox_listen}: anyone who can reach it can "
            "act as any demo user."
        )
    return "\n".join(lines)


async def serve(settings: Settings, *, forced: bool = False) -> int:
    """Run until Ctrl-C (or SIGTERM); returns the process exit code."""
    host, port = _split_listen(settings.sandbox_listen)
    token = new_token()
    server = BotApiServer(bot_first_name=BOT_NAME, bot_username=BOT_USERNAME)
    config = WebChatConfig(
        token=token,
        users=DEMO_USERS,
        group_id=ADMIN_GROUP_ID,
        group_title=ADMIN_GROUP_TITLE,
        places=sample_places(),
        samples=sample_photos(),
        title=BOT_NAME,
        notes=NOTES,
    )
    add_webchat_routes(server, config)
    # The seeded volunteer and admin have "opened the bot" before: notices reach their chats.
    state = server.bot(token)
    for demo, *_ in SEEDED:
        state.register_private({"id": demo.id, "is_bot": False, "first_name": demo.first_name})
    # Open311 beside the web chat, reading the sandbox bot's database (connected on first use).
    served = sandbox_settings(settings, "", token)  # the sandbox bot's database and files
    open311_engine = create_engine(served.database_url)
    add_open311(server.app, create_session_factory(open311_engine), served)
    try:
        base_url = await server.start(host, port)
    except OSError as exc:
        await open311_engine.dispose()
        print(
            f"warmdrive: cannot listen on {settings.sandbox_listen} for the sandbox "
            f"({exc.strerror or exc}); set SANDBOX_LISTEN=HOST:PORT",
            file=sys.stderr,
        )
        return 2
    if host in _WILDCARD_HOSTS:  # every interface: the bot (and the printed URL) use loopback
        base_url = f"http://127.0.0.1:{base_url.rsplit(':', 1)[1]}"
    bot_settings = sandbox_settings(settings, base_url, token)
    ready: asyncio.Task[None] | None = None
    try:
        await prepare_database(bot_settings)
        bot_task = asyncio.create_task(runner.run(bot_settings))
        ready = asyncio.create_task(_until_polling(server, token))
        await asyncio.wait({bot_task, ready}, return_when=asyncio.FIRST_COMPLETED)
        if ready.done():
            print(_banner(f"{base_url}/", settings, host, forced), flush=True)
        await bot_task
    finally:
        if ready is not None:
            ready.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ready
        await server.stop()
        await open311_engine.dispose()
    return 0


def main(settings: Settings, *, forced: bool = False) -> int:
    # Every long poll of the bot and the page would be an access-log line.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # Ctrl-C before polling starts ends asyncio.run with KeyboardInterrupt (the CLI exits 0);
    # once polling, aiogram's signal handler stops the bot and serve() returns.
    return asyncio.run(serve(settings, forced=forced))
