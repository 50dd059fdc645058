"""Why a compiled forward produced inf or nan: the error eager evaluation would raise.

numpy never raises; it returns inf or nan. When that happens the program looks for the
first sample and node where the op's scalar forward (the one eager uses) raises, and
raises that error with the op, the input values and labels, and the sample index. If
no op would have raised (eager produces the same inf silently), nothing is raised,
except under ``detect_anomaly``.
"""

from __future__ import annotations

import numpy as np

from ..modes import AnomalyError, state
from ..value import Value, _describe, _failure
from .steps import Elementwise, Rows

__all__ = ["explain_non_finite"]


def explain_non_finite(order: list[Value], V: np.ndarray, done: list,
                       failed: object = None) -> Exception | None:
    """The error for the earliest (sample, node) that eager evaluation would reject, or None.

    Looks at non-finite results of the steps ``done`` and, when a step ``failed``
    half-way, at every node of it (its rows are not written yet).
    """
    position = {id(node): k for k, node in enumerate(order)}
    worst: tuple | None = None
    for step in [*done, failed] if failed is not None else done:
        block = V[step.out]
        suspect = np.ones(block.shape, bool) if step is failed else ~np.isfinite(block)
        bad_rows, bad_samples = np.nonzero(suspect)
        for j, b in zip(bad_rows.tolist(), bad_samples.tolist(), strict=True):
            node = step.nodes[j]
            key = (b, position[id(node)])
            if worst is not None and key >= worst[0]:
                continue
            problem = _problem(step, j, b, V, node)
            if problem is not None:
                worst = (key, problem)
    return None if worst is None else worst[1]


def _problem(step: object, j: int, b: int, V: np.ndarray, node: Value) -> Exception | None:
    """The exception eager evaluation raises at node ``j`` of ``step`` for sample ``b``."""
    inputs = list(node.inputs)
    if isinstance(step, Elementwise):
        values = [a if type(a) is float else float(V[_row(a, j), b]) for a in step.args]
    else:  # sums and products of floats never raise; only anomaly mode cares
        values = None
    if values is not None:
        op = step.op
        try:
            result = op.forward(*values)
        except (ValueError, ZeroDivisionError, OverflowError) as exc:
            return _failure(op, inputs, exc, values, f" (sample {b} of the batch)")
        if np.isfinite(result):
            return None  # no error here (or numpy and math disagree at a float's edge)
    if state.anomaly and not np.isfinite(V[step.out][j, b]):
        return AnomalyError(
            f"detect_anomaly: {node.op} gave {float(V[step.out][j, b])!r} at sample {b} of the "
            f"batch ({_describe(node)})"
        )
    return None


def _row(rows: Rows, j: int) -> int:
    index = rows.index
    return index.start + j if isinstance(index, slice) else int(index[j])

