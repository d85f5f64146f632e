"""Reading and writing the FAQ knowledge base (政策与法律问答, knowledge/data/faq.yaml).

Like the shop and themes files, validation walks the composed node tree
(knowledge/yaml_files.py): every problem is reported with its line, no YAML tag is ever
constructed into an object, and a file is accepted only whole.

    entries:
      - key: unpaid-freight          # stable id, [a-z0-9-]{1,64}, unique
        topic: rights                # see knowledge/faq/model.py Topic
        questions_zh: [...]          # 2+ variants as drivers ask; no question in two entries
        questions_en: [...]          # 1+
        answer_zh: |                 # <= 600 characters; line breaks kept (one step a line)
          ...
        answer_en: ...
        source_zh: ...               # who to contact, or where the answer comes from
        source_en: ...
        action: complaint:freight    # optional: complaint:, snap:, nearest:, a screen, none
        tags: [运费, 拖欠]            # optional keywords for matching
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from knowledge.faq.model import NO_ACTION, Faq, Topic, action_problem
from knowledge.text_rules import clean_line, clean_text, problem
from knowledge.yaml_files import (
    Entry,
    Errors,
    IndentedDumper,
    ParseResult,
    YamlSyntaxError,
    compose,
    describe,
    dump,
    node_line,
    node_tag,
    one_section,
)

SECTION = "entries"
FIELDS = frozenset({
    "key", "topic", "questions_zh", "questions_en", "answer_zh", "answer_en", "source_zh",
    "source_en", "action", "tags",
})  # fmt: skip
# Answers fit one phone screen; English runs about twice as long as Chinese.
LIMITS = {
    "answer_zh": 600, "answer_en": 1200, "source_zh": 120, "source_en": 240,
    "questions_zh": 60, "questions_en": 120, "tags": 20,
}  # fmt: skip
MULTILINE = frozenset({"answer_zh", "answer_en"})
# (fewest, most) items of each list field; tags may be left out.
COUNTS = {"questions_zh": (2, 20), "questions_en": (1, 12), "tags": (0, 24)}
MAX_ENTRIES = 10_000  # the matcher is measured with 5,000 (bench/intents.py)
KEY_PATTERN = re.compile(r"^[a-z0-9-]{1,64}$")


@dataclass
class FaqParseResult(ParseResult):
    entries: tuple[Faq, ...] | None = None
    errors: list[str] = field(default_factory=list)


class _Entry(Entry):
    def clean(self, name: str, line: int, node: ScalarNode) -> str:
        """A scalar's source text made fit to store, or "" (reported) when it may not be."""
        value = node.value.strip()
        bad = problem(value, multiline=name in MULTILINE)
        if bad:
            self.fail(line, f"{name} contains {bad}")
            return ""
        value = clean_text(value) if name in MULTILINE else clean_line(value)
        if not value:
            self.fail(line, f"{name} is empty")
        elif len(value) > LIMITS[name]:
            self.fail(line, f"{name} is longer than {LIMITS[name]} characters")
        return value

    def text(self, name: str, required: bool = True) -> str:
        found = self.scalar(name, required)
        return "" if found is None else self.clean(name, *found)

    def texts(self, name: str) -> list[tuple[int, str]]:
        """A list field's items with their lines, each a single value, within COUNTS[name]."""
        fewest, most = COUNTS[name]
        found = self.get(name, required=fewest > 0)
        if found is None or (not fewest and node_tag(found[1]) == "null"):
            return []
        line, node = found
        if not isinstance(node, SequenceNode):
            self.fail(line, f"{name} must be a list, got {describe(node, with_type=False)}")
            return []
        if not fewest <= len(node.value) <= most:
            self.fail(line, f"{name} must hold {fewest} to {most} items, got {len(node.value)}")
        items: list[tuple[int, str]] = []
        for item in node.value:
            at = node_line(item)
            if not isinstance(item, ScalarNode) or node_tag(item) == "null":
                shown = describe(item, with_type=False)
                self.fail(at, f"each of {name} must be a single value, got {shown}")
                continue
            value = self.clean(name, at, item)
            if value and value.casefold() in (v.casefold() for _, v in items):
                self.fail(at, f"{name} repeats {value!r}")
            items.append((at, value))
        return items


def _key(entry: _Entry, keys: dict[str, int]) -> str:
    key = _plain(entry, "key")
    line = entry.line_of("key")
    if key and not KEY_PATTERN.match(key):
        entry.fail(line, f"key must be 1-64 lowercase letters, digits or '-': {key!r}")
    elif key in keys:
        entry.fail(line, f"duplicate key {key!r} (first on line {keys[key]})")
    elif key:
        keys[key] = line
    return key


def _plain(entry: _Entry, name: str, required: bool = True) -> str:
    """A short code's source text (a key, topic or action): no limits beyond its pattern."""
    found = entry.scalar(name, required)
    if found is None:
        return ""
    line, node = found
    value = node.value.strip()
    if not value and required:
        entry.fail(line, f"{name} is empty")
    return value


def _topic(entry: _Entry) -> Topic:
    value = _plain(entry, "topic")
    try:
        return Topic(value)
    except ValueError:
        if value:
            known = ", ".join(t.value for t in Topic)
            entry.fail(entry.line_of("topic"), f"unknown topic {value!r} (one of {known})")
        return Topic.RIGHTS  # a placeholder: the entry has failed


def _action(entry: _Entry) -> str:
    value = _plain(entry, "action", required=False)
    if not value or value == NO_ACTION:
        return ""
    why = action_problem(value)
    if why:
        entry.fail(entry.line_of("action"), why)
    return value


def _questions(entry: _Entry, name: str, seen: dict[str, tuple[int, int]]) -> tuple[str, ...]:
    """One language's variants. A question another entry asks already is reported: matching
    a driver's words to one answer needs each question in one place only (a repeat inside
    one entry is reported by texts())."""
    items = entry.texts(name)
    for line, value in items:
        first, owner = seen.setdefault(value.casefold(), (line, entry.line))
        if value and owner != entry.line:
            entry.fail(line, f"question {value!r} is asked in another entry (line {first})")
    return tuple(value for _, value in items)


def _faq(
    node: MappingNode, keys: dict[str, int], seen: dict[str, tuple[int, int]], errors: Errors
) -> Faq | None:
    entry = _Entry(node, FIELDS, errors)
    key, topic = _key(entry, keys), _topic(entry)
    faq = Faq(
        key=key,
        topic=topic,
        questions_zh=_questions(entry, "questions_zh", seen),
        questions_en=_questions(entry, "questions_en", seen),
        answer_zh=entry.text("answer_zh"),
        answer_en=entry.text("answer_en"),
        source_zh=entry.text("source_zh"),
        source_en=entry.text("source_en"),
        action=_action(entry),
        tags=tuple(value for _, value in entry.texts("tags")),
    )
    return None if entry.failed else faq


def parse_faq_yaml(text: str) -> FaqParseResult:
    """Validate a whole FAQ file; the entries come back only when nothing is wrong."""
    try:
        root = compose(text, context_line=False)
    except YamlSyntaxError as exc:
        return FaqParseResult(errors=[str(exc)])
    errors = Errors()
    keys: dict[str, int] = {}
    seen: dict[str, tuple[int, int]] = {}
    nodes = one_section(root, errors, SECTION, "entries", "entry", MAX_ENTRIES)
    entries = [_faq(node, keys, seen, errors) for node in nodes]
    if errors:
        return FaqParseResult(errors=errors.messages())
    return FaqParseResult(entries=tuple(e for e in entries if e is not None))


# --- writing -------------------------------------------------------------------------------


class _Dumper(IndentedDumper):
    """Writes the file the way people edit it: a multi-line answer as a `|` block, tags on
    one line."""


class _Tags(list[str]):
    pass


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _tags(dumper: yaml.SafeDumper, value: _Tags) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(_Tags, _tags)


def _fields(f: Faq) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "key": f.key, "topic": f.topic.value, "questions_zh": list(f.questions_zh),
        "questions_en": list(f.questions_en), "answer_zh": f.answer_zh,
        "answer_en": f.answer_en, "source_zh": f.source_zh, "source_en": f.source_en,
    }  # fmt: skip
    if f.action:
        fields["action"] = f.action
    if f.tags:
        fields["tags"] = _Tags(f.tags)
    return fields


def dump_faq_yaml(entries: tuple[Faq, ...] | list[Faq]) -> str:
    """The entries in the layout parse_faq_yaml reads, in the order given (the file's own
    order groups them by topic, which a reader of the file wants kept)."""
    return dump({SECTION: [_fields(f) for f in entries]}, _Dumper)
