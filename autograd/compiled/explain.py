"""Why a compiled forward produced inf or nan: the error eager evaluation would raise.

numpy never raises; it returns inf or nan. When that happens the program looks for the
first sample and node where the op's scalar forward (the one eager uses) raises, and
raises that error with the op, the input values and labels, and the sample index
(an overflowing result is one: eager raises OverflowError for it). If no op would have
raised (eager produces the same inf silently), nothing is raised, except under
``detect_anomaly``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..messages import _BEYOND, _describe, _failure, overflowed
from ..modes import AnomalyError, local
from ..ops import Op
from ..value import Value
from .steps import Elementwise, Rows

__all__ = ["explain_non_finite", "has_undefined_derivative"]


def explain_non_finite(order: list[Value], V: np.ndarray, done: list,
                       failed: object = None,
                       replay: Callable[[int], tuple[int, Exception] | None] | None = None,
                       ) -> Exception | None:
    """The error for the earliest (sample, node) that eager evaluation would reject, or None.

    Looks at non-finite results of the steps ``done`` and, when a step ``failed``
    half-way, at every node of it (its rows are not written yet). A sum or matrix
    product has no single op to ask, so a sample with a non-finite one is evaluated
    eagerly by ``replay(sample)``, which gives (node position, error) or None.
    """
    position = {id(node): k for k, node in enumerate(order)}
    worst: tuple | None = None
    for step in [*done, failed] if failed is not None else done:
        block = V[step.out]
        suspect = np.ones(block.shape, bool) if step is failed else ~np.isfinite(block)
        rows, samples = np.nonzero(suspect)
        # A nan in the data makes every later entry nan: look closely only at entries
        # that can be reported, in (sample, node) order, and stop at the first.
        keep = _may_fail(step, rows, samples, V)
        rows, samples = rows[keep], samples[keep]
        positions = np.array([position[id(node)] for node in step.nodes], dtype=np.intp)[rows]
        for k in np.lexsort((positions, samples)).tolist():
            j, b = int(rows[k]), int(samples[k])
            key = (b, int(positions[k]))
            if worst is not None and key >= worst[0]:
                break
            problem = _problem(step, j, b, V, step.nodes[j])
            if problem is not None:
                worst = (key, problem)
                break
    if replay is not None:
        worst = _replayed(done, V, replay, worst)
    return None if worst is None else worst[1]


def _replayed(done: list, V: np.ndarray, replay: Callable, worst: tuple | None) -> tuple | None:
    """``worst``, or an earlier error eager evaluation of a sample whose sums overflowed gives."""
    samples: set[int] = set()
    for step in done:
        if not isinstance(step, Elementwise):
            samples.update(np.nonzero(~np.isfinite(V[step.out]).all(axis=0))[0].tolist())
    for b in sorted(samples):
        if worst is not None and b > worst[0][0]:
            break
        found = replay(b)
        if found is not None:
            key = (b, found[0])
            return (key, found[1]) if worst is None or key < worst[0] else worst
    return worst


def _eager_forward(op: Op) -> Callable[..., float]:
    """``op.forward`` raising where eager evaluation does: also for a result that overflows."""
    def forward(*xs: float) -> float:
        out = op.forward(*xs)
        if overflowed(out, xs):
            raise OverflowError(_BEYOND)
        return out

    return forward


def _may_fail(step: object, rows: np.ndarray, samples: np.ndarray, V: np.ndarray) -> np.ndarray:
    """Which of these (row, sample) entries ``_problem`` may report (a vectorised filter)."""
    non_finite = ~np.isfinite(V[step.out][rows, samples])
    if not isinstance(step, Elementwise):  # sums and products never raise
        return non_finite & local.anomaly
    table = _operand_table(step, rows, samples, V)
    raises = _failing_tuples(table, _eager_forward(step.op))
    if not local.anomaly:
        return raises

    def finite_or_raise(*xs: float) -> None:  # detect_anomaly reports a silent inf too
        if not math.isfinite(step.op.forward(*xs)):
            raise ValueError("not finite")

    return raises | (_failing_tuples(table, finite_or_raise) & non_finite)


def _operand_table(step: Elementwise, rows: np.ndarray, samples: np.ndarray,
                   V: np.ndarray) -> np.ndarray:
    """The operands of entries (rows[k], samples[k]) of ``step``: one row per entry."""
    columns = [np.full(len(rows), a) if type(a) is float else V[_rows(a)[rows], samples]
               for a in step.args]
    return np.stack(columns, axis=1)


def _rows(rows: Rows) -> np.ndarray:
    """The row numbers of ``rows`` as an array."""
    index = rows.index
    return np.arange(index.start, index.stop) if isinstance(index, slice) else index


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
            result = _eager_forward(op)(*values)
        except (ValueError, ZeroDivisionError, OverflowError) as exc:
            return _failure(op, inputs, exc, values, f" (sample {b} of the batch)")
        if np.isfinite(result):
            return None  # no error here (or numpy and math disagree at a float's edge)
    if local.anomaly and not np.isfinite(V[step.out][j, b]):
        return AnomalyError(
            f"detect_anomaly: {node.op} gave {float(V[step.out][j, b])!r} at sample {b} of the "
            f"batch ({_describe(node)})"
        )
    return None


def _row(rows: Rows, j: int) -> int:
    index = rows.index
    return index.start + j if isinstance(index, slice) else int(index[j])



def has_undefined_derivative(steps: list, views: list[np.ndarray]) -> bool:
    """True if some element-wise node's local derivative is undefined for some sample.

    Eager backward treats those specially (``autograd.undefined``: a zero gradient
    makes them 0, a needed one raises); numpy gives inf or nan there instead. Called
    when a gradient is not finite: looks at entries whose derivative array is not
    finite and asks the op's scalar rule, which raises as it does eagerly.
    ``views[k]`` is the value matrix step k ran on (column 0 alone for steps shared
    by every sample).
    """
    for step, V in zip(steps, views, strict=True):
        if not isinstance(step, Elementwise) or not step.grad_positions:
            continue
        out = V[step.out]
        with np.errstate(all="ignore"):
            local_grads = step.op.local_grads(*step.read(V), out)
        suspect = np.zeros(out.shape, bool)
        for k in step.grad_positions:
            suspect |= ~np.isfinite(np.broadcast_to(local_grads[k], out.shape))
        rows, samples = np.nonzero(suspect)
        table = np.column_stack([_operand_table(step, rows, samples, V), out[rows, samples]])
        if _failing_tuples(table, lambda *xs: step.op.local_grads(*xs)).any():
            return True
    return False


def _failing_tuples(table: np.ndarray, scalar: object) -> np.ndarray:
    """For each row of ``table``, whether ``scalar(*row)`` raises as eager evaluation does.

    Runs once per distinct row, not once per row: a nan in the data makes millions of
    entries non-finite but few distinct tuples.
    """
    table = np.ascontiguousarray(table, dtype=np.float64)
    if not len(table):
        return np.zeros(0, bool)
    # each tuple's bytes as one key: nan matches nan, −0.0 stays apart from 0.0
    keys = table.view(np.int64)[:, 0] if table.shape[1] == 1 else \
        table.view(np.dtype((np.void, 8 * table.shape[1])))[:, 0]
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    raises = np.zeros(len(first), bool)
    for u, i in enumerate(first.tolist()):
        try:
            scalar(*table[i].tolist())
        except (ValueError, ZeroDivisionError, OverflowError):
            raises[u] = True
    return raises[inverse.ravel()]
