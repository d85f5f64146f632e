"""Comparing what someone typed with names of places, in Chinese as well as in Latin letters.

Chinese is written without spaces, so word-based fuzzy scores mean nothing on it; a typing
mistake there is one wrong character (often a homophone from the input method: 乐善 for 乐山),
and a shortened name leaves words out (交运司机之家 for 温州交运物流“司机之家”). The helpers
here compare characters in order instead.
"""

from __future__ import annotations

import functools
import unicodedata

from pypinyin import Style, lazy_pinyin


def normalize(text: str) -> str:
    """Lower case, letters and digits only: spaces, quotes and punctuation do not count
    ("温州交运物流“司机之家”" → "温州交运物流司机之家")."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if ch.isalnum())


def is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def has_han(text: str) -> bool:
    return any(is_han(ch) for ch in text)


@functools.lru_cache(maxsize=65536)
def syllable(ch: str) -> str:
    """A Han character's pinyin without tone (its most common reading); any other character
    is itself. Homophones from a pinyin keyboard share it: 善 and 山 are both "shan"."""
    if not is_han(ch):
        return ch
    found = lazy_pinyin(ch, style=Style.NORMAL, errors="ignore")
    return found[0] if found else ch


def pinyin(text: str) -> tuple[str, ...]:
    """The syllables of the Han characters in `text`, in order."""
    return tuple(syllable(ch) for ch in text if is_han(ch))
