"""What checkups owe drivers outside their own updates, and the rules for when: reminders
(quiet hours, too late, the driver unreachable), waitlist offers (passed on at once when the
driver cannot be told), closed-day notices. No Telegram and no commits here: a job runner
(scheduler/jobs/checkups.py) owns the transactions, has each claimed notice rendered by a
`Composer` and queues it in the outbox in the same transaction as the claim.

So a notice is claimed (a conditional UPDATE: two schedulers, or a scheduler and the
after-commit path of an update, never both get it) and queued at once or not at all; the
outbox sender delivers it at least once, retrying what fails for a passing reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.checkups.claims import NoticeClaims
from bot.db.checkups.statuses import BookingStatus, ReminderKind, ReminderStatus, WaitlistStatus
from bot.services.checkups.bookings import SOON_REMINDER, BookingService
from bot.services.checkups.browse import BookingView, CheckupBrowser, OfferView, Recipient
from bot.services.outbox.audience import after_quiet_hours, quiet_hours
from bot.services.outbox.messages import OutMessage


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


class Composer(Protocol):
    """Renders a notice in its recipient's language as a message to queue."""

    def compose(self, notice: Notice) -> OutMessage: ...


@dataclass(frozen=True, slots=True)
class PassOn:
    """The offer's driver cannot be told: its seat must pass to the next one waiting."""

    waitlist_id: int


class CheckupNotices:
    """The notices' rules on one session; the caller commits."""

    def __init__(self, session: AsyncSession, tz: ZoneInfo) -> None:
        self.session, self.tz = session, tz
        self.claims = NoticeClaims(session)
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
        if not await self.claims.claim_offer(waitlist_id, now):
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
        return await self.claims.unsent_offers(now), await self.claims.unsent_closures()

    # --- closed days ---------------------------------------------------------------------------
    async def claim_closure(self, booking_id: int, now: datetime) -> ClosureNotice | None:
        view = (await self.browser.bookings_by_id([booking_id])).get(booking_id)
        if view is None:
            return None
        to = (await self.browser.recipients([view.user_id])).get(view.user_id)
        claimed = await self.claims.claim_closure(booking_id, now)
        if not claimed or to is None or to.blocked:
            return None  # a driver who cannot be told is not told, and not again
        return ClosureNotice(booking_id, view, to)

    # --- reminders ---------------------------------------------------------------------------
    async def claim_due_reminders(self, now: datetime) -> list[ReminderNotice]:
        """Every due reminder is settled: claimed to be sent, dropped (the booking is over,
        the driver unreachable, or quiet hours run into the 2-hour one) or postponed to the
        end of the driver's quiet hours."""
        due = await self.claims.due_reminders(now)
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
                await self.claims.drop_reminder(reminder, ReminderStatus.SKIPPED, slot_id)
                continue
            if to is None or to.blocked:
                await self.claims.drop_reminder(reminder, ReminderStatus.FAILED, view.slot.id)
                continue
            kind = ReminderKind(reminder.kind)
            if kind is ReminderKind.EVENING:
                quiet = quiet_hours(to.quiet_start, to.quiet_end)
                until = after_quiet_hours(now, quiet, self.tz)
                if until >= view.slot.starts_at - SOON_REMINDER:  # the 2-hour one comes
                    await self.claims.drop_reminder(reminder, ReminderStatus.SKIPPED, view.slot.id)
                    continue
                if until > now:
                    await self.claims.postpone_reminder(reminder, view.slot.id, until)
                    continue
            if await self.claims.mark_sent(reminder, view.slot.id, now):
                claimed.append(ReminderNotice(reminder.id, kind, view, to, now))
        return claimed
