"""Profile rules, on both databases."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.users.models import Occupation, Role, User
from bot.services.users.profiles import ProfileError, UserService, normalise_city
from bot.short_transactions import ensure_user

Factory = async_sessionmaker[AsyncSession]
TG_ID = 5550001


async def _new(session: AsyncSession, admin_ids: frozenset[int] = frozenset()) -> UserService:
    return UserService(session, admin_ids)


async def test_ensure_creates_once_and_follows_telegram_until_a_language_is_chosen(
    session: AsyncSession, session_factory: Factory
) -> None:
    users = await _new(session)
    first = await ensure_user(session_factory, users, TG_ID, "张师傅", "en-US", "zh")
    assert first.language == "en" and first.role is Role.DRIVER and not first.consented
    # The app switched to Chinese and the user never picked a language: follow the app.
    again = await ensure_user(session_factory, users, TG_ID, "张师傅", "zh-hans", "zh")
    assert again.id == first.id and again.language == "zh"
    assert (await ensure_user(session_factory, users, TG_ID, "张师傅", "ru", "zh")).language == "zh"
    # Once picked with /language, the pick wins whatever the app says.
    await users.set_language(first.id, "en")
    await session.commit()
    chosen = await ensure_user(session_factory, users, TG_ID, "张师傅", "zh-hans", "zh")
    assert chosen.language == "en" and chosen.language_chosen
    await session.commit()
    count = len((await session.scalars(select(User))).all())
    assert count == 1


async def test_new_user_defaults_to_default_language(
    session: AsyncSession, session_factory: Factory
) -> None:
    users = await _new(session)
    assert (await ensure_user(session_factory, users, TG_ID, None, None, "zh")).language == "zh"
    assert (await ensure_user(session_factory, users, TG_ID + 1, None, "ru", "zh")).language == "zh"


async def test_admin_ids_promote(session: AsyncSession, session_factory: Factory) -> None:
    users = await _new(session, frozenset({TG_ID}))
    profile = await ensure_user(session_factory, users, TG_ID, "admin", None, "zh")
    assert profile.is_admin
    with pytest.raises(ProfileError) as exc:
        await users.set_role(TG_ID, Role.DRIVER)
    assert exc.value.code == "role_pinned"


async def test_onboarding_steps_and_validation(
    session: AsyncSession, session_factory: Factory
) -> None:
    users = await _new(session)
    profile = await ensure_user(session_factory, users, TG_ID, "李师傅", None, "zh")
    with pytest.raises(ProfileError):
        await users.complete_onboarding(profile.id)  # no consent yet
    await users.accept_consent(profile.id, "王师傅")
    await users.set_occupation(profile.id, Occupation.TRUCK)
    assert (await users.set_city(profile.id, "自贡市")).city == "自贡"
    assert (await users.set_city(profile.id, "  新津镇  ")).city == "新津镇"
    assert (await users.set_city_from_location(profile.id, 27.99, 120.70)).city == "温州"
    for bad in ("", "x", "/start"):
        with pytest.raises(ProfileError):
            await users.set_city(profile.id, bad)
    with pytest.raises(ProfileError) as exc:
        await users.set_city_from_location(profile.id, 91.0, 0.0)
    assert exc.value.code == "location_invalid"
    with pytest.raises(ProfileError) as exc:
        await users.set_city_from_location(profile.id, 0.0, 0.0)  # Gulf of Guinea
    assert exc.value.code == "city_unknown_location"
    assert (await users.set_phone(profile.id, "138 0013 8000")).phone == "+8613800138000"
    assert (await users.set_phone(profile.id, "8613800138000")).phone == "+8613800138000"
    assert (await users.set_phone(profile.id, "0085291234567")).phone == "+85291234567"
    with pytest.raises(ProfileError):
        await users.set_phone(profile.id, "call me")
    done = await users.complete_onboarding(profile.id)
    assert done.onboarded and done.occupation is Occupation.TRUCK and done.city == "温州"


async def test_quiet_hours_rules(session: AsyncSession, session_factory: Factory) -> None:
    users = await _new(session)
    profile = await ensure_user(session_factory, users, TG_ID, None, None, "zh")
    set_ = await users.set_quiet_hours(profile.id, time(22), time(7))
    assert (set_.quiet_start, set_.quiet_end) == (time(22), time(7))
    with pytest.raises(ProfileError):
        await users.set_quiet_hours(profile.id, time(22), None)
    none = await users.set_quiet_hours(profile.id, time(0), time(0))  # equal ends: none
    assert (none.quiet_start, none.quiet_end) == (time(0), time(0))
    default = await users.set_quiet_hours(profile.id, None, None)  # back to the default
    assert default.quiet_start is None


async def test_export_and_erase(session: AsyncSession, session_factory: Factory) -> None:
    users = await _new(session)
    profile = await ensure_user(session_factory, users, TG_ID, "王师傅", None, "zh")
    await users.accept_consent(profile.id, "王师傅")
    await users.set_phone(profile.id, "+8613800138000")
    await users.set_quiet_hours(profile.id, time(23), time(6))
    data = await users.export(profile.id)
    assert data["user"]["phone"] == "+8613800138000"
    assert data["user"]["quiet_start"] == "23:00:00"
    assert data["user"]["telegram_id"] == TG_ID
    await users.erase(profile.id)
    await session.commit()
    row = await session.get(User, profile.id)
    assert row is not None and row.erased_at is not None
    assert (row.telegram_id, row.display_name, row.phone, row.consent_at) == (
        None,
        None,
        None,
        None,
    )
    # Coming back starts a fresh, unconsented profile.
    fresh = await ensure_user(session_factory, users, TG_ID, "王师傅", None, "zh")
    assert fresh.id != profile.id and not fresh.consented


def test_normalise_city_known_and_unknown() -> None:
    assert normalise_city("Wenzhou") == "温州"
    assert normalise_city("乐山市") == "乐山"
    with pytest.raises(ProfileError):
        normalise_city("\x00\x01")
