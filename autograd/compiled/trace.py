"""Tracing: run a function of Values once and record its graph as a fixed structure.

The structure is what ``autograd.compile`` replays. It is only valid while the
function builds the same graph for every sample, so the trace also yields a
*signature* (op names, wiring, constant values) that a re-trace can be compared to.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..graph import topo_order
from ..modes import enable_grad
from ..ops import OPS
from ..value import _CONSTANT, _MANY, Value, apply

__all__ = ["Trace", "trace", "StructureError", "signature_difference", "retrace_difference"]


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
    output_positions: list[int] = field(default_factory=list)  # in ``order``


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


def _call(fn: Callable, sample: list[float]) -> tuple[list[Value], list[Value], bool]:
    """(placeholder inputs, outputs, whether fn returned one Value) of ``fn`` at ``sample``."""
    name = getattr(fn, "__name__", "the traced function")
    inputs = [Value(x, f"x{i}") for i, x in enumerate(sample)]
    with enable_grad():  # a trace under no_grad would record no graph at all
        result = fn(*inputs)
    return inputs, _outputs_of(result, name), isinstance(result, Value)


def _order(outputs: list[Value]) -> list[Value]:
    """Every node the outputs depend on, each after its inputs (one walk for them all)."""
    with enable_grad():
        root = apply(OPS["sum"], *outputs)  # a temporary root over every output
    order = topo_order(root)
    order.pop()  # the temporary root itself
    return order


def _record(fn: Callable, sample: list[float]) -> tuple[list[Value], list[Value], list[Value],
                                                       bool]:
    """Call ``fn`` on fresh placeholder leaves.

    Returns (inputs, outputs, topological order, whether fn returned one Value).
    """
    inputs, outputs, one_value = _call(fn, sample)
    return inputs, outputs, _order(outputs), one_value


def _signature(order: list[Value], inputs: list[Value], params: list[Value]) -> list[tuple]:
    """What each node is: ('input', i), ('param', k), ('const', x) or (op name, input ids)."""
    # Hot for big graphs (once per trace and per check sample): Value's slots are read
    # directly, as graph.topo_order does, and nodes are dict keys by identity.
    position = {node: k for k, node in enumerate(order)}
    where = position.__getitem__
    leaf_kind = {x: ("input", i) for i, x in enumerate(inputs)}
    leaf_kind.update((p, ("param", k)) for k, p in enumerate(params))
    untraced = ("param", -1)
    signature = []
    append = signature.append
    for node in order:
        a = node._a
        if a is None:
            append(("const", node.data) if node._op is _CONSTANT
                   else leaf_kind.get(node, untraced))
            continue
        b = node._b
        if b is None:
            append((node._op.name, (where(a),)))
        elif b is _MANY:
            append((node._op.name, tuple(map(where, a))))
        else:
            append((node._op.name, (where(a), where(b))))
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
    known = set(chosen) | set(inputs)
    for node in order:
        if node._a is None and node._op is not _CONSTANT and node not in known:
            known.add(node)
            chosen.append(node)
    position = {node: k for k, node in enumerate(order)}
    return Trace(inputs, outputs, order, chosen, _signature(order, inputs, chosen), one_value,
                 [position[o] for o in outputs])


def retrace_difference(traced: Trace, fn: Callable, sample: Sequence[float]) -> str | None:
    """None if ``fn`` builds the traced graph again at ``sample``, else a sentence naming
    the first node (in topological order) where the two graphs differ."""
    inputs, outputs, _ = _call(fn, check_sample(sample, "sample"))
    if _same_graph(traced, inputs, outputs):
        return None
    found = _signature(_order(outputs), inputs, traced.params)
    return signature_difference(traced.signature, found)


def _same_graph(traced: Trace, inputs: list[Value], outputs: list[Value]) -> bool:
    """Whether the graph of ``outputs`` is the traced one: same ops, wiring and leaves.

    Walks the traced nodes from the last, pairing each with its counterpart in the new
    graph (outputs first, then inputs of paired nodes), one to one: what comparing the
    two signatures decides, without ordering the new graph or writing its signature.
    """
    if len(outputs) != len(traced.outputs):
        return False
    signature, params, order = traced.signature, traced.params, traced.order
    size = len(order)
    new_at: list[Value | None] = [None] * size  # the new node paired with traced node k
    paired: dict[Value, int] = {}
    for k in range(size, -1, -1):  # k = size: a root whose operands are the outputs
        if k == size:
            operands, wanted = outputs, traced.output_positions
        else:
            new, entry = new_at[k], signature[k]
            if new is None:
                return False
            a = new._a
            if a is None or order[k]._a is None:  # leaves: the same input, parameter, constant
                if a is not None or order[k]._a is not None:
                    return False
                kind, detail = entry
                if kind == "input":
                    same = new is inputs[detail]
                elif kind == "const":
                    same = new._op is _CONSTANT and ("const", new.data) == entry
                else:
                    same = detail >= 0 and new is params[detail]
                if not same:
                    return False
                continue
            if new._op.name != entry[0]:
                return False
            b = new._b
            operands = a if b is _MANY else (a,) if b is None else (a, b)
            wanted = entry[1]
        if len(operands) != len(wanted):
            return False
        for node, i in zip(operands, wanted):  # the hot loop: no call per operand
            held = new_at[i]
            if held is None:
                if node in paired:
                    return False
                new_at[i] = node
                paired[node] = i
            elif held is not node:
                return False
    return True


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
