"""What handlers and jobs see of a broadcast: frozen snapshots, never ORM rows, and the
audience as a typed choice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.db.broadcasts.models import BroadcastRow, BroadcastStatus
from bot.db.users.models import Occupation, Role
from bot.services.broadcasts.compose import Link
from bot.services.outbox.audience import Filter


class TargetKind(StrEnum):
    ALL = "all"
    CITY = "city"
    OCCUPATION = "occupation"
    ROLE = "role"
    LANGUAGE = "language"


LANGUAGES = ("zh", "en")


@dataclass(frozen=True, slots=True)
class Target:
    """Who gets it: everyone, or those of one city, occupation, role or language."""

    kind: TargetKind = TargetKind.ALL
    value: str | None = None

    def filter(self) -> Filter:
        value = self.value
        if self.kind is TargetKind.CITY:
            return Filter(city=value)
        if self.kind is TargetKind.OCCUPATION and value is not None:
            return Filter(occupation=Occupation(value))
        if self.kind is TargetKind.ROLE and value is not None:
            return Filter(role=Role(value))
        if self.kind is TargetKind.LANGUAGE:
            return Filter(language=value)
        return Filter()

    def as_data(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "value": self.value}

    @classmethod
    def of(cls, data: dict[str, Any] | None) -> Target:
        """A stored audience; anything not understood is nobody's, never everyone's."""
        data = data or {}
        try:
            kind = TargetKind(data.get("kind", "all"))
        except ValueError:
            return cls(TargetKind.CITY, "")
        value = data.get("value")
        value = value if isinstance(value, str) else None
        if kind is not TargetKind.ALL and not valid_value(kind, value):
            return cls(TargetKind.CITY, "")
        return cls(kind, value if kind is not TargetKind.ALL else None)


def valid_value(kind: TargetKind, value: str | None) -> bool:
    if value is None:
        return kind is TargetKind.ALL
    if kind is TargetKind.OCCUPATION:
        return value in {o.value for o in Occupation}
    if kind is TargetKind.ROLE:
        return value in {r.value for r in Role}
    if kind is TargetKind.LANGUAGE:
        return value in LANGUAGES
    return kind is TargetKind.CITY and bool(value)


@dataclass(frozen=True, slots=True)
class Broadcast:
    id: int
    author_id: int
    status: BroadcastStatus
    text_zh: str
    text_en: str | None
    photo: str | None
    links: tuple[Link, ...]
    target: Target
    recipients: int
    scheduled_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    status_chat_id: int | None
    status_message_id: int | None
    status_shown: str | None
    cancel_asked_at: datetime | None
    created_at: datetime | None

    @classmethod
    def of(cls, row: BroadcastRow) -> Broadcast:
        links = tuple(
            Link(str(link.get("text", "")), str(link.get("url", "")))
            for link in row.links or []
            if isinstance(link, dict)
        )
        return cls(
            row.id, row.author_id, BroadcastStatus(row.status), row.text_zh, row.text_en,
            row.photo, links, Target.of(row.audience), row.recipients, row.scheduled_at,
            row.started_at, row.finished_at, row.status_chat_id, row.status_message_id,
            row.status_shown, row.cancel_asked_at, row.created_at,
        )  # fmt: skip

    def text_for(self, language: str) -> str:
        """The version a reader of `language` gets."""
        return self.text_en if language == "en" and self.text_en else self.text_zh
