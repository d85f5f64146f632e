"""What a free text means: one of the bot's intents (with the service, category or city it
names), an FAQ entry, a greeting, or nothing. Pure: no Telegram, no database; built once from
the intents file and the FAQ entries and then only read, so any thread may use it.

Three layers, each cheap:
1. Normalise (knowledge/intents/normalize.py): simplified, half-width, fillers out.
2. Keywords and slot words, matched on characters and on pinyin (洗躁 is heard as 洗澡); the
   share of the text they explain is the evidence ("附近哪里能洗澡" is all explained by
   nearest-words and a shower-word).
3. Similarity to example phrasings and FAQ questions (knowledge/intents/index.py), for
   wordings no keyword foresaw.
A city named in the text, or a text that is only a (misspelt) city, is the nearest list there.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from knowledge.cities import cities_in, city_by_sound, match_city
from knowledge.faq.model import Faq
from knowledge.intents.book import SLOT_INTENT, Book, Intent, Phrase, SlotKind, load_book
from knowledge.intents.index import TextIndex
from knowledge.intents.normalize import simplify, tokens
from knowledge.names import is_han, pinyin

SURE = 0.62  # at or above, with a clear lead: start it
LEAD = 0.08  # the lead over the next different reading that makes it clear
CHOICE = 0.36  # at or above: offered as a choice when nothing is sure
WITHIN = 0.22  # choices offered are within this of the best
MAX_CHOICES = 3
CITY_NEAREST = 0.12  # a city named beside words of the nearest list
NUMBER = 0.25  # a hotline number typed: the entries about it
ANSWER = 0.5  # an FAQ answer's own words count too, half as much as its questions do
QUESTION = 0.1  # what asking as a question adds to the FAQ's entries
TOP = 12  # readings ranked in full; a fuzzy score is kept for this many FAQ entries only
PINYIN_HIT = 0.85  # a keyword heard, not written, explains a little less
FAQ_TAG = 0.85  # an FAQ tag is weaker evidence than an intent's keyword
STRONG = 0.12  # what a keyword of a `strong` intent adds
TOPIC = 0.5  # a topic word explains half as much as a keyword
YIELD = 0.1  # how far behind its flow an FAQ entry still yields to it ...
MOSTLY = 0.8  # ... when the flow's words explain most of the text (60 %)
# FAQ actions (knowledge/faq/model.py) and the flows they open.
ACTION_INTENTS = {
    "nearest": Intent.NEAREST, "checkup": Intent.CHECKUP, "points": Intent.POINTS,
    "shop": Intent.SHOP, "tasks": Intent.TASKS,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Guess:
    intent: Intent
    score: float
    slot: str = ""  # the service filter or category code
    city: str = ""  # a city's Chinese name
    faq: str = ""  # the FAQ entry's key
    station: str = ""  # a station's id, when the text named one

    @property
    def label(self) -> str:
        """ "nearest:shower@自贡", "faq:unpaid-freight", "checkup" (the labelled set's form)."""
        head = f"faq:{self.faq}" if self.intent is Intent.FAQ else self.intent.value
        if self.slot:
            head += f":{self.slot}"
        return head + (f"@{self.city}" if self.city else "")


@dataclass(frozen=True, slots=True)
class Reading:
    """`sure`: start guesses[0]. Otherwise guesses are the choices to offer (none: nothing
    was understood)."""

    guesses: tuple[Guess, ...] = ()
    sure: bool = False
    rest: str = ""  # what no keyword explained: "铜心" of "铜心驿站在哪", for a station name

    @property
    def best(self) -> Guess | None:
        return self.guesses[0] if self.guesses else None

    @property
    def label(self) -> str:
        return self.guesses[0].label if self.guesses else Intent.NONE.value


NOTHING = Reading()

# Who a phrase speaks for: an intent, a slot code of a kind, or an FAQ entry.
_Owner = tuple[str, str]


@dataclass(slots=True)
class _Table:
    """Phrases by their first unit (a character, a syllable or a word), so a text is scanned
    once whatever the number of phrases."""

    by_first: dict[str, list[tuple[tuple[str, ...], _Owner, float]]] = field(default_factory=dict)

    def add(self, units: tuple[str, ...], owner: _Owner, weight: float) -> None:
        if units:
            self.by_first.setdefault(units[0], []).append((units, owner, weight))

    def scan(self, units: Sequence[str], hits: dict[_Owner, dict[int, float]], at: int) -> None:
        """Record, per owner, each covered unit position (offset by `at`) with its weight."""
        for i, unit in enumerate(units):
            for phrase, owner, weight in self.by_first.get(unit, ()):
                n = len(phrase)
                if tuple(units[i : i + n]) == phrase:
                    covered = hits.setdefault(owner, {})
                    for j in range(at + i, at + i + n):
                        if covered.get(j, 0.0) < weight:
                            covered[j] = weight


@dataclass(frozen=True, slots=True)
class _Text:
    han: str
    words: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.han) + len(self.words)


class Matcher:
    def __init__(self, book: Book, faqs: Iterable[Faq] = ()) -> None:
        self.book = book
        self._chars, self._sounds, self._words = _Table(), _Table(), _Table()
        self._implies: dict[SlotKind, list[Intent]] = {}
        self._strong = frozenset(e.intent.value for e in book.intents if e.strong)
        for entry in book.intents:
            for phrase in entry.keywords:
                self._add(phrase, ("intent", entry.intent.value), 1.0)
            for phrase in entry.topic:
                self._add(phrase, ("intent", entry.intent.value), TOPIC)
            for kind in entry.implies:
                self._implies.setdefault(kind, []).append(entry.intent)
        for kind, codes in book.slots.items():
            for code, phrases in codes.items():
                for phrase in phrases:
                    self._add(phrase, (kind.value, code), 1.0)
        groups: list[tuple[str, list[tuple[str, ...]]]] = [
            (e.intent.value, list(e.examples)) for e in book.intents
        ]
        self.faqs: dict[str, Faq] = {}
        self._about_number: dict[str, list[str]] = {}  # a hotline number → its entries
        for faq in faqs:
            self.faqs[faq.key] = faq
            texts = [tuple(tokens(q, book.fillers)) for q in (*faq.questions_zh,
                                                               *faq.questions_en)]  # fmt: skip
            groups.append(("faq:" + faq.key, [t for t in texts if t]))
            for number in _numbers(faq):
                self._about_number.setdefault(number, []).append(faq.key)
            for tag in (*faq.tags, *_numbers(faq)):
                if (tagged := Phrase.of(tag, book.fillers)) is not None:
                    self._add(tagged, ("faq", faq.key), FAQ_TAG)
        self.index = TextIndex(groups)
        self.answers = TextIndex([("faq:" + f.key, [tuple(tokens(f.answer_zh, book.fillers)),
                                                     tuple(tokens(f.answer_en, book.fillers))])
                                  for f in self.faqs.values()], by_row=True)  # fmt: skip

    def _add(self, phrase: Phrase, owner: _Owner, weight: float) -> None:
        if phrase.syllables:
            self._chars.add(tuple(phrase.text), owner, weight)
            self._sounds.add(tuple(phrase.syllables.split()), owner, weight * PINYIN_HIT)
        else:
            self._words.add(tuple(phrase.text.split()), owner, weight)

    # --- reading ---------------------------------------------------------------------------
    def read(self, text: str) -> Reading:
        plain = tokens(text)
        if not plain:
            return NOTHING
        said = " ".join(plain)
        if self._only(plain, self.book.greetings):
            return Reading((Guess(Intent.GREETING, 1.0),), sure=True)
        if self._only(plain, self.book.thanks):
            return Reading((Guess(Intent.THANKS, 1.0),), sure=True)
        found = tokens(_without_greeting(said, self.book.greetings), self.book.fillers)
        if not found:
            return NOTHING
        seen = _Text("".join(t for t in found if is_han(t[0])),
                     tuple(t for t in found if not is_han(t[0])))  # fmt: skip
        return self._decide(seen, found, self._asks(text))

    def _asks(self, text: str) -> bool:
        """Whether the text is asked as a question (before fillers such as 吗 are gone)."""
        said = f" {simplify(text).replace('？', '?')} "
        if _A_NOT_A.search(said) or _FINAL_PARTICLE.search(said):  # 收不收, 能补不, 行吗
            return True
        return any(m in said if is_han(m[0]) or m == "?" else f" {m} " in said
                   for m in self.book.questions)  # fmt: skip

    def _only(self, plain: list[str], phrases: frozenset[str]) -> bool:
        """Whether the text is made of these phrases (and fillers) alone: "多谢多谢",
        "师傅们好", "hi there"."""
        said = " ".join(plain)
        rest = said
        for phrase in sorted(phrases, key=len, reverse=True):
            if is_han(phrase[0]):
                rest = rest.replace(phrase, " ")
            else:
                rest = f" {rest} ".replace(f" {phrase} ", "  ")
        return rest.split() != said.split() and not tokens(rest, self.book.fillers)

    def _decide(self, seen: _Text, found: list[str], asks: bool) -> Reading:
        hits: dict[_Owner, dict[int, float]] = {}
        self._chars.scan(seen.han, hits, 0)
        self._sounds.scan(pinyin(seen.han), hits, 0)
        self._words.scan(seen.words, hits, len(seen.han))
        city, city_span = self._city(seen, hits)
        neutral = dict.fromkeys(city_span, 1.0)
        scores: dict[str, float] = {}
        slots: dict[Intent, str] = {}
        for kind in SlotKind:
            best = _best_slot(hits, kind)
            if best is not None:
                slots[SLOT_INTENT[kind]] = best
        for owner in [o for o in hits if o[0] in ("intent", "faq")]:
            label = owner[1] if owner[0] == "intent" else "faq:" + owner[1]
            covered = {**neutral, **hits[owner]}
            if owner[0] == "intent" and (slot := slots.get(Intent(owner[1]))):
                covered.update(hits[(_kind_of(Intent(owner[1])), slot)])
            scores[label] = _evidence(covered, seen.size)
            if owner[0] == "intent" and owner[1] in self._strong and max(covered.values()) >= 1:
                scores[label] += STRONG
        for kind, intents in self._implies.items():
            code = _best_slot(hits, kind)
            if code is None:
                continue
            for intent in intents:
                covered = {**neutral, **hits.get(("intent", intent.value), {}),
                           **hits[(kind.value, code)]}  # fmt: skip
                scores[intent.value] = max(scores.get(intent.value, 0.0),
                                           _evidence(covered, seen.size))  # fmt: skip
        similar = self.index.scores(found)
        near = np.flatnonzero(similar >= CHOICE * 0.8)
        if len(near) > TOP:  # only the closest can matter: the rest cannot be offered
            near = near[np.argpartition(similar[near], -TOP)[-TOP:]]
        for i in near:
            label = self.index.labels[i]
            cos = float(similar[i])
            kw = scores.get(label, 0.0)
            scores[label] = max(kw, cos) + 0.1 * min(kw, cos)
        if city is not None and "nearest" in scores:
            scores["nearest"] += CITY_NEAREST  # "成都有驿站吗": a list there is wanted
        said_numbers = set(_NUMBER.findall(" ".join(seen.words)))
        for number in said_numbers:
            for key in self._about_number.get(number, ()):
                scores["faq:" + key] = scores.get("faq:" + key, 0.0) + NUMBER
        if city is not None and seen.size and len(city_span) * 2 >= seen.size:
            # Mostly a place name: the nearest list there, unless something else is sure.
            scores["nearest"] = max(scores.get("nearest", 0.0), 0.7 + 0.3 * len(city_span) /
                                    seen.size)  # fmt: skip
        if asks:
            scores = {k: v + QUESTION if k.startswith("faq:") else v for k, v in scores.items()}
        scores = dict(heapq.nlargest(TOP, scores.items(), key=lambda kv: kv[1]))
        told = self.answers.some_scores(found, [k for k in scores if k.startswith("faq:")])
        for label, cos in told.items():
            scores[label] += ANSWER * cos
        self._prefer_requests(scores)
        ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
        guesses = [self._guess(label, score, slots, city) for label, score in ranked]
        # What the intents' keywords leave: a name may hold topic, slot and tag words (驿站).
        asked = {i for owner, covered in hits.items() if owner[0] == "intent"
                 for i, w in covered.items() if w > TOPIC}  # fmt: skip
        rest = "".join(ch for i, ch in enumerate(seen.han) if i not in asked)
        return replace(_choose(guesses), rest=rest)

    def _prefer_requests(self, scores: dict[str, float]) -> None:
        """An FAQ entry that points to a flow (its action) yields to that flow when the text is
        mostly the flow's words: "自贡的驿站" is the list, not the advice to use it; but
        "体检那天要带身份证吗" is a question about the checkup, answered by the FAQ."""
        for label, score in list(scores.items()):
            if not label.startswith("faq:"):
                continue
            action = self.faqs[label[4:]].action.partition(":")[0]
            flow = ACTION_INTENTS.get(action)
            asked = scores.get(flow.value, 0.0) if flow is not None else 0.0
            if asked >= MOSTLY and asked >= score - YIELD:
                scores[label] = min(score, asked - LEAD - 0.01)

    def _city(self, seen: _Text, hits: dict[_Owner, dict[int, float]]) -> tuple[
            str | None, set[int]]:  # fmt: skip
        """A city written in the text, or the unexplained rest of it read as a misspelt one."""
        named = cities_in(seen.han)
        if named:
            start, end, written = max(named, key=lambda n: n[1] - n[0])
            return written.zh, set(range(start, end))
        explained = {i for covered in hits.values() for i in covered}
        if not explained and not seen.words and 2 <= len(seen.han) <= 5:
            # The whole text may be a misspelt city ("哈尔宾"); a part of a longer text only
            # by its sound (below), since one character off a city is too easy to be.
            city = match_city(seen.han)
            if city is not None:
                return city.zh, set(range(len(seen.han)))
        # A misspelt city in front of the request: "乐善有驿站没".
        lead = 0
        while lead < len(seen.han) and lead not in explained:
            lead += 1
        for size in (3, 2) if lead >= 2 else ():
            city = city_by_sound(seen.han[:size])
            if city is not None:
                return city.zh, set(range(size))
        if not seen.han and seen.words:
            latin = match_city(" ".join(seen.words), min_score=90)
            if latin is not None:
                return latin.zh, set(range(len(seen.words)))
            for i, word in enumerate(seen.words):  # "Wenzhou driver home"
                latin = match_city(word, min_score=100) if len(word) > 3 else None
                if latin is not None:
                    return latin.zh, {i}
        return None, set()

    def _guess(self, label: str, score: float, slots: dict[Intent, str], city: str | None
               ) -> Guess:  # fmt: skip
        if label.startswith("faq:"):
            return Guess(Intent.FAQ, score, faq=label[4:])
        intent = Intent(label)
        return Guess(intent, score, slots.get(intent, ""),
                     city or "" if intent is Intent.NEAREST else "")  # fmt: skip


# "收不收", "给不给", "有没有": the same character either side of 不 or 没.
_A_NOT_A = re.compile(r"([\u4e00-\u9fff])[不没]\1")
# A question particle at the end of a clause: "能补不", "要钱吗", "咋办呢".
_FINAL_PARTICLE = re.compile(r"[\u4e00-\u9fff][吗么呢不没](?=[\s,.!?，。！？]|$)")


_NUMBER = re.compile(r"(?<!\d)\d{3,6}(?!\d)")  # a hotline number: 110, 12328, 95512


def _numbers(faq: Faq) -> set[str]:
    """Hotline numbers an entry is about (in its key or its questions): a driver who types
    12328 asks about that one."""
    said = " ".join((faq.key, *faq.questions_zh, *faq.questions_en))
    return set(_NUMBER.findall(said))


def _kind_of(intent: Intent) -> SlotKind:
    return next(k for k, i in SLOT_INTENT.items() if i is intent)


def _best_slot(hits: dict[_Owner, dict[int, float]], kind: SlotKind) -> str | None:
    """The slot code of `kind` whose words explain the most of the text."""
    found = [(sum(c.values()), owner[1]) for owner, c in hits.items() if owner[0] == kind.value]
    return max(found)[1] if found else None


def _evidence(covered: dict[int, float], size: int) -> float:
    """How much of the text the phrases explain: any hit is some evidence, all of it a lot."""
    if not covered or not size:
        return 0.0
    return 0.5 + 0.5 * min(1.0, sum(covered.values()) / size)


def _without_greeting(said: str, greetings: frozenset[str]) -> str:
    """ "你好 附近哪里能洗澡" → "附近哪里能洗澡": a greeting in front of a request is politeness."""
    for greeting in sorted(greetings, key=len, reverse=True):
        if said.startswith(greeting) and len(said) > len(greeting):
            return said[len(greeting) :]
    return said


def _choose(guesses: list[Guess]) -> Reading:
    if not guesses or guesses[0].score < CHOICE or guesses[0].intent is Intent.NONE:
        return NOTHING
    guesses = [g for g in guesses if g.intent is not Intent.NONE]
    best = guesses[0]
    rival = next((g for g in guesses[1:] if g.intent is not best.intent or g.faq != best.faq),
                 None)  # fmt: skip
    if best.score >= SURE and (rival is None or best.score - rival.score >= LEAD):
        return Reading((best,), sure=True)
    shown = [g for g in guesses if g.score >= max(CHOICE, best.score - WITHIN)]
    return Reading(tuple(shown[:MAX_CHOICES]))


def default_matcher(faqs: Iterable[Faq] = ()) -> Matcher:
    return Matcher(load_book(), faqs)
