"""The FAQ in the database: an import replaces the whole set in one transaction (counters of
the keys that stay are kept, the votes of those that go are dropped), the same file twice
changes nothing, the fingerprint follows every change, the CLI's import is all or nothing
and its export reads back the same, and an empty table gets the shipped file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.faq.models import FaqEntryRow, FaqVoteRow
from bot.db.faq.repository import FaqRepository
from bot.services.faq.library import (
    load_entries,
    load_shipped_if_empty,
    shipped_entries,
    store_entries,
)
from bot.services.faq.service import FaqService
from knowledge.faq.files import dump_faq_yaml
from tests.faq.conftest import ENTRIES, FREIGHT, LEGAL_AID, NOW, SHOWER, entry_ids, entry_row
from tests.harness.cli import run_cli
from tests.harness.people import person


async def _votes(session: AsyncSession) -> list[tuple[str, bool]]:
    rows = await session.execute(select(FaqVoteRow.faq_key, FaqVoteRow.helpful))
    return sorted((key, bool(helpful)) for key, helpful in rows.all())


async def test_an_import_replaces_the_set_and_keeps_the_counters_of_what_stays(
    session: AsyncSession,
) -> None:
    counts = await store_entries(session, ENTRIES, NOW)
    assert (counts.entries, counts.added, counts.changed, counts.removed) == (3, 3, 0, 0)
    ids = await entry_ids(session)
    faq = FaqService(session)
    one, two = await person(session, 7001), await person(session, 7002)
    await faq.vote(one, ids["unpaid-freight"], True, NOW)
    await faq.vote(two, ids["unpaid-freight"], False, NOW)
    await faq.vote(one, ids["call-12348"], True, NOW)
    assert await faq.shown("unpaid-freight") == ids["unpaid-freight"]

    edited = replace(FREIGHT, answer_en="Keep every receipt, then call 12328.")
    counts = await store_entries(session, (SHOWER, edited), NOW)
    assert (counts.entries, counts.added, counts.changed, counts.removed) == (2, 0, 2, 1)
    assert counts.votes_removed == 1
    repo = FaqRepository(session)
    assert await repo.all_entries() == [SHOWER, edited]  # the file's order
    assert await repo.by_key("call-12348") is None
    assert await repo.by_key("unpaid-freight") == edited
    row = await entry_row(session, "unpaid-freight")
    assert (row.id, row.shown, row.helpful, row.unhelpful) == (ids["unpaid-freight"], 1, 1, 1)
    assert await _votes(session) == [("unpaid-freight", False), ("unpaid-freight", True)]
    assert await repo.mismatches() == []
    assert await load_entries(session) == (SHOWER, edited)


async def test_the_fingerprint_changes_with_every_import_that_changes_something(
    session: AsyncSession,
) -> None:
    repo = FaqRepository(session)
    empty = await repo.fingerprint()
    await store_entries(session, ENTRIES, NOW)
    first = await repo.fingerprint()
    assert first != empty
    again = await store_entries(session, ENTRIES, NOW)  # the same file: nothing written
    assert (again.added, again.changed, again.removed) == (0, 0, 0)
    assert await repo.fingerprint() == first
    ids = await entry_ids(session)
    await FaqService(session).vote(await person(session, 7003), ids["shower"], True, NOW)
    await FaqService(session).shown("shower")
    assert await repo.fingerprint() == first  # votes and showings are not content

    seen = {first}
    for changed in (
        (LEGAL_AID, FREIGHT, SHOWER),  # reordered
        (LEGAL_AID, replace(FREIGHT, tags=("运费", "欠款")), SHOWER),  # one tag more
        (LEGAL_AID, SHOWER),  # one left out
        (LEGAL_AID, SHOWER, replace(FREIGHT, key="freight-2")),  # one added
    ):
        await store_entries(session, changed, NOW)  # the same clock: the content tells
        assert await repo.fingerprint() not in seen
        seen.add(await repo.fingerprint())


async def test_votes_go_with_their_entry(session: AsyncSession) -> None:
    await store_entries(session, ENTRIES, NOW)
    ids = await entry_ids(session)
    faq = FaqService(session)
    await faq.vote(await person(session, 7004), ids["shower"], False, NOW)
    await faq.vote(await person(session, 7005), ids["call-12348"], True, NOW)
    await session.commit()
    counts = await store_entries(session, (FREIGHT, LEGAL_AID), NOW)
    assert counts.votes_removed == 1
    assert await _votes(session) == [("call-12348", True)]
    # A vote that lands while an import waits on its entry's row goes by the foreign key.
    await session.execute(delete(FaqEntryRow).where(FaqEntryRow.key == "call-12348"))
    assert await session.scalar(select(func.count()).select_from(FaqVoteRow)) == 0


async def test_the_shipped_file_fills_an_empty_table_once(session: AsyncSession) -> None:
    shipped = shipped_entries()
    loaded = await load_shipped_if_empty(session, NOW)
    assert loaded is not None and loaded.entries == loaded.added == len(shipped) >= 60
    assert await load_shipped_if_empty(session, NOW) is None  # not empty any more
    assert tuple(await FaqRepository(session).all_entries()) == shipped
    await store_entries(session, ENTRIES, NOW)  # an admin's own file
    assert await load_shipped_if_empty(session, NOW) is None  # left alone
    assert len(await FaqRepository(session).all_entries()) == 3


BROKEN_ENTRY = """\
  - key: Bad Key
    topic: gossip
    questions_zh: [只有一个]
    action: complaint:weather
"""


async def test_the_cli_imports_all_or_nothing_and_exports_what_it_imported(
    db_url: str, session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    good, bad, out = tmp_path / "faq.yaml", tmp_path / "bad.yaml", tmp_path / "out.yaml"
    good.write_text(dump_faq_yaml(ENTRIES), encoding="utf-8")
    done = await run_cli(db_url, "faq", "import", str(good))
    assert done.returncode == 0, done.stderr
    assert "3 entries: 3 added, 0 changed, 0 removed" in done.stdout

    # Two good entries (one of them changed) and a broken one: nothing at all is written.
    text = dump_faq_yaml([replace(FREIGHT, answer_zh="改过的答案。"), SHOWER]) + BROKEN_ENTRY
    bad.write_text(text, encoding="utf-8")
    refused = await run_cli(db_url, "faq", "import", str(bad))
    assert refused.returncode == 1 and "nothing imported" in refused.stderr
    first_bad = text.splitlines().index("  - key: Bad Key") + 1
    assert f"{bad}: line {first_bad}: key must be" in refused.stderr
    assert f"{bad}: line {first_bad + 1}: unknown topic 'gossip'" in refused.stderr
    assert f"{bad}: line {first_bad + 3}: unknown complaint 'weather'" in refused.stderr
    async with session_factory() as session:
        assert await load_entries(session) == ENTRIES

    exported = await run_cli(db_url, "faq", "export", str(out))
    assert exported.returncode == 0 and "exported 3 entries" in exported.stdout
    assert out.read_text(encoding="utf-8") == good.read_text(encoding="utf-8")
    again = await run_cli(db_url, "faq", "import", str(out))
    assert again.returncode == 0 and "0 added, 0 changed, 0 removed" in again.stdout
    missing = await run_cli(db_url, "faq", "import", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr


async def test_the_shipped_file_round_trips_through_the_database(
    db_url: str, tmp_path: Path
) -> None:
    shipped = tmp_path / "shipped.yaml"
    shipped.write_text(dump_faq_yaml(shipped_entries()), encoding="utf-8")
    assert (await run_cli(db_url, "faq", "import", str(shipped))).returncode == 0
    out = tmp_path / "out.yaml"
    assert (await run_cli(db_url, "faq", "export", str(out))).returncode == 0
    assert out.read_text(encoding="utf-8") == shipped.read_text(encoding="utf-8")
