"""How numbers read on screen: significant digits, a true minus sign, no ``-0``."""

from __future__ import annotations

import math

__all__ = ["format_number", "format_factor"]

MINUS = "\N{MINUS SIGN}"


def format_number(x: float | None, precision: int = 6) -> str:
    """``x`` to ``precision`` significant digits with a true minus: −1.796, 0.51796, 0.

    ``None`` (not computed yet) reads as ``…``. Six digits show the article's
    0.51796 and 0.62196 exactly and hide float noise such as 1.1040000000000001.
    """
    if x is None:
        return "…"
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "∞" if x > 0 else f"{MINUS}∞"
    text = f"{x:.{precision}g}"
    if text in ("-0", "0"):
        return "0"
    return text.replace("-", MINUS)


def format_factor(x: float | None, precision: int = 6) -> str:
    """``x`` formatted to sit inside a product or sum: negatives in brackets, (−0.4)."""
    text = format_number(x, precision)
    return f"({text})" if text.startswith(MINUS) and text != "0" else text
