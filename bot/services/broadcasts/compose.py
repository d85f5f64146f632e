"""What a broadcast may say and when it may go: Telegram's length limits, the one
placeholder, link buttons, the send time. Pure functions, no Telegram, no database; a
refusal is a `ComposeError` whose code picks the message the admin sees."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dtime
from enum import StrEnum
from html import escape
from html.parser import HTMLParser
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from knowledge.text_rules import clean_line

TEXT_LIMIT = 4096  # Telegram: a message's text, as shown (after the HTML is parsed)
CAPTION_LIMIT = 1024  # Telegram: a photo's caption
NAME = "{name}"  # the one placeholder: the driver's display name
NAME_ROOM = 32  # a name is cut to this when filled in, so the limits hold for every driver
MAX_LINKS = 3
LABEL_MAX = 32
URL_MAX = 1024
MAX_AHEAD = timedelta(days=30)
_PLACEHOLDER = re.compile(r"\{([^{}\s]{1,32})\}")


class ComposeErrorCode(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    PLACEHOLDER = "placeholder"  # a {word} other than {name}
    LINK_FORMAT = "link_format"  # a line without "label | URL"
    LINK_LABEL = "link_label"
    LINK_URL = "link_url"
    TOO_MANY_LINKS = "too_many_links"
    TIME_FORMAT = "time_format"
    TIME_PAST = "time_past"
    TIME_FAR = "time_far"


class ComposeError(ValueError):
    def __init__(
        self, code: ComposeErrorCode, *, length: int = 0, limit: int = 0, detail: str = "",
        line: int = 0,
    ) -> None:  # fmt: skip
        super().__init__(code)
        self.code, self.length, self.limit, self.detail, self.line = (
            code, length, limit, detail, line,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str


class _Visible(HTMLParser):
    """The text Telegram shows for an HTML message (the tags gone, entities decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def shown_length(text: str) -> int:
    """Telegram counts in UTF-16 code units: an emoji may count twice."""
    return len(text.encode("utf-16-le")) // 2


def check_text(html: str, photo: bool) -> str:
    """The notice's text (Telegram HTML, as the admin formatted it), checked: not empty,
    within the limit of a text or a caption with every {name} at its longest, and no
    placeholder but {name}."""
    html = html.strip()
    shown = visible_text(html)
    if not shown.strip():
        raise ComposeError(ComposeErrorCode.EMPTY)
    unknown = [p for p in _PLACEHOLDER.findall(shown) if "{" + p + "}" != NAME]
    if unknown:
        raise ComposeError(ComposeErrorCode.PLACEHOLDER, detail="{" + unknown[0] + "}")
    names = shown.count(NAME)
    length = shown_length(shown.replace(NAME, "")) + names * NAME_ROOM
    limit = CAPTION_LIMIT if photo else TEXT_LIMIT
    if length > limit:
        raise ComposeError(ComposeErrorCode.TOO_LONG, length=length, limit=limit)
    return html


def fill_name(html: str, name: str | None, nobody: str) -> str:
    """The text for one driver: {name} becomes their name, cut to NAME_ROOM and escaped
    (a name is the driver's own text, never markup; quotes too, for a {name} inside a
    link's address); no name, the neutral word."""
    name = clean_line(name or "")
    if len(name) > NAME_ROOM:
        name = name[: NAME_ROOM - 1] + "…"
    return html.replace(NAME, escape(name or nobody))


def _url(raw: str) -> str | None:
    url = raw.strip()
    if not url or len(url) > URL_MAX or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = parts.hostname or ""
    if parts.scheme not in {"http", "https"} or "." not in host or host.startswith("."):
        return None
    return url


def parse_links(text: str) -> tuple[Link, ...]:
    """Lines "label | https://…", one button each, at most MAX_LINKS."""
    links: list[Link] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        label, sep, url = line.partition("|")
        if not sep:
            raise ComposeError(ComposeErrorCode.LINK_FORMAT, line=number)
        label = clean_line(label)
        if not label or len(label) > LABEL_MAX:
            raise ComposeError(ComposeErrorCode.LINK_LABEL, line=number, limit=LABEL_MAX)
        checked = _url(url)
        if checked is None:
            raise ComposeError(ComposeErrorCode.LINK_URL, line=number, detail=url.strip()[:64])
        links.append(Link(label, checked))
    if not links:
        raise ComposeError(ComposeErrorCode.LINK_FORMAT, line=1)
    if len(links) > MAX_LINKS:
        raise ComposeError(ComposeErrorCode.TOO_MANY_LINKS, limit=MAX_LINKS)
    return tuple(links)


_AT = re.compile(r"^(?:(\d{4})-(\d{1,2})-(\d{1,2})\s+)?(\d{1,2}):(\d{2})$")


def parse_time(text: str, now: datetime, tz: ZoneInfo) -> datetime:
    """A typed local time, "HH:MM" (today) or "YYYY-MM-DD HH:MM", as UTC: in the future,
    at most MAX_AHEAD away."""
    match = _AT.match(text.strip().replace("：", ":"))
    if match is None:
        raise ComposeError(ComposeErrorCode.TIME_FORMAT)
    year, month, day, hour, minute = match.groups()
    try:
        on = date(int(year), int(month), int(day)) if year else now.astimezone(tz).date()
        at = datetime.combine(on, dtime(int(hour), int(minute)), tz)
    except ValueError:
        raise ComposeError(ComposeErrorCode.TIME_FORMAT) from None
    return check_time(at, now)


def check_time(at: datetime, now: datetime) -> datetime:
    if at <= now:
        raise ComposeError(ComposeErrorCode.TIME_PAST)
    if at - now > MAX_AHEAD:
        raise ComposeError(ComposeErrorCode.TIME_FAR)
    return at.astimezone(now.tzinfo)


def in_an_hour(now: datetime) -> datetime:
    return now + timedelta(hours=1)


def tomorrow_at_nine(now: datetime, tz: ZoneInfo) -> datetime:
    on = now.astimezone(tz).date() + timedelta(days=1)
    return datetime.combine(on, dtime(9, 0), tz).astimezone(now.tzinfo)
