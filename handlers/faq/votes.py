"""👍/👎 under an answer, wherever it was shown (/faq or a typed question): the vote is recorded
(one per driver and entry; the other thumb turns it), then, after the commit, the press is
answered and the pressed thumb marked. A second press, or one on an old keyboard, edits
nothing when the message shows that vote already."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.after_commit import after_commit
from bot.db.types import Clock
from bot.services.faq.views import VoteOutcome
from bot.services.users.profiles import UserProfile
from handlers.common.editing import settle_ui
from handlers.common.filters import private_only
from handlers.faq.callbacks import FaqCb
from handlers.faq.kit import FaqServices
from handlers.faq.views import with_vote


async def vote(query: CallbackQuery, callback_data: FaqCb, user: UserProfile | None,
               faq: FaqServices, clock: Clock, session: AsyncSession) -> None:  # fmt: skip
    if user is None:
        await query.answer()
        return
    helpful = callback_data.v == 1
    outcome = await faq.service.vote(user.id, callback_data.i, helpful, clock())
    if outcome is VoteOutcome.GONE:
        await query.answer(_("This answer is no longer in the FAQ."))
        return
    message = query.message if isinstance(query.message, Message) else None
    kb = None if message is None else with_vote(message.reply_markup, callback_data.i, helpful)
    thanks = _("Thanks for telling us")

    async def show() -> None:
        await settle_ui(query.answer(thanks))
        if message is not None and kb is not None:
            await settle_ui(message.edit_reply_markup(reply_markup=kb))

    after_commit(session, show)


def create_router() -> Router:
    router = Router(name="faq_votes")
    private_only(router)
    router.callback_query.register(vote, FaqCb.filter(F.a == "vote"))
    return router
