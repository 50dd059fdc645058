"""What every plot module shares: a headless Figure, checked numbers, the finishing touch.

A Figure with its own Agg canvas (never pyplot), so plots work on servers and in tests
and leave no global state behind; ``finish`` adds the title and the CJK font fallback.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .fonts import apply_fonts

__all__ = ["new_figure", "as_numbers", "finite_numbers", "finish", "check_title", "pairs",
           "PALETTE", "ACCENT"]

# Colour-blind-safe series colours (Okabe–Ito), in the order series are drawn.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
ACCENT = "#dc2626"  # paths, minima, wrong answers: the thing to look at


class InlineFigure(Figure):
    """A Figure that Jupyter shows as a picture even where pyplot is never imported.

    Jupyter's inline backend registers its display only once pyplot loads; a bare
    Figure would show as the text ``<Figure size 600x400 with 1 Axes>``.
    """

    def _repr_png_(self) -> bytes:
        """The figure as PNG bytes, for Jupyter's display."""
        buffer = io.BytesIO()
        self.savefig(buffer, format="png")
        return buffer.getvalue()


def new_figure(width: float, height: float) -> Figure:
    """A Figure of ``width`` × ``height`` inches with its own Agg canvas (no pyplot)."""
    fig = InlineFigure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def as_numbers(values: object, what: str) -> list[float]:
    """``values`` as a list of floats; TypeError naming ``what`` when it is not one."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{what} must be a sequence of numbers, got {values!r}")
    try:
        numbers = [float(v) for v in values]
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be a sequence of numbers, got {values!r}") from None
    return numbers


def finite_numbers(values: object, what: str, length: int | None = None) -> list[float]:
    """``as_numbers``, also refusing non-finite entries and (when given) a wrong length."""
    numbers = as_numbers(values, what)
    if length is not None and len(numbers) != length:
        raise ValueError(f"{what} must have {length} numbers (one per x), got {len(numbers)}")
    bad = next((i for i, v in enumerate(numbers) if not math.isfinite(v)), None)
    if bad is not None:
        raise ValueError(f"{what} must be finite numbers, got {what}[{bad}] = {numbers[bad]!r}")
    return numbers


def finish(fig: Figure, title: str | None) -> Figure:
    """``fig`` with ``title`` on top and a CJK fallback font on every text; returns it."""
    if title:
        fig.suptitle(title)
    apply_fonts(fig)
    return fig


def check_title(title: object) -> None:
    """TypeError unless ``title`` is text or None (a number would print as a title)."""
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be text or None, got {title!r}")


def pairs(values: object, what: str) -> list[tuple[float, float]]:
    """``values`` as (a, b) number pairs: a path's points, a line's ends."""
    out = []
    for i, point in enumerate(values if isinstance(values, Sequence) else list(values)):
        numbers = as_numbers(point, f"{what} point {i}")
        if len(numbers) != 2:
            raise ValueError(f"{what} point {i} must be a (p1, p2) pair, got {point!r}")
        out.append((numbers[0], numbers[1]))
    return out
