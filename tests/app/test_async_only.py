"""aiogram runs synchronous filters and handlers in a thread (~110 µs each): forbid them."""

from __future__ import annotations

from aiogram import Router
from aiogram.dispatcher.event.handler import CallableObject

from bot.app import create_dispatcher
from bot.config import Settings


def _sync_callables(router: Router) -> list[str]:
    found: list[str] = []
    for name, observer in router.observers.items():
        objects: list[CallableObject] = list(observer._handler.filters or [])
        for handler in observer.handlers:
            objects.append(handler)
            objects.extend(handler.filters or [])
        found.extend(
            f"{router.name}.{name}: {obj.callback!r}" for obj in objects if not obj.awaitable
        )
    for sub in router.sub_routers:
        found.extend(_sync_callables(sub))
    return found


def test_no_synchronous_filter_or_handler(tmp_path) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/x.db")
    dp = create_dispatcher(settings)
    assert len(dp.sub_routers) > 5
    assert _sync_callables(dp) == []


def test_detector_catches_a_magic_filter() -> None:
    from aiogram import F

    router = Router(name="probe")

    @router.message(F.text == "x")
    async def probe(message: object) -> None: ...

    assert len(_sync_callables(router)) == 1
