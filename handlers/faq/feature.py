"""政策与法律问答 the FAQ: rights, insurance, injury, legal aid, hotlines, stations, checkups and
points, answered for drivers. /faq browses it by topic; an answer (also one the free-text
router finds for a typed question) shows its source, its related action and 👍/👎, which
admins read in /faq_report. The shipped file is loaded into an empty table at start;
`python -m bot faq import|export FILE` replaces or saves the whole set."""

from __future__ import annotations

from aiogram import Router

from bot.cli.faq import FAQ_CLI
from bot.feature import Command, Feature, Stage
from bot.i18n import N_
from bot.services.faq.personal_data import PART
from handlers.faq import browse, report, votes
from handlers.faq.kit import FaqKit


def _routers() -> list[tuple[Stage, Router]]:
    # The report before the consent gate, like every admin command.
    return [
        (Stage.OPEN, report.create_router()),
        (Stage.AGREED, browse.create_router()),
        (Stage.AGREED, votes.create_router()),
    ]


FAQ = Feature(
    name="faq",
    routers=_routers,
    kit=FaqKit,
    commands=(
        Command("faq", N_("Questions and answers on rights, insurance, legal aid…"),
                N_("/faq: questions and answers on rights, insurance, legal aid and more"),
                personal=True),
        Command("faq_report", N_("FAQ feedback report"),
                N_("/faq_report: the FAQ answers drivers found least helpful"), admin=True),
    ),
    cli=(FAQ_CLI,),
    personal_data=(PART,),
)  # fmt: skip
