"""The process-wide reader of free text: the matcher built from the intents file and the FAQ
entries in the database, rebuilt when an import changes the FAQ (another process may have
run `python -m bot faq import`). Telegram-free."""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.faq.repository import FaqRepository
from knowledge.faq.model import Faq
from knowledge.intents.book import Book, load_book
from knowledge.intents.matcher import Matcher, Reading
from knowledge.intents.understand import understand
from knowledge.stations.index import StationIndex

log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=2)
def _matcher_for(entries: tuple[Faq, ...]) -> Matcher:
    """One matcher per FAQ content in a process (the intents file ships with the code):
    several dispatchers in one process, as the tests make, build it once."""
    return Matcher(_book(), entries)


@functools.lru_cache(maxsize=1)
def _book() -> Book:
    return load_book()


class IntentReader:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.session_factory = session_factory
        self._matcher: Matcher | None = None
        self._fingerprint: str | None = None
        self._lock = asyncio.Lock()
        self._building: asyncio.Task[None] | None = None

    async def matcher(self, session: AsyncSession) -> Matcher:
        """The matcher for the FAQ as it is now: one cheap query per call. The first build is
        awaited; after an import changed the FAQ, the old matcher answers until the new one
        is built (off the event loop: 5,000 entries take seconds)."""
        fingerprint = await FaqRepository(session).fingerprint()
        if self._matcher is not None and fingerprint == self._fingerprint:
            return self._matcher
        entries = await FaqRepository(session).all_entries()
        if self._matcher is not None:
            if self._building is None or self._building.done():
                self._building = asyncio.create_task(self._build(entries, fingerprint))
            return self._matcher
        async with self._lock:
            if self._matcher is None:
                await self._build(entries, fingerprint)
        assert self._matcher is not None
        return self._matcher

    async def _build(self, entries: list[Faq], fingerprint: str) -> None:
        self._matcher = await asyncio.to_thread(_matcher_for, tuple(entries))
        # The matcher's hundreds of thousands of small objects never form cycles: out of the
        # collector's sight, a collection no longer pauses a reply (bench/intents.py).
        gc.freeze()
        self._fingerprint = fingerprint
        log.info("free-text matcher built: %d FAQ entries", len(entries))

    async def rebuilt(self) -> None:
        """Wait for a rebuild under way (tests, and the job that follows imports)."""
        if self._building is not None:
            await self._building

    @property
    def faqs(self) -> Mapping[str, Faq]:
        """The FAQ entries of the matcher in use (none before the first build)."""
        return self._matcher.faqs if self._matcher is not None else {}

    async def entry(self, session: AsyncSession, key: str) -> Faq | None:
        return (await self.matcher(session)).faqs.get(key)

    async def refresh(self) -> None:
        async with self.session_factory() as session:
            await self.matcher(session)
        await self.rebuilt()

    async def read(self, session: AsyncSession, text: str, stations: StationIndex | None
                   ) -> Reading:  # fmt: skip
        matcher = await self.matcher(session)
        # Station names are scanned only when the matcher is unsure (see understand): fast
        # enough inline for the sample data, but tens of ms with 150,000 stations.
        if stations is not None and len(stations) > 5_000:
            return await asyncio.to_thread(understand, matcher, text, stations)
        return understand(matcher, text, stations)
