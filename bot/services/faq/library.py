"""The FAQ file in the database: an import replaces the whole set in the caller's transaction
(new keys added, changed ones rewritten, left-out ones dropped with their votes; the counters
of the keys that stay are kept), the stored set read back as the file's records, and the
shipped file loaded into an empty table. The caller commits."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.faq.repository import FaqRepository
from knowledge import DATA_DIR
from knowledge.faq.files import parse_faq_yaml
from knowledge.faq.model import Faq

SHIPPED_FILE = DATA_DIR / "faq.yaml"


@dataclass(frozen=True, slots=True)
class FaqCounts:
    entries: int  # in the file, now the whole set
    added: int
    changed: int  # content or place in the file
    removed: int  # left out of the file
    votes_removed: int  # the removed entries' votes


def checksum(entry: Faq, position: int) -> int:
    """32 bits of a hash of everything an import writes: equal means nothing to rewrite."""
    fields = {**asdict(entry), "topic": entry.topic.value, "position": position}
    text = json.dumps(fields, ensure_ascii=False, sort_keys=True)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:4], "big")


def _values(entry: Faq, position: int, now: datetime) -> dict[str, Any]:
    return {
        "key": entry.key, "topic": entry.topic, "questions_zh": list(entry.questions_zh),
        "questions_en": list(entry.questions_en), "answer_zh": entry.answer_zh,
        "answer_en": entry.answer_en, "source_zh": entry.source_zh,
        "source_en": entry.source_en, "action": entry.action, "tags": list(entry.tags),
        "position": position, "checksum": checksum(entry, position), "updated_at": now,
    }  # fmt: skip


async def store_entries(
    session: AsyncSession, entries: tuple[Faq, ...] | list[Faq], now: datetime
) -> FaqCounts:
    """The file becomes the FAQ, in the file's order. Entries whose content and place are
    unchanged are not written at all (their updated_at stays), so the same file twice
    changes nothing, the fingerprint included."""
    repo = FaqRepository(session)
    stored = await repo.checksums()
    keys = {e.key for e in entries}
    removed, votes = await repo.drop(k for k in stored if k not in keys)
    new, changed = [], []
    for position, entry in enumerate(entries):
        values = _values(entry, position, now)
        if entry.key not in stored:
            new.append(values)
        elif stored[entry.key][1] != values["checksum"]:
            changed.append({"id": stored[entry.key][0], **values})
    await repo.add(new)
    await repo.change(changed)
    await session.flush()
    return FaqCounts(len(entries), len(new), len(changed), removed, votes)


async def load_entries(session: AsyncSession) -> tuple[Faq, ...]:
    """The stored set as the file holds it, in its order (for the export)."""
    return tuple(await FaqRepository(session).all_entries())


def shipped_entries() -> tuple[Faq, ...]:
    result = parse_faq_yaml(SHIPPED_FILE.read_text(encoding="utf-8"))
    if not result.ok or result.entries is None:
        raise RuntimeError("shipped FAQ file invalid: " + "; ".join(result.errors[:5]))
    return result.entries


async def load_shipped_if_empty(session: AsyncSession, now: datetime) -> FaqCounts | None:
    """A fresh install (and the sandbox) starts with the FAQ shipped with the bot; an FAQ
    already stored, even one an admin imported, is left alone."""
    if await FaqRepository(session).has_entries():
        return None
    return await store_entries(session, shipped_entries(), now)
