"""The texts that fell through: kept anonymous (digit runs masked, no user), exported for the
labelled set with `python -m bot intents misses FILE`, pruned after KEEP_DAYS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.intents.models import IntentMissRow
from bot.services.intents.misses import KEEP_DAYS, Misses, masked
from knowledge.intents.book import Intent
from knowledge.intents.matcher import NOTHING, Guess, Reading
from tests.harness.cli import run_cli


def test_kept_texts_lose_long_digit_runs() -> None:
    assert masked("我的电话 138 0013 8000 请回电") == "我的电话 ############# 请回电"
    assert masked("12328 和 12348") == "12328 和 12348"  # hotlines stay: they are the question
    assert masked("a\nb   c") == "a b c"
    assert len(masked("字" * 500)) == 200


async def test_misses_are_exported_most_frequent_first_and_pruned(
    session: AsyncSession, db_url: str, tmp_path: Path
) -> None:
    now = datetime.now(UTC)  # the command counts back from the real time
    misses = Misses(session)
    choice = Reading((Guess(Intent.FAQ, 0.5, faq="call-12348"), Guess(Intent.HELP, 0.4)))
    for _ in range(3):
        await misses.note("驿站能洗衣服不", NOTHING, now)
    await misses.note("法援咋弄", choice, now - timedelta(days=2))
    await misses.note("旧的", NOTHING, now - timedelta(days=KEEP_DAYS + 1))
    await session.commit()

    out = tmp_path / "misses.yaml"
    done = await run_cli(db_url, "intents", "misses", str(out), "--days", "400")
    assert done.returncode == 0, done.stderr
    items = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert [(i["text"], i["seen"], i["outcome"], i["label"]) for i in items] == [
        ("驿站能洗衣服不", 3, "none", ""),
        ("法援咋弄", 1, "choice", ""),
    ]  # 旧的 is older than what is kept: --days stops at KEEP_DAYS
    assert items[1]["offered"] == "faq:call-12348 help"

    assert await misses.prune(now) == 1
    await session.commit()
    assert await session.scalar(select(func.count()).select_from(IntentMissRow)) == 4
