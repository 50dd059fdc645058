"""Optimizers: read each parameter's ``.grad``, move its ``.data``.

``step()`` changes plain floats inside ``no_grad()``: an update is never part of a
graph. Call ``zero_grad()`` before the next ``backward()``, because gradients of
leaves accumulate.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

import autograd
from autograd import Value, no_grad

__all__ = ["Optimizer", "SGD", "Adam"]


def _number(value: object, name: str, low: float, high: float, *, high_open: bool) -> float:
    inside = (isinstance(value, numbers.Real) and not isinstance(value, bool)
              and math.isfinite(value) and low <= value and
              (value < high if high_open else value <= high))
    if not inside:
        upper = f"{high})" if high_open else f"{high}]"
        expected = f"a number ≥ {low}" if high == math.inf else f"a number in [{low}, {upper}"
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    return float(value)


class Optimizer:
    """Holds the parameter list; subclasses define ``step()``."""

    def __init__(self, params: object) -> None:
        if hasattr(params, "parameters") and callable(params.parameters):
            params = params.parameters()  # a Module
        if isinstance(params, Value) or not isinstance(params, Iterable):
            raise TypeError(f"params must be a Module or an iterable of Values, got {params!r}")
        unique: list[Value] = []
        seen: set[Value] = set()
        for i, p in enumerate(params):
            if not isinstance(p, Value):
                raise TypeError(f"params[{i}] must be a Value, got {p!r} ({type(p).__name__})")
            if p not in seen:  # a shared parameter is updated once per step
                seen.add(p)
                unique.append(p)
        if not unique:
            raise ValueError("optimizer got an empty parameter list")
        self.params = unique

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0."""
        autograd.zero_grad(self.params)

    def step(self) -> None:
        """Move every parameter once, using its current ``.grad``."""
        raise NotImplementedError


class SGD(Optimizer):
    """p ← p − lr·v, v = momentum·v + (∂L/∂p + weight_decay·p) (PyTorch's form).

    With momentum 0 and no decay this is the article's p ← p − lr·∂L/∂p.
    """

    def __init__(self, params: object, lr: float, momentum: float = 0.0,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params)
        self.lr = _number(lr, "lr", 0.0, math.inf, high_open=True)
        self.momentum = _number(momentum, "momentum", 0.0, 1.0, high_open=True)
        self.weight_decay = _number(weight_decay, "weight_decay", 0.0, math.inf, high_open=True)
        self.velocity = [0.0] * len(self.params)

    def step(self) -> None:
        """One SGD update of every parameter."""
        lr, mu, decay = self.lr, self.momentum, self.weight_decay
        with no_grad():
            for i, p in enumerate(self.params):
                g = p.grad + decay * p.data if decay else p.grad
                if mu:
                    g = self.velocity[i] = mu * self.velocity[i] + g
                p.data -= lr * g


class Adam(Optimizer):
    """Adam: m = β₁m + (1−β₁)g, v = β₂v + (1−β₂)g², p ← p − lr·m̂/(√v̂ + eps).

    m̂ = m/(1−β₁ᵗ) and v̂ = v/(1−β₂ᵗ) undo the zero start, so the first step moves each
    parameter by about lr against the sign of its gradient.
    """

    def __init__(self, params: object, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> None:
        super().__init__(params)
        self.lr = _number(lr, "lr", 0.0, math.inf, high_open=True)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (_number(betas[0], "betas[0]", 0.0, 1.0, high_open=True),
                      _number(betas[1], "betas[1]", 0.0, 1.0, high_open=True))
        self.eps = _number(eps, "eps", 0.0, math.inf, high_open=True)
        if self.eps == 0:
            raise ValueError(f"eps must be a positive number, got {eps!r}")
        self.t = 0
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def step(self) -> None:
        """One Adam update of every parameter."""
        b1, b2 = self.betas
        self.t += 1
        c1, c2 = 1.0 - b1 ** self.t, 1.0 - b2 ** self.t
        with no_grad():
            for i, p in enumerate(self.params):
                g = p.grad
                self.m[i] = m = b1 * self.m[i] + (1.0 - b1) * g
                self.v[i] = v = b2 * self.v[i] + (1.0 - b2) * g * g
                p.data -= self.lr * (m / c1) / (math.sqrt(v / c2) + self.eps)
