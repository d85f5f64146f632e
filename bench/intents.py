"""Free text: how often the bot reads it right, how fast, and what the knowledge costs.

Accuracy: top-1 on the labelled set's two parts (bench/data/intents_tuning.yaml, the part the
phrasings were tuned on, and bench/data/intents_heldout.yaml, written separately and never
tuned on), through the bot's own reading (knowledge/intents/understand.py: the matcher over
the intents file and the shipped FAQ, then the sample stations' names). A prediction counts
when it is the item's label or one of its accepted alternatives; "intent" also counts a right
intent with a wrong slot, city or FAQ entry. The confusion lists label → prediction kinds.

Latency: every text of both parts read with --faq FAQ entries loaded (the shipped ones plus
synthetic entries made by combining their questions with city names, so the index has that
many distinct texts), one query at a time. The baseline is what the issue measured: rapidfuzz
`fuzz.ratio` of the normalised text against every FAQ question (process.extractOne), for the
same queries. Memory: tracemalloc's peak while the matcher is built, for the shipped FAQ and
for --faq entries.

    python bench/intents.py [--faq 5000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from dataclasses import replace
from pathlib import Path

from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge import DATA_DIR  # noqa: E402
from knowledge.cities import CITIES  # noqa: E402
from knowledge.faq.files import parse_faq_yaml  # noqa: E402
from knowledge.faq.model import Faq  # noqa: E402
from knowledge.intents.book import load_book  # noqa: E402
from knowledge.intents.labelled import Score, kind, load_part, score  # noqa: E402
from knowledge.intents.matcher import Matcher  # noqa: E402
from knowledge.intents.normalize import normalize  # noqa: E402
from knowledge.intents.understand import understand  # noqa: E402
from knowledge.stations.files import parse_csv  # noqa: E402
from knowledge.stations.index import StationIndex  # noqa: E402

SETS = ROOT / "bench" / "data"


def shipped_faq() -> list[Faq]:
    result = parse_faq_yaml((DATA_DIR / "faq.yaml").read_text(encoding="utf-8"))
    assert result.entries is not None, result.errors[:3]
    return list(result.entries)


def synthetic_faq(base: list[Faq], total: int) -> list[Faq]:
    """`total` entries: the shipped ones, then copies whose questions name a city each
    ("自贡 运费被拖欠怎么办"), so every entry's texts differ. A copy keeps 4 Chinese and 2
    English questions, what an FAQ entry written by an office usually has."""
    entries = list(base)
    i = 0
    while len(entries) < total:
        src, city = base[i % len(base)], CITIES[(i // len(base)) % len(CITIES)]
        entries.append(replace(
            src, key=f"{src.key}-{i}",
            questions_zh=tuple(f"{city.zh}{q}" for q in src.questions_zh[:4]),
            questions_en=tuple(f"{q} in {city.en}" for q in src.questions_en[:2]),
            tags=(),
        ))  # fmt: skip
        i += 1
    return entries


def built(book: object, faqs: list[Faq]) -> tuple[Matcher, float, float, float]:
    """The matcher, its build seconds, and in MB what it holds once built and the peak of
    the build (tracemalloc: Python's allocations, numpy's arrays included)."""
    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    matcher = Matcher(book, faqs)  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    gc.collect()
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return matcher, seconds, held / 2**20, peak / 2**20


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def timed(queries: list[str], read: object, rounds: int) -> list[float]:
    times: list[float] = []
    for _ in range(rounds):
        for text in queries:
            started = time.perf_counter()
            read(text)  # type: ignore[operator]
            times.append((time.perf_counter() - started) * 1000)
    return times


def report(name: str, result: Score) -> None:
    print(f"{name:>9}: top-1 {result.accuracy:6.1%}  intent {result.intent_accuracy:6.1%}  "
          f"({result.right}/{result.total})")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faq", type=int, default=5000, help="FAQ entries for the latency")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the texts")
    args = parser.parse_args()

    book = load_book()
    faqs = shipped_faq()
    stations = StationIndex(
        parse_csv((DATA_DIR / "stations_sample.csv").read_text(encoding="utf-8"), True).stations
    )
    matcher, build_s, mem_mb, _peak = built(book, faqs)
    tuning, heldout = load_part(SETS, "tuning"), load_part(SETS, "heldout")
    print(f"labelled set: {len(tuning)} tuning + {len(heldout)} held-out texts; "
          f"{len(faqs)} FAQ entries, {len(stations)} sample stations")  # fmt: skip
    results = {}
    for name, items in (("tuning", tuning), ("held-out", heldout)):
        results[name] = score(items, lambda t: understand(matcher, t, stations).label)
        report(name, results[name])
    confusion: Counter[tuple[str, str]] = results["held-out"].confusion
    if confusion:
        print("held-out confusion (label → read as: count):")
        for (label, got), n in confusion.most_common(12):
            print(f"  {label} → {got}: {n}")
    kinds = Counter(kind(i.label) for i in heldout)
    wrong = Counter(kind(i.label) for i, _p in results["held-out"].wrong)
    print("held-out by kind: " + ", ".join(
        f"{k} {kinds[k] - wrong[k]}/{kinds[k]}" for k, _n in kinds.most_common()))  # fmt: skip

    big = synthetic_faq(faqs, args.faq)
    big_matcher, big_build_s, big_mem_mb, big_peak_mb = built(book, big)
    queries = [i.text for i in (*tuning, *heldout)]
    for text in queries[:20]:  # warm the caches (pinyin, OpenCC) before timing
        big_matcher.read(text)
    gc.collect()  # the build's garbage is not the queries' cost
    gc.freeze()  # as the bot does after a build (bot/services/intents/reader.py)
    ours = timed(queries, big_matcher.read, args.rounds)
    questions = [normalize(q, book.fillers) for f in big for q in (*f.questions_zh,
                                                                   *f.questions_en)]  # fmt: skip

    def baseline(text: str) -> object:
        return process.extractOne(normalize(text, book.fillers), questions, scorer=fuzz.ratio)

    base = timed(queries, baseline, 1)
    whole = timed(queries, lambda t: understand(big_matcher, t, stations), 1)
    p50, p99 = quantile(ours, 0.5), quantile(ours, 0.99)
    b50, b99 = quantile(base, 0.5), quantile(base, 0.99)
    print(f"knowledge: shipped {len(faqs)} entries built in {build_s * 1000:.0f} ms, "
          f"{mem_mb:.1f} MB held; {len(big)} entries ({len(big_matcher.index)} texts) in "
          f"{big_build_s:.2f} s, {big_mem_mb:.1f} MB held, {big_peak_mb:.1f} MB at the build's "
          f"peak")  # fmt: skip
    print(f"per query, {len(big)} FAQ entries: matcher p50 {p50:.3f} ms, p99 {p99:.3f} ms, "
          f"mean {statistics.fmean(ours):.3f} ms ({len(ours)} reads); with station names "
          f"p99 {quantile(whole, 0.99):.3f} ms")  # fmt: skip
    print(f"baseline rapidfuzz ratio over {len(questions)} questions: p50 {b50:.3f} ms, "
          f"p99 {b99:.3f} ms; ratio p99 {b99 / p99:.1f}x")  # fmt: skip
    fields = [
        f"heldout_top1={results['held-out'].accuracy:.3f}",
        f"heldout_intent={results['held-out'].intent_accuracy:.3f}",
        f"tuning_top1={results['tuning'].accuracy:.3f}",
        f"faq={len(big)}", f"p50_ms={p50:.3f}", f"p99_ms={p99:.3f}",
        f"baseline_p99_ms={b99:.3f}", f"speedup_p99={b99 / p99:.1f}",
        f"mem_mb_shipped={mem_mb:.1f}", f"mem_mb_{len(big)}={big_mem_mb:.1f}",
        f"build_s_{len(big)}={big_build_s:.1f}",
    ]  # fmt: skip
    print("RESULT " + " ".join(fields))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
