"""The reading of free text, without Telegram or a database: normalisation, places by sound,
the intents file's checks, the readings of plain requests, and the labelled set's floor."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import DATA_DIR
from knowledge.cities import cities_in, city_by_sound, match_city
from knowledge.faq.files import parse_faq_yaml
from knowledge.intents.book import BookError, Intent, load_book, parse_book
from knowledge.intents.labelled import Item, kind, load_part, score
from knowledge.intents.matcher import Matcher
from knowledge.intents.normalize import Fillers, normalize, tokens
from knowledge.intents.understand import understand
from knowledge.stations.files import parse_csv
from knowledge.stations.index import StationIndex

SETS = Path(__file__).resolve().parents[2] / "bench" / "data"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    entries = parse_faq_yaml((DATA_DIR / "faq.yaml").read_text(encoding="utf-8")).entries
    assert entries is not None
    return Matcher(load_book(), entries)


@pytest.fixture(scope="module")
def stations() -> StationIndex:
    text = (DATA_DIR / "stations_sample.csv").read_text(encoding="utf-8")
    return StationIndex(parse_csv(text, True).stations)


def test_normalising_makes_one_form() -> None:
    fillers = Fillers.of(["请问", "一下", "吗"], ["please", "can you"])
    assert tokens("請問附近哪裡能洗澡？", fillers) == ["附近哪里能洗澡"]
    assert normalize("ＡＢＣ！１２３２８", fillers) == "abc 12328"
    assert tokens("Can you please find a SHOWER", fillers) == ["find", "a", "shower"]
    assert tokens("😂😂 ！！") == []


def test_places_by_sound_and_inside_a_text() -> None:
    assert city_by_sound("乐善").zh == "乐山"  # type: ignore[union-attr]
    assert city_by_sound("应潭").zh == "鹰潭"  # type: ignore[union-attr]
    assert match_city("应潭").zh == "鹰潭"  # type: ignore[union-attr]  # 湘潭 is as close by eye
    assert city_by_sound("大家") is None and city_by_sound("山东") is None
    assert [c.zh for _s, _e, c in cities_in("自贡哪里能洗澡，去乐山")] == ["自贡", "乐山"]


def test_the_intents_file_refuses_what_does_not_exist() -> None:
    good = (DATA_DIR / "intents.yaml").read_text(encoding="utf-8")
    parse_book(good)
    with pytest.raises(BookError, match="unknown code 'spa'"):
        parse_book(good.replace("    shower: [", "    spa: [", 1))
    with pytest.raises(BookError, match="unknown intent 'lottery'"):
        parse_book(good.replace("  - name: tasks", "  - name: lottery", 1))
    with pytest.raises(BookError, match="checkup, complaint"):
        parse_book("intents: []")
    with pytest.raises(BookError, match="described twice"):
        parse_book(good + "\n  - name: help\n")


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("附近哪里能洗澡", "nearest:shower"),
        ("哪里能充电", "nearest:charge"),
        ("自贡哪里能洗澡", "nearest:shower@自贡"),
        ("乐善", "nearest@乐山"),
        ("我要投诉运费", "complaint:freight"),
        ("帮我约个体检", "checkup"),
        ("路上有个大坑", "snap:pothole"),
        ("红绿灯坏了", "snap:traffic_facility"),
        ("我的积分", "points"),
        ("转人工", "human"),
        ("你好", "greeting"),
        ("多谢多谢", "thanks"),
        ("where can I take a shower", "nearest:shower"),
        ("運費被拖欠怎麼辦", "faq:unpaid-freight"),
    ],
)
def test_plain_requests_are_read_for_sure(matcher: Matcher, text: str, label: str) -> None:
    reading = matcher.read(text)
    assert reading.sure and reading.label == label, reading


def test_gibberish_and_laughter_are_nothing(matcher: Matcher) -> None:
    for text in ("asdfgh", "哈哈哈哈", "😂", "!!!", "今天天气怎么样", "tell me a joke"):
        reading = matcher.read(text)
        assert not reading.sure or reading.label != Intent.GREETING.value, (text, reading)
        assert reading.label in ("none",) or not reading.sure, (text, reading)


def test_a_station_name_is_the_list_there(matcher: Matcher, stations: StationIndex) -> None:
    for text, station in (("暖心之家", "ls-warm-home-g348"),
                          ("铜心驿站在哪", "ls-tongxin-station-shawan")):  # fmt: skip
        reading = understand(matcher, text, stations)
        assert reading.sure and reading.best is not None, text
        assert reading.best.station == station and reading.label == "nearest@乐山", text


def test_a_city_is_not_read_into_a_request(matcher: Matcher) -> None:
    """One character off a city is easy inside a sentence: 哪充 is not 南充."""
    assert "@" not in matcher.read("电动车快没电了 附近哪能充").label
    assert matcher.read("Wenzhou driver home").label == "nearest@温州"


def test_a_question_leans_to_the_answer(matcher: Matcher) -> None:
    assert matcher._asks("驿站收不收钱") and matcher._asks("能补不") and matcher._asks("要钱吗")
    assert not matcher._asks("附近哪里能洗澡") and not matcher._asks("我要投诉运费")


def test_scoring_counts_accepted_alternatives() -> None:
    items = [Item("a", "faq:x", ("complaint:freight",)), Item("b", "nearest:shower")]
    result = score(items, {"a": "complaint:freight", "b": "nearest"}.__getitem__)
    assert (result.right, result.right_intent, result.total) == (1, 2, 2)
    assert kind("nearest:shower@自贡") == "nearest"


def test_the_labelled_set_is_whole_and_read_well_enough(
    matcher: Matcher, stations: StationIndex
) -> None:
    """A floor against regressions, well under what bench/intents.py reports."""
    tuning, heldout = load_part(SETS, "tuning"), load_part(SETS, "heldout")
    assert len(tuning) + len(heldout) >= 300
    assert not {i.text for i in tuning} & {i.text for i in heldout}
    faq_keys = set(matcher.faqs)
    for item in (*tuning, *heldout):
        for label in (item.label, *item.accept):
            assert kind(label) in {i.value for i in Intent}, label
            if kind(label) == "faq":
                assert label[4:] in faq_keys, label
    read = lambda t: understand(matcher, t, stations).label  # noqa: E731
    # Floats only in the messages: a failure must not print the held-out texts.
    tuning_top1, heldout_top1 = score(tuning, read).accuracy, score(heldout, read).accuracy
    assert tuning_top1 >= 0.8, f"tuning top-1 {tuning_top1:.3f}"
    assert heldout_top1 >= 0.7, f"held-out top-1 {heldout_top1:.3f}"
