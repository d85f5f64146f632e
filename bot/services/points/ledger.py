"""Points, the rules: earning for verified reports (with a first-report bonus and a monthly
cap), admins' grants and deductions, spending, reversals, forfeiting on erasure, and the
invariants `points check` verifies. Every method is one ledger effect with its own
idempotency key; calling it again with the same key changes nothing and says so."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.points.models import AccountKind, Reason, SystemAccount, TransferRow
from bot.db.points.repository import NotEnoughPoints, PointsRepository, Posted

__all__ = [
    "Earned", "Ledger", "Movement", "NotEnoughPoints", "PointsRules", "Posted", "Reason",
    "Violation", "check",
]  # fmt: skip

EARNED_BY_REPORTS = (Reason.REPORT, Reason.FIRST_REPORT)
EARNED_OTHERWISE = (Reason.TASK, Reason.ACTIVITY)


@dataclass(frozen=True, slots=True)
class PointsRules:
    per_report: int = 10
    first_report_bonus: int = 20
    monthly_cap: int = 200  # what reports may earn one person in a calendar month; 0: no cap


@dataclass(frozen=True, slots=True)
class Movement:
    """One line of someone's history: + for what came in, - for what went out."""

    id: int
    at: datetime
    amount: int
    reason: Reason
    ref: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class Earned:
    points: int  # what this verification gave (0: the cap was reached)
    bonus: int  # of which the first-report bonus
    capped: bool  # the monthly cap cut it
    new: bool  # False: this report had been rewarded before


class Ledger:
    def __init__(self, session: AsyncSession, tz: ZoneInfo, rules: PointsRules) -> None:
        self.repo = PointsRepository(session)
        self.tz, self.rules = tz, rules

    async def balance(self, user_id: int) -> int:
        account = await self.repo.find_user_account(user_id)
        return 0 if account is None else await self.repo.balance(account)

    async def history(self, user_id: int, limit: int = 5) -> list[Movement]:
        account = await self.repo.find_user_account(user_id)
        if account is None:
            return []
        return [
            Movement(t.id, t.created_at, t.amount if t.credit_id == account else -t.amount,
                     t.reason, t.ref, t.note)
            for t in await self.repo.history(account, limit)
        ]  # fmt: skip

    async def reward_report(
        self, user_id: int, report_id: int, ref: str, first: bool, now: datetime
    ) -> Earned:
        """A verified report's points, once per report whoever verifies it how often."""
        key = f"report:{report_id}"
        known = await self.repo.by_key(key)
        if known is not None:
            paid = await self.repo.by_key(f"report-bonus:{report_id}")
            extra = paid.amount if paid is not None else 0
            return Earned(known.amount + extra, extra, False, new=False)
        account = await self.repo.user_account(user_id, now)
        month = now.astimezone(self.tz).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        room = None
        if self.rules.monthly_cap:
            earned = await self.repo.credited_since(account, month, EARNED_BY_REPORTS)
            room = max(self.rules.monthly_cap - earned, 0)
        points = self.rules.per_report if room is None else min(self.rules.per_report, room)
        bonus = self.rules.first_report_bonus if first else 0
        if room is not None:
            bonus = min(bonus, room - points)
        capped = room is not None and points + bonus < self.rules.per_report + (
            self.rules.first_report_bonus if first else 0
        )
        issued = await self.repo.system_account(SystemAccount.ISSUED, now)
        if points:
            await self.repo.move(key, issued, account, points, Reason.REPORT, now,
                                 user_debit=False, user_credit=True, ref=ref)  # fmt: skip
        if bonus:
            await self.repo.move(f"report-bonus:{report_id}", issued, account, bonus,
                                 Reason.FIRST_REPORT, now, user_debit=False, user_credit=True,
                                 ref=ref)  # fmt: skip
        return Earned(points + bonus, bonus, capped, new=True)

    async def grant(
        self, user_id: int, amount: int, key: str, actor_id: int, note: str, now: datetime
    ) -> Posted:
        return await self._to_user(user_id, SystemAccount.ISSUED, key, amount, Reason.GRANT, now,
                                   note=note, actor_id=actor_id)  # fmt: skip

    async def deduct(
        self, user_id: int, amount: int, key: str, actor_id: int, note: str, now: datetime
    ) -> Posted:
        """Raises NotEnoughPoints rather than take someone below zero."""
        return await self._from_user(user_id, SystemAccount.EXPIRED, key, amount, Reason.DEDUCT,
                                     now, note=note, actor_id=actor_id)  # fmt: skip

    async def spend(
        self, user_id: int, amount: int, key: str, now: datetime, ref: str | None = None
    ) -> Posted:
        """Raises NotEnoughPoints when the balance does not cover it."""
        return await self._from_user(user_id, SystemAccount.SPENT, key, amount, Reason.SPEND,
                                     now, ref=ref)  # fmt: skip

    async def redeem(
        self, user_id: int, amount: int, key: str, now: datetime, ref: str | None = None
    ) -> Posted:
        """A shop item's price; raises NotEnoughPoints when the balance does not cover it."""
        return await self._from_user(user_id, SystemAccount.SPENT, key, amount, Reason.REDEEM,
                                     now, ref=ref)  # fmt: skip

    async def refund(
        self, user_id: int, amount: int, key: str, now: datetime, ref: str | None = None
    ) -> Posted:
        """Points spent coming back (an expired voucher nobody used), once per key."""
        return await self._to_user(user_id, SystemAccount.SPENT, key, amount, Reason.REFUND, now,
                                   ref=ref)  # fmt: skip

    async def award(
        self, user_id: int, amount: int, key: str, reason: Reason, now: datetime,
        ref: str | None = None, actor_id: int | None = None,
    ) -> Posted:  # fmt: skip
        """Points earned for something other than a report (a confirmed task, a check-in),
        once per key."""
        if reason not in EARNED_OTHERWISE:
            raise ValueError(f"{reason} is not earned by award")
        return await self._to_user(user_id, SystemAccount.ISSUED, key, amount, reason, now,
                                   ref=ref, actor_id=actor_id)  # fmt: skip

    async def _to_user(self, user_id: int, source: SystemAccount, key: str, amount: int,
                       reason: Reason, now: datetime, **extra: Any) -> Posted:  # fmt: skip
        account = await self.repo.user_account(user_id, now)
        system = await self.repo.system_account(source, now)
        return await self.repo.move(key, system, account, amount, reason, now,
                                    user_debit=False, user_credit=True, **extra)  # fmt: skip

    async def _from_user(self, user_id: int, sink: SystemAccount, key: str, amount: int,
                         reason: Reason, now: datetime, **extra: Any) -> Posted:  # fmt: skip
        account = await self.repo.user_account(user_id, now)
        system = await self.repo.system_account(sink, now)
        return await self.repo.move(key, account, system, amount, reason, now,
                                    user_debit=True, user_credit=False, **extra)  # fmt: skip

    async def reverse(
        self, transfer_id: int, actor_id: int | None, note: str | None, now: datetime
    ) -> Posted:
        """A new transfer the other way round; a transfer is reversed at most once. Raises
        NotEnoughPoints when the points were already spent."""
        original = await self.repo.get(transfer_id)
        if original is None:
            raise LookupError(transfer_id)
        if original.reverses_id is not None:
            raise ValueError("a reversal is not reversed; make a new transfer")
        debit = await self.repo.account_owner(original.credit_id)
        credit = await self.repo.account_owner(original.debit_id)
        assert debit is not None and credit is not None
        return await self.repo.move(
            f"reversal:{transfer_id}", debit.id, credit.id, original.amount, Reason.REVERSAL,
            now, user_debit=debit.kind is AccountKind.USER,
            user_credit=credit.kind is AccountKind.USER, ref=original.ref, note=note,
            actor_id=actor_id, reverses_id=transfer_id,
        )  # fmt: skip

    async def forfeit(self, user_id: int, now: datetime) -> int:
        """Erasure: the balance goes to `expired` and admins' notes about the person go; the
        amounts stay, so the ledger still balances. Returns the points forfeited."""
        account = await self.repo.find_user_account(user_id)
        if account is None:
            return 0
        left = await self.repo.balance(account)
        if left > 0:
            expired = await self.repo.system_account(SystemAccount.EXPIRED, now)
            await self.repo.move(f"forfeit:{user_id}:{now.timestamp():.0f}", account, expired,
                                 left, Reason.FORFEIT, now, user_debit=True,
                                 user_credit=False)  # fmt: skip
        await self.repo.erase_notes(account)
        return left


class ViolationKind(enum.StrEnum):
    UNBALANCED = "unbalanced"  # the sum of all balances is not zero
    NEGATIVE = "negative"  # a user balance below zero
    DRIFT = "drift"  # a user account's running sums differ from its transfers
    BAD_TRANSFER = "bad_transfer"  # an amount not positive, or one account on both sides
    BAD_REVERSAL = "bad_reversal"  # a reversal that does not mirror its original


@dataclass(frozen=True, slots=True)
class Violation:
    kind: ViolationKind
    detail: str


async def check(session: AsyncSession) -> list[Violation]:
    """Every invariant of the ledger, recomputed from the transfers."""
    repo = PointsRepository(session)
    found: list[Violation] = []
    sums = await repo.sums()
    total = sum(credits - debits for debits, credits in sums.values())
    if total != 0:
        found.append(Violation(ViolationKind.UNBALANCED, f"all balances sum to {total}"))
    for account in await repo.accounts():
        debits, credits = sums.get(account.id, (0, 0))
        if account.kind is not AccountKind.USER:
            continue
        if (account.debits, account.credits) != (debits, credits):
            found.append(Violation(
                ViolationKind.DRIFT,
                f"account {account.id}: kept {account.credits}-{account.debits}, "
                f"transfers {credits}-{debits}"))  # fmt: skip
        if credits - debits < 0:
            found.append(Violation(ViolationKind.NEGATIVE,
                                   f"account {account.id}: {credits - debits}"))  # fmt: skip
    for transfer in await repo.bad_transfers():
        found.append(Violation(ViolationKind.BAD_TRANSFER, _describe(transfer)))
    for reversal, original in await repo.reversals():
        if (reversal.amount, reversal.debit_id, reversal.credit_id) != (
            original.amount, original.credit_id, original.debit_id
        ):  # fmt: skip
            found.append(
                Violation(
                    ViolationKind.BAD_REVERSAL,
                    f"{_describe(reversal)} reverses {_describe(original)}",
                )
            )
    return found


def _describe(t: TransferRow) -> str:
    return f"transfer {t.id} ({t.key}): {t.amount} from {t.debit_id} to {t.credit_id}"
