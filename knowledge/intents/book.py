"""The intents file (knowledge/data/intents.yaml) read into what the matcher uses: every
keyword and example already in the normalised form, every slot code checked against the codes
the features know, so a typo in the file fails at load time instead of starting nothing."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from knowledge import DATA_DIR
from knowledge.complaints.categories import Category
from knowledge.intents.normalize import Fillers, simplify, tokens
from knowledge.names import pinyin
from knowledge.snaps.categories import SnapCategory
from knowledge.stations.station import SERVICE_FILTERS

INTENTS_FILE = DATA_DIR / "intents.yaml"


class Intent(enum.StrEnum):
    NEAREST = "nearest"
    CHECKUP = "checkup"
    MY_BOOKINGS = "my_bookings"
    COMPLAINT = "complaint"
    MY_CASES = "my_cases"
    SNAP = "snap"
    POINTS = "points"
    SHOP = "shop"
    MY_VOUCHERS = "my_vouchers"
    TASKS = "tasks"
    ACTIVITIES = "activities"
    HELP = "help"
    HUMAN = "human"
    GREETING = "greeting"
    THANKS = "thanks"
    FAQ = "faq"  # a question an FAQ entry answers
    NONE = "none"  # nothing the bot does


class SlotKind(enum.StrEnum):
    SERVICE = "service"  # the nearest list's filter
    COMPLAINT = "complaint"  # a complaint's category
    SNAP = "snap"  # a snap report's category


SLOT_CODES: dict[SlotKind, frozenset[str]] = {
    SlotKind.SERVICE: frozenset(SERVICE_FILTERS),
    SlotKind.COMPLAINT: frozenset(c.value for c in Category) - {"other"},
    SlotKind.SNAP: frozenset(c.value for c in SnapCategory) - {"other"},
}
# The intent a slot's words preset.
SLOT_INTENT = {
    SlotKind.SERVICE: Intent.NEAREST,
    SlotKind.COMPLAINT: Intent.COMPLAINT,
    SlotKind.SNAP: Intent.SNAP,
}
# Intents the file describes (the others are decided by the matcher itself).
DESCRIBED = frozenset(Intent) - {Intent.GREETING, Intent.THANKS, Intent.FAQ, Intent.NONE}
# "none" may be described too: what drivers ask that the bot does not do (the weather, a taxi),
# so those texts meet a reading that says so instead of a far-fetched one.


@dataclass(frozen=True, slots=True)
class Phrase:
    """A keyword in its comparable forms: the normalised text and its pinyin syllables."""

    text: str  # Han characters, or Latin words joined by spaces
    syllables: str  # " le shan " for Han text (padded, to match whole syllables), else ""

    @classmethod
    def of(cls, raw: str, fillers: Fillers) -> Phrase | None:
        found = tokens(raw, fillers) or tokens(raw)  # a keyword made only of fillers stays
        if not found:
            return None
        text = "".join(found) if all(_han(t) for t in found) else " ".join(found)
        sounds = pinyin(text)
        return cls(text, f" {' '.join(sounds)} " if sounds and _han(text) else "")


def _han(token: str) -> bool:
    return "\u3400" <= token[0] <= "\u9fff" or "\uf900" <= token[0] <= "\ufaff"


@dataclass(frozen=True, slots=True)
class IntentEntry:
    intent: Intent
    keywords: tuple[Phrase, ...]
    topic: tuple[Phrase, ...]  # words about its subject, weaker than keywords (驿站)
    examples: tuple[tuple[str, ...], ...]  # tokenised
    implies: frozenset[SlotKind]
    # Its keywords ask for an action outright (投诉, 转人工): they outweigh the topic words
    # of other intents in the same text ("complain about the shower" is a complaint).
    strong: bool = False


@dataclass(frozen=True, slots=True)
class Book:
    fillers: Fillers
    greetings: frozenset[str]  # simplified, lower case, nothing removed
    thanks: frozenset[str]
    slots: Mapping[SlotKind, Mapping[str, tuple[Phrase, ...]]]
    intents: tuple[IntentEntry, ...]
    questions: tuple[str, ...] = ()  # simplified, lower case: markers of a question

    def entry(self, intent: Intent) -> IntentEntry | None:
        return next((e for e in self.intents if e.intent == intent), None)


class BookError(ValueError):
    """The intents file names something that does not exist, or lacks a part."""


def _words(node: Any, where: str) -> list[str]:
    if node is None:
        return []
    if not isinstance(node, list) or not all(isinstance(w, str | int) for w in node):
        raise BookError(f"{where}: a list of words is expected")
    return [str(w) for w in node]


def _by_language(node: Any, where: str) -> list[str]:
    if not isinstance(node, dict) or not set(node) <= {"zh", "en"}:
        raise BookError(f"{where}: zh and en lists are expected")
    return _words(node.get("zh"), f"{where}.zh") + _words(node.get("en"), f"{where}.en")


def _phrases(words: list[str], fillers: Fillers) -> tuple[Phrase, ...]:
    return tuple(p for p in (Phrase.of(w, fillers) for w in words) if p is not None)


def _forms(words: list[str]) -> frozenset[str]:
    return frozenset(" ".join(tokens(w)) for w in words if tokens(w))


def parse_book(text: str) -> Book:
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise BookError("the file must be a mapping")
    fillers_node = data.get("fillers") or {}
    fillers = Fillers.of(_words(fillers_node.get("zh"), "fillers.zh"),
                         _words(fillers_node.get("en"), "fillers.en"))  # fmt: skip
    slots: dict[SlotKind, dict[str, tuple[Phrase, ...]]] = {}
    for kind_name, codes in (data.get("slots") or {}).items():
        if kind_name not in SlotKind.__members__.values():
            raise BookError(f"slots: unknown slot kind {kind_name!r}")
        kind = SlotKind(kind_name)
        for code, words in (codes or {}).items():
            if code not in SLOT_CODES[kind]:
                known = ", ".join(sorted(SLOT_CODES[kind]))
                raise BookError(f"slots.{kind}: unknown code {code!r} ({known})")
            slots.setdefault(kind, {})[code] = _phrases(_words(words, f"slots.{kind}.{code}"),
                                                        fillers)  # fmt: skip
    entries: list[IntentEntry] = []
    for i, node in enumerate(data.get("intents") or []):
        name = node.get("name") if isinstance(node, dict) else None
        if name not in {i.value for i in DESCRIBED | {Intent.NONE}}:
            raise BookError(f"intents[{i}]: unknown intent {name!r}")
        if any(e.intent == name for e in entries):
            raise BookError(f"intents[{i}]: {name} is described twice")
        implies = frozenset(SlotKind(k) for k in _words(node.get("implies"), f"{name}.implies")
                            if k in SlotKind.__members__.values())  # fmt: skip
        examples = tuple(
            tuple(tokens(e, fillers)) for e in _by_language(node.get("examples"), name)
        )
        topic = node.get("topic")
        entries.append(IntentEntry(
            Intent(name), _phrases(_by_language(node.get("keywords"), name), fillers),
            _phrases(_by_language(topic, f"{name}.topic") if topic else [], fillers),
            tuple(e for e in examples if e), implies, bool(node.get("strong")),
        ))  # fmt: skip
    missing = DESCRIBED - {e.intent for e in entries}
    if missing:
        raise BookError(f"intents: {', '.join(sorted(missing))} not described")
    return Book(
        fillers,
        _forms(_by_language(data.get("greetings"), "greetings")),
        _forms(_by_language(data.get("thanks"), "thanks")),
        slots,
        tuple(entries),
        tuple(simplify(w) for w in _by_language(data.get("questions") or {"zh": []}, "questions")),
    )


def load_book(path: Path = INTENTS_FILE) -> Book:
    return parse_book(path.read_text(encoding="utf-8"))
