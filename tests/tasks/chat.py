"""Tapping task buttons by their callback data (their words are not translated yet, and a
copy edit must not break the flow tests)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from bot.db.users.models import Role, User
from bot.sandbox import TgUser, specs
from tests.harness.app import App
from tests.harness.chat import buttons, last_with_buttons


def data_of(message: dict[str, Any], prefix: str) -> str:
    for button in buttons(message):
        if (button.get("callback_data") or "").startswith(prefix):
            return str(button["callback_data"])
    raise AssertionError(
        f"no button {prefix!r} in {[b.get('callback_data') for b in buttons(message)]}"
    )


async def tap_data(
    app: App, user: TgUser, prefix: str, chat_id: int | None = None
) -> list[dict[str, Any]]:
    """Tap the button whose callback data starts with `prefix` on the newest message with
    buttons in the chat."""
    message = last_with_buttons(app, chat_id or user.id)
    extra = {"chat_id": chat_id} if chat_id else {}
    return await app.feed(
        specs.callback(user, message["message_id"], data_of(message, prefix), **extra)
    )


async def make(
    app: App, user: TgUser, role: Role = Role.VOLUNTEER, city: str | None = "自贡"
) -> int:
    """An onboarded user with a role and a city."""
    await app.onboard(user)
    async with app.session_factory() as session:
        await session.execute(
            update(User).where(User.telegram_id == user.id).values(role=role, city=city)
        )
        await session.commit()
    row = await app.user_row(user.id)
    assert row is not None
    return row.id
