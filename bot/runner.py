"""Running the bot: migrate, then long polling or a webhook server."""

from __future__ import annotations

import asyncio
import logging
import secrets
import signal
from datetime import UTC, datetime

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import create_bot, create_dispatcher
from bot.config import Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade
from bot.feature import JobContext
from bot.outbox.factory import create_sender
from bot.services.checkups.catalog import load_sample_if_empty as load_sample_checkups
from bot.services.complaints.offices import load_sample_if_empty as load_sample_offices
from bot.services.shop.catalog import load_sample_if_empty as load_sample_shop
from bot.services.stations.service import load_sample_if_empty
from bot.services.themes.catalog import load_sample_if_empty as load_sample_themes
from bot.telegram_health import StartupError, check_telegram, install_outage_log
from bot.web.open311 import add_open311, serve_open311
from scheduler.setup import create_scheduler

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"


async def migrate(settings: Settings) -> None:
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


async def run(settings: Settings) -> None:
    """Raises StartupError (one line to print) when Telegram refuses or cannot be reached."""
    bot = create_bot(settings)
    try:
        await check_telegram(bot, settings.telegram_api_base)
    except StartupError:
        await bot.session.close()
        raise
    install_outage_log()
    try:
        await _serve(settings, bot)
    finally:
        await bot.session.close()


async def _serve(settings: Settings, bot: Bot) -> None:
    engine = create_engine(settings.database_url)
    await upgrade(engine)  # idempotent: a fresh database gets every table, a current one nothing
    session_factory = create_session_factory(engine)
    today = datetime.now(settings.tz).date()
    async with session_factory() as session:
        added = await load_sample_if_empty(session)
        checkups = await load_sample_checkups(session, today, settings.tz)
        await load_sample_themes(session)
        await load_sample_shop(session, datetime.now(UTC))
        await load_sample_offices(session, datetime.now(UTC))
        await session.commit()
    if added:
        log.info("loaded %d sample stations (illustrative data)", added)
    if checkups:
        log.info("loaded sample checkup providers and slots (illustrative data)")
    dp = create_dispatcher(settings, engine=engine)
    kits = dp["kits"]
    for kit in kits.values():
        await kit.start()
    jobs = [job for feature in dp["features"] for job in feature.jobs]
    scheduler = create_scheduler(jobs, JobContext(dp["core"], bot, kits))
    scheduler.start()
    sender_bot = create_bot(settings, retry=False)
    stop_sending = asyncio.Event()
    sending = asyncio.create_task(create_sender(dp["core"], sender_bot, kits).run(stop_sending))
    try:
        if settings.webhook_url:
            await _run_webhook(settings, dp, bot, session_factory)
        else:
            await bot.delete_webhook(drop_pending_updates=False)
            open311 = None
            if settings.open311_listen:
                open311 = await serve_open311(settings.open311_listen, session_factory, settings)
            try:
                await dp.start_polling(
                    bot,
                    tasks_concurrency_limit=settings.tasks_concurrency_limit,
                    allowed_updates=dp.resolve_used_update_types(),
                )
            finally:
                if open311 is not None:
                    await open311.cleanup()
    finally:
        scheduler.shutdown(wait=False)
        stop_sending.set()  # the batch in flight finishes; its outcomes are written
        await sending
        await sender_bot.session.close()
        await engine.dispose()


async def send_only(settings: Settings) -> None:
    """`python -m bot sender`: the outbox sender alone (with the bot elsewhere, or a second
    sender on PostgreSQL). SIGTERM or Ctrl-C stops it after the batch in flight."""
    engine = create_engine(settings.database_url)
    await upgrade(engine)
    dp = create_dispatcher(settings, engine=engine)
    bot = create_bot(settings, retry=False)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    sender = create_sender(dp["core"], bot, dp["kits"])
    log.info("outbox sender %s started", sender.name)
    try:
        await sender.run(stop)
    finally:
        await bot.session.close()
        await engine.dispose()


async def _run_webhook(
    settings: Settings,
    dp: Dispatcher,
    bot: Bot,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    assert settings.webhook_url is not None
    secret = (
        settings.webhook_secret.get_secret_value()
        if settings.webhook_secret
        else secrets.token_urlsafe(32)
    )
    app = web.Application()
    SimpleRequestHandler(dispatcher=dp, bot=bot, secret_token=secret).register(app, WEBHOOK_PATH)
    setup_application(app, dp, bot=bot)
    add_open311(app, session_factory, settings)  # Open311 GeoReport v2 beside the webhook
    host, _, port = settings.webhook_listen.rpartition(":")
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, host, int(port)).start()
    await bot.set_webhook(
        settings.webhook_url + WEBHOOK_PATH,
        secret_token=secret,
        allowed_updates=dp.resolve_used_update_types(),
    )
    log.info(
        "webhook listening on %s, public URL %s", settings.webhook_listen, settings.webhook_url
    )
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
