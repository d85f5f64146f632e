"""Multi-step forms on one message: a typed state in the FSM data, and the check that a button
belongs to the form that is open.

A form (the booking form; complaints, snap reports, broadcasts next) subclasses `FormState`
as a frozen dataclass, says which FSM states mean it is open (`open_in`), and converts
itself to and from plain JSON-able data (Redis keeps the FSM data as JSON). Its message id
is kept under "mid" (`FLOW_MESSAGE`), so leaving the form takes that message's buttons off
(see `handlers/common/flows.py`).

    router.callback_query.register(pick, MyCb.filter(F.a == "pick"), OpenForm(MyForm))
    router.callback_query.register(form_closed(N_("This form is closed...")), MyCb.filter())

`OpenForm` passes the loaded state to the handler as `form`; a button of a form that is over
falls through to the `form_closed` toast.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from aiogram.filters import Filter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers.common.editing import FLOW_MESSAGE


@dataclass(frozen=True, slots=True)
class FormState(ABC):
    """The typed state of a form shown on message `mid`. Subclasses add their fields, set
    `open_in`, and extend `to_data`/`from_data` (which return None for data not theirs)."""

    open_in: ClassVar[tuple[State, ...]] = ()  # the FSM states in which the form is open
    mid: int

    def to_data(self) -> dict[str, Any]:
        return {FLOW_MESSAGE: self.mid}

    @classmethod
    @abstractmethod
    def from_data(cls, data: dict[str, Any]) -> Self | None:
        """The form read from FSM data; None for data that is not this form's."""

    @classmethod
    def _is_open(cls, raw_state: str | None) -> bool:
        return raw_state in {s.state for s in cls.open_in}

    @classmethod
    async def load(cls, state: FSMContext) -> Self | None:
        """The form's state if the form is open, else None."""
        if not cls._is_open(await state.get_state()):
            return None
        mid = (data := await state.get_data()).get(FLOW_MESSAGE)
        return cls.from_data(data) if isinstance(mid, int) else None

    async def save(self, state: FSMContext, step: State | None) -> None:
        """Keep this as the form's data, at FSM state `step` (None: the state stays)."""
        if step is not None:
            await state.set_state(step)
        await state.set_data(self.to_data())


@dataclass(frozen=True, slots=True)
class KeyedForm(FormState):
    """A form whose answers are a plain dict, with a key made when it opens: what it files is
    filed once however often its last button is pressed (the key is the row's unique token)."""

    key: str = field(default_factory=lambda: uuid.uuid4().hex)
    values: dict[str, Any] = field(default_factory=dict)

    def to_data(self) -> dict[str, Any]:
        return {FLOW_MESSAGE: self.mid, "key": self.key, "v": self.values}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Self | None:
        mid, key, values = data.get(FLOW_MESSAGE), data.get("key"), data.get("v", {})
        if not isinstance(mid, int) or not isinstance(key, str) or not isinstance(values, dict):
            return None
        return cls(mid=mid, key=key, values=values)

    def with_(self, **changes: Any) -> Self:
        return type(self)(mid=self.mid, key=self.key, values={**self.values, **changes})

    def at(self, mid: int) -> Self:
        """The same form, shown on message `mid`."""
        return type(self)(mid=mid, key=self.key, values=self.values)


class OpenForm(Filter):
    """The button is on the message of the open `form`: the handler gets it as `form`."""

    def __init__(self, form: type[FormState]) -> None:
        self.form = form

    async def __call__(
        self, query: CallbackQuery, state: FSMContext, raw_state: str | None = None
    ) -> bool | dict[str, Any]:
        message = query.message
        if not isinstance(message, Message) or not self.form._is_open(raw_state):
            return False
        data = await state.get_data()
        if data.get(FLOW_MESSAGE) != message.message_id:
            return False
        loaded = self.form.from_data(data)
        return False if loaded is None else {"form": loaded}


class FormIsOpen(Filter):
    """A message while `form` is open: the handler gets the form as `form` (a message is not
    tied to the form's own message, as a button is)."""

    def __init__(self, form: type[FormState]) -> None:
        self.form = form

    async def __call__(self, event: Any, state: FSMContext) -> bool | dict[str, Any]:
        form = await self.form.load(state)
        return False if form is None else {"form": form}


def form_closed(msgid: str) -> Callable[[CallbackQuery], Awaitable[None]]:
    """A handler for a button of a form that is over: a quiet toast saying how to start
    again (a toast, not an alert: nothing went wrong)."""

    async def closed(query: CallbackQuery) -> None:
        await query.answer(_(msgid))

    return closed
