"""Drawing the booking form's biggest screens: a month's calendar and a day of 20 times.

Times `handlers/checkups/views.render` on screen objects (what the form service returns),
next to a baseline in the same run: the very same keyboard built button by button with
aiogram's `InlineKeyboardBuilder`, as the form did before (the builder copies the whole
keyboard on every button it adds). The baseline builds only the keyboard, the render also
the text, so the ratio if anything flatters the baseline. Prints p50 per screen and the
ratio; ends with one RESULT line.

    python bench/booking_form.py [--rounds 300]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import compile_catalogs, create_i18n
from bot.services.checkups.browse import DayAvailability, ProviderView, ServiceView, SlotView
from bot.services.checkups.form import CalendarScreen, DayScreen, Screen
from handlers.checkups.views import render

TZ = ZoneInfo("Asia/Shanghai")
SERVICE = ServiceView("general", "免费体检", "Free general checkup", 60, "空腹", "No food")
PROVIDER = ProviderView("p1", "自贡市第三人民医院", "hospital", "自贡", "", 29.35, 104.75, "")


def calendar_screen() -> CalendarScreen:
    """December: every day bookable, every fifth one full."""
    days = {
        date(2026, 12, d): DayAvailability(date(2026, 12, d), 6, 0 if d % 5 == 0 else 4)
        for d in range(1, 32)
    }
    days[date(2027, 1, 4)] = DayAvailability(date(2027, 1, 4), 6, 6)
    return CalendarScreen(SERVICE, PROVIDER, days, (2026, 12), ((2026, 12), (2027, 1)), None)


def day_screen() -> DayScreen:
    start = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)
    slots = tuple(
        SlotView(i, "p1", "general", start + timedelta(minutes=30 * i),
                 start + timedelta(minutes=30 * (i + 1)), 5, i % 4, False)
        for i in range(20)
    )  # fmt: skip
    return DayScreen(SERVICE, PROVIDER, date(2026, 12, 8), slots, None, None)


def with_builder(markup: InlineKeyboardMarkup) -> InlineKeyboardMarkup:
    """The same keyboard, the builder's way: one button at a time, then the row widths."""
    kb = InlineKeyboardBuilder()
    for row in markup.inline_keyboard:
        for button in row:
            kb.add(button)
    kb.adjust(*(len(row) for row in markup.inline_keyboard))
    return kb.as_markup()


def p50_us(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    compile_catalogs()
    i18n = create_i18n("zh")
    fields = [f"rounds={args.rounds}"]
    print(f"{'screen':<22}{'buttons':>8}{'render p50 µs':>15}{'builder p50 µs':>16}{'ratio':>8}")
    with i18n.context(), i18n.use_locale("zh"):
        screens: list[tuple[str, Screen]] = [
            ("calendar", calendar_screen()),
            ("day", day_screen()),
        ]
        for name, screen in screens:
            _text, markup = render(screen, TZ)
            assert markup is not None
            assert with_builder(markup) == markup  # the baseline builds the same keyboard
            buttons = sum(len(row) for row in markup.inline_keyboard)
            ours = p50_us(lambda s=screen: render(s, TZ), args.rounds)
            builder = p50_us(lambda m=markup: with_builder(m), args.rounds)
            ratio = ours / builder
            print(f"{name:<22}{buttons:>8}{ours:>15,.0f}{builder:>16,.0f}{ratio:>8.3f}")
            fields += [
                f"{name}_buttons={buttons}",
                f"{name}_render_p50_us={ours:.0f}",
                f"{name}_builder_p50_us={builder:.0f}",
                f"{name}_ratio={ratio:.3f}",
            ]
    print("RESULT " + " ".join(fields))


if __name__ == "__main__":
    main()
