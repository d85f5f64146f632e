"""What a feature declares, once: its routers, menu buttons, commands and /help lines, the
services its handlers get, its scheduled jobs, its CLI commands and its part of /mydata and
/deleteme. The dispatcher, the command menus, /help, the scheduler and the CLI are all
assembled from the ordered list in bot/features.py; adding a feature is a new package and one
line there (docs/adding-a-feature.md).
"""

from __future__ import annotations

import argparse
import enum
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.db.outbox.models import MessageKind
from bot.db.types import Clock
from bot.services.outbox.doorbell import Doorbell

if TYPE_CHECKING:
    from aiogram import Bot, Router
    from aiogram.utils.i18n import I18n

    from bot.locale_cache import LocaleCache
    from bot.services.personal_data import Part
    from bot.services.users.profile_cache import ProfileCache


class Stage(enum.IntEnum):
    """Where a router sits in the order updates try them (features keep their list order
    within a stage)."""

    FIRST = 0  # before anything: the error handler, the main menu (the most frequent update)
    OPEN = 1  # before the consent gate: /help, /cancel, /start, /language, admin commands
    GATE = 2  # the consent gate: nothing below runs for someone who has not agreed
    AGREED = 3  # the features
    LAST = 4  # the fallback: whatever nobody took gets a clear answer


@dataclass(frozen=True, slots=True)
class Core:
    """Process-wide things every feature may use; built once per dispatcher."""

    settings: Settings
    session_factory: async_sessionmaker[AsyncSession]
    i18n: I18n
    locales: LocaleCache
    profiles: ProfileCache | None
    clock: Clock
    parts: tuple[Part, ...] = ()  # every feature's part of /mydata and /deleteme
    # Rung after a commit that queued messages: this process's outbox sender looks at once.
    doorbell: Doorbell = field(default_factory=Doorbell)


class Kit(Protocol):
    """A feature's process-wide part (an index, a notifier...), built once from the Core.
    `for_update` gives its handlers their services for one update: a typed object injected
    under the feature's name. `start` runs before the bot takes updates; `deliver_owed`
    sends at once what the feature owes people (e.g. after an erasure freed seats);
    `undeliverable` hears of an outbox row of the feature's that can never be delivered (the
    user blocked the bot, Telegram refused it), so it can act (pass a held seat on)."""

    def for_update(self, session: AsyncSession) -> object: ...

    async def start(self) -> None: ...

    async def deliver_owed(self, bot: Bot) -> None: ...

    async def undeliverable(
        self, kind: MessageKind, ref: str | None, user_id: int | None, now: datetime
    ) -> None: ...


class BaseKit:
    """A kit with nothing to start and nothing owed."""

    def for_update(self, session: AsyncSession) -> object:
        return None

    async def start(self) -> None:
        return None

    async def deliver_owed(self, bot: Bot) -> None:
        return None

    async def undeliverable(
        self, kind: MessageKind, ref: str | None, user_id: int | None, now: datetime
    ) -> None:
        return None


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    description: str  # msgid, the line in Telegram's command menu
    help: str | None = None  # msgid of the /help line; None: described with another command
    admin: bool = False  # in admins' private chats and the admins' group only
    personal: bool = False  # about the user's own data: refused in a group


@dataclass(frozen=True, slots=True)
class MenuButton:
    label: str  # msgid
    help: str  # msgid: the /help line for it
    handler: Callable[..., Awaitable[Any]] | None = None  # None: "coming soon"


@dataclass(frozen=True, slots=True)
class JobContext:
    core: Core
    bot: Bot
    kits: dict[str, Kit]


@dataclass(frozen=True, slots=True)
class Job:
    """An APScheduler job with a fixed id (replaced, never doubled)."""

    id: str
    run: Callable[[JobContext], Awaitable[Any]]
    trigger: str  # "interval" or "cron"
    schedule: dict[str, int] = field(default_factory=dict)  # e.g. {"seconds": 60}


@dataclass(frozen=True, slots=True)
class CliCommand:
    """`python -m bot NAME ...`: `add` fills in the subcommand's arguments, `run` does it."""

    name: str
    help: str
    add: Callable[[argparse.ArgumentParser], None]
    run: Callable[[Settings, argparse.Namespace], int]


@dataclass(frozen=True, slots=True)
class Feature:
    name: str  # also the key its services are injected under
    routers: Callable[[], Sequence[tuple[Stage, Router]]] = lambda: ()
    menu: tuple[MenuButton, ...] = ()
    commands: tuple[Command, ...] = ()
    kit: Callable[[Core], Kit] | None = None
    jobs: tuple[Job, ...] = ()
    cli: tuple[CliCommand, ...] = ()
    personal_data: tuple[Part, ...] = ()


def ordered_routers(features: Sequence[Feature]) -> list[Router]:
    """Every feature's routers, stage by stage, in feature order within a stage."""
    staged = [
        (stage, position, router)
        for position, feature in enumerate(features)
        for stage, router in feature.routers()
    ]
    return [router for _stage, _pos, router in sorted(staged, key=lambda s: (s[0], s[1]))]


def commands(features: Sequence[Feature], admin: bool | None = None) -> list[Command]:
    found = [command for feature in features for command in feature.commands]
    return [c for c in found if admin is None or c.admin == admin]


def menu_buttons(features: Sequence[Feature]) -> list[MenuButton]:
    return [button for feature in features for button in feature.menu]
