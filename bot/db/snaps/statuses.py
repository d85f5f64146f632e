"""The codes of a snap report's life (发现 → 处置 → 反馈)."""

from __future__ import annotations

import enum


class SnapStatus(enum.StrEnum):
    NEW = "new"  # filed, waiting for an admin to look at it
    VERIFIED = "verified"  # an admin confirmed it is real (the reporter earns points)
    FORWARDED = "forwarded"  # handed to an office to fix (处置)
    HANDLED = "handled"  # the office says it is fixed (反馈); the reporter is asked later
    REJECTED = "rejected"  # spam, a duplicate, or nothing anyone can act on
    CLOSED = "closed"  # handled, and the reporter said it stays fixed


OPEN_SNAP_STATUSES = frozenset({SnapStatus.NEW, SnapStatus.VERIFIED, SnapStatus.FORWARDED})


class SnapAction(enum.StrEnum):
    FILED = "filed"
    ME_TOO = "me_too"  # another driver saw the same problem
    VERIFIED = "verified"
    REJECTED = "rejected"
    FORWARDED = "forwarded"
    HANDLED = "handled"
    ASKED = "asked"  # the 28-day question went out
    STILL_THERE = "still_there"  # the reporter says it is not fixed: the report reopens
    CONFIRMED = "confirmed"  # the reporter says it is fixed


class RejectReason(enum.StrEnum):
    SPAM = "spam"
    DUPLICATE = "duplicate"
    NOT_ACTIONABLE = "not_actionable"


class PhotoKind(enum.StrEnum):
    BEFORE = "before"  # the reporter's
    AFTER = "after"  # the handler's, once fixed


class LocationSource(enum.StrEnum):
    PHOTO = "photo"  # the photo's EXIF GPS, accepted by the reporter
    SHARED = "shared"  # a location the reporter sent
