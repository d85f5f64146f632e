"""The labelled phrasings (bench/data/intents_*.yaml) and top-1 scoring against them: the
prediction counts when it is the label or one of the item's accepted alternatives."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml


@dataclass(frozen=True, slots=True)
class Item:
    text: str
    label: str
    accept: tuple[str, ...] = ()

    def right(self, predicted: str) -> bool:
        return predicted == self.label or predicted in self.accept


def load_items(path: Path) -> list[Item]:
    rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [Item(str(r["text"]), str(r["label"]), tuple(str(a) for a in r.get("accept") or ()))
            for r in rows]  # fmt: skip


def load_part(folder: Path, part: str) -> list[Item]:
    """A part of the set, from every file of it: intents_tuning.yaml, intents_tuning2.yaml..."""
    return [item for path in sorted(folder.glob(f"intents_{part}*.yaml"))
            for item in load_items(path)]  # fmt: skip


def kind(label: str) -> str:
    """The intent part of a label: "nearest:shower@自贡" → "nearest", "faq:x" → "faq"."""
    return label.split("@")[0].split(":")[0]


@dataclass(slots=True)
class Score:
    total: int = 0
    right: int = 0
    right_intent: int = 0  # the intent right, a slot, city or FAQ entry maybe not
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)  # (label, predicted)
    wrong: list[tuple[Item, str]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0

    @property
    def intent_accuracy(self) -> float:
        return self.right_intent / self.total if self.total else 0.0


def score(items: Sequence[Item], predict: Callable[[str], str]) -> Score:
    result = Score()
    for item in items:
        predicted = predict(item.text)
        result.total += 1
        if item.right(predicted):
            result.right += 1
            result.right_intent += 1
            continue
        if kind(predicted) in {kind(item.label), *(kind(a) for a in item.accept)}:
            result.right_intent += 1
        result.confusion[(kind(item.label), kind(predicted))] += 1
        result.wrong.append((item, predicted))
    return result
