"""Telegram text formatting: the HTML subset Telegram accepts, turned into text + entities.

Telegram rejects markup it does not understand instead of rendering it, so the sandbox does
the same: unknown tags, bad nesting and unknown named entities are 400 errors here too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from .errors import bad_request

# Tag -> entity type (None: the tag is allowed but produces no entity by itself).
_TAG_ENTITIES: dict[str, str | None] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
# Telegram supports only these named entities (plus any numeric one).
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SENTINEL = "\x00"


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML."""


@dataclass
class FormattedText:
    """Text as Telegram stores it: plain text plus entities with UTF-16 offsets."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Open:
    tag: str
    entity: dict[str, Any] | None
    start: int


class _TelegramHTMLParser(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self._source = source
        self._line_starts = [0] + [i + 1 for i, ch in enumerate(source) if ch == "\n"]
        self._parts: list[str] = []
        self._offset = 0  # UTF-16 length of the text produced so far
        self._stack: list[_Open] = []
        self.entities: list[dict[str, Any]] = []

    # --- positions -------------------------------------------------------------------
    def _char_index(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def _fail(self, message: str, detail: str = "") -> EntityParseError:
        byte_offset = len(self._source[: self._char_index()].encode("utf-8"))
        return EntityParseError(f"{message} at byte offset {byte_offset}{detail}")

    def _emit(self, text: str) -> None:
        self._parts.append(text)
        self._offset += utf16_len(text)

    # --- HTMLParser callbacks ---------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _TAG_ENTITIES:
            raise self._fail(f'Unsupported start tag "{tag}"')
        attributes = {name: value or "" for name, value in attrs}
        entity: dict[str, Any] | None = {"type": _TAG_ENTITIES[tag]}
        if tag == "span" and attributes.get("class") != "tg-spoiler":
            raise self._fail('Tag "span" must have class "tg-spoiler"')
        if tag == "a":
            href = attributes.get("href")
            entity = {"type": "text_link", "url": href} if href else None
        elif tag == "tg-emoji":
            emoji_id = attributes.get("emoji-id")
            if not emoji_id:
                raise self._fail('Tag "tg-emoji" must have attribute "emoji-id"')
            entity = {"type": "custom_emoji", "custom_emoji_id": emoji_id}
        elif tag == "blockquote" and "expandable" in attributes:
            entity = {"type": "expandable_blockquote"}
        elif tag == "code" and self._stack and self._stack[-1].tag == "pre":
            # <pre><code class="language-x"> is one pre entity with a language.
            language = attributes.get("class", "")
            parent = self._stack[-1].entity
            if language.startswith("language-") and parent is not None:
                parent["language"] = language.removeprefix("language-")
                entity = None
        self._stack.append(_Open(tag, entity, self._offset))

    def handle_endtag(self, tag: str) -> None:
        if not self._stack:
            raise self._fail(f'Unexpected end tag "{tag}"')
        opened = self._stack[-1]
        if opened.tag != tag:
            raise self._fail("Unmatched end tag", f', expected "</{opened.tag}>", found "</{tag}>"')
        self._stack.pop()
        length = self._offset - opened.start
        if opened.entity is not None and length > 0:
            self.entities.append({**opened.entity, "offset": opened.start, "length": length})

    def handle_data(self, data: str) -> None:
        if "<" in data:
            # html.parser passes a stray "<" through as text; Telegram rejects it.
            raise self._fail('Unsupported start tag ""')
        self._emit(data)

    def handle_entityref(self, name: str) -> None:
        end = self._char_index() + 1 + len(name)
        terminated = self._source.startswith(";", end)
        if not terminated:
            self._emit("&" + name)  # a bare ampersand, e.g. "AT&T"
        elif name in _NAMED_ENTITIES:
            self._emit(_NAMED_ENTITIES[name])
        else:
            raise self._fail(f'Unsupported HTML entity "&{name};"')

    def handle_charref(self, name: str) -> None:
        try:
            code = int(name[1:], 16) if name[:1] in {"x", "X"} else int(name)
            self._emit(chr(code))
        except (ValueError, OverflowError):
            raise self._fail(f'Invalid numeric HTML entity "&#{name};"') from None

    def handle_comment(self, data: str) -> None:
        raise self._fail("Unsupported HTML comment")

    def handle_decl(self, decl: str) -> None:
        raise self._fail("Unsupported HTML declaration")

    def handle_pi(self, data: str) -> None:
        raise self._fail("Unsupported HTML processing instruction")

    def unknown_decl(self, data: str) -> None:
        raise self._fail("Unsupported HTML declaration")

    # --- result -------------------------------------------------------------------------
    def result(self) -> FormattedText:
        self.close()
        if self._stack:
            raise EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{self._stack[-1].tag}"'
            )
        entities = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return FormattedText("".join(self._parts), entities)


def parse_html(source: str) -> FormattedText:
    """Parse Telegram HTML; raises EntityParseError with a Telegram-like message."""
    # html.parser silently drops a trailing "&" of an unterminated entity ("AT&T" -> "ATT"),
    # so parse with a sentinel character appended and remove it afterwards.
    padded = source + _SENTINEL
    parser = _TelegramHTMLParser(padded)
    parser.feed(padded)
    result = parser.result()
    result.text = result.text.removesuffix(_SENTINEL)
    return result


def _strip(formatted: FormattedText) -> FormattedText:
    """Trim surrounding whitespace like Telegram, moving entities along."""
    text = formatted.text
    stripped = text.strip()
    if stripped == text:
        return formatted
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    entities = []
    for entity in formatted.entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return FormattedText(stripped, entities)


def format_text(
    text: str,
    parse_mode: str | None,
    entities: list[dict[str, Any]] | None = None,
) -> FormattedText:
    """Text and entities as Telegram would store them; raises a 400 ApiError on bad markup.

    Markdown modes are accepted but not parsed (the text is kept as sent).
    """
    mode = (parse_mode or "").strip().lower()
    if mode == "html":
        try:
            formatted = parse_html(text)
        except EntityParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
    elif mode in {"", "markdown", "markdownv2"}:
        formatted = FormattedText(text, list(entities or []))
    else:
        raise bad_request("unsupported parse_mode")
    return _strip(formatted)


def plain_text(text: str | None, parse_mode: str | None) -> str | None:
    """Best-effort plain text for the call log; never raises."""
    if text is None:
        return None
    if (parse_mode or "").strip().lower() != "html":
        return text
    try:
        return parse_html(text).text
    except EntityParseError:
        return None


def bot_command_entities(text: str) -> list[dict[str, Any]]:
    """Entities Telegram adds to a user's text starting with a /command."""
    if not text.startswith("/"):
        return []
    end = 1
    while end < len(text) and (text[end].isalnum() or text[end] in "_@"):
        end += 1
    if end == 1:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(text[:end])}]
