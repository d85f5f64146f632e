"""The FAQ's tests: a few entries of our own, voters, and an app with an admins' group whose
FAQ is the shipped one, loaded the way a fresh install loads it (the kit's start)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.db.faq.models import FaqEntryRow
from bot.sandbox import BotApiServer
from knowledge.faq.model import Faq, Topic
from tests.harness.app import App, running_app
from tests.harness.clock import NOON_MONDAY, Clock

GROUP = -100777
NOW = NOON_MONDAY

FREIGHT = Faq(
    key="unpaid-freight", topic=Topic.RIGHTS, questions_zh=("运费被拖欠怎么办", "货主不给运费"),
    questions_en=("The shipper won't pay my freight",), answer_zh="留好运单，打12328。",
    answer_en="Keep the waybill, call 12328.", source_zh="12328 热线",
    source_en="12328 hotline", action="complaint:freight", tags=("运费",),
)  # fmt: skip
LEGAL_AID = replace(
    FREIGHT, key="call-12348", topic=Topic.LEGAL_AID,
    questions_zh=("12348是干什么的", "免费问律师"), questions_en=("What is 12348?",),
    answer_zh="免费法律咨询。", answer_en="Free legal advice.",
    source_zh="12348 热线", source_en="12348 hotline", action="", tags=(),
)  # fmt: skip
SHOWER = replace(
    FREIGHT, key="shower", topic=Topic.STATIONS, questions_zh=("哪里能洗澡", "想洗个澡"),
    questions_en=("Where can I take a shower?",), answer_zh="司机之家有热水。",
    answer_en="Driver homes have hot showers.", source_zh="司机之家", source_en="Driver homes",
    action="nearest:shower", tags=("洗澡",),
)  # fmt: skip
ENTRIES = (FREIGHT, LEGAL_AID, SHOWER)


async def entry_ids(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(FaqEntryRow.key, FaqEntryRow.id))
    return {key: int(row_id) for key, row_id in rows.all()}


async def entry_row(session: AsyncSession, key: str) -> FaqEntryRow:
    row = await session.scalar(
        select(FaqEntryRow).where(FaqEntryRow.key == key).execution_options(
            populate_existing=True)
    )  # fmt: skip
    assert row is not None
    return row


@pytest.fixture
async def app(
    server: BotApiServer, engine: AsyncEngine, db_url: str, clock: Clock
) -> AsyncIterator[App]:
    async with running_app(server, engine, db_url, clock=clock, admin_chat_id=GROUP) as app:
        await app.kits["faq"].start()
        yield app
