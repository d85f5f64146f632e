"""Checkup catalog files: the sample, round trips, and line-exact error reports."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import knowledge
from knowledge.checkups.catalog import (
    CheckupCatalog,
    CheckupService,
    Provider,
    ProviderKind,
    SlotTemplate,
)
from knowledge.checkups.files import dump_checkups_yaml, parse_checkups_yaml

SAMPLE = Path(knowledge.__file__).parent / "data" / "checkups_sample.yaml"
TZ = ZoneInfo("Asia/Shanghai")

# A small good file; tests append to or change it.
GOOD = """\
providers:
  - id: zg-third-hospital
    name: 自贡市第三人民医院
    kind: hospital
    city: 自贡
    address: 自贡市区
    lat: 29.35
    lon: 104.77
    phone: "0813-0000000"
services:
  - id: general
    name_zh: 免费体检
    name_en: Free general checkup
    duration_min: 60
    prep_zh: 前一晚不要吃东西
    prep_en: Eat nothing the evening before
templates:
  - provider: zg-third-hospital
    service: general
    weekdays: [1, 7]
    start: 18:00
    end: "21:00"
    slot_minutes: 30
    capacity: 5
"""


def _sample() -> CheckupCatalog:
    result = parse_checkups_yaml(SAMPLE.read_text(encoding="utf-8"))
    assert result.errors == []
    assert result.ok and result.catalog is not None
    return result.catalog


# --- good files --------------------------------------------------------------------------


def test_sample_parses_cleanly() -> None:
    catalog = _sample()
    assert SAMPLE.read_text(encoding="utf-8").startswith("# 示例数据 / ILLUSTRATIVE SAMPLE DATA")
    assert {p.name for p in catalog.providers} >= {
        "自贡市第三人民医院",
        "自贡爱尔眼科医院",
        "自贡市精神卫生中心",
    }
    assert any(p.kind is ProviderKind.STATION for p in catalog.providers)
    for provider in catalog.providers:
        assert provider.city == "自贡"
        assert 29.3 <= provider.lat <= 29.4 and 104.7 <= provider.lon <= 104.8
    assert [s.name_zh for s in catalog.services] == [
        "免费体检",
        "职业病筛查",
        "眼科检查",
        "心理评估",
        "针灸推拿",
    ]
    general = next(s for s in catalog.services if s.id == "general")
    assert general.duration_min == 60 and "20:00" in general.prep_zh
    assert all(3 <= t.capacity <= 10 for t in catalog.templates)
    # Evening and weekend slots are what drivers can actually use.
    assert any(t.start == time(18) and t.end == time(21) for t in catalog.templates)
    assert any(t.weekdays & {5, 6} for t in catalog.templates)
    assert any(date(2027, 2, 5) in t.closed_dates for t in catalog.templates)


def test_small_file_fields_and_defaults() -> None:
    result = parse_checkups_yaml(GOOD)
    assert result.ok and result.catalog is not None
    (provider,) = result.catalog.providers
    assert provider == Provider(
        id="zg-third-hospital",
        name="自贡市第三人民医院",
        kind=ProviderKind.HOSPITAL,
        city="自贡",
        address="自贡市区",
        lat=29.35,
        lon=104.77,
        phone="0813-0000000",
    )
    (template,) = result.catalog.templates
    assert template.weekdays == frozenset({0, 6})  # ISO 1 and 7 -> Monday and Sunday
    assert template.start == time(18)  # a plain 18:00 is not read as YAML's base-60 1080
    assert template.days_ahead == 30 and template.closed_dates == frozenset()


def test_round_trip_of_the_sample() -> None:
    catalog = _sample()
    text = dump_checkups_yaml(catalog)
    again = parse_checkups_yaml(text)
    assert again.errors == []
    assert again.catalog == catalog
    assert dump_checkups_yaml(again.catalog) == text


def test_round_trip_of_optional_fields() -> None:
    catalog = CheckupCatalog(
        providers=(
            Provider("a", "yes", ProviderKind.CLINIC, "自贡", "1 Road: North", 29.0, 104.0, ""),
            Provider("b.2", "12", ProviderKind.STATION, "自贡", "#3", -1.5, 180.0, "0813-1"),
        ),
        services=(CheckupService("s_1", "针灸推拿", "Massage", 40, "", ""),),
        templates=(
            SlotTemplate("a", "s_1", frozenset({6}), time(8, 5), time(9), 5, 1, 1),
            SlotTemplate(
                provider_id="b.2",
                service_id="s_1",
                weekdays=frozenset(range(7)),
                start=time(0),
                end=time(23, 59),
                slot_minutes=480,
                capacity=500,
                days_ahead=180,
                closed_dates=frozenset({date(2027, 2, 8), date(2027, 2, 5)}),
            ),
        ),
    )
    text = dump_checkups_yaml(catalog)
    assert "phone" not in text.split("- id: b.2")[0]  # an empty phone is left out
    assert "closed_dates: ['2027-02-05', '2027-02-08']" in text
    result = parse_checkups_yaml(text)
    assert result.errors == []
    assert result.catalog == catalog


def test_slot_starts_on_the_parsed_sample() -> None:
    catalog = _sample()
    weekday_evenings = next(
        t
        for t in catalog.templates
        if (t.provider_id, t.service_id) == ("zg-third-hospital", "general") and t.start == time(18)
    )
    tuesday = date(2026, 12, 1)
    assert [s.strftime("%H:%M") for s in weekday_evenings.slot_starts(tuesday, TZ)] == [
        "18:00",
        "18:30",
        "19:00",
        "19:30",
        "20:00",
        "20:30",
    ]
    first = weekday_evenings.slot_starts(tuesday, TZ)[0]
    assert first == datetime(2026, 12, 1, 18, 0, tzinfo=TZ)
    assert first.utcoffset() is not None and first.utcoffset().total_seconds() == 8 * 3600
    assert weekday_evenings.slot_starts(date(2027, 2, 5), TZ) == []  # Friday, closed
    assert weekday_evenings.slot_starts(date(2027, 2, 4), TZ) != []  # the Thursday before
    assert weekday_evenings.slot_starts(date(2026, 12, 5), TZ) == []  # Saturday: not listed


# --- bad files ---------------------------------------------------------------------------

MANY_MISTAKES = """\
providers:
  - id: zg-a
    name: 医院甲
    kind: lab
    city: 自贡
    address: 某路
    lat: 95
    lon: abc
    colour: red
  - id: zg-b
    kind: clinic
    city: 自贡
    address: 某路
    lat: 29.3
    lon: 104.7
  - id: "bad id!"
    name: x
    kind: station
    city: 自贡
    address: y
    lat: 29.3
    lon: 104.7
    phone: 12345
services:
  - id: general
    name_zh: 免费体检
    name_en: Free checkup
    duration_min: 3
  - id: eye
    name_zh: 眼科检查
    name_en: ""
    duration_min: 30.5
templates:
  - provider: zg-nowhere
    service: general
    weekdays: [0, 3, 3, 8, x]
    start: "25:00"
    end: "21:00"
    slot_minutes: 30
    capacity: 0
  - provider: zg-a
    service: eye
    weekdays: []
    start: "18:00"
    end: "17:00"
    slot_minutes: 30
    capacity: 5
    closed_dates: ["2027-02-30", 2027-02-05, "tomorrow"]
  - provider: zg-a
    service: general
    weekdays: [1]
    start: 18:00
    end: "18:20"
    slot_minutes: 30
    capacity: 5
    days_ahead: 365
  - provider: zg-a
    service: general
    weekdays: [1, 2]
    start: "18:00"
    end: "21:00"
    slot_minutes: 30
    capacity: 5
  - provider: zg-a
    service: general
    weekdays: [2]
    start: "20:00"
    end: "22:00"
    slot_minutes: 30
    capacity: 5
  - service: general
    weekdays: 1
    start: "9"
    end: "10:00"
    slot_minutes: ten
    capacity: 5
extra: 1
"""


def test_many_mistakes_each_reported_with_its_line() -> None:
    result = parse_checkups_yaml(MANY_MISTAKES)
    assert not result.ok and result.catalog is None
    assert result.errors == [
        "line 4: unknown kind 'lab' (expected hospital, clinic, station)",
        "line 7: lat 95 is outside [-90, 90]",
        "line 8: lon must be a number, got text 'abc'",
        "line 9: unknown field 'colour'",
        "line 10: missing field 'name'",
        "line 16: id must be 1-32 letters, digits, '-', '_' or '.': 'bad id!'",
        "line 23: phone must be text, got integer '12345'",
        "line 28: duration_min 3 is outside [5, 480]",
        "line 31: name_en is empty",
        "line 32: duration_min must be a whole number, got number '30.5'",
        "line 34: unknown provider 'zg-nowhere'",
        "line 36: weekday must be 1 (Monday) to 7 (Sunday), got '0'",
        "line 36: weekday 3 is listed twice",
        "line 36: weekday must be 1 (Monday) to 7 (Sunday), got '8'",
        "line 36: weekday must be 1 (Monday) to 7 (Sunday), got 'x'",
        "line 37: start must be a time HH:MM between 00:00 and 23:59, got '25:00'",
        "line 40: capacity 0 is outside [1, 500]",
        "line 43: weekdays is empty",
        "line 45: end 17:00 is not after start 18:00",
        "line 48: closed date must be a date YYYY-MM-DD, got '2027-02-30'",
        "line 48: closed date must be a date YYYY-MM-DD, got 'tomorrow'",
        "line 54: slot_minutes 30 does not fit between 18:00 and 18:20",
        "line 56: days_ahead 365 is outside [1, 180]",
        "line 64: overlaps the template on line 57 "
        "(same provider and service, shared weekday, overlapping hours)",
        "line 71: missing field 'provider'",
        "line 72: weekdays must be a list, got integer '1'",
        "line 73: start must be a time HH:MM between 00:00 and 23:59, got '9'",
        "line 75: slot_minutes must be a whole number, got text 'ten'",
        "line 77: unknown section 'extra' (expected sections providers, services and templates)",
    ]


def test_duplicates_name_the_first_line() -> None:
    text = GOOD.replace(
        "services:\n",
        "  - id: zg-third-hospital\n"
        "    name: 重复\n"
        "    name: 又一个\n"
        "    kind: clinic\n"
        "    city: 自贡\n"
        "    address: 某路\n"
        "    lat: 29.3\n"
        "    lon: 104.7\n"
        "services:\n",
    )
    text += "  - provider: zg-third-hospital\n    service: general\n"
    text += '    weekdays: [7]\n    start: "20:30"\n    end: "22:00"\n'
    text += "    slot_minutes: 30\n    capacity: 5\nservices: []\n"
    assert parse_checkups_yaml(text).errors == [
        "line 10: duplicate provider id 'zg-third-hospital' (first on line 2)",
        "line 12: field 'name' given twice (first on line 11)",
        "line 33: overlaps the template on line 26 "
        "(same provider and service, shared weekday, overlapping hours)",
        "line 40: section 'services' given twice (first on line 18)",
    ]


def test_duplicate_service_id() -> None:
    text = GOOD.replace(
        "templates:\n",
        "  - id: general\n    name_zh: 眼科\n    name_en: Eye\n    duration_min: 30\ntemplates:\n",
    )
    assert parse_checkups_yaml(text).errors == [
        "line 17: duplicate service id 'general' (first on line 11)"
    ]


def test_template_naming_unknown_provider_and_service() -> None:
    text = GOOD.replace(
        "  - provider: zg-third-hospital\n    service: general\n    weekdays", "  - weekdays"
    )
    text += "  - provider: zg-fourth-hospital\n    service: dentist\n    weekdays: [2]\n"
    text += '    start: "18:00"\n    end: "21:00"\n    slot_minutes: 30\n    capacity: 5\n'
    result = parse_checkups_yaml(text)
    assert result.catalog is None
    assert result.errors == [
        "line 18: missing field 'provider'",
        "line 18: missing field 'service'",
        "line 23: unknown provider 'zg-fourth-hospital'",
        "line 24: unknown service 'dentist'",
    ]


def test_yaml_syntax_error_has_its_line() -> None:
    text = GOOD.replace("    weekdays: [1, 7]\n", "    weekdays: [1, 7\n")
    assert parse_checkups_yaml(text).errors == [
        "line 21: YAML syntax error: expected ',' or ']', but got ':' "
        "(while parsing a flow sequence, which starts on line 20)"
    ]
    two_documents = parse_checkups_yaml(GOOD + "---\nproviders: []\n")
    assert two_documents.errors == [
        "line 25: YAML syntax error: expected a single document in the stream, "
        "but found another document"
    ]
    assert parse_checkups_yaml("providers:\n  - id: \x07\n").errors == [
        "line 2: YAML syntax error: unacceptable character '\\x07'"
    ]


@pytest.mark.parametrize(
    ("text", "errors"),
    [
        ("", ["line 1: the file is empty; expected sections providers, services and templates"]),
        (
            "# nothing\n- a\n",
            ["line 2: expected sections providers, services and templates, got a list"],
        ),
        (
            "\nproviders: x\nservices: []\ntemplates:\n",
            [
                "line 2: providers must be a list, got text 'x'",
                "line 3: services has no entries",
                "line 4: templates must be a list, got nothing",
            ],
        ),
        (
            "providers:\n  - just a name\n",
            [
                "line 1: missing section 'services'",
                "line 1: missing section 'templates'",
                "line 2: each entry in providers must be a mapping of fields",
            ],
        ),
    ],
)
def test_file_structure(text: str, errors: list[str]) -> None:
    assert parse_checkups_yaml(text).errors == errors


def test_tags_are_never_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = GOOD.replace(
        "name: 自贡市第三人民医院",
        f'name: !!python/object/apply:os.system ["touch {marker}"]',
    ).replace("lat: 29.35", "lat: !!int abc")
    assert parse_checkups_yaml(text).errors == [
        "line 3: name must be text, got a list",
        "line 7: lat must be a number, got integer 'abc'",
    ]
    assert not marker.exists()


def test_limits_and_optional_blanks() -> None:
    text = GOOD.replace("自贡市区", "路" * 161).replace('phone: "0813-0000000"', "phone:")
    text = text.replace("    prep_zh: 前一晚不要吃东西\n", "").replace("[1, 7]", "[1, true]")
    assert parse_checkups_yaml(text).errors == [
        "line 6: address is longer than 160 characters",
        "line 19: weekday must be 1 (Monday) to 7 (Sunday), got 'true'",
    ]
    fixed = parse_checkups_yaml(text.replace("路" * 161, "某路").replace("true", "2"))
    assert fixed.catalog is not None
    assert fixed.catalog.providers[0].phone == ""
    assert fixed.catalog.services[0].prep_zh == ""


def test_a_day_of_slots_must_fit_on_the_buttons() -> None:
    text = GOOD.replace('    start: 18:00\n    end: "21:00"\n    slot_minutes: 30\n',
                        '    start: "08:00"\n    end: "21:00"\n    slot_minutes: 10\n')  # fmt: skip
    result = parse_checkups_yaml(text)
    assert result.errors == [
        "line 23: 78 slots a day between 08:00 and 21:00; "
        "at most 60 (use longer slots or a shorter window)"
    ]


def test_deep_nesting_is_an_error_not_a_traceback() -> None:
    for text in ("[" * 100_000, "providers: " + "[" * 5_000):
        assert parse_checkups_yaml(text).errors == ["line 1: YAML syntax error: nested too deeply"]


def test_hidden_characters_are_refused_with_their_line() -> None:
    # Escapes in double-quoted scalars reach the text as the characters themselves.
    text = (
        GOOD.replace("name: 自贡市第三人民医院", r'name: "自贡市\0第三人民医院"')
        .replace("city: 自贡", r'city: "自贡\u202e"')
        .replace("address: 自贡市区", r'address: "自贡\n市区"')
        .replace('phone: "0813-0000000"', r'phone: "0813\t0000000"')
        .replace("name_en: Free general checkup", r'name_en: "Free\u2066 checkup"')
        .replace("prep_en: Eat nothing the evening before", r'prep_en: "No food\u200b"')
    )
    assert parse_checkups_yaml(text).errors == [
        "line 3: name contains a NUL character (U+0000)",
        "line 5: city contains a bidirectional control (U+202E)",
        "line 6: address contains a line break (U+000A)",
        "line 9: phone contains a tab (U+0009)",
        "line 13: name_en contains a bidirectional control (U+2066)",
        "line 16: prep_en contains an invisible formatting character (U+200B)",
    ]
    assert parse_checkups_yaml(GOOD.replace("city: 自贡", r'city: "\ud800"')).errors == [
        "line 5: city contains a lone surrogate (U+D800)"
    ]


def test_preparation_may_have_lines_and_round_trips() -> None:
    text = GOOD.replace(
        "prep_zh: 前一晚不要吃东西",
        "prep_zh: |\n      1. 前一晚 20:00 后禁食\n\n\n      2. 带身份证\n",
    )
    result = parse_checkups_yaml(text)
    assert result.errors == [] and result.catalog is not None
    assert result.catalog.services[0].prep_zh == "1. 前一晚 20:00 后禁食\n\n2. 带身份证"
    assert parse_checkups_yaml(dump_checkups_yaml(result.catalog)).catalog == result.catalog


def test_names_a_spreadsheet_would_run_round_trip() -> None:
    # YAML is no spreadsheet: nothing is escaped, the dumper quotes what YAML needs.
    provider = Provider("a", "=SUM(1)", ProviderKind.CLINIC, "@x", "-东区", 29.0, -73.5, "+86 1")
    service = CheckupService("s", "- 体检", "'quoted'", 40, "- 一\n- 二", "# not a comment")
    template = SlotTemplate("a", "s", frozenset({6}), time(8), time(9), 30, 1, 1)
    catalog = CheckupCatalog((provider,), (service,), (template,))
    result = parse_checkups_yaml(dump_checkups_yaml(catalog))
    assert result.errors == []
    assert result.catalog == catalog
