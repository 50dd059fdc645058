"""Gradient descent as the ice-cream article tells it, for any model and MSE.

Full-batch descent on chosen parameters (the others held still), a sweep of one
parameter (brute force), and full batch vs stochastic vs mini-batch steps compared by
MSE and by derivative evaluations. ``examples.ice_cream`` applies them to its network.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import autograd
import nn
from autograd import Value

Rows = Sequence[tuple[Sequence[float], float]]

TOLERANCE = 1e-4  # stop when every step is smaller than this ("the step size nears 0")


def batch_mse(model: nn.Module, rows: Rows) -> Value:
    """MSE = (1/n) Σ (prediction − target)² over ``rows``, as one graph to backpropagate."""
    return autograd.sum([nn.mse(model(x), t) for x, t in rows]) / len(rows)


def dataset_mse(model: nn.Module, rows: Rows) -> float:
    """The MSE over ``rows`` without building a graph."""
    return nn.evaluate(model, rows, nn.mse)[0]


def gd_step(model: nn.Module, optimizer: nn.Optimizer, rows: Rows) -> float:
    """One gradient-descent step on the MSE over ``rows``; returns that MSE (before the step)."""
    optimizer.zero_grad()
    loss = batch_mse(model, rows)
    loss.backward()
    optimizer.step()
    return loss.data


@dataclass(frozen=True)
class Point:
    """One gradient-descent iterate: parameter values, MSE, slopes and the steps taken."""

    params: tuple[float, ...]
    mse: float
    slopes: tuple[float, ...]  # dMSE/dparam
    steps: tuple[float, ...]  # lr · slope, subtracted from each parameter


def descend(
    model: nn.Module, rows: Rows, params: Sequence[Value], lr: float,
    max_steps: int = 500, tolerance: float = TOLERANCE,
) -> list[Point]:
    """Full-batch gradient descent on ``params`` only, until every step < ``tolerance``."""
    optimizer = nn.SGD(list(params), lr=lr)
    path: list[Point] = []
    for _ in range(max_steps):
        before = tuple(p.data for p in params)
        loss = gd_step(model, optimizer, rows)
        slopes = tuple(p.grad for p in params)
        path.append(Point(before, loss, slopes, tuple(lr * s for s in slopes)))
        if all(abs(lr * s) < tolerance for s in slopes):
            break
    return path


@contextmanager
def restored(param: Value) -> Iterator[Value]:
    """``param`` to move freely inside the block; its data is put back afterwards."""
    kept = param.data
    try:
        yield param
    finally:
        param.data = kept


def sweep(model: nn.Module, rows: Rows, param: Value, values: Sequence[float]) -> list[float]:
    """The MSE with ``param`` set to each of ``values`` in turn (restored afterwards)."""
    out = []
    with restored(param):
        for v in values:
            param.data = v
            out.append(dataset_mse(model, rows))
    return out


@dataclass(frozen=True)
class MethodRun:
    """One way of choosing rows per step: its MSE curve and the derivatives it cost."""

    name: str
    rows_per_step: int
    steps: int
    curve: tuple[tuple[int, float], ...]  # (step, full-data MSE after it), from step 0
    derivatives_per_step: int  # rows × parameters: one dL/dparam per row and parameter

    @property
    def derivatives(self) -> int:
        """Derivative evaluations for the whole run."""
        return self.derivatives_per_step * self.steps

    @property
    def final_mse(self) -> float:
        """The full-data MSE after the last step."""
        return self.curve[-1][1]

    def mse_after(self, derivatives: int) -> float:
        """The full-data MSE at the last recorded step that spent at most ``derivatives``."""
        done = derivatives // self.derivatives_per_step
        return [mse for step, mse in self.curve if step <= done][-1]


def compare_methods(
    make_model: Callable[[], nn.Module], rows: Rows, batch_sizes: dict[str, int],
    steps: int, lr: float, seed: int = 0, every: int = 10,
) -> list[MethodRun]:
    """Train a fresh ``make_model()`` per named batch size, ``steps`` SGD steps each.

    A batch as large as ``rows`` is full-batch descent; smaller batches are drawn at
    random (without repeats within a batch) from ``seed``, as the article describes.
    The full-data MSE is recorded every ``every`` steps and after the last one.
    """
    rows = list(rows)
    for what, number, low in (("steps", steps, 0), ("every", every, 1)):
        if isinstance(number, bool) or not isinstance(number, int) or number < low:
            raise ValueError(f"{what} must be an int ≥ {low}, got {number!r}")  # every=0: ÷0
    runs = []
    for name, size in batch_sizes.items():
        if not 1 <= size <= len(rows):
            raise ValueError(f"batch size for {name!r} must be in 1..{len(rows)}, got {size!r}")
        model = make_model()
        optimizer = nn.SGD(model, lr=lr)
        pick = random.Random(seed)
        curve = [(0, dataset_mse(model, rows))]
        for step in range(1, steps + 1):
            batch = rows if size == len(rows) else pick.sample(rows, size)
            gd_step(model, optimizer, batch)
            if step % every == 0 or step == steps:
                curve.append((step, dataset_mse(model, rows)))
        runs.append(MethodRun(name, size, steps, tuple(curve), size * model.num_parameters()))
    return runs
