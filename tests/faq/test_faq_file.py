"""The FAQ file: the shipped knowledge base, line-exact error reports (all or nothing), and
round trips."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

import knowledge
from knowledge.complaints.categories import FILING_CATEGORIES
from knowledge.faq.files import dump_faq_yaml, parse_faq_yaml
from knowledge.faq.model import SCREENS, Faq, Topic, action_problem
from knowledge.snaps.categories import SnapCategory
from knowledge.stations.station import Service

SHIPPED = Path(knowledge.__file__).parent / "data" / "faq.yaml"

# Two good entries; line numbers below count from "entries:" on line 1.
GOOD = """\
entries:
  - key: unpaid-freight
    topic: rights
    questions_zh:
      - 运费被拖欠怎么办
      - 货主不给运费
    questions_en:
      - The shipper won't pay my freight
    answer_zh: |
      1. 留好运单和聊天记录。
      2. 打12328反映。
    answer_en: Keep the waybill and chats, then call 12328.
    source_zh: 12328 交通运输服务监督热线
    source_en: 12328 transport service hotline
    action: complaint:freight
    tags: [运费, 拖欠]
  - key: call-12348
    topic: legal_aid
    questions_zh:
      - 12348是干什么的
      - 想免费问律师打什么电话
    questions_en:
      - What is 12348?
    answer_zh: 免费法律咨询热线。
    answer_en: The free legal advice line.
    source_zh: 12348 公共法律服务热线
    source_en: 12348 public legal service hotline
"""


def _errors(text: str) -> list[str]:
    result = parse_faq_yaml(text)
    assert result.entries is None, "a file with errors must be rejected whole"
    assert not result.ok
    return result.errors


def _shipped() -> tuple[Faq, ...]:
    result = parse_faq_yaml(SHIPPED.read_text(encoding="utf-8"))
    assert result.errors == []
    assert result.entries is not None
    return result.entries


# --- the shipped file ----------------------------------------------------------------------


def test_the_shipped_file_covers_every_topic() -> None:
    entries = _shipped()
    assert len(entries) >= 60
    per_topic = Counter(e.topic for e in entries)
    assert set(per_topic) == set(Topic)
    assert all(count >= 5 for count in per_topic.values()), per_topic


def test_every_shipped_action_resolves() -> None:
    kinds = {
        "complaint": {c.value for c in FILING_CATEGORIES},
        "snap": {c.value for c in SnapCategory},
        "nearest": {s.value for s in Service},
    }
    for entry in _shipped():
        if not entry.action:
            continue
        assert action_problem(entry.action) is None, entry.key
        kind, _, name = entry.action.partition(":")
        assert entry.action in SCREENS or name in kinds[kind], entry.key


def test_the_shipped_file_names_the_hotlines() -> None:
    text = " ".join(e.answer_zh + e.source_zh for e in _shipped())
    for number in ("12348", "12328", "12345", "12333", "122", "110", "120"):
        assert number in text


def test_the_shipped_file_round_trips() -> None:
    entries = _shipped()
    again = parse_faq_yaml(dump_faq_yaml(entries))
    assert again.errors == [] and again.entries == entries


# --- reading -------------------------------------------------------------------------------


def test_fields_are_read() -> None:
    result = parse_faq_yaml(GOOD)
    assert result.ok and result.entries is not None
    freight, aid = result.entries
    assert freight == Faq(
        key="unpaid-freight", topic=Topic.RIGHTS,
        questions_zh=("运费被拖欠怎么办", "货主不给运费"),
        questions_en=("The shipper won't pay my freight",),
        answer_zh="1. 留好运单和聊天记录。\n2. 打12328反映。",
        answer_en="Keep the waybill and chats, then call 12328.",
        source_zh="12328 交通运输服务监督热线", source_en="12328 transport service hotline",
        action="complaint:freight", tags=("运费", "拖欠"),
    )  # fmt: skip
    assert (aid.action, aid.tags) == ("", ())


def test_action_none_means_no_action() -> None:
    text = GOOD.replace("    tags: [运费, 拖欠]\n", "").replace("complaint:freight", "none")
    result = parse_faq_yaml(text)
    assert result.entries is not None and result.entries[0].action == ""


@pytest.mark.parametrize("action", ["checkup", "points", "shop", "tasks", "snap:pothole",
                                    "nearest:shower", "complaint:unpaid_pay"])  # fmt: skip
def test_every_kind_of_action_is_accepted(action: str) -> None:
    assert parse_faq_yaml(GOOD.replace("complaint:freight", action)).ok


def test_the_round_trip_keeps_optional_fields_out() -> None:
    result = parse_faq_yaml(GOOD)
    assert result.entries is not None
    text = dump_faq_yaml(result.entries)
    assert text.count("action:") == 1 and text.count("tags:") == 1
    assert parse_faq_yaml(text).entries == result.entries


# --- errors, each with its line ------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("key: call-12348", "key: Call_12348",
         "line 17: key must be 1-64 lowercase letters, digits or '-': 'Call_12348'"),
        ("key: call-12348", "key: unpaid-freight",
         "line 17: duplicate key 'unpaid-freight' (first on line 2)"),
        ("topic: legal_aid", "topic: law",
         "line 18: unknown topic 'law' (one of rights, insurance, injury, legal_aid, hotlines, "
         "stations, checkups, points)"),
        ("      - 想免费问律师打什么电话", "      -  运费被拖欠怎么办 ",
         "line 21: question '运费被拖欠怎么办' is asked in another entry (line 5)"),
        ("      - What is 12348?", "      - the shipper won't pay my FREIGHT",
         "line 23: question \"the shipper won't pay my FREIGHT\" is asked in another entry "
         "(line 8)"),
        ("      - 货主不给运费", "      - 运费被拖欠怎么办",
         "line 6: questions_zh repeats '运费被拖欠怎么办'"),
        ("    questions_en:\n      - What is 12348?", "    questions_en: What is 12348?",
         "line 22: questions_en must be a list, got 'What is 12348?'"),
        ("      - 想免费问律师打什么电话\n", "",
         "line 19: questions_zh must hold 2 to 20 items, got 1"),
        ("      - What is 12348?", "      - [a, b]",
         "line 23: each of questions_en must be a single value, got a list"),
        ("answer_en: The free legal advice line.", "answer_en: [free, advice]",
         "line 25: answer_en must be a single value, got a list"),
        ("answer_en: The free legal advice line.", "answer_en:", "line 25: answer_en is empty"),
        ("answer_zh: 免费法律咨询热线。", "answer_zh: " + "长" * 601,
         "line 24: answer_zh is longer than 600 characters"),
        ("source_en: 12348 public legal service hotline", "source_en: 12348\u202e",
         "line 27: source_en contains a bidirectional control (U+202E)"),
        ("action: complaint:freight", "action: complaint:parking",
         "line 15: unknown complaint 'parking' in action (one of enforcement, freight, "
         "insurance, other, platform, station, tolls, unpaid_pay)"),
        ("action: complaint:freight", "action: snap:freight",
         "line 15: unknown snap 'freight' in action (one of debris, hazard, obstruction, other, "
         "pothole, public_facility, traffic_facility, water_ice)"),
        ("action: complaint:freight", "action: nearest:sauna",
         "line 15: unknown nearest 'sauna' in action (one of " +
         ", ".join(sorted(s.value for s in Service)) + ")"),
        ("action: complaint:freight", "action: call:110",
         "line 15: unknown action kind 'call' (complaint, snap or nearest)"),
        ("action: complaint:freight", "action: map",
         "line 15: unknown action 'map' (complaint:<category>, snap:<category>, "
         "nearest:<service> or one of checkup, none, points, shop, tasks)"),
        ("tags: [运费, 拖欠]", "tags: [运费, 运费]", "line 16: tags repeats '运费'"),
        ("tags: [运费, 拖欠]", "tags: 运费", "line 16: tags must be a list, got '运费'"),
        ("    source_zh: 12348 公共法律服务热线\n", "",
         "line 17: missing field 'source_zh'"),
        ("    topic: legal_aid\n", "    topic: legal_aid\n    priority: 1\n",
         "line 19: unknown field 'priority'"),
        ("    topic: rights\n", "    topic: rights\n    topic: rights\n",
         "line 4: field 'topic' given twice (first on line 3)"),
    ],
)  # fmt: skip
def test_each_problem_is_reported_with_its_line(old: str, new: str, expected: str) -> None:
    assert old in GOOD
    assert _errors(GOOD.replace(old, new, 1)) == [expected]


def test_every_problem_is_reported_in_file_order() -> None:
    text = GOOD.replace("answer_en: The free legal advice line.", "answer_en:")
    text = text.replace("topic: rights", "topic: law").replace("tags: [运费, 拖欠]", "tags: {}")
    assert _errors(text) == [
        "line 3: unknown topic 'law' (one of rights, insurance, injury, legal_aid, hotlines, "
        "stations, checkups, points)",
        "line 16: tags must be a list, got a mapping",
        "line 25: answer_en is empty",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "line 1: the file is empty; expected one section, entries"),
        ("questions:\n  - key: a\n", "line 1: unknown section 'questions' (expected one "
         "section, entries)"),
        ("entries: []\n", "line 1: entries must be a list of entries"),
        ("entries:\n  - just text\n", "line 2: each entry must be a mapping of fields"),
        ("entries:\n  - key: [\n", "line 3: YAML syntax error: expected the node content, "
         "but found '<stream end>' (while parsing a flow node)"),
    ],
)  # fmt: skip
def test_a_file_of_the_wrong_shape_is_reported(text: str, expected: str) -> None:
    assert _errors(text)[0] == expected


def test_a_missing_field_is_reported_on_the_entry() -> None:
    text = GOOD.replace("    answer_en: Keep the waybill and chats, then call 12328.\n", "")
    assert _errors(text) == ["line 2: missing field 'answer_en'"]


def test_one_bad_entry_rejects_the_whole_file() -> None:
    shipped = SHIPPED.read_text(encoding="utf-8")
    broken = shipped.replace("action: complaint:freight", "action: complaint:fraight", 1)
    errors = _errors(broken)
    assert len(errors) == 1 and "unknown complaint 'fraight'" in errors[0]
    line = int(errors[0].split(":")[0].removeprefix("line "))
    assert "complaint:fraight" in broken.splitlines()[line - 1]


def test_a_question_repeated_in_other_case_is_a_repeat() -> None:
    text = GOOD.replace("      - What is 12348?", "      - What is 12348?\n      - WHAT IS 12348?")
    assert _errors(text) == ["line 24: questions_en repeats 'WHAT IS 12348?'"]


def test_values_yaml_would_misread_round_trip() -> None:
    # Plain "110", "yes" or "a: b" would come back as a number, a boolean or a mapping.
    entry = Faq(
        key="110", topic=Topic.HOTLINES, questions_zh=("110", "yes"),
        questions_en=("null", "a: b # c"), answer_zh="第一步\n  缩进的第二步\n\n第三步",
        answer_en="- starts like a list", source_zh="'quoted'", source_en="[not a list]",
        action="nearest:wifi", tags=("true", "2027-01-01"),
    )  # fmt: skip
    again = parse_faq_yaml(dump_faq_yaml([entry]))
    assert again.errors == [] and again.entries == (entry,)
