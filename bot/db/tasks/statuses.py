"""The codes of volunteer tasks: who may take one, a task's and a taker's status, and the
reasons a report of done is disputed."""

from __future__ import annotations

import enum


class TaskAudience(enum.StrEnum):
    VOLUNTEERS = "volunteers"  # only users with the volunteer role may take it
    ALL = "all"  # any driver may take it


class TaskStatus(enum.StrEnum):
    OPEN = "open"  # published; whether it has started or ended follows from its times
    CANCELLED = "cancelled"


class TakerStatus(enum.StrEnum):
    TAKEN = "taken"  # holds a place
    WITHDRAWN = "withdrawn"  # gave the place back before the cut-off
    DONE = "done"  # reported done, waiting for the publisher
    CONFIRMED = "confirmed"  # the publisher confirmed: the points are paid
    DISPUTED = "disputed"  # the publisher disputed the report (a confirm may still follow)
    DROPPED = "dropped"  # the task was cancelled while the place was held


# The statuses that hold one of the task's places (`tasks.taken` counts them).
HOLDING = (TakerStatus.TAKEN, TakerStatus.DONE, TakerStatus.CONFIRMED, TakerStatus.DISPUTED)


class DisputeReason(enum.StrEnum):
    NOT_SEEN = "not_seen"  # nobody saw the volunteer there
    UNFINISHED = "unfinished"  # the work was not finished
    NO_PROOF = "no_proof"  # the photo does not show the work
    OTHER = "other"  # a reason typed by the admin (kept in dispute_note)
