"""A similarity index over short texts that works on Chinese: TF-IDF over character unigrams
and bigrams, pinyin bigrams (so a homophone typed by the input method still shares most
features: 体简 with 体检) and, for Latin script, words, their stems and character trigrams
(so "showr" still meets "shower"). Texts are grouped by what they stand for (an intent, an FAQ
entry); a query scores each group by its closest text, as a cosine in [0, 1].

Why not rapidfuzz over all texts: on unsegmented Chinese its token scorers see one token, and
`ratio` over 25,000 strings costs milliseconds; here a query touches only the postings of its
own features (bench/intents.py compares both).
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Sequence

import numpy as np

from knowledge.names import is_han, pinyin

# How much each kind of feature counts, relative to a character bigram.
WEIGHTS = {"u": 0.35, "b": 1.0, "p": 0.6, "w": 1.0, "s": 0.5, "t": 0.3}
COMMON_SHARE = 0.03  # features in more than this share of the texts are dropped ...
COMMON_MIN = 200  # ... once that share is more than this many texts


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def features(tokens: Sequence[str]) -> Counter[str]:
    """The features of a tokenised text (knowledge/intents/normalize.tokens)."""
    found: Counter[str] = Counter()
    for token in tokens:
        if is_han(token[0]):
            found.update("u" + ch for ch in token)
            found.update("b" + token[i : i + 2] for i in range(len(token) - 1))
            syllables = pinyin(token)
            found.update(
                "p" + syllables[i] + " " + syllables[i + 1] for i in range(len(syllables) - 1)
            )
        else:
            found["w" + token] += 1
            found["s" + _stem(token)] += 1
            padded = f"#{token}#"
            if len(token) > 3:
                found.update("t" + padded[i : i + 3] for i in range(len(padded) - 2))
    return found


class TextIndex:
    """Groups of texts, each group named by a label; `scores` rates every group at once."""

    def __init__(
        self, groups: Sequence[tuple[str, Sequence[Sequence[str]]]], *, by_row: bool = False
    ) -> None:
        """`by_row`: keep the vectors by text instead of postings by feature, for scoring a
        few named groups (`some_scores`) rather than all of them."""
        self.labels: list[str] = []
        starts: list[int] = []
        fid: dict[str, int] = {}  # every feature seen, by number
        docs, feats, counts = array("i"), array("i"), array("f")  # one entry per (text, feature)
        ndocs = 0
        for label, texts in groups:
            first = ndocs
            for text in texts:
                bag = features(text)
                if not bag:
                    continue
                for f, c in bag.items():
                    docs.append(ndocs)
                    feats.append(fid.setdefault(f, len(fid)))
                    counts.append(c)
                ndocs += 1
            if ndocs > first:
                self.labels.append(label)
                starts.append(first)
        self._starts = np.array(starts, dtype=np.intp)
        self._ndocs = ndocs
        d = np.frombuffer(docs, dtype=np.int32)
        f_ = np.frombuffer(feats, dtype=np.int32)
        c_ = np.frombuffer(counts, dtype=np.float32)
        n = max(ndocs, 1)
        df = np.bincount(f_, minlength=len(fid)) if len(fid) else np.zeros(0, np.int64)
        kind_weight = np.array([WEIGHTS[name[0]] for name in fid], dtype=np.float32)
        idf = np.log((n + 1) / (df + 0.5)).astype(np.float32) * kind_weight
        # A feature in a large share of the texts tells them apart little and costs the most
        # (its postings are the longest): left out once there are many texts.
        idf[df > max(COMMON_MIN, int(n * COMMON_SHARE))] = 0.0
        w = (1.0 + np.log(c_)) * idf[f_]
        norm = np.sqrt(np.bincount(d, w * w, minlength=ndocs))
        w = np.divide(w, norm[d], out=np.zeros_like(w), where=norm[d] > 0)
        keep = w > 0
        d, f_, w = d[keep], f_[keep], w[keep].astype(np.float32)
        self._group_of = {label: g for g, label in enumerate(self.labels)}
        if by_row:  # the entries are in text order already: rows are slices
            self._row_starts = np.searchsorted(d, np.arange(ndocs + 1))
            self._row_feats, self._row_vals = f_.astype(np.int32), w
            self._ids = self._vals = np.zeros(0, np.float32)
            self._offsets = np.zeros(len(fid) + 1, np.int64)
        else:
            # Postings by feature in one pair of arrays (CSR): a few bytes per entry.
            order = np.argsort(f_, kind="stable")
            self._ids, self._vals = d[order].astype(np.int32), w[order]
            self._offsets = np.concatenate(([0], np.cumsum(np.bincount(f_, minlength=len(fid)))))
        self._fid = {f: i for f, i in fid.items() if idf[i] > 0}
        self._idf = idf

    def _vector(self, bag: Counter[str]) -> dict[int, float]:
        vec = {}
        for f, c in bag.items():
            i = self._fid.get(f)
            if i is not None:
                vec[i] = (1.0 + math.log(c)) * float(self._idf[i])
        norm = math.sqrt(sum(w * w for w in vec.values()))
        return {i: w / norm for i, w in vec.items()} if norm else {}

    def __len__(self) -> int:
        return self._ndocs

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """Every group's best cosine with the query, in `labels` order."""
        if not self.labels:
            return np.zeros(0)
        vec = self._vector(features(tokens))
        if not vec:
            return np.zeros(len(self.labels))
        ids, vals = [], []
        for i, w in vec.items():
            start, end = self._offsets[i], self._offsets[i + 1]
            ids.append(self._ids[start:end])
            vals.append(self._vals[start:end] * w)
        per_doc = np.bincount(np.concatenate(ids), np.concatenate(vals), minlength=self._ndocs)
        return np.maximum.reduceat(per_doc, self._starts)

    def some_scores(self, tokens: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
        """The best cosine of each named group (built `by_row`): cheap for a few groups
        however long their texts are."""
        vec = self._vector(features(tokens))
        if not vec:
            return {}
        wanted = np.array(sorted(vec), dtype=np.int32)
        weights = np.array([vec[i] for i in wanted], dtype=np.float32)
        rows: list[int] = []
        owners: list[str] = []
        for label in labels:
            g = self._group_of.get(label)
            if g is None:
                continue
            end = self._starts[g + 1] if g + 1 < len(self._starts) else self._ndocs
            rows.extend(range(self._starts[g], end))
            owners.extend([label] * (end - self._starts[g]))
        if not rows:
            return {}
        # All the rows' entries at once: one membership test, one sum per row.
        bounds = [(self._row_starts[r], self._row_starts[r + 1]) for r in rows]
        feats = np.concatenate([self._row_feats[a:b] for a, b in bounds])
        vals = np.concatenate([self._row_vals[a:b] for a, b in bounds])
        at = np.searchsorted(wanted, feats).clip(max=len(wanted) - 1)
        products = np.where(wanted[at] == feats, vals * weights[at], 0.0)
        sizes = np.array([b - a for a, b in bounds])
        sums = np.add.reduceat(products, np.concatenate(([0], np.cumsum(sizes)[:-1])))
        sums[sizes == 0] = 0.0
        found: dict[str, float] = {}
        for owner, total in zip(owners, sums.tolist(), strict=True):
            found[owner] = max(found.get(owner, 0.0), total)
        return found

    def nbytes(self) -> int:
        """The postings' size (the feature dict's overhead is measured by the bench)."""
        return int(self._ids.nbytes + self._vals.nbytes + self._offsets.nbytes)
