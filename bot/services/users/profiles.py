"""Profile rules: onboarding steps, preferences, export and erasure. No Telegram here."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import SUPPORTED_LANGUAGES
from bot.db.after_commit import after_commit
from bot.db.types import utcnow
from bot.db.users.models import Occupation, Role, User
from bot.db.users.repository import UserRepository
from bot.services.users.profile_cache import ProfileCache
from knowledge.cities import match_city, nearest_city
from knowledge.text_rules import clean_line

CITY_MAX_LEN = 32
_PHONE_RE = re.compile(r"^\+?\d{5,20}$")


class ProfileErrorCode(StrEnum):
    CITY_INVALID = "city_invalid"
    CITY_UNKNOWN_LOCATION = "city_unknown_location"
    LOCATION_INVALID = "location_invalid"
    PHONE_INVALID = "phone_invalid"
    LANGUAGE_INVALID = "language_invalid"
    QUIET_INVALID = "quiet_invalid"
    CONSENT_MISSING = "consent_missing"
    USER_MISSING = "user_missing"
    ROLE_PINNED = "role_pinned"  # ADMIN_IDS would promote them again


class ProfileError(ValueError):
    """A value a user gave that the profile cannot take; `code` picks the message to show."""

    def __init__(self, code: ProfileErrorCode) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class UserProfile:
    """What handlers see of a user: a snapshot, never an ORM row."""

    id: int
    telegram_id: int | None
    display_name: str | None
    language: str
    language_chosen: bool
    role: Role
    occupation: Occupation | None
    city: str | None
    phone: str | None
    party_member: bool | None
    consent_at: datetime | None
    onboarded_at: datetime | None
    notifications: bool
    theme_notices: bool
    quiet_start: time | None
    quiet_end: time | None
    blocked_bot: bool
    admin_from_config: bool
    created_at: datetime | None

    @property
    def consented(self) -> bool:
        return self.consent_at is not None

    @property
    def onboarded(self) -> bool:
        return self.onboarded_at is not None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @classmethod
    def of(cls, user: User) -> UserProfile:
        return cls(**{f: getattr(user, f) for f in cls.__slots__})


def telegram_language(hint: str | None) -> str | None:
    """The supported language a Telegram app reports ("en-GB" → en), if it is one of ours."""
    code = (hint or "").split("-")[0].lower()
    return code if code in SUPPORTED_LANGUAGES else None


def full_name(first: str | None, last: str | None) -> str:
    return " ".join(p for p in (first, last) if p)


def _clean_text(value: str, max_len: int) -> str:
    return clean_line(value)[:max_len]  # the one rule for stored text


def normalise_city(text: str) -> str:
    """A known city's canonical Chinese name, else the cleaned text as typed."""
    cleaned = _clean_text(text, CITY_MAX_LEN)  # first: a hidden character must not miss a city
    city = match_city(cleaned)
    if city is not None:
        return city.zh
    if len(cleaned) < 2 or cleaned.startswith("/"):
        raise ProfileError(ProfileErrorCode.CITY_INVALID)
    return cleaned


def normalise_phone(raw: str) -> str:
    """E.164 form. Telegram sends digits with the country code; a bare 11-digit number
    starting with 1 is a mainland mobile number (+86)."""
    phone = re.sub(r"[\s\-()]", "", raw)
    if not _PHONE_RE.match(phone):
        raise ProfileError(ProfileErrorCode.PHONE_INVALID)
    if phone.startswith("+"):
        return phone
    if phone.startswith("00"):
        return "+" + phone[2:]
    if len(phone) == 11 and phone.startswith("1"):
        return "+86" + phone
    return "+" + phone


def city_from_location(lat: float, lon: float) -> str:
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ProfileError(ProfileErrorCode.LOCATION_INVALID)
    city = nearest_city(lat, lon)
    if city is None:
        raise ProfileError(ProfileErrorCode.CITY_UNKNOWN_LOCATION)
    return city.zh


class UserService:
    def __init__(
        self,
        session: AsyncSession,
        admin_ids: frozenset[int] = frozenset(),
        cache: ProfileCache | None = None,
    ) -> None:
        self.repo = UserRepository(session)
        self.admin_ids = admin_ids
        self.cache = cache

    def _forget(self, telegram_id: int | None) -> None:
        """Drop a cached profile now and again once this transaction has committed, so no
        update can keep the version from before the change."""
        if self.cache is None or telegram_id is None:
            return
        cache = self.cache
        cache.drop(telegram_id)

        async def drop_again() -> None:
            cache.drop(telegram_id)

        after_commit(self.repo.session, drop_again)

    async def _row(self, user_id: int) -> User:
        """The user about to be changed."""
        user = await self.repo.by_id(user_id)
        if user is None or user.erased_at is not None:
            raise ProfileError(ProfileErrorCode.USER_MISSING)
        self._forget(user.telegram_id)
        return user

    async def _row_by_telegram_id(self, telegram_id: int) -> User | None:
        self._forget(telegram_id)
        return await self.repo.by_telegram_id(telegram_id)

    def _cached(
        self, telegram_id: int, display_name: str | None, language: str | None
    ) -> UserProfile | None:
        """A cached profile, unless this update would change it."""
        if self.cache is None:
            return None
        profile = self.cache.get(telegram_id)
        if profile is None or profile.blocked_bot:
            return None
        if language and not profile.language_chosen and profile.language != language:
            return None  # their Telegram app switched language: follow it
        if profile.consented and display_name and profile.display_name != display_name[:128]:
            return None  # a new Telegram name to store
        if (telegram_id in self.admin_ids) != profile.admin_from_config:
            return None  # ADMIN_IDS changed: ensure() must update the role
        return profile

    async def load(
        self, telegram_id: int, display_name: str | None, language_hint: str | None = None
    ) -> UserProfile | None:
        """The user behind an update (None before first contact), brought up to date with
        ADMIN_IDS, their Telegram name and (until they pick one) their app's language.
        Writes only when something changed."""
        language = telegram_language(language_hint)
        cached = self._cached(telegram_id, display_name, language)
        if cached is not None:
            return cached
        ticket = self.cache.ticket() if self.cache is not None else 0
        user = await self.repo.by_telegram_id(telegram_id)
        if user is None:
            return None
        pinned = telegram_id in self.admin_ids
        changed = False
        # The name is personal data: stored only once the user has agreed.
        if user.consent_at and display_name and user.display_name != display_name[:128]:
            user.display_name, changed = display_name[:128], True
        if pinned and (user.role is not Role.ADMIN or not user.admin_from_config):
            user.role, user.admin_from_config, changed = Role.ADMIN, True, True
        elif not pinned and user.admin_from_config:  # removed from ADMIN_IDS: no longer admin
            user.role, user.admin_from_config, changed = Role.DRIVER, False, True
        if user.blocked_bot:  # a user who writes to us has evidently unblocked the bot
            user.blocked_bot, changed = False, True
        if language and not user.language_chosen and user.language != language:
            user.language, changed = language, True
        profile = UserProfile.of(user)
        if changed:
            self._forget(telegram_id)
        elif self.cache is not None:
            self.cache.put(telegram_id, profile, ticket)
        return profile

    async def _update(self, user_id: int, **values: Any) -> UserProfile:
        # No flush: the row is written at commit, so SQLite's write lock is not held while the
        # handler talks to Telegram.
        user = await self._row(user_id)
        for key, value in values.items():
            setattr(user, key, value)
        return UserProfile.of(user)

    async def accept_consent(self, user_id: int, display_name: str | None) -> UserProfile:
        user = await self._row(user_id)
        if user.consent_at is None:
            user.consent_at = utcnow()
            user.display_name = (display_name or None) and display_name[:128]
        return UserProfile.of(user)

    async def set_occupation(self, user_id: int, occupation: Occupation) -> UserProfile:
        return await self._update(user_id, occupation=occupation)

    async def set_city(self, user_id: int, text: str) -> UserProfile:
        return await self._update(user_id, city=normalise_city(text))

    async def set_city_from_location(self, user_id: int, lat: float, lon: float) -> UserProfile:
        return await self._update(user_id, city=city_from_location(lat, lon))

    async def set_phone(self, user_id: int, phone: str | None) -> UserProfile:
        if phone is not None:
            phone = normalise_phone(phone)
        return await self._update(user_id, phone=phone)

    async def set_language(self, user_id: int, language: str) -> UserProfile:
        """The user's own pick: from now on it wins over their Telegram app's language."""
        if language not in SUPPORTED_LANGUAGES:
            raise ProfileError(ProfileErrorCode.LANGUAGE_INVALID)
        return await self._update(user_id, language=language, language_chosen=True)

    async def set_notifications(self, user_id: int, enabled: bool) -> UserProfile:
        """Admins' notices (broadcasts) on or off."""
        return await self._update(user_id, notifications=enabled)

    async def set_theme_notices(self, user_id: int, enabled: bool) -> UserProfile:
        """The theme of the month and its activity reminders on or off."""
        return await self._update(user_id, theme_notices=enabled)

    async def set_quiet_hours(
        self, user_id: int, start: time | None, end: time | None
    ) -> UserProfile:
        """Local times; both None: the default (22:00-07:00); equal times: none at all."""
        if (start is None) != (end is None):
            raise ProfileError(ProfileErrorCode.QUIET_INVALID)
        return await self._update(user_id, quiet_start=start, quiet_end=end)

    async def set_party_member(self, user_id: int, value: bool | None) -> UserProfile:
        return await self._update(user_id, party_member=value)

    async def complete_onboarding(self, user_id: int) -> UserProfile:
        user = await self._row(user_id)
        if user.consent_at is None:
            raise ProfileError(ProfileErrorCode.CONSENT_MISSING)
        if user.onboarded_at is None:
            user.onboarded_at = utcnow()
        return UserProfile.of(user)

    async def set_blocked(self, telegram_id: int, blocked: bool) -> None:
        user = await self._row_by_telegram_id(telegram_id)
        if user is not None:
            user.blocked_bot = blocked

    async def set_role(self, telegram_id: int, role: Role) -> UserProfile:
        user = await self._row_by_telegram_id(telegram_id)
        if user is None:
            raise ProfileError(ProfileErrorCode.USER_MISSING)
        if telegram_id in self.admin_ids and role is not Role.ADMIN:
            raise ProfileError(ProfileErrorCode.ROLE_PINNED)
        user.role = role
        user.admin_from_config = telegram_id in self.admin_ids
        return UserProfile.of(user)

    async def export(self, user_id: int) -> dict[str, Any]:
        """Everything stored about the user, as JSON-ready data."""
        profile = UserProfile.of(await self._row(user_id))
        data = asdict(profile)
        for key, value in data.items():
            if isinstance(value, datetime | time):
                data[key] = value.isoformat()
            elif isinstance(value, Role | Occupation):
                data[key] = value.value
        return {"user": data}

    async def erase(self, user_id: int) -> None:
        """Drop personal data; keep an anonymous row so records that point at it stay valid."""
        user = await self._row(user_id)
        user.telegram_id = None
        user.display_name = None
        user.phone = None
        user.city = None
        user.occupation = None
        user.party_member = None
        user.consent_at = None
        user.onboarded_at = None
        user.quiet_start = None
        user.quiet_end = None
        user.notifications = False
        user.theme_notices = False
        user.language_chosen = False
        user.role = Role.DRIVER
        user.admin_from_config = False
        user.erased_at = utcnow()

    async def stats(self) -> dict[str, Any]:
        return {
            "by_role": await self.repo.count_by_role(),
            "by_occupation": await self.repo.count_by_occupation(),
            "consented": await self.repo.count_consented(),
        }


async def register(
    session: AsyncSession,
    admin_ids: frozenset[int],
    telegram_id: int,
    language_hint: str | None,
    default_language: str,
) -> None:
    """Create a user on first contact. Creating twice is harmless (ON CONFLICT DO NOTHING).
    The caller runs it in a short transaction of its own (bot/short_transactions.py), so the
    update's own transaction holds no write lock while it talks to Telegram."""
    language = "en" if telegram_language(language_hint) == "en" else default_language
    pinned = telegram_id in admin_ids
    await UserRepository(session).create_if_missing(
        telegram_id, language, Role.ADMIN if pinned else Role.DRIVER, pinned
    )
