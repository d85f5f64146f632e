"""A flow that ends without a word on its own message leaves no live buttons behind.

A flow keeps its message's id in the FSM data under "mid" (the booking form, the occupation
question...). When an update ends the flow (/cancel, a menu tap, another command: "mid" is
gone or points elsewhere afterwards, or the state moved to another flow's group) and did not
edit or delete that message itself, its buttons are taken off: tapping them later could only
bring an alert that the form is closed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.context import FSMContext
from aiogram.types import TelegramObject

from bot.update_calls import current
from handlers.common.editing import FLOW_MESSAGE, remove_buttons


class CloseLeftFlows(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        state: FSMContext | None = data.get("state")
        before = (await state.get_data()).get(FLOW_MESSAGE) if state is not None else None
        result = await handler(event, data)
        if state is None or not isinstance(before, int):
            return result
        calls = current()
        chat_id = state.key.chat_id
        if calls is None or calls.duplicate or (chat_id, before) in calls.touched:
            return result
        group_before = _group(data.get("raw_state"))
        if (await state.get_data()).get(FLOW_MESSAGE) == before:
            if _group(await state.get_state()) == group_before:
                return result  # still the same flow on the same message
            await state.update_data({FLOW_MESSAGE: None})  # another flow took the data over
        await remove_buttons(data["bot"], chat_id, before)
        return result


def _group(state: str | None) -> str | None:
    """ "BookSteps:flow" → "BookSteps": the flow a state belongs to."""
    return state.split(":", 1)[0] if state else None
