"""The points feature's part of /mydata and /deleteme (see bot/services/personal_data.py).

Export: the balance and every movement with its reason. Erasure forfeits the balance to the
`expired` account and removes admins' notes about the person; the transfers' amounts and
reasons stay, so the ledger still balances and `points check` still passes."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.personal_data import Part
from bot.services.points.ledger import Ledger, PointsRules


async def export(session: AsyncSession, user_id: int, tz: ZoneInfo) -> dict[str, Any]:
    ledger = Ledger(session, tz, PointsRules())
    return {
        "balance": await ledger.balance(user_id),
        "movements": [
            {"at": m.at.isoformat(), "points": m.amount, "reason": m.reason.value, "ref": m.ref,
             "note": m.note}
            for m in await ledger.history(user_id, limit=100_000)
        ],
    }  # fmt: skip


async def erase(session: AsyncSession, user_id: int, now: datetime, tz: ZoneInfo) -> None:
    await Ledger(session, tz, PointsRules()).forfeit(user_id, now)


PART = Part("points", frozenset({"points_accounts", "points_transfers"}), export, erase)
