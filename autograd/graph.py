"""Graph walking shared by backward, the visualizer and the compiled path.

Everything here is iterative: a chain of a million nodes needs no recursion.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence

from .modes import enable_grad, local
from .ops import ADD as _ADD
from .ops import MUL as _MUL
from .ops import SUM as _SUM
from .undefined import (
    UNDEFINED_ERRORS,
    accumulate_careful,
    first_undefined,
    undefined_error,
)
from .value import _MANY, DomainError, Value, _describe, _new, _store_inputs

_NEVER_RAISE = (_ADD, _MUL, _SUM)  # the fast paths: their derivatives are 1 or an operand

__all__ = [
    "topo_order", "backward", "grad", "zero_grad", "consumers", "reaches", "copy_graph",
]


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
    seed = _seed(root, grad)
    order = topo_order(root)
    for node in order:
        if node._a is not None:
            node.grad = 0.0  # non-leaves hold this call's gradient only
    root.grad += seed
    _accumulate(order)


def _seed(root: Value, grad: object) -> float:
    """``grad`` as the float backward starts from; TypeError naming the node if not a number."""
    if type(grad) is float:
        return grad
    if isinstance(grad, numbers.Real) and not isinstance(grad, bool):
        try:
            return float(grad)
        except OverflowError:
            pass
    raise TypeError(
        f"backward from {_describe(root)} (data {root.data!r}): grad is the gradient of what "
        f"this node feeds, a real number within ±1.8e308 (default 1.0), got {repr(grad):.80} "
        f"({type(grad).__name__})"
    )


def _accumulate(order: list[Value], wanted: Sequence[Value] | None = None) -> None:
    """Add each node's share of the gradient into its inputs, last node first.

    Raises DomainError if a ``wanted`` node's gradient (default: every non-constant
    leaf's) needs a local derivative that is undefined (see ``autograd.undefined``).
    """
    if local.anomaly:  # its loop checks every contribution; the usual one checks nothing
        undefined = accumulate_careful(order, len(order), check=True)
    else:
        try:
            _accumulate_from(order)
            return
        except UNDEFINED_ERRORS as exc:
            # The loop stopped at a node whose local derivative raised (it adds nothing
            # for that node first), and is kept free of bookkeeping: find the node.
            stop = _failed_at(order)
            if stop is None:
                raise DomainError(f"backward failed: {exc}") from None
        undefined = accumulate_careful(order, stop + 1)
    origin = first_undefined(undefined, wanted)
    if origin is not None:
        raise undefined_error(origin)


def _failed_at(order: list[Value]) -> int | None:
    """The position of the last node of ``order`` whose local derivative raises."""
    for k in range(len(order) - 1, -1, -1):
        node = order[k]
        if node._a is None or node._op in _NEVER_RAISE:
            continue
        try:
            node._op.local_grads(*[x.data for x in node.inputs], node.data)
        except UNDEFINED_ERRORS:
            return k
    return None


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
        _accumulate(order, inputs)
        return [float(x.grad) for x in inputs]
    finally:
        for node, previous in zip(touched, saved, strict=True):
            node.grad = previous


def _grads_as_values(order: list[Value], output: Value, inputs: Sequence[Value]) -> list[Value]:
    grads: dict[Value, Value] = {output: Value(1.0)}
    undefined: dict[Value, Value] = {}  # as in autograd.undefined: node -> where it began
    for node in reversed(order):
        g = grads.get(node)
        origin = undefined.get(node)
        if (g is None and origin is None) or not node.inputs:
            continue
        # Local derivatives computed on the Values themselves, so they join the graph.
        try:
            local = node._op.local_grads(*node.inputs, node)
        except UNDEFINED_ERRORS:
            if origin is None and g.data == 0:
                continue  # nothing flows back: the undefined derivative is not needed
            for parent in node.inputs:
                undefined.setdefault(parent, origin or node)
            continue
        for parent, d in zip(node.inputs, local, strict=True):
            if origin is not None:
                if (d.data if isinstance(d, Value) else d) != 0:  # 0 × undefined = 0
                    undefined.setdefault(parent, origin)
                continue
            contribution = g * d
            previous = grads.get(parent)
            grads[parent] = contribution if previous is None else previous + contribution
    for x in inputs:
        if x in undefined:
            raise undefined_error(undefined[x])
    return [grads[x] if x in grads else Value(0.0) for x in inputs]


def reaches(start: Value, target: Value) -> bool:
    """True if ``target`` is ``start`` or one of the nodes it was computed from."""
    seen: set[Value] = set()
    stack = [start]
    while stack:
        node = stack.pop()
        if node is target:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(node.inputs)
    return False


def copy_graph(root: Value, memo: dict) -> Value:
    """``copy.deepcopy(root)``: new nodes for root and all it was computed from, iteratively.

    Sharing is kept (``x*x`` copies to a node read twice) and ``memo`` is honoured, as
    deepcopy requires. Op table entries are shared, not copied: they are compared by
    identity (fast paths, ``is_constant``).
    """
    from copy import deepcopy

    for node in topo_order(root):  # inputs first, so each copy finds its inputs' copies
        if id(node) in memo:
            continue
        copied = _new(type(node))
        copied.data, copied.grad, copied.label = node.data, node.grad, node.label
        copied._op = node._op
        _store_inputs(copied, tuple(memo[id(x)] for x in node.inputs))
        memo[id(node)] = copied
        memo.setdefault(id(memo), []).append(node)  # keep the original alive, as copy does
        if hasattr(node, "__dict__"):  # a subclass's own attributes
            copied.__dict__.update(deepcopy(node.__dict__, memo))
    return memo[id(root)]


def zero_grad(values: Iterable[Value]) -> None:
    """Set ``.grad`` of every value to 0 (leaves accumulate until you do)."""
    for v in values:
        v.grad = 0.0
