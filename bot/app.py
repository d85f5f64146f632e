"""The one factory: builds the dispatcher (routers, middlewares, services) for app and tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.commands import CommandMenus
from bot.config import Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.types import Clock, utcnow
from bot.feature import Core, Feature, menu_buttons, ordered_routers
from bot.features import FEATURES
from bot.i18n import create_i18n
from bot.locale_cache import LocaleCache
from bot.middlewares.callbacks import AnswerEveryCallback
from bot.middlewares.db import DbSessionMiddleware
from bot.middlewares.dedupe import DedupeMiddleware
from bot.middlewares.kits import KitsMiddleware
from bot.middlewares.ledger import UpdateLedger
from bot.middlewares.throttle import MemoryThrottle, RedisThrottle, Throttle, ThrottleMiddleware
from bot.middlewares.user import UserI18nMiddleware, UserMiddleware
from bot.services.users.profile_cache import ProfileCache
from bot.telegram_retry import RetryMiddleware
from bot.update_calls import UpdateCallsRecorder
from handlers.common import menu
from handlers.common.flows import CloseLeftFlows


def create_bot(
    settings: Settings, session: AiohttpSession | None = None, *, retry: bool = True
) -> Bot:
    """The Bot client; `session` lets tests swap the HTTP session, nothing else. The outbox
    sender's bot has no retry middleware: it handles 429s and 5xx itself, for the whole
    sender rather than for one request."""
    if settings.bot_token is None:
        raise ValueError("BOT_TOKEN is not set")
    session = session or AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_base))
    session.middleware(UpdateCallsRecorder())  # outermost: sees the outcome after retries
    if retry:
        session.middleware(RetryMiddleware())
    return Bot(
        settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode="HTML"),
    )


def _fsm_backend(settings: Settings) -> tuple[BaseStorage, BaseEventIsolation, Any]:
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        storage = RedisStorage.from_url(settings.redis_url)
        return storage, storage.create_isolation(), storage.redis
    # Same-chat updates wait for each other: two quick taps cannot interleave inside one flow.
    return MemoryStorage(), SimpleEventIsolation(), None


def create_dispatcher(
    settings: Settings,
    *,
    engine: AsyncEngine | None = None,
    storage: BaseStorage | None = None,
    events_isolation: BaseEventIsolation | None = None,
    throttle: Throttle | None = None,
    clock: Clock = utcnow,
    features: Sequence[Feature] = FEATURES,
) -> Dispatcher:
    """Everything an update needs, assembled from the features. Nothing here connects
    anywhere until the first update."""
    owns_engine = engine is None
    engine = engine or create_engine(settings.database_url)
    session_factory = create_session_factory(engine)
    default_storage, default_isolation, redis = _fsm_backend(settings)
    storage = storage or default_storage
    events_isolation = events_isolation or default_isolation
    i18n = create_i18n(settings.default_language)
    locales = LocaleCache(settings.default_language)
    if throttle is None:
        throttle = (
            RedisThrottle(redis, settings.throttle_rate, settings.throttle_period)
            if redis is not None
            else MemoryThrottle(settings.throttle_rate, settings.throttle_period)
        )

    # Several workers share the database: memory can no longer be trusted on its own.
    shared = settings.redis_url is not None
    ledger = UpdateLedger(session_factory, shared=shared)
    profiles = None if shared else ProfileCache()

    # FSM (and with it the per-chat lock) is registered below, after dedupe and throttle, so a
    # flood is dropped before it queues on its chat's lock and holds polling slots.
    parts = tuple(part for feature in features for part in feature.personal_data)
    core = Core(settings, session_factory, i18n, locales, profiles, clock, parts)
    kits = {f.name: f.kit(core) for f in features if f.kit is not None}
    command_menus = CommandMenus(i18n, features)
    dp = Dispatcher(storage=storage, events_isolation=events_isolation, disable_fsm=True)
    dp.workflow_data.update(
        settings=settings,
        engine=engine,
        session_factory=session_factory,
        i18n=i18n,
        locales=locales,
        ledger=ledger,
        profiles=profiles,
        clock=clock,
        core=core,
        kits=kits,
        features=tuple(features),
        command_menus=command_menus,
    )
    # Outer → inner, after aiogram's own error and user-context middlewares.
    dp.update.outer_middleware(DedupeMiddleware(ledger))
    dp.update.outer_middleware(AnswerEveryCallback())
    dp.update.outer_middleware(ThrottleMiddleware(throttle, i18n, locales))
    dp.update.outer_middleware(dp.fsm)  # FSM state + same-chat serialisation
    dp.update.outer_middleware(CloseLeftFlows())
    dp.update.outer_middleware(DbSessionMiddleware(session_factory, ledger))
    dp.update.outer_middleware(KitsMiddleware(kits))
    dp.update.outer_middleware(
        UserMiddleware(settings.admin_ids, settings.default_language, locales, profiles)
    )
    dp.update.outer_middleware(UserI18nMiddleware(i18n))
    # The most frequent update, a menu tap, is matched first; the menu router checks consent.
    dp.include_routers(menu.create_router(menu_buttons(features)), *ordered_routers(features))

    async def on_startup(bot: Bot) -> None:
        await command_menus.set_all(bot, settings.admin_ids, settings.admin_chat_id)

    async def on_shutdown() -> None:  # aiogram closes the FSM storage and isolation itself
        await ledger.close()
        if owns_engine:
            await engine.dispose()

    dp.startup.register(on_startup)
    dp.shutdown.register(on_shutdown)
    return dp
