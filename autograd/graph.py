"""Graph walking shared by backward, the visualizer and the compiled path.

Everything here is iterative: a chain of a million nodes needs no recursion.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from .modes import AnomalyError, enable_grad, state
from .ops import ADD as _ADD
from .ops import MUL as _MUL
from .ops import SUM as _SUM
from .value import _MANY, DomainError, Value, _describe, _operands

__all__ = ["topo_order", "backward", "grad", "zero_grad", "consumers"]


_PLACE = object()  # on the DFS stack: "the node just below has all its inputs placed"


def topo_order(root: Value) -> list[Value]:
    """Every node reachable from ``root``, each after all of its inputs.

    Deterministic: inputs are visited in order, so the same graph always gives the
    same list (the visualizer numbers nodes by it).
    """
    if not isinstance(root, Value):
        raise TypeError(f"topo_order needs a Value, got {root!r} ({type(root).__name__})")
    # Depth-first with an explicit stack. A node is pushed, then the _PLACE marker,
    # then its unplaced inputs; popping the marker means the node can be placed.
    # The inputs are read from Value's slots directly (see Value.__slots__): this
    # loop runs once per node of every graph that is backpropagated.
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list = [root]
    push, pop, mark, place = stack.append, stack.pop, seen.add, order.append
    while stack:
        node = pop()
        if node is _PLACE:
            place(pop())
            continue
        if node in seen:
            continue
        mark(node)
        a = node._a
        if a is None:  # a leaf waits for nothing
            place(node)
            continue
        push(node)
        push(_PLACE)
        b = node._b
        if b is None:
            if a not in seen:
                push(a)
        elif b is _MANY:
            for parent in reversed(a):
                if parent not in seen:
                    push(parent)
        else:
            if b not in seen:
                push(b)
            if a not in seen:
                push(a)
    return order


def consumers(order: Sequence[Value]) -> dict[Value, list[tuple[Value, int]]]:
    """For each node of ``order``, the (node, input position) pairs that read it."""
    readers: dict[Value, list[tuple[Value, int]]] = {node: [] for node in order}
    for node in order:
        for position, parent in enumerate(node.inputs):
            try:
                readers[parent].append((node, position))
            except KeyError:
                raise ValueError(
                    f"input {position} of {_describe(node)} ({parent!r}) is not in the order "
                    "given: pass every node a graph reaches, as topo_order(root) lists them"
                ) from None
    return readers


def backward(root: Value, grad: float = 1.0) -> None:
    """Reverse-mode pass from ``root``; see ``Value.backward`` for the semantics."""
    order = topo_order(root)
    for node in order:
        if node._a is not None:
            node.grad = 0.0  # non-leaves hold this call's gradient only
    root.grad += float(grad)
    _accumulate(order)


def _accumulate(order: list[Value]) -> None:
    """Add each node's share of the gradient into its inputs, last node first."""
    try:
        # detect_anomaly's loop checks every contribution; the usual one checks nothing
        (_backward_checked if state.anomaly else _accumulate_from)(order)
    except (ZeroDivisionError, OverflowError, ValueError) as exc:
        # Find the node whose derivative failed (the loop is kept free of bookkeeping).
        raise _derivative_failure(order, exc) from None


def _derivative_failure(order: list[Value], exc: Exception) -> DomainError:
    """The error for a local derivative that is undefined: sqrt at 0, x**0.5 at 0, …"""
    for node in reversed(order):
        if not node.inputs:
            continue
        try:
            node._op.local_grads(*[x.data for x in node.inputs], node.data)
        except (ZeroDivisionError, OverflowError, ValueError) as failed:
            return derivative_error(node, failed)
    return DomainError(f"backward failed: {exc}")


def derivative_error(node: Value, exc: Exception, values: list[float] | None = None,
                     where: str = "") -> DomainError:
    """The error for ``node``'s local derivative being undefined at its inputs (or ``values``)."""
    rules = "; ".join(dict.fromkeys(node._op.rule(i) for i in range(len(node.inputs))))
    return DomainError(
        f"backward: the derivative of {node.op} is undefined at "
        f"{_operands(node.inputs, values)}{where} ({rules}) [{exc}]"
    )


def _accumulate_from(order: list[Value]) -> None:
    for node in reversed(order):
        a = node._a
        if a is None:
            continue
        g = node.grad
        b = node._b
        op = node._op
        # Fast paths for the ops most nodes are made of: the op table's local derivatives
        # of add (1, 1), mul (b, a) and sum (1, …, 1), multiplied out without a call.
        # Bit-identical to the general branch (1.0·g is g); tests compare the two.
        if op is _MUL:
            a.grad += b.data * g
            b.grad += a.data * g
        elif op is _ADD:
            a.grad += g
            b.grad += g
        elif b is None:
            a.grad += op.local_grads(a.data, node.data)[0] * g
        elif b is not _MANY:
            da, db = op.local_grads(a.data, b.data, node.data)
            # += because a node can feed several others (and x*x feeds one twice)
            a.grad += da * g
            b.grad += db * g
        elif op is _SUM:  # n-ary: a is the tuple of inputs
            for parent in a:
                parent.grad += g
        else:
            local = op.local_grads(*[x.data for x in a], node.data)
            for parent, d in zip(a, local, strict=True):
                parent.grad += d * g


def _backward_checked(order: list[Value]) -> None:
    """The backward loop of detect_anomaly: stop at the first NaN/inf gradient."""
    for node in reversed(order):
        inputs = node.inputs
        if not inputs:
            continue
        g = node.grad
        local = node._op.local_grads(*[x.data for x in inputs], node.data)
        for position, (parent, d) in enumerate(zip(inputs, local, strict=True)):
            contribution = d * g
            if not math.isfinite(contribution):
                raise AnomalyError(
                    f"detect_anomaly: backward through {node.op} gave gradient "
                    f"{contribution!r} for input {position} ({_describe(parent)}, "
                    f"data {parent.data!r}): local derivative {d!r} × upstream {g!r}"
                )
            parent.grad += contribution


def grad(
    output: Value, inputs: Sequence[Value], create_graph: bool = False
) -> list[float] | list[Value]:
    """∂output/∂x for each x in ``inputs``, without touching any ``.grad``.

    With ``create_graph=True`` the gradients are Values built from the op table's
    derivative rules, so they can be differentiated again (d²/dx² of x³ at 2 is 12).
    An input the output does not depend on gets 0.
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad needs a Value output, got {output!r} ({type(output).__name__})")
    if isinstance(inputs, Value):
        raise TypeError(f"grad takes a list of inputs, got the single Value {inputs!r}: pass [x]")
    inputs = list(inputs)  # read twice below: a generator would give [] the second time
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(f"grad inputs must be Values, input {i} is {x!r}")
    order = topo_order(output)
    if create_graph:
        with enable_grad():
            return _grads_as_values(order, output, inputs)
    # Borrow the .grad slots: run backward's loop from all-zero gradients, read the
    # inputs' gradients, then put every .grad back (4x faster than a dict of gradients).
    touched = [*order, *inputs]
    saved = [node.grad for node in touched]
    try:
        for node in touched:
            node.grad = 0.0
        output.grad = 1.0
        _accumulate(order)
        return [float(x.grad) for x in inputs]
    finally:
        for node, previous in zip(touched, saved, strict=True):
            node.grad = previous


def _grads_as_values(order: list[Value], output: Value, inputs: Sequence[Value]) -> list[Value]:
    grads: dict[Value, Value] = {output: Value(1.0)}
    for node in reversed(order):
        g = grads.get(node)
        if g is None or not node.inputs:
            continue
        # Local derivatives computed on the Values themselves, so they join the graph.
        local = node._op.local_grads(*node.inputs, node)
        for parent, d in zip(node.inputs, local, strict=True):
            contribution = g * d
            previous = grads.get(parent)
            grads[parent] = contribution if previous is None else previous + contribution
    return [grads[x] if x in grads else Value(0.0) for x in inputs]


def zero_grad(values: Iterable[Value]) -> None:
    """Set ``.grad`` of every value to 0 (leaves accumulate until you do)."""
    for v in values:
        v.grad = 0.0
