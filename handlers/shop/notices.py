"""The shop's messages to a voucher's owner, rendered in their language for the outbox: used
at a station, expiring soon, expired and refunded."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.db.outbox.models import MessageKind
from bot.services.outbox.messages import OutMessage
from bot.services.shop.station import Owner
from bot.services.shop.views import VoucherView
from handlers.common.texts import q
from handlers.shop.texts import when


class VoucherComposer:
    def __init__(self, i18n: I18n, tz: ZoneInfo) -> None:
        self.i18n, self.tz = i18n, tz

    def _message(self, owner: Owner, key: str, text: str) -> OutMessage:
        return OutMessage(chat_id=owner.telegram_id, user_id=owner.user_id,
                          kind=MessageKind.VOUCHER, dedupe_key=key, text=text)  # fmt: skip

    def used(self, v: VoucherView, owner: Owner) -> OutMessage:
        with self.i18n.context(), self.i18n.use_locale(owner.language):
            text = _("🎫 Your voucher {code} ({item}) was used at {at}. Enjoy!").format(
                code=v.shown_code, item=q(v.name.get(owner.language)), at=when(v.used_at, self.tz)
            )
        return self._message(owner, f"voucher-used:{v.id}", text)

    def expiring(self, v: VoucherView, owner: Owner) -> OutMessage:
        with self.i18n.context(), self.i18n.use_locale(owner.language):
            text = _("⏳ Your voucher {code} ({item}) is valid until {day}. Unused, its points "
                     "come back to you after that.").format(
                code=v.shown_code, item=q(v.name.get(owner.language)),
                day=f"{v.valid_until:%Y-%m-%d}")  # fmt: skip
        return self._message(owner, f"voucher-expiring:{v.id}", text)

    def refunded(self, v: VoucherView, owner: Owner, points: int) -> OutMessage:
        with self.i18n.context(), self.i18n.use_locale(owner.language):
            text = _("↩️ Your voucher {code} ({item}) expired unused: {points} points are back "
                     "in your balance.").format(
                code=v.shown_code, item=q(v.name.get(owner.language)), points=points)  # fmt: skip
        return self._message(owner, f"voucher-refund:{v.id}", text)
