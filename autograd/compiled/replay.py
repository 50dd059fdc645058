"""The traced graph evaluated eagerly, one sample at a time: the rare cases' reference.

A compiled program computes with numpy, which returns inf or nan where eager evaluation
raises or applies a rule (an overflowing result is an error; an undefined derivative
times a gradient of 0 is 0). When a batch meets such a case, the program replays the
samples concerned here, with the scalar forwards and the eager backward itself, so the
two paths cannot disagree. Never on the fast path: only after a non-finite number.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..messages import _BEYOND, _failure, overflowed
from ..undefined import UNDEFINED_ERRORS, accumulate_careful, first_undefined, undefined_error
from ..value import Value, _node
from .plan import Plan
from .trace import Trace

__all__ = ["forward_error", "eager_gradient"]


def _leaf_data(trace: Trace, plan: Plan, theta: np.ndarray, sample: Sequence[float]) -> dict:
    """id(leaf) -> its number for this sample: inputs from the sample, parameters from theta."""
    data = {id(p): x for p, x in zip(plan.params, theta.tolist(), strict=True)}
    data.update((id(x), v) for x, v in zip(trace.inputs, sample, strict=True))
    return data


def _forward(trace: Trace, data: dict, where: str) -> tuple[list[float], tuple | None]:
    """Every node's number in trace order, and (position, error) where eager would raise."""
    values: list[float] = []
    at = {}
    for k, node in enumerate(trace.order):
        at[id(node)] = k
        if not node.inputs:
            values.append(data.get(id(node), node.data))  # a constant keeps its own
            continue
        xs = [values[at[id(x)]] for x in node.inputs]
        op = node.op_entry
        try:
            out = float(op.forward(*xs))
        except UNDEFINED_ERRORS as exc:
            return values, (k, _failure(op, node.inputs, exc, xs, where))
        if overflowed(out, xs):
            return values, (k, _failure(op, node.inputs, OverflowError(_BEYOND), xs, where))
        values.append(out)
    return values, None


def forward_error(trace: Trace, plan: Plan, theta: np.ndarray, sample: Sequence[float],
                  b: int) -> tuple[int, Exception] | None:
    """(node position, error) where eager evaluation of sample ``b`` raises, or None."""
    data = _leaf_data(trace, plan, theta, sample)
    return _forward(trace, data, f" (sample {b} of the batch)")[1]


def eager_gradient(trace: Trace, plan: Plan, theta: np.ndarray, X: np.ndarray,
                   seed: np.ndarray, wrt_inputs: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """(∂/∂theta summed over the samples, ∂/∂X or None) by eager backward, sample by sample.

    ``seed[b, o]`` is the gradient of output o for sample b. Raises the DomainError
    eager backward raises where a gradient the program computes needs an undefined
    derivative.
    """
    clone: dict[int, Value] = {}
    for node in trace.order:  # a private copy of the graph: parameters' data stay put
        copy = _node(node.data, node._op, tuple(clone[id(x)] for x in node.inputs))
        copy.label = node.label
        clone[id(node)] = copy
    order = [clone[id(node)] for node in trace.order]
    params = [clone.get(id(p)) for p in plan.params]
    inputs = [clone[id(x)] for x in trace.inputs]
    wanted = [p for p in params if p is not None] + (inputs if wrt_inputs else [])
    gtheta = np.zeros(len(plan.params))
    input_grads = np.zeros(X.shape) if wrt_inputs else None
    for b, sample in enumerate(X.tolist()):
        where = f" (sample {b} of the batch)"
        values, failed = _forward(trace, _leaf_data(trace, plan, theta, sample), where)
        if failed is not None:
            raise failed[1]
        for node, value in zip(order, values, strict=True):
            node.data, node.grad = value, 0.0
        for out, g in zip(trace.outputs, seed[b].tolist(), strict=True):
            clone[id(out)].grad += g
        origin = first_undefined(accumulate_careful(order, len(order)), wanted)
        if origin is not None:
            raise undefined_error(origin, where=where)
        gtheta += [0.0 if p is None else p.grad for p in params]
        if wrt_inputs:
            input_grads[b] = [x.grad for x in inputs]
    return gtheta, input_grads
