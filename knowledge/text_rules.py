"""The one rule for text we store, whoever wrote it: an admin's import file or a driver's
typing. Pure: no Telegram library, no database.

Never stored: NUL and the other C0/C1 control characters (tab included); lone surrogates (a
JSON or YAML "\\ud800" escape, which neither database can store); the bidirectional controls
(embeddings, overrides, isolates and marks: U+202E shows "gpj.exe" as "exe.jpg" and can flip
the rest of a message line); the other invisible format characters (zero-width space, word
joiner, soft hyphen, BOM, ...), except the zero-width joiner and non-joiner, which emoji
sequences and some scripts need. Line breaks only in multi-line fields (a station's note, a
checkup's preparation): those are shown as a paragraph of their own, where a list of prices
or steps reads better one per line; every other field is shown inside a line.

- `problem()`: what an imported value may not hold. Imports reject the file with it (line and
  code point): an admin should fix their data, and see where, not have it changed unseen.
- `clean_line()` / `clean_text()`: repair what users type; nobody can retype an invisible
  character. Also NFC, so the same word typed on two phones is stored the same.
- `scrub()`: removal only, for the database column type: no code path stores a NUL, and a
  value never grows past its column (NFC can lengthen a string, so it is left to the edges).
- `to_spreadsheet()` / `from_spreadsheet()`: CSV cells safe from formula injection, reversibly.
"""

from __future__ import annotations

import re
import unicodedata

_BREAKS = "\n\r\u2028\u2029"  # what a person means as a new line
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_JOINERS = frozenset("\u200c\u200d")  # ZWNJ, ZWJ
_TO_SPACE = re.compile(r"[\t\n\r\x0b\x0c\x85\u2028\u2029]+")  # in one-line fields
_TO_NEWLINE = re.compile(r"\r\n|[\r\x0b\x0c\x85\u2028\u2029]")  # in multi-line fields
_BLANK_LINES = re.compile(r"\n{3,}")


def _kind(char: str, multiline: bool) -> str | None:
    """Why `char` may not be stored, or None when it may."""
    if char in _BREAKS:
        return None if multiline else "a line break"
    if char == "\x00":
        return "a NUL character"
    if char == "\t":
        return "a tab"
    if char in _BIDI:
        return "a bidirectional control"
    category = unicodedata.category(char)
    if category == "Cc":
        return "a control character"
    if category == "Cs":
        return "a lone surrogate"
    if category == "Cf" and char not in _JOINERS:
        return "an invisible formatting character"
    return None


def problem(value: str, multiline: bool = False) -> str | None:
    """The first character `value` may not hold, as "a bidirectional control (U+202E)"."""
    if value.isprintable():  # fast path, in C: none of the above is printable
        return None
    for char in value:
        kind = _kind(char, multiline)
        if kind is not None:
            return f"{kind} (U+{ord(char):04X})"
    return None


def scrub(value: str, multiline: bool = False) -> str:
    """`value` without what may not be stored; line breaks become spaces in a one-line field
    (one `\\n` each in a multi-line one). Never longer than `value`."""
    if value.isprintable():
        return value
    if multiline:
        value = _TO_NEWLINE.sub("\n", value).replace("\t", " ")
    else:
        value = _TO_SPACE.sub(" ", value)
    return "".join(char for char in value if _kind(char, multiline) is None)


def clean_line(value: str) -> str:
    """A one-line field as typed, made fit to store."""
    return scrub(unicodedata.normalize("NFC", value)).strip()


def clean_text(value: str) -> str:
    """A multi-line field: as clean_line, keeping line breaks (at most one blank line)."""
    lines = scrub(unicodedata.normalize("NFC", value), multiline=True).split("\n")
    return _BLANK_LINES.sub("\n\n", "\n".join(line.rstrip() for line in lines)).strip()


# --- CSV cells -----------------------------------------------------------------------------
# A spreadsheet runs a cell starting with = + - or @ (and, in some, a tab or carriage
# return) as a formula (OWASP "CSV injection"): `=HYPERLINK(...)` in a station name would be
# live in the admin's Excel. Such a text cell is written with a ' in front, which spreadsheets
# show as text. Import takes exactly one ' off a cell that starts with one or more ' and then
# one of those characters, so every value comes back as it was (also one that itself starts
# with "'="), and a file that Excel saved again (with or without the ') reads the same.
# Only text columns are escaped: -73.5 in a number column stays a number.
_FORMULA_START = re.compile(r"'*[=+\-@\t\r]")


def to_spreadsheet(value: str) -> str:
    return "'" + value if _FORMULA_START.match(value) else value


def from_spreadsheet(value: str) -> str:
    return value[1:] if value.startswith("'") and _FORMULA_START.match(value) else value
