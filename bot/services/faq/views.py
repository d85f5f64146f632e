"""What FAQ handlers see: small frozen objects, never ORM rows."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from knowledge.faq.model import Faq, Topic


class VoteOutcome(enum.StrEnum):
    NEW = "new"  # the voter's first vote on the entry
    CHANGED = "changed"  # the other thumb than before: the vote turned
    SAME = "same"  # the thumb they had pressed already: nothing changed
    GONE = "gone"  # the entry is not in the FAQ any more (an import dropped it)


@dataclass(frozen=True, slots=True)
class Question:
    """A line of a topic's list: the entry's id and its first question in each language."""

    id: int
    zh: str
    en: str

    def get(self, language: str) -> str:
        return self.en if language == "en" else self.zh


@dataclass(frozen=True, slots=True)
class TopicPage:
    topic: Topic
    page: int  # 0-based, clamped to the pages there are
    pages: int  # at least 1
    questions: tuple[Question, ...]
    first: int  # the number of the page's first question, 1-based


@dataclass(frozen=True, slots=True)
class AnswerView:
    id: int
    entry: Faq
    vote: bool | None  # the reader's vote: True 👍, False 👎, None none yet (or unknown)


@dataclass(frozen=True, slots=True)
class ReportLine:
    key: str
    question: Question
    shown: int
    helpful: int
    unhelpful: int

    @property
    def votes(self) -> int:
        return self.helpful + self.unhelpful


@dataclass(frozen=True, slots=True)
class FaqReport:
    lines: tuple[ReportLine, ...]  # every entry; those with votes first, the worst first
    entries: int
    shown: int
    helpful: int
    unhelpful: int

    @property
    def voted(self) -> tuple[ReportLine, ...]:
        return tuple(line for line in self.lines if line.votes)
