"""Softmax and log-softmax over a list of Values, numerically stable.

Both subtract the largest input first. The shift is a plain number, not a node:
softmax(z − m) = softmax(z) for any constant m, so the gradients stay exact while
exp never sees more than 0 (logits of ±1000 work).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import autograd
from autograd import Value, as_value

from .data import is_sequence

__all__ = ["softmax", "log_softmax", "logits_of"]


def logits_of(values: Value | float | Sequence[Value | float], what: str) -> list[Value]:
    """``values`` as a non-empty list of Values (numbers become constants)."""
    if isinstance(values, Value) or (isinstance(values, numbers.Real)
                                     and not isinstance(values, bool)):
        values = [values]
    if not is_sequence(values) or len(values) == 0:  # len: an array has no truth value
        raise ValueError(f"{what} needs a non-empty list of Values or numbers, got {values!r}")
    out = []
    for i, v in enumerate(values):
        if not isinstance(v, Value) and (isinstance(v, bool) or not isinstance(v, numbers.Real)):
            raise TypeError(f"{what}: element {i} must be a Value or a number, got {v!r}")
        out.append(as_value(v))
    return out


def _check_temperature(temperature: float) -> float:
    if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real) \
            or not 0 < temperature < math.inf:
        raise ValueError(f"temperature must be a positive number, got {temperature!r}")
    return float(temperature)


def _shifted(values: Sequence[Value | float], temperature: float, what: str) -> list[Value]:
    zs = logits_of(values, what)
    t = _check_temperature(temperature)
    m = max(z.data for z in zs)
    if t == 1.0:
        return [z - m for z in zs]
    return [(z - m) / t for z in zs]


def softmax(values: Sequence[Value | float], temperature: float = 1.0) -> list[Value]:
    """pᵢ = exp(zᵢ/T) / Σⱼ exp(zⱼ/T): probabilities summing to 1 (higher T: flatter)."""
    exps = [z.exp() for z in _shifted(values, temperature, "softmax")]
    total = autograd.sum(exps)
    return [e / total for e in exps]


def log_softmax(values: Sequence[Value | float], temperature: float = 1.0) -> list[Value]:
    """log pᵢ = zᵢ/T − log Σⱼ exp(zⱼ/T), computed without overflow."""
    shifted = _shifted(values, temperature, "log_softmax")
    log_total = autograd.sum([s.exp() for s in shifted]).log()
    return [s - log_total for s in shifted]
