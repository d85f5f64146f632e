"""Themes in the database: an import stored whole, the stored themes read back as the file's
data, and the illustrative sample on a first run. The caller commits."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.themes.models import ActivityRow, ThemeRow
from bot.db.themes.repository import ThemeRepository
from knowledge import DATA_DIR
from knowledge.themes.files import parse_themes_yaml
from knowledge.themes.programme import Activity, Theme

SAMPLE_FILE = DATA_DIR / "themes_sample.yaml"


@dataclass(frozen=True, slots=True)
class ThemeCounts:
    themes: int
    activities: int
    samples_removed: int = 0


async def store_themes(
    session: AsyncSession, themes: tuple[Theme, ...], is_sample: bool = False
) -> ThemeCounts:
    """Each month in `themes` is replaced by the file's (its activities updated by key);
    months the file leaves out stay as they are. A real import removes the sample.

    Sign-ups survive a re-import: a capacity lowered below the number signed up keeps
    everyone who holds a seat, and new sign-ups wait until cancellations bring it below."""
    repo = ThemeRepository(session)
    removed = 0 if is_sample else await repo.drop_samples()
    await repo.store(
        [
            {"month": t.month, "title_zh": t.title_zh, "title_en": t.title_en,
             "description_zh": t.description_zh, "description_en": t.description_en,
             "is_sample": is_sample}
            for t in themes
        ],
        [
            {"key": a.key, "month": t.month, "day": a.day, "time": a.time, "title_zh": a.title_zh,
             "title_en": a.title_en, "place": a.place, "city": a.city, "link": a.link,
             "capacity": a.capacity, "points": a.points}
            for t in themes
            for a in t.activities
        ],
    )  # fmt: skip
    return ThemeCounts(len(themes), sum(len(t.activities) for t in themes), removed)


def activity(row: ActivityRow) -> Activity:
    return Activity(
        row.key, row.day, row.time, row.title_zh, row.title_en, row.place, row.city, row.link,
        row.capacity, row.points,
    )  # fmt: skip


def theme(row: ThemeRow, activities: list[ActivityRow]) -> Theme:
    return Theme(
        row.month, row.title_zh, row.title_en, row.description_zh, row.description_en,
        tuple(activity(a) for a in activities),
    )  # fmt: skip


async def load_themes(session: AsyncSession) -> tuple[Theme, ...]:
    """Every stored theme with its activities, as the file holds them (for the export)."""
    repo = ThemeRepository(session)
    by_month: dict[str, list[ActivityRow]] = {}
    for row in await repo.activities():
        by_month.setdefault(row.month, []).append(row)
    return tuple(theme(row, by_month.get(row.month, [])) for row in await repo.themes())


async def load_sample_if_empty(session: AsyncSession) -> ThemeCounts | None:
    """First run: the illustrative themes shipped with the bot, marked as a sample."""
    if await ThemeRepository(session).has_themes():
        return None
    result = parse_themes_yaml(SAMPLE_FILE.read_text(encoding="utf-8"))
    if not result.ok or result.themes is None:
        raise RuntimeError("sample themes invalid: " + "; ".join(result.errors[:5]))
    return await store_themes(session, result.themes, is_sample=True)
