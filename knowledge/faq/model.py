"""The FAQ knowledge base's record, its topics and the actions an answer may offer. Pure data:
no database, no Telegram."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from knowledge.complaints.categories import FILING_CATEGORIES
from knowledge.snaps.categories import SnapCategory
from knowledge.stations.station import Service


class Topic(enum.StrEnum):
    RIGHTS = "rights"  # 权益: freight, platforms, tolls, fines
    INSURANCE = "insurance"  # 社保与商业保险
    INJURY = "injury"  # 工伤、职业伤害、交通事故
    LEGAL_AID = "legal_aid"  # 法律援助与调解
    HOTLINES = "hotlines"  # 热线
    STATIONS = "stations"  # 司机之家 / 驿站
    CHECKUPS = "checkups"  # 免费体检
    POINTS = "points"  # 积分


# Actions that take no argument: the bot's own screens (and "none", written as no action).
SCREENS = frozenset({"checkup", "points", "shop", "tasks"})
NO_ACTION = "none"
# An action with an argument names a code the rest of the bot knows, so a typo in the file
# cannot become a button that leads nowhere.
KINDS: dict[str, frozenset[str]] = {
    # The categories a driver can file under (a consultation comes from "ask a person").
    "complaint": frozenset(c.value for c in FILING_CATEGORIES),
    "snap": frozenset(c.value for c in SnapCategory),
    "nearest": frozenset(s.value for s in Service),
}


def action_problem(action: str) -> str | None:
    """Why `action` names nothing the bot has, or None when it resolves."""
    if action in SCREENS or action == NO_ACTION:
        return None
    kind, colon, name = action.partition(":")
    if not colon:
        shown = ", ".join(sorted(SCREENS | {NO_ACTION}))
        return f"unknown action {action!r} (complaint:<category>, snap:<category>, "\
               f"nearest:<service> or one of {shown})"  # fmt: skip
    if kind not in KINDS:
        return f"unknown action kind {kind!r} (complaint, snap or nearest)"
    if name not in KINDS[kind]:
        return f"unknown {kind} {name!r} in action (one of {', '.join(sorted(KINDS[kind]))})"
    return None


@dataclass(frozen=True)
class Faq:
    """One question with its variants and answer; `action` is "" when it offers none."""

    key: str
    topic: Topic
    questions_zh: tuple[str, ...]
    questions_en: tuple[str, ...]
    answer_zh: str
    answer_en: str
    source_zh: str
    source_en: str
    action: str = ""
    tags: tuple[str, ...] = ()
