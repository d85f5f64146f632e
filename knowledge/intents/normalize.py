"""The one form every text is compared in: the driver's message, the intents' keywords and
examples, the FAQ's questions.

Traditional characters become simplified (OpenCC), full-width letters, digits and punctuation
become half-width (NFKC), case goes, punctuation and emoji go, and filler words that carry no
meaning (请问, 麻烦, 一下, 呗, please ...) are dropped. What is left is split into runs of Han
characters and Latin words, so "附近哪裡能洗澡？" and "附近哪里能洗澡" are the same text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import opencc

_T2S = opencc.OpenCC("t2s")
_TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[a-z0-9]+(?:'[a-z]+)?")


@dataclass(frozen=True, slots=True)
class Fillers:
    """Words dropped before matching. Chinese ones are cut out of the running text, longest
    first (so 请问一下 goes whole); English ones are whole words or phrases."""

    zh: tuple[str, ...]
    en: tuple[frozenset[str], ...]  # by phrase length - 1: words, two-word phrases, ...

    @classmethod
    def of(cls, zh: Iterable[str], en: Iterable[str]) -> Fillers:
        zh_forms = sorted({simplify(w) for w in zh if w}, key=len, reverse=True)
        phrases = [tuple(p.lower().split()) for p in en if p.strip()]
        longest = max((len(p) for p in phrases), default=0)
        by_len = tuple(
            frozenset(" ".join(p) for p in phrases if len(p) == n) for n in range(1, longest + 1)
        )
        return cls(tuple(zh_forms), by_len)


NO_FILLERS = Fillers((), ())


def simplify(text: str) -> str:
    """Half-width, lower case, simplified characters; nothing removed yet."""
    return _T2S.convert(unicodedata.normalize("NFKC", text).lower())


def tokens(text: str, fillers: Fillers = NO_FILLERS) -> list[str]:
    """The text's runs of Han characters and its Latin words, fillers removed."""
    plain = simplify(text)
    for word in fillers.zh:
        if word in plain:
            plain = plain.replace(word, " ")
    found = _TOKEN.findall(plain)
    return _drop_english_fillers(found, fillers) if fillers.en else found


def _drop_english_fillers(words: list[str], fillers: Fillers) -> list[str]:
    kept: list[str] = []
    i = 0
    while i < len(words):
        for n in range(len(fillers.en), 0, -1):
            if " ".join(words[i : i + n]) in fillers.en[n - 1]:
                i += n
                break
        else:
            kept.append(words[i])
            i += 1
    return kept


def normalize(text: str, fillers: Fillers = NO_FILLERS) -> str:
    """The comparable form: tokens joined by single spaces."""
    return " ".join(tokens(text, fillers))
