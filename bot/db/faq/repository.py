"""The FAQ's SQL: the entries read back as the file's records, an import's writes, the shown
counter, votes and their counters, the report's rows. Flushes, never commits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.faq.models import FaqEntryRow, FaqVoteRow
from bot.db.upsert import rows_changed
from knowledge.faq.model import Faq, Topic

_E, _V = FaqEntryRow, FaqVoteRow


def faq_of(row: FaqEntryRow) -> Faq:
    """A stored entry as the file holds it."""
    return Faq(
        key=row.key, topic=Topic(row.topic), questions_zh=tuple(row.questions_zh),
        questions_en=tuple(row.questions_en), answer_zh=row.answer_zh, answer_en=row.answer_en,
        source_zh=row.source_zh, source_en=row.source_en, action=row.action,
        tags=tuple(row.tags),
    )  # fmt: skip


class FaqRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- reading the knowledge base ------------------------------------------------------
    async def all_entries(self) -> list[Faq]:
        """Every entry, in the file's order."""
        rows = await self.session.scalars(select(_E).order_by(_E.position, _E.id))
        return [faq_of(row) for row in rows.all()]

    async def by_key(self, key: str) -> Faq | None:
        row = await self.session.scalar(select(_E).where(_E.key == key))
        return None if row is None else faq_of(row)

    async def fingerprint(self) -> str:
        """One aggregate row: it changes whenever an import adds, drops, reorders or edits an
        entry (each row's checksum covers its content and position), never on a vote."""
        found = (
            await self.session.execute(
                select(
                    func.count(), func.coalesce(func.sum(_E.checksum), 0), func.max(_E.updated_at)
                )
            )
        ).one()
        count, total, latest = found
        stamp = latest.isoformat() if isinstance(latest, datetime) else str(latest or "")
        return f"{int(count)}:{int(total)}:{stamp}"

    async def has_entries(self) -> bool:
        return await self.session.scalar(select(_E.id).limit(1)) is not None

    async def entry(self, entry_id: int) -> FaqEntryRow | None:
        return await self.session.scalar(select(_E).where(_E.id == entry_id))

    async def topic_counts(self) -> dict[Topic, int]:
        rows = await self.session.execute(select(_E.topic, func.count()).group_by(_E.topic))
        return {Topic(topic): int(n) for topic, n in rows.all()}

    async def topic_page(self, topic: Topic, offset: int, limit: int) -> Sequence[FaqEntryRow]:
        rows = await self.session.scalars(
            select(_E).where(_E.topic == topic).order_by(_E.position, _E.id)
            .offset(offset).limit(limit)
        )  # fmt: skip
        return rows.all()

    # --- an import -----------------------------------------------------------------------
    async def checksums(self) -> dict[str, tuple[int, int]]:
        """Every stored key with its row id and checksum."""
        rows = await self.session.execute(select(_E.key, _E.id, _E.checksum))
        return {key: (int(row_id), int(checksum)) for key, row_id, checksum in rows.all()}

    async def drop(self, keys: Iterable[str]) -> tuple[int, int]:
        """The entries with these keys go, and their votes first; (entries, votes) dropped."""
        keys = list(keys)
        if not keys:
            return 0, 0
        votes = await self.session.execute(delete(_V).where(_V.faq_key.in_(keys)))
        entries = await self.session.execute(delete(_E).where(_E.key.in_(keys)))
        return int(entries.rowcount or 0), int(votes.rowcount or 0)  # type: ignore[attr-defined]

    async def add(self, values: list[dict[str, Any]]) -> None:
        if values:
            rows = [{**v, "shown": 0, "helpful": 0, "unhelpful": 0} for v in values]
            await self.session.execute(insert(_E), rows)

    async def change(self, values: list[dict[str, Any]]) -> None:
        """Content and position by row id (each dict has "id"); the counters stay."""
        if values:
            await self.session.execute(update(_E), values)

    # --- shown and votes -----------------------------------------------------------------
    async def count_shown(self, key: str) -> int | None:
        """One more showing; the entry's id, or None when it is not in the list any more."""
        result = await self.session.execute(
            update(_E).where(_E.key == key).values(shown=_E.shown + 1).returning(_E.id)
        )
        found = result.scalar_one_or_none()
        return None if found is None else int(found)

    async def lock(self, entry_id: int) -> str | None:
        """Take the entry's row lock (a write: on SQLite the database's write lock, before
        any read can pin a snapshot), so votes on it queue; its key, or None when it went."""
        result = await self.session.execute(
            update(_E).where(_E.id == entry_id).values(shown=_E.shown).returning(_E.key)
        )
        found = result.scalar_one_or_none()
        return None if found is None else str(found)

    async def vote_of(self, user_id: int, key: str) -> bool | None:
        found = await self.session.scalar(
            select(_V.helpful).where(_V.user_id == user_id, _V.faq_key == key)
        )
        return None if found is None else bool(found)

    async def add_vote(self, user_id: int, key: str, helpful: bool, now: datetime) -> None:
        await self.session.execute(
            insert(_V).values(user_id=user_id, faq_key=key, helpful=helpful, at=now)
        )

    async def turn_vote(self, user_id: int, key: str, helpful: bool, now: datetime) -> bool:
        """The vote the other way; False when it already was this way."""
        result = await self.session.execute(
            update(_V)
            .where(_V.user_id == user_id, _V.faq_key == key, _V.helpful != helpful)
            .values(helpful=helpful, at=now)
        )
        return rows_changed(result)

    async def move_counters(self, key: str, helpful: int, unhelpful: int) -> None:
        await self.session.execute(
            update(_E)
            .where(_E.key == key)
            .values(helpful=_E.helpful + helpful, unhelpful=_E.unhelpful + unhelpful)
        )

    # --- the report, the books, a person's votes -----------------------------------------
    async def counters(self) -> Sequence[FaqEntryRow]:
        rows = await self.session.scalars(select(_E).order_by(_E.position, _E.id))
        return rows.all()

    async def mismatches(self) -> list[str]:
        """Entries whose counters are not their votes' numbers (always none)."""
        tallies = await self.session.execute(
            select(_V.faq_key, _V.helpful, func.count()).group_by(_V.faq_key, _V.helpful)
        )
        votes: dict[str, list[int]] = {}
        for key, helpful, n in tallies.all():
            votes.setdefault(key, [0, 0])[0 if helpful else 1] = int(n)
        found = []
        for row in await self.counters():
            want = votes.get(row.key, [0, 0])
            if [row.helpful, row.unhelpful] != want:
                found.append(f"{row.key}: counters {row.helpful}/{row.unhelpful}, "
                             f"votes {want[0]}/{want[1]}")  # fmt: skip
        return found

    async def votes_of(self, user_id: int) -> Sequence[FaqVoteRow]:
        rows = await self.session.scalars(
            select(_V).where(_V.user_id == user_id).order_by(_V.at, _V.id)
        )
        return rows.all()

    async def unlink_user(self, user_id: int) -> None:
        """The votes keep counting; nothing says whose they were."""
        await self.session.execute(update(_V).where(_V.user_id == user_id).values(user_id=None))
