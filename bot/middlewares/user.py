"""Load (or create) the user behind the update and pick their language."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18nMiddleware

from bot.locale_cache import LocaleCache
from bot.services.users.profile_cache import ProfileCache
from bot.services.users.profiles import UserProfile, UserService, full_name
from bot.short_transactions import ensure_user
from knowledge.text_rules import clean_line


class UserMiddleware(BaseMiddleware):
    def __init__(
        self,
        admin_ids: frozenset[int],
        default_language: str,
        locales: LocaleCache,
        profiles: ProfileCache | None,
    ) -> None:
        self.admin_ids, self.default_language = admin_ids, default_language
        self.locales, self.profiles = locales, profiles

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        service = UserService(data["session"], self.admin_ids, self.profiles)
        data["users"] = service
        tg_user: User | None = data.get("event_from_user")
        if tg_user is None or tg_user.is_bot:
            data["user"] = None
            return await handler(event, data)
        profile = await ensure_user(
            data["session_factory"],
            service,
            tg_user.id,
            # Cleaned as it will be stored: compared with the stored name, it must not look
            # changed (and be written again) on every update.
            clean_line(full_name(tg_user.first_name, tg_user.last_name)),
            tg_user.language_code,
            self.default_language,
        )
        data["user"] = profile
        self.locales.set(tg_user.id, profile.language)
        return await handler(event, data)


class UserI18nMiddleware(I18nMiddleware):
    """The user's saved language; Telegram's language only decides it on first contact."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        profile: UserProfile | None = data.get("user")
        if profile is not None and profile.language in self.i18n.available_locales:
            return profile.language
        return self.i18n.default_locale
