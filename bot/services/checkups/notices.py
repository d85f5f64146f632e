"""What checkups owe drivers outside their own updates, and the rules for when: reminders
(quiet hours, too late, the driver unreachable), waitlist offers (passed on at once when the
driver cannot be told), closed-day notices. No Telegram and no commits here: a job runner
(scheduler/jobs/checkups.py) owns the transactions and hands each claimed notice to a
`Courier`, the thin delivery step that renders and sends it.

Each notice is claimed by a conditional UPDATE in a committed transaction before it is sent,
so two schedulers (or a scheduler and the after-commit path of an update) never send it
twice; a send that fails for a passing reason releases the claim for the next run. A crash
between the claim and the send loses that one message: at most once, never twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.checkups.outbox import BookingOutbox
from bot.db.checkups.statuses import BookingStatus, ReminderKind, ReminderStatus, WaitlistStatus
from bot.services.checkups.bookings import SOON_REMINDER, BookingService, quiet_hours_end
from bot.services.checkups.browse import BookingView, CheckupBrowser, OfferView, Recipient


class Delivery(StrEnum):
    SENT = "sent"
    GONE = "gone"  # blocked, or a request Telegram will never accept: do not retry
    RETRY = "retry"  # a passing failure: the claim is released for the next run


@dataclass(frozen=True, slots=True)
class ReminderNotice:
    reminder_id: int
    kind: ReminderKind
    booking: BookingView
    to: Recipient
    now: datetime  # the day is said relative to when the reminder goes out


@dataclass(frozen=True, slots=True)
class OfferNotice:
    offer: OfferView
    to: Recipient


@dataclass(frozen=True, slots=True)
class ClosureNotice:
    booking_id: int
    booking: BookingView
    to: Recipient


Notice = ReminderNotice | OfferNotice | ClosureNotice


class Courier(Protocol):
    """Renders a notice in its recipient's language and sends it."""

    async def deliver(self, notice: Notice) -> Delivery: ...


@dataclass(frozen=True, slots=True)
class PassOn:
    """The offer's driver cannot be told: its seat must pass to the next one waiting."""

    waitlist_id: int


class CheckupNotices:
    """The notices' rules on one session; the caller commits."""

    def __init__(self, session: AsyncSession, tz: ZoneInfo) -> None:
        self.session, self.tz = session, tz
        self.outbox = BookingOutbox(session)
        self.browser = CheckupBrowser(session, tz)
        self.bookings = BookingService(session, tz)

    # --- waitlist offers ---------------------------------------------------------------------
    async def claim_offer(self, waitlist_id: int, now: datetime) -> OfferNotice | PassOn | None:
        """The offer to send now; PassOn when its driver cannot be reached (known to have
        blocked the bot); None when it is over or another process is sending it."""
        view = await self.browser.offer(waitlist_id)
        if view is None or view.status is not WaitlistStatus.OFFERED:
            return None
        to = (await self.browser.recipients([view.user_id])).get(view.user_id)
        if to is None or to.blocked:
            return PassOn(waitlist_id)
        if not await self.outbox.claim_offer(waitlist_id, now):
            return None
        return OfferNotice(view, to)

    async def pass_on(self, waitlist_id: int, now: datetime) -> int | None:
        """The seat of an offer nobody can be told about goes to the next driver waiting
        (that offer's id, to send)."""
        nxt = await self.bookings.skip_offer(waitlist_id, now)
        return nxt.waitlist_id if nxt else None

    async def expire_offers(self, now: datetime) -> None:
        await self.bookings.expire_offers(now)

    async def unsent(self, now: datetime) -> tuple[list[int], list[int]]:
        """Offers and closed-day notices still to go out (also those a crash or a Telegram
        error kept from going out)."""
        return await self.outbox.unsent_offers(now), await self.outbox.unsent_closures()

    # --- closed days ---------------------------------------------------------------------------
    async def claim_closure(self, booking_id: int, now: datetime) -> ClosureNotice | None:
        view = (await self.browser.bookings_by_id([booking_id])).get(booking_id)
        if view is None:
            return None
        to = (await self.browser.recipients([view.user_id])).get(view.user_id)
        claimed = await self.outbox.claim_closure(booking_id, now)
        if not claimed or to is None or to.blocked:
            return None  # a driver who cannot be told is not told, and not again
        return ClosureNotice(booking_id, view, to)

    # --- reminders ---------------------------------------------------------------------------
    async def claim_due_reminders(self, now: datetime) -> list[ReminderNotice]:
        """Every due reminder is settled: claimed to be sent, dropped (the booking is over,
        the driver unreachable, or quiet hours run into the 2-hour one) or postponed to the
        end of the driver's quiet hours."""
        due = await self.outbox.due_reminders(now)
        if not due:
            return []
        views = await self.browser.bookings_by_id([r.booking_id for r in due])
        people = await self.browser.recipients([v.user_id for v in views.values()])
        claimed = []
        for reminder in due:
            view = views.get(reminder.booking_id)
            to = people.get(view.user_id) if view else None
            if (
                view is None
                or view.status is not BookingStatus.ACTIVE
                or view.slot.starts_at <= now
            ):
                slot_id = view.slot.id if view is not None else None
                await self.outbox.drop_reminder(reminder, ReminderStatus.SKIPPED, slot_id)
                continue
            if to is None or to.blocked:
                await self.outbox.drop_reminder(reminder, ReminderStatus.FAILED, view.slot.id)
                continue
            kind = ReminderKind(reminder.kind)
            if kind is ReminderKind.EVENING:
                until = quiet_hours_end(now, to.quiet_start, to.quiet_end, self.tz)
                if until >= view.slot.starts_at - SOON_REMINDER:  # the 2-hour one comes
                    await self.outbox.drop_reminder(reminder, ReminderStatus.SKIPPED, view.slot.id)
                    continue
                if until > now:
                    await self.outbox.postpone_reminder(reminder, view.slot.id, until)
                    continue
            if await self.outbox.mark_sent(reminder, view.slot.id, now):
                claimed.append(ReminderNotice(reminder.id, kind, view, to, now))
        return claimed

    # --- after a passing failure -------------------------------------------------------------
    async def release(self, notice: Notice) -> None:
        """Give a claim back, so the next run sends it."""
        if isinstance(notice, ReminderNotice):
            await self.outbox.release_reminder(notice.reminder_id)
        elif isinstance(notice, OfferNotice):
            await self.outbox.release_offer(notice.offer.waitlist_id)
        else:
            await self.outbox.release_closure(notice.booking_id)
