"""Tracing: run a function of Values once and record its graph as a fixed structure.

The structure is what ``autograd.compile`` replays. It is only valid while the
function builds the same graph for every sample, so the trace also yields a
*signature* (op names, wiring, constant values) that a re-trace can be compared to.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..graph import topo_order
from ..modes import enable_grad
from ..ops import OPS
from ..value import Value, apply

__all__ = ["Trace", "trace", "StructureError", "signature_difference"]


class StructureError(ValueError):
    """The traced function built a different graph for another sample.

    Raised instead of replaying a program that would silently compute something else
    (a Python ``if`` on a Value's data, a constant computed from the data, …).
    """


@dataclass
class Trace:
    """One recorded graph: placeholders, outputs, nodes in topological order, parameters."""

    inputs: list[Value]
    outputs: list[Value]
    order: list[Value]  # every node the outputs depend on, inputs before consumers
    params: list[Value]  # leaves read fresh on every run (and given gradients)
    signature: list[tuple]
    one_value: bool = False  # fn returned a Value (not a list): outputs hold just it


def check_sample(example: Sequence[float], what: str) -> list[float]:
    """One sample as a list of floats; TypeError naming ``what`` if it is not one."""
    if isinstance(example, np.ndarray) and example.ndim == 1 and example.dtype.kind in "fiu":
        return example.astype(float).tolist()
    if isinstance(example, (str, bytes)) or not isinstance(example, Sequence):
        raise TypeError(f"{what} must be a sequence of numbers (one sample), got {example!r}")
    numbers_ = []
    for i, x in enumerate(example):
        if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
            raise TypeError(f"{what}[{i}] must be a real number, got {x!r} ({type(x).__name__})")
        numbers_.append(float(x))
    return numbers_


def _outputs_of(result: object, name: str) -> list[Value]:
    if isinstance(result, Value):
        return [result]
    if isinstance(result, Sequence) and not isinstance(result, (str, bytes)) and result:
        for i, out in enumerate(result):
            if not isinstance(out, Value):
                raise TypeError(
                    f"{name} must return a Value or a sequence of Values; "
                    f"output {i} is {out!r} ({type(out).__name__})"
                )
        return list(result)
    raise TypeError(
        f"{name} must return a Value or a non-empty sequence of Values, got {result!r}"
    )


def _record(fn: Callable, sample: list[float]) -> tuple[list[Value], list[Value], list[Value],
                                                       bool]:
    """Call ``fn`` on fresh placeholder leaves.

    Returns (inputs, outputs, topological order, whether fn returned one Value).
    """
    name = getattr(fn, "__name__", "the traced function")
    inputs = [Value(x, f"x{i}") for i, x in enumerate(sample)]
    with enable_grad():  # a trace under no_grad would record no graph at all
        result = fn(*inputs)
        outputs = _outputs_of(result, name)
        # One temporary root so a single walk orders the graph of every output.
        root = apply(OPS["sum"], *outputs)
    order = topo_order(root)
    order.pop()  # the temporary root itself
    return inputs, outputs, order, isinstance(result, Value)


def _signature(order: list[Value], inputs: list[Value], params: list[Value]) -> list[tuple]:
    """What each node is: ('input', i), ('param', k), ('const', x) or (op name, input ids)."""
    position = {id(node): k for k, node in enumerate(order)}
    where = position.__getitem__
    leaf_kind = {id(x): ("input", i) for i, x in enumerate(inputs)}
    leaf_kind.update((id(p), ("param", k)) for k, p in enumerate(params))
    signature = []
    append = signature.append
    for node in order:  # hot for big graphs: map() instead of generator expressions
        inputs_ = node.inputs
        if inputs_:
            append((node.op_entry.name, tuple(map(where, map(id, inputs_)))))
        elif node.is_constant:
            append(("const", node.data))
        else:
            append(leaf_kind.get(id(node), ("param", -1)))
    return signature


def trace(fn: Callable, example: Sequence[float], params: Sequence[Value] | None = None) -> Trace:
    """The graph ``fn(*Values of example)`` builds, with its parameters and signature.

    Parameters are the leaves that are neither inputs nor constants: ``params`` fixes
    their order; any other such leaf the graph reads is appended after them.
    """
    sample = check_sample(example, "example")
    if params is not None:
        params = list(params)
        for i, p in enumerate(params):
            if not isinstance(p, Value):
                raise TypeError(f"params[{i}] must be a Value, got {p!r} ({type(p).__name__})")
            if p.inputs:
                raise ValueError(
                    f"params[{i}] ({p!r}) is not a leaf: parameters are Values made "
                    "directly, not results of ops"
                )
    inputs, outputs, order, one_value = _record(fn, sample)
    chosen = list(dict.fromkeys(params or ()))  # order kept, repeats dropped
    known = {id(p) for p in chosen} | {id(x) for x in inputs}
    for node in order:
        if not node.inputs and not node.is_constant and id(node) not in known:
            known.add(id(node))
            chosen.append(node)
    return Trace(inputs, outputs, order, chosen, _signature(order, inputs, chosen), one_value)


def retrace_signature(fn: Callable, sample: Sequence[float], params: list[Value]) -> tuple[
    list[tuple], list[Value]
]:
    """The signature of ``fn`` traced at ``sample`` (parameters matched by identity)."""
    inputs, outputs, order, _ = _record(fn, check_sample(sample, "sample"))
    return _signature(order, inputs, params), outputs


def signature_difference(expected: list[tuple], found: list[tuple]) -> str | None:
    """A sentence naming the first node where two signatures differ, or None if equal."""
    if expected == found:
        return None
    for k, (a, b) in enumerate(zip(expected, found, strict=False)):
        if a != b:
            return f"node {k} of the graph was {_show(a)} when traced, now {_show(b)}"
    return (
        f"the graph had {len(expected)} nodes when traced, now {len(found)}"
    )


def _show(entry: tuple) -> str:
    kind, detail = entry
    if kind == "input":
        return f"input {detail}"
    if kind == "const":
        return f"the constant {detail!r}"
    if kind == "param":
        return "an untraced leaf" if detail < 0 else f"parameter {detail}"
    return f"{kind} of nodes {list(detail)}"
