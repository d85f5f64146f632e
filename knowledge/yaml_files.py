"""What the YAML import files (checkups, themes, complaints, shop) share: the node tree,
errors with lines, an entry's fields, and the dumper that writes them back.

Files are read as a composed node tree, never with `yaml.safe_load`, so every problem can be
reported with its line and no tag is ever constructed into an object. Pure: no database, no
Telegram.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

YAML_TAG = "tag:yaml.org,2002:"
# An entry's stable key, and a day as the files write it (both matched on the source text).
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TAG_WORDS = {
    "str": "text", "int": "integer", "float": "number", "bool": "boolean", "null": "nothing",
    "timestamp": "date",
}  # fmt: skip


class YamlSyntaxError(ValueError):
    """The file is not YAML; the message is the one line to show ("line N: YAML syntax ...")."""


def node_line(node: Node) -> int:
    return node.start_mark.line + 1


def node_tag(node: Node) -> str:
    """A standard tag's short name ("str", "int", "null", ...); any other tag as it is."""
    return node.tag[len(YAML_TAG) :] if node.tag.startswith(YAML_TAG) else node.tag


def is_text(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node_tag(node) == "str"


def describe(node: Node, *, with_type: bool = True) -> str:
    """A node the way an error names it: "a list", "nothing", "integer '5'", or with_type=False
    just the scalar's text ("'5'"), as the themes file's messages have it."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node_tag(node) == "null":
        return "nothing"
    if not with_type:
        return repr(node.value)
    return f"{_TAG_WORDS.get(node_tag(node), repr(node.tag))} {node.value!r}"


def read_day(value: str) -> date | None:
    """A YYYY-MM-DD day, or None when the text is not one."""
    if not DATE_PATTERN.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


class ParseResult:
    """What a file's parse result adds to its own fields: `errors`, and `ok` when none."""

    errors: list[str]

    @property
    def ok(self) -> bool:
        return not self.errors


def syntax_error(exc: yaml.YAMLError, text: str, *, context_line: bool = True) -> str:
    """PyYAML's error as one line with its line number. With context_line the two halves
    PyYAML splits a sentence into are joined and the context's own line is named (the
    checkups file); without, the problem and context are shown as they come (themes)."""
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow
        at = text[: exc.position].count("\n") + 1
        return f"line {at}: YAML syntax error: unacceptable character {chr(exc.character)!r}"
    if not isinstance(exc, yaml.MarkedYAMLError) or exc.problem_mark is None:
        return f"line 1: YAML syntax error: {exc}"
    if not context_line:
        where = f" ({exc.context})" if exc.context else ""
        return f"line {exc.problem_mark.line + 1}: YAML syntax error: {exc.problem}{where}"
    problem, context = exc.problem or "", exc.context or ""
    if problem.startswith("but ") and context:  # PyYAML splits one sentence in two here
        problem, context = f"{context}, {problem}", ""
    if context and exc.context_mark is not None:
        problem += f" ({context}, which starts on line {exc.context_mark.line + 1})"
    elif context:
        problem += f" ({context})"
    return f"line {exc.problem_mark.line + 1}: YAML syntax error: {problem}"


def compose(text: str, *, context_line: bool = True) -> Node | None:
    """The document's root node (None for an empty file); raises YamlSyntaxError."""
    text = text.lstrip("\ufeff")
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(syntax_error(exc, text, context_line=context_line)) from exc
    except RecursionError:  # "[[[[..." deeper than Python's stack
        raise YamlSyntaxError("line 1: YAML syntax error: nested too deeply") from None


class Errors:
    """Problems with their lines; reported in file order whatever order they were found in."""

    def __init__(self) -> None:
        self._items: list[tuple[int, str]] = []

    def add(self, line: int, message: str) -> None:
        self._items.append((line, message))

    def __len__(self) -> int:
        return len(self._items)

    def messages(self) -> list[str]:
        ordered = sorted(self._items, key=lambda item: item[0])  # stable: same line keeps order
        return [f"line {line}: {message}" for line, message in ordered]


def one_section(
    root: Node | None, errors: Errors, section: str, listed: str, each: str, most: int = 0
) -> list[MappingNode]:
    """The entries of a file that holds one section, a list of mappings (`section` listing
    `listed`, each one `each`); every other shape is reported. `most` caps the list (0: none)."""
    expected = f"expected one section, {section}"
    if root is None:
        errors.add(1, f"the file is empty; {expected}")
        return []
    if not isinstance(root, MappingNode):
        errors.add(node_line(root), f"{expected}, got {describe(root, with_type=False)}")
        return []
    found: list[MappingNode] = []
    seen: int | None = None
    for key, value in root.value:
        if not (isinstance(key, ScalarNode) and key.value == section):
            errors.add(node_line(key), f"unknown section {key.value!r} ({expected})")
            continue
        if seen is not None:
            errors.add(node_line(key), f"section {section!r} given twice (first on line {seen})")
            continue
        seen = node_line(key)
        if not isinstance(value, SequenceNode) or not value.value:
            errors.add(node_line(key), f"{section} must be a list of {listed}")
            continue
        if most and len(value.value) > most:
            errors.add(node_line(key), f"{len(value.value)} {listed}; at most {most}")
        for item in value.value:
            if isinstance(item, MappingNode):
                found.append(item)
            else:
                errors.add(node_line(item), f"each {each} must be a mapping of fields")
    if seen is None:
        errors.add(node_line(root), f"missing section {section!r}")
    return found


class Entry:
    """One mapping's fields, checked against the allowed names. Each file's subclass adds its
    readers; a bad value is reported, read as a placeholder and marks the entry failed, so
    the caller checks `failed` once instead of after every field."""

    def __init__(self, node: MappingNode, allowed: frozenset[str], errors: Errors) -> None:
        self.line = node_line(node)
        self.errors = errors
        self.failed = False
        self.fields: dict[str, tuple[int, Node]] = {}  # name -> (line of the key, value)
        for key, value in node.value:
            name = key.value if is_text(key) else None
            if name is None or name not in allowed:
                self.fail(node_line(key), f"unknown field {key.value!r}")
            elif name in self.fields:
                first = self.fields[name][0]
                self.fail(node_line(key), f"field {name!r} given twice (first on line {first})")
            else:
                self.fields[name] = (node_line(key), value)

    def fail(self, line: int, message: str) -> None:
        self.errors.add(line, message)
        self.failed = True

    def get(self, name: str, required: bool = True) -> tuple[int, Node] | None:
        """A field's key line and value node; a missing required field is reported."""
        found = self.fields.get(name)
        if found is None and required:
            self.fail(self.line, f"missing field {name!r}")
        return found

    def scalar(self, name: str, required: bool = True) -> tuple[int, ScalarNode] | None:
        """A field's key line and scalar node; None when absent, left empty (reported when
        required) or not a single value (reported)."""
        found = self.get(name, required)
        if found is None:
            return None
        line, node = found
        if node_tag(node) == "null":
            if required:
                self.fail(line, f"{name} is empty")
            return None
        if not isinstance(node, ScalarNode):
            self.fail(line, f"{name} must be a single value, got {describe(node, with_type=False)}")
            return None
        return line, node

    def line_of(self, name: str) -> int:
        """The field's line, or the entry's when the field is absent."""
        return self.fields[name][0] if name in self.fields else self.line


class IndentedDumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # indent list items under their key


def dump(document: Any, dumper: type[yaml.SafeDumper] = IndentedDumper) -> str:
    """The document as the files are written: unicode kept, keys in order, 100 columns."""
    return yaml.dump(document, Dumper=dumper, allow_unicode=True, sort_keys=False, width=100)
