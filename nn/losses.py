"""Losses: ``loss(prediction, target)`` -> one Value to call ``backward()`` on.

``prediction`` is a Value or a list of Values (a module's output); ``target`` a number,
a list of numbers (one per output) or, for ``cross_entropy`` and ``hinge``, a class index.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import autograd
from autograd import Value

from .data import is_sequence
from .functional import logits_of

__all__ = [
    "mse", "half_squared_error", "sum_squared_error", "cross_entropy",
    "binary_cross_entropy", "hinge",
]

Prediction = Value | Sequence[Value]
Target = float | int | Sequence[float]


def _is_number(x: object) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _is_index(x: object) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def _paired(prediction: Prediction, target: Target, what: str, values: bool = False
            ) -> tuple[list[Value], list]:
    """The outputs and one float target per output, or a ValueError saying what differs.

    ``values``: a target may also be Values (the squared errors' graph is the same for
    every target then, which lets ``nn.fit(compiled=True)`` compile a regression's loss
    once with the target as an input)."""
    outputs = logits_of(prediction, what)

    def ok(t: object) -> bool:
        return _is_number(t) or values and isinstance(t, Value)

    if ok(target):
        targets = [target if isinstance(target, Value) else float(target)]
    elif is_sequence(target):
        targets = list(target)
        for i, t in enumerate(targets):
            if not ok(t):
                raise ValueError(f"{what}: target[{i}] must be a number, got {t!r}")
        targets = [t if isinstance(t, Value) else float(t) for t in targets]
    else:
        raise ValueError(f"{what}: target must be a number or a list of numbers, got {target!r}")
    if len(targets) != len(outputs):
        hint = ""
        if len(targets) == 1 and _is_index(target):
            hint = f"; for a class index use nn.one_hot({target}, {len(outputs)}) or cross_entropy"
        raise ValueError(
            f"{what}: prediction has {len(outputs)} output{'s' * (len(outputs) != 1)} but "
            f"target {target!r} has {len(targets)}{hint}"
        )
    return outputs, targets


def _squares(prediction: Prediction, target: Target, what: str) -> list[Value]:
    outputs, targets = _paired(prediction, target, what, values=True)
    return [(y - t) ** 2 for y, t in zip(outputs, targets, strict=True)]


def _total(terms: list[Value]) -> Value:
    # One output: no one-input sum node, so the graph reads (y − t)² directly.
    return terms[0] if len(terms) == 1 else autograd.sum(terms)


def mse(prediction: Prediction, target: Target) -> Value:
    """Mean squared error: (1/n) Σᵢ (yᵢ − tᵢ)²."""
    squares = _squares(prediction, target, "mse")
    total = _total(squares)
    return total if len(squares) == 1 else total / len(squares)


def half_squared_error(prediction: Prediction, target: Target) -> Value:
    """½ Σᵢ (yᵢ − tᵢ)², the article's loss: its derivative is simply y − t."""
    return _total(_squares(prediction, target, "half_squared_error")) / 2


def sum_squared_error(prediction: Prediction, target: Target) -> Value:
    """Σᵢ (yᵢ − tᵢ)² (the L2 loss of a learning curve)."""
    return _total(_squares(prediction, target, "sum_squared_error"))


def cross_entropy(logits: Prediction, target: int | Sequence[float]) -> Value:
    """−log softmax(z)[t] = log Σⱼ exp(zⱼ) − z_t for class index t (stable: max shift).

    ``target`` may also be a list of class probabilities p: −Σᵢ pᵢ log softmax(z)ᵢ.
    """
    zs = logits_of(logits, "cross_entropy")
    n = len(zs)
    if _is_index(target):
        if not 0 <= target < n:
            raise ValueError(
                f"cross_entropy: class index {target!r} is out of range for {n} logits "
                f"(expected 0..{n - 1})"
            )
        weights = {int(target): 1.0}
    elif is_sequence(target):
        if len(target) != n:
            raise ValueError(f"cross_entropy: {n} logits but {len(target)} target "
                             f"probabilities {list(target)!r}")
        for i, p in enumerate(target):
            if not _is_number(p) or p < 0:
                raise ValueError(f"cross_entropy: target[{i}] must be a probability ≥ 0, got {p!r}")
        weights = {i: float(p) for i, p in enumerate(target) if p != 0}
    else:
        raise ValueError(
            f"cross_entropy: target must be a class index (int) or a list of {n} "
            f"probabilities, got {target!r}"
        )
    m = max(z.data for z in zs)  # a constant shift: exact gradients, no overflow
    shifted = [z - m for z in zs]
    log_total = autograd.sum([s.exp() for s in shifted]).log()
    terms = [(log_total - shifted[i]) * p if p != 1.0 else log_total - shifted[i]
             for i, p in weights.items()]
    if not terms:
        raise ValueError(f"cross_entropy: target probabilities are all zero: {target!r}")
    return _total(terms)


def _bce_term(y: Value, t: float, logits: bool) -> Value:
    if logits:
        # log(1 + e^z) − t·z, written so exp never sees a positive number.
        if y.data >= 0:
            return y + ((-y).exp() + 1).log() - y * t
        return (y.exp() + 1).log() - y * t
    if not 0 < y.data < 1:
        raise ValueError(
            f"binary_cross_entropy: prediction {y.data!r} is not strictly between 0 and 1 "
            "(log of 0); a saturated sigmoid? pass its input with logits=True"
        )
    if t == 1.0:
        return -y.log()
    if t == 0.0:
        return -(1 - y).log()
    return -(y.log() * t + (1 - y).log() * (1 - t))


def binary_cross_entropy(prediction: Prediction, target: Target, logits: bool = False) -> Value:
    """Mean over outputs of −[t·log y + (1 − t)·log(1 − y)], y a probability, t in [0, 1].

    With ``logits=True`` the prediction is z (before the sigmoid) and the loss is
    computed stably as log(1 + eᶻ) − t·z.
    """
    outputs, targets = _paired(prediction, target, "binary_cross_entropy")
    for i, t in enumerate(targets):
        if not 0 <= t <= 1:
            raise ValueError(
                f"binary_cross_entropy: target {t!r} (output {i}) must be in [0, 1]"
            )
    terms = [_bce_term(y, t, logits) for y, t in zip(outputs, targets, strict=True)]
    total = _total(terms)
    return total if len(terms) == 1 else total / len(terms)


def hinge(prediction: Prediction, target: int | Target) -> Value:
    """Hinge loss. Targets ±1: mean of max(0, 1 − t·y). A class index t over n > 1 scores:
    Σ_{j≠t} max(0, 1 + z_j − z_t) (the multi-class SVM loss)."""
    zs = logits_of(prediction, "hinge")
    if _is_index(target) and len(zs) > 1:
        if not 0 <= target < len(zs):
            raise ValueError(f"hinge: class index {target!r} is out of range for {len(zs)} "
                             f"scores (expected 0..{len(zs) - 1})")
        right = zs[target]
        return _total([(z - right + 1).relu() for j, z in enumerate(zs) if j != target])
    outputs, targets = _paired(zs, target, "hinge")
    for t in targets:
        if t not in (-1.0, 1.0):
            raise ValueError(
                f"hinge: targets must be -1 or +1 (or a class index), got {t!r}"
            )
    terms = [(1 - y * t).relu() for y, t in zip(outputs, targets, strict=True)]
    total = _total(terms)
    return total if len(terms) == 1 else total / len(terms)
