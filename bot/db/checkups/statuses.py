"""The states a booking, a waitlist place and a reminder go through, as stored in their rows."""

from __future__ import annotations

from enum import StrEnum


class BookingStatus(StrEnum):
    ACTIVE = "active"
    ATTENDED = "attended"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"  # by the driver (or by /deleteme)
    CLOSED = "closed"  # the provider closed the day; a notice is owed to the driver
    LAPSED = "lapsed"  # the slot ended and nobody checked the driver in
    MOVED = "moved"  # rows of moves before bookings kept their code on a move


# A booking that was settled one way or another at the desk: a mistake may be corrected.
SETTLED = (
    BookingStatus.ACTIVE,
    BookingStatus.ATTENDED,
    BookingStatus.NO_SHOW,
    BookingStatus.LAPSED,
)


class WaitlistStatus(StrEnum):
    """A waitlist entry: waiting, offered a held seat, or done with one way or another."""

    WAITING = "waiting"
    OFFERED = "offered"
    BOOKED = "booked"  # took the offer
    DECLINED = "declined"
    EXPIRED = "expired"  # did not answer in time
    SKIPPED = "skipped"  # could not be told (blocked the bot): the seat went on at once
    ENDED = "ended"  # too close to the start for offers
    CLOSED = "closed"  # the provider closed the day


# Entries whose driver may join the same slot's waitlist again (at its end).
REJOINABLE = (
    WaitlistStatus.DECLINED,
    WaitlistStatus.EXPIRED,
    WaitlistStatus.BOOKED,
    WaitlistStatus.SKIPPED,
)
OPEN_PLACES = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)


class ReminderKind(StrEnum):
    EVENING = "evening"  # the evening before, at 18:00 local time
    SOON = "soon"  # two hours before


class ReminderStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    CANCELLED = "cancelled"  # the booking ended or moved past this reminder
    SKIPPED = "skipped"  # too late, or quiet hours ran into the next one
    FAILED = "failed"  # the driver cannot be reached
