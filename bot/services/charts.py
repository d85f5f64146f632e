"""What every report chart shares: a font with the Chinese glyphs when the machine has one
(`make test` installs WenQuanYi Micro Hei; without any, labels fall back to DejaVu Sans and
Chinese shows as boxes), and a figure rendered to PNG bytes without pyplot's global state."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

log = logging.getLogger(__name__)
CJK_FONTS = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans SC",
             "Source Han Sans SC", "SimHei", "Droid Sans Fallback")  # fmt: skip


@cache
def cjk_font() -> str | None:
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    found = next((name for name in CJK_FONTS if name in names), None)
    if found is None:
        log.warning("no CJK font found: the chart's Chinese labels may not render")
    return found


@contextmanager
def figure(width: float, height: float) -> Iterator[Figure]:
    """A figure sized for a phone, drawn with the CJK font when there is one."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    font = cjk_font()
    families = [font, "DejaVu Sans"] if font else ["DejaVu Sans"]
    with matplotlib.rc_context({"font.family": families}):
        made = Figure(figsize=(width, height), dpi=150)
        FigureCanvasAgg(made)
        yield made


def png(made: Figure) -> bytes:
    made.tight_layout()
    out = io.BytesIO()
    made.savefig(out, format="png")
    return out.getvalue()
