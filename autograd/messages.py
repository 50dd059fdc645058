"""Error messages that name the op, the values and the node labels.

Every error the engine raises for bad input reads the same way: which op, at which
operand values, on which nodes (``a = 0.0 (node 'x')``), and what was expected. The
compiled path builds the same messages from a sample's numbers (``values``), so a
batch fails with the text eager evaluation would give, plus the sample's index.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from .modes import AnomalyError

if TYPE_CHECKING:
    from .ops import Op
    from .value import Value

__all__ = ["DomainError", "overflowed"]


class DomainError(ValueError):
    """An op was applied outside the inputs where it is defined (log of 0, 1/0, …)."""


_BEYOND = "the result is beyond ±1.8e308, the largest float"


def _to_float(data: object, label: str) -> float:
    where = f" (label {label!r})" if label else ""
    if isinstance(data, numbers.Real) and not isinstance(data, bool):
        try:
            number = float(data)
        except OverflowError:  # an int past 1.8e308 (its repr may be too long to show)
            number = math.inf
        # One rule for every type: a finite number too big for a float is an error (the
        # int 10**400 raises, so numpy's longdouble 1e4000 must not quietly become inf).
        if math.isinf(number) and _is_finite(data):
            raise OverflowError(
                f"Value holds a float; the {type(data).__name__} given is beyond ±1.8e308, "
                f"the largest float{where}"
            ) from None
        return number
    raise TypeError(
        f"Value holds a real number, got {data!r} ({type(data).__name__}){where}"
    )


def overflowed(out: float, operands: Iterable[float]) -> bool:
    """True for an infinite result of finite operands: the one overflow rule (see README)."""
    return math.isinf(out) and all(map(math.isfinite, operands))


def _is_finite(number: numbers.Real) -> bool:
    """True unless ``number`` is ±inf or nan, for any real type (int, Fraction, longdouble)."""
    try:
        return number == number and abs(number) != math.inf
    except (TypeError, ValueError, OverflowError):
        return True


def _describe(x: Value) -> str:
    name = f"node {x.label!r}" if x.label else "unlabelled node"
    return f"{name} made by {x.op}" if x.inputs else name


def _operands(inputs: Sequence[Value], values: Sequence[float] | None = None) -> str:
    """``a = 0.0 (node 'x'), b = …``: an op's operands for an error message.

    ``values`` replaces the nodes' own data (a compiled program's sample).
    """
    if values is None:
        values = [x.data for x in inputs]
    many = len(inputs) > 8  # a, b, … h, then a0, a1, …
    return ", ".join(
        f"{f'a{i}' if many else 'abcdefgh'[i]} = {v!r} ({_describe(x)})"
        for i, (v, x) in enumerate(zip(values, inputs, strict=True))
    )


def _failure(op: Op, inputs: Sequence[Value], exc: Exception,
             values: Sequence[float] | None = None, where: str = "") -> Exception:
    """The error for an op that failed at these inputs: which op, which values, which labels."""
    shown = _operands(inputs, values) + where
    if isinstance(exc, OverflowError):  # not the domain: 2 ** 100000 is defined, just too big
        return OverflowError(f"{op.name} overflowed a float at {shown}: {_BEYOND}")
    needs = f"; {op.name} needs {op.requires}" if op.requires else ""
    return DomainError(f"{op.name} is undefined at {shown}{needs} [{exc}]")


def _anomaly(op: Op, inputs: tuple[Value, ...], out: float) -> AnomalyError:
    shown = ", ".join(f"{x.data!r} ({_describe(x)})" for x in inputs)
    return AnomalyError(f"detect_anomaly: {op.name}({shown}) gave {out!r}")


def _bad_operand(op: Op, value: Value, other: object, position: str) -> TypeError:
    """The error for ``value <op> other`` where other is not a number: op, value and label."""
    kept = "b" if position == "a" else "a"
    return TypeError(
        f"{op.name} takes Values or real numbers, got {repr(other):.80} "
        f"({type(other).__name__}) as {position}, with {kept} = {value.data!r} "
        f"({_describe(value)})"
    )
