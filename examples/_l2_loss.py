"""The first article's L2 loss Σ (y − t)², compiled: training, a landscape, descent.

One ``autograd.compile`` program of the per-example loss (y − t)², the target being
one of its inputs, gives the loss and its gradient for all examples at once. On it:

- ``train``: full-batch Adam (``nn.Adam``) — the same steps as ``nn.fit(model, rows,
  loss=nn.sum_squared_error, optimizer=Adam, batch_size=None, shuffle=False)``, on the
  same program the two figures below use;
- ``landscape``: the loss over two weights, every other held at its trained value
  (the article's figure 6);
- ``descend``: steepest descent w ← w − lr·∂L/∂w on those two (figure 7).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

import autograd
import nn

Rows = Sequence[tuple[Sequence[float], float]]


class L2Loss:
    """The article's L2 loss Σ (y − t)² over ``rows`` as a function of the parameters' data.

    Compiled once; ``loss()`` reads the parameters' current ``.data``, ``gradient(ps)``
    returns ∂L/∂p for each of ``ps`` at the last ``loss()``.
    """

    def __init__(self, model: nn.Module, rows: Rows) -> None:
        self.program = autograd.compile(lambda x, t: (nn.scalar(model([x])) - t) ** 2,
                                        [0.0, 0.0], model.parameters())
        self.batch = np.array([[x[0], t] for x, t in rows], float)
        self.size = len(rows)

    def loss(self) -> float:
        """Σ (y − t)² at the parameters' current values."""
        return float(np.sum(self.program(self.batch)))

    def gradient(self, params: Sequence[autograd.Value]) -> list[float]:
        """∂L/∂p for each of ``params``, at the point of the last ``loss()``."""
        full = self.program.gradient()
        # theta is in the program's own order (layer blocks first), not model.parameters()
        return [float(full[self.program.params.index(p)]) for p in params]


def train(model: nn.Module, rows: Rows, epochs: int, lr: float) -> list[float]:
    """Full-batch Adam on the mean of (y − t)²; the L2 loss Σ (y − t)² before each step."""
    l2 = L2Loss(model, rows)
    optimizer = nn.Adam(model, lr=lr)
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        losses.append(l2.loss())
        l2.program.backward(reduction="mean")  # the mean, as nn.fit's batch loss
        optimizer.step()
    return losses


@dataclass(frozen=True)
class Landscape:
    """The L2 loss over two weights, every other at its trained value: ``loss[i][j]``
    at (``w1[i]``, ``w2[j]``)."""

    names: tuple[str, str]
    w1: tuple[float, ...]
    w2: tuple[float, ...]
    loss: tuple[tuple[float, ...], ...]
    trained: tuple[float, float, float]  # (w1, w2, L) of the trained network


@dataclass(frozen=True)
class Descent:
    """Steepest descent on the landscape: (w1, w2, L) at the start and after each step."""

    start_offset: tuple[float, float]  # where it started, relative to the trained weights
    path: tuple[tuple[float, float, float], ...]

    @property
    def end(self) -> tuple[float, float, float]:
        """The last point: where the descent stopped."""
        return self.path[-1]


def descend(l2: L2Loss, weights: Sequence[autograd.Value], start: Sequence[float],
            lr: float, steps: int) -> list[tuple[float, float, float]]:
    """Gradient descent w ← w − lr·∂L/∂w on the two ``weights`` only; restores them after."""
    kept = [w.data for w in weights]
    try:
        for w, value in zip(weights, start, strict=True):
            w.data = float(value)
        path = []
        for _ in range(steps):
            loss = l2.loss()
            path.append((weights[0].data, weights[1].data, loss))
            for w, g in zip(weights, l2.gradient(weights), strict=True):
                w.data -= lr * g
        path.append((weights[0].data, weights[1].data, l2.loss()))
        return path
    finally:
        for w, value in zip(weights, kept, strict=True):
            w.data = value


def landscape(l2: L2Loss, weights: Sequence[autograd.Value], span: Sequence[Sequence[float]],
              points: int, names: tuple[str, str]) -> Landscape:
    """The loss on a ``points`` × ``points`` grid over ``span`` = ((lo1, hi1), (lo2, hi2))."""
    kept = [w.data for w in weights]
    axes = [np.linspace(lo, hi, points).tolist() for lo, hi in span]
    rows = []
    try:
        for a in axes[0]:
            weights[0].data = a
            line = []
            for b in axes[1]:
                weights[1].data = b
                line.append(l2.loss())
            rows.append(tuple(line))
    finally:
        for w, value in zip(weights, kept, strict=True):
            w.data = value
    trained = (kept[0], kept[1], l2.loss())
    return Landscape(names, tuple(axes[0]), tuple(axes[1]), tuple(rows), trained)
