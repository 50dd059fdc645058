"""Backward past undefined local derivatives: where a gradient of 0 meets one, it is 0.

√a is defined at a = 0 but its derivative 1/(2√a) is not, and ``0.5 / 0.0`` raises.
That only matters if a non-zero gradient needs it. As in PyTorch, ``sqrt(relu(x))``,
``relu(x) ** 0.5`` and ``0 * sqrt(relu(x))`` have gradient 0 at x < 0: relu's local
derivative 0 there (or an upstream gradient of exactly 0) makes the product 0 whatever
the undefined factor is. Only when an undefined factor reaches a gradient someone asked
for (a leaf's ``.grad`` in ``backward()``, an input of ``grad()``) is it an error: a
``DomainError`` naming the node whose derivative is undefined.

The usual backward loop (``graph._accumulate_from``) knows none of this: it stops with
an exception at the first undefined derivative, before adding anything for that node,
and ``accumulate_careful`` finishes the pass from there. So the rule costs nothing on
graphs where every derivative exists.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from .messages import DomainError, _describe, _operands
from .modes import AnomalyError
from .value import Value

__all__ = [
    "UNDEFINED_ERRORS", "accumulate_careful", "first_undefined", "undefined_error",
    "derivative_error",
]

# What a local derivative raises where it does not exist: 0.5 / 0.0, 0.0 ** -0.5, …
UNDEFINED_ERRORS = (ZeroDivisionError, OverflowError, ValueError)


def accumulate_careful(order: Sequence[Value], stop: int,
                       check: bool = False) -> dict[Value, Value]:
    """Backward through ``order[:stop]``, last node first, with undefined derivatives.

    Returns the nodes whose gradient is undefined, each with the node whose local
    derivative was undefined (their ``.grad`` is set to nan). ``check`` raises
    ``AnomalyError`` at the first NaN or infinite contribution (``detect_anomaly``).
    """
    undefined: dict[Value, Value] = {}
    for k in range(stop - 1, -1, -1):
        node = order[k]
        inputs = node.inputs
        if not inputs:
            continue
        origin = undefined.get(node)  # this node's own gradient is undefined
        g = node.grad
        try:
            local = node._op.local_grads(*[x.data for x in inputs], node.data)
        except UNDEFINED_ERRORS:
            if origin is None and g == 0:
                continue  # nothing flows back through this node: no derivative needed
            for parent in inputs:
                undefined.setdefault(parent, origin or node)
            continue
        for position, (parent, d) in enumerate(zip(inputs, local, strict=True)):
            if origin is not None:
                if d != 0:  # 0 × undefined = 0: a flat op (relu at x < 0) stops it
                    undefined.setdefault(parent, origin)
                continue
            contribution = d * g
            if check and not math.isfinite(contribution):
                raise AnomalyError(
                    f"detect_anomaly: backward through {node.op} gave gradient "
                    f"{contribution!r} for input {position} ({_describe(parent)}, "
                    f"data {parent.data!r}): local derivative {d!r} × upstream {g!r}"
                )
            # += because a node can feed several others (and x*x feeds one twice)
            parent.grad += contribution
    for node in undefined:
        node.grad = math.nan
    return undefined


def first_undefined(undefined: dict[Value, Value],
                    wanted: Iterable[Value] | None) -> Value | None:
    """Where the first ``wanted`` node left undefined began (default: any non-constant leaf)."""
    if not undefined:
        return None
    if wanted is None:
        wanted = (node for node in undefined if node.is_leaf and not node.is_constant)
    for node in wanted:
        origin = undefined.get(node)
        if origin is not None:
            return origin
    return None


def undefined_error(node: Value, values: list[float] | None = None, where: str = "") -> DomainError:
    """The DomainError for ``node``'s local derivative, which raises at its inputs (or values)."""
    data = [x.data for x in node.inputs] if values is None else values
    out = node.data if values is None else node._op.forward(*values)
    try:
        node._op.local_grads(*data, out)
    except UNDEFINED_ERRORS as exc:
        return derivative_error(node, exc, values, where)
    return DomainError(f"backward: the derivative of {node.op} is undefined at "
                       f"{_operands(node.inputs, values)}{where}")


def derivative_error(node: Value, exc: Exception, values: list[float] | None = None,
                     where: str = "") -> DomainError:
    """The error for ``node``'s local derivative being undefined at its inputs (or ``values``)."""
    rules = "; ".join(dict.fromkeys(node._op.rule(i) for i in range(len(node.inputs))))
    error = DomainError(
        f"backward: the derivative of {node.op} is undefined at "
        f"{_operands(node.inputs, values)}{where} ({rules}) [{exc}]"
    )
    error.node = node  # for callers that point at it (the expression's column in viz)
    return error
