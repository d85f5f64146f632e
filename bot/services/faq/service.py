"""The FAQ for one update: the topics and a topic's pages, an answer (counted as shown), a
driver's 👍/👎 and the admins' report. The caller commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.faq.models import FaqEntryRow
from bot.db.faq.repository import FaqRepository, faq_of
from bot.services.faq.views import (
    AnswerView,
    FaqReport,
    Question,
    ReportLine,
    TopicPage,
    VoteOutcome,
)
from knowledge.faq.model import Topic

PAGE_SIZE = 6  # questions on one page of a topic: a phone screen


def _question(row: FaqEntryRow) -> Question:
    return Question(row.id, row.questions_zh[0], row.questions_en[0])


def _worst_first(line: ReportLine) -> tuple[int, float, int]:
    """Voted entries first, the lowest share of 👍 first, more 👎 first among equals."""
    if not line.votes:
        return 1, 0.0, -line.shown
    return 0, line.helpful / line.votes, -line.unhelpful


class FaqService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.repo = FaqRepository(session)

    async def topics(self) -> dict[Topic, int]:
        """How many entries each topic has (every topic, 0 for an empty one)."""
        counts = await self.repo.topic_counts()
        return {topic: counts.get(topic, 0) for topic in Topic}

    async def page(self, topic: Topic, page: int) -> TopicPage:
        total = (await self.repo.topic_counts()).get(topic, 0)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)  # a page an import took away: the last one
        rows = await self.repo.topic_page(topic, page * PAGE_SIZE, PAGE_SIZE)
        questions = tuple(_question(row) for row in rows)
        return TopicPage(topic, page, pages, questions, page * PAGE_SIZE + 1)

    async def answer(self, entry_id: int, user_id: int | None) -> AnswerView | None:
        """The entry, counted as shown, with the reader's vote; None when it went."""
        row = await self.repo.entry(entry_id)
        if row is None or await self.repo.count_shown(row.key) is None:
            return None
        vote = None if user_id is None else await self.repo.vote_of(user_id, row.key)
        return AnswerView(row.id, faq_of(row), vote)

    async def shown(self, key: str) -> int | None:
        """An answer sent (found from a driver's words): counted; the entry's id, or None
        when it is no longer in the FAQ."""
        return await self.repo.count_shown(key)

    async def vote(self, user_id: int, entry_id: int, helpful: bool, now: datetime) -> VoteOutcome:
        """One vote per driver and entry: the other thumb turns it, the same one changes
        nothing. The entry's row lock comes first, so concurrent taps queue on it and the
        counters always equal the votes."""
        key = await self.repo.lock(entry_id)
        if key is None:
            return VoteOutcome.GONE
        before = await self.repo.vote_of(user_id, key)
        if before is None:
            await self.repo.add_vote(user_id, key, helpful, now)
            await self.repo.move_counters(key, int(helpful), int(not helpful))
            return VoteOutcome.NEW
        if before == helpful or not await self.repo.turn_vote(user_id, key, helpful, now):
            return VoteOutcome.SAME
        step = 1 if helpful else -1
        await self.repo.move_counters(key, step, -step)
        return VoteOutcome.CHANGED

    async def report(self) -> FaqReport:
        """Per entry: shown, 👍, 👎; the voted ones first, the worst first."""
        rows = await self.repo.counters()
        lines = [ReportLine(r.key, _question(r), r.shown, r.helpful, r.unhelpful) for r in rows]
        lines.sort(key=_worst_first)  # stable: the file's order among equals
        return FaqReport(
            tuple(lines), len(lines), sum(r.shown for r in rows), sum(r.helpful for r in rows),
            sum(r.unhelpful for r in rows),
        )  # fmt: skip
