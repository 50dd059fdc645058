"""The built-in walkthrough models: the article's y = w·x + b, and the same with weight decay.

``l2`` exists to show a parameter that feeds two nodes for a real reason: with
L = (y − t)²/2 + λ·(w² + b²)/2, w is read by w × x and by w², so ∂L/∂w is a sum of
two chain-rule terms (the step learners most often get wrong), and the update
shrinks w toward 0 as well as toward the data.
"""

from __future__ import annotations

from collections.abc import Callable

import autograd
from autograd import Value

from .record import article_model, half_squared_error

__all__ = ["EXAMPLES", "build_example"]

EXAMPLES = ("article", "l2")


def build_example(example: str, w: float, b: float,
                  weight_decay: float) -> tuple[article_model, Callable | None]:
    """(model, loss over the target nodes) of a built-in example."""
    model = article_model(w, b)
    if example == "article":
        return model, None
    if weight_decay < 0:
        raise ValueError(f"weight_decay must be ≥ 0, got {weight_decay!r}")

    def with_weight_decay(y: Value, t: list[Value]) -> Value:
        penalty = weight_decay * (autograd.sum([model.w ** 2, model.b ** 2]) / 2)
        penalty.label = "R"  # the regulariser: λ·(w² + b²)/2
        return half_squared_error(y, t) + penalty

    return model, with_weight_decay
