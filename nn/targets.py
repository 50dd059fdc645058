"""Checks on training targets shared by eager and compiled ``fit``.

A target of nan or ±inf (a missing label read as nan, say) makes every loss and
gradient after it nan: training would run on and return nan parameters, or, compiled,
stop with a confusing comparison of two nans. Both loops call ``check_targets`` first,
so they stop alike, naming the pair.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

from .data import is_sequence

__all__ = ["check_targets"]


def check_targets(pairs: Sequence, what: str) -> None:
    """Raise ValueError naming the first pair whose target holds a number that is not finite.

    Targets that are numbers or sequences of numbers are checked (class indices,
    regression values, one-hot or probability rows); anything else is the loss's
    business and passes untouched.
    """
    for i, (_, target) in enumerate(pairs):
        if type(target) is int:  # a class index: the common case, first
            continue
        if isinstance(target, numbers.Real) and not isinstance(target, numbers.Integral):
            if not math.isfinite(target):
                raise ValueError(
                    f"{what}[{i}] has target {target!r}, which is not a finite number: "
                    "fit cannot learn from it (a missing label read as nan?)"
                )
        elif is_sequence(target):
            for j, t in enumerate(target):
                if isinstance(t, numbers.Real) and not math.isfinite(t):
                    raise ValueError(
                        f"{what}[{i}] has target {_shown(target)} whose entry {j} is {t!r}, "
                        "not a finite number: fit cannot learn from it"
                    )


def _shown(target: object) -> str:
    """The target as a short list for a message (a numpy row prints as a list too)."""
    values = list(target)
    text = repr([float(v) if isinstance(v, numbers.Real) else v for v in values[:8]])
    return text[:-1] + ", …]" if len(values) > 8 else text
