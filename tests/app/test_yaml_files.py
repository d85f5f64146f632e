"""The helpers both import files share (knowledge/yaml_files.py)."""

from __future__ import annotations

import pytest
import yaml

import knowledge.checkups.files  # noqa: F401  (adds its one-line lists to a subclass only)
from knowledge.yaml_files import Errors, YamlSyntaxError, compose, dump


@pytest.mark.parametrize(
    ("context_line", "error"),
    [
        (
            True,
            "line 3: YAML syntax error: expected ',' or ']', but got '<stream end>' "
            "(while parsing a flow sequence, which starts on line 2)",
        ),
        (
            False,
            "line 3: YAML syntax error: expected ',' or ']', but got '<stream end>' "
            "(while parsing a flow sequence)",
        ),
    ],
)
def test_the_two_syntax_error_wordings(context_line: bool, error: str) -> None:
    with pytest.raises(YamlSyntaxError) as raised:
        compose("a:\n  - [1\n", context_line=context_line)
    assert str(raised.value) == error


def test_a_byte_order_mark_and_an_empty_file() -> None:
    assert compose("\ufeff") is None
    assert isinstance(compose("\ufeffa: 1\n"), yaml.MappingNode)


def test_errors_come_in_line_order() -> None:
    errors = Errors()
    errors.add(3, "c")
    errors.add(1, "a")
    errors.add(3, "d")
    assert len(errors) == 3
    assert errors.messages() == ["line 1: a", "line 3: c", "line 3: d"]


def test_the_shared_dumper_indents_lists_and_keeps_block_style() -> None:
    assert dump({"a": [[1, 2]]}) == "a:\n  - - 1\n    - 2\n"
