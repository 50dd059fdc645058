"""Gradient checking: analytic gradients against central differences.

Four separate stages, as in PyTorch's gradcheck: ``numerical_grad`` (central
differences), ``analytic_grad`` (reverse mode), ``compare`` (tolerances) and
``report`` (the table a person reads when they disagree).
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .graph import grad
from .modes import enable_grad
from .ops import Op
from .value import Value

__all__ = [
    "GradcheckError", "Mismatch", "numerical_grad", "analytic_grad", "compare", "report",
    "gradcheck", "check_local_grads",
]


class GradcheckError(AssertionError):
    """Analytic and numerical gradients disagree; the message is a table of both."""


@dataclass(frozen=True)
class Mismatch:
    """One input's two gradients and how far apart they are."""

    index: int
    name: str
    analytic: float
    numerical: float

    @property
    def abs_error(self) -> float:
        """|analytic − numerical|."""
        return abs(self.analytic - self.numerical)

    @property
    def rel_error(self) -> float:
        """|analytic − numerical| / max(|numerical|, tiny)."""
        return self.abs_error / max(abs(self.numerical), 1e-300)


def _floats(xs: Sequence[float]) -> list[float]:
    """xs as floats: a sequence (or 1-D numpy array) of real numbers or Values."""
    if isinstance(xs, np.ndarray) and xs.ndim == 1:
        xs = xs.tolist()  # numpy scalars become Python numbers, bools stay bools
    if isinstance(xs, (str, bytes)) or not isinstance(xs, Sequence):
        raise TypeError(f"xs must be a sequence of numbers, got {xs!r}")
    out = []
    for i, x in enumerate(xs):
        if isinstance(x, Value):
            x = x.data
        # the check Value() makes: "1.5" or True is a mistake, not a number to convert
        if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
            raise TypeError(f"xs[{i}] must be a real number, got {x!r} ({type(x).__name__})")
        out.append(float(x))
    return out


def _scalar_result(result: object, f: Callable) -> float:
    if isinstance(result, Value):
        return result.data
    if isinstance(result, (int, float)) and not isinstance(result, bool):
        return float(result)
    name = getattr(f, "__name__", repr(f))
    raise TypeError(f"{name} must return one Value, got {result!r} ({type(result).__name__})")


def _input_names(f: Callable, n: int) -> list[str]:
    """The parameter names of f where it has them (x, w, b …), else x0, x1 …"""
    try:
        params = [
            p.name for p in inspect.signature(f).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        params = []
    return [params[i] if i < len(params) else f"x{i}" for i in range(n)]


def numerical_grad(f: Callable[..., Value], xs: Sequence[float], eps: float = 1e-6) -> list[float]:
    """Central differences: (f(x + eps) − f(x − eps)) / (2·eps) for each input in turn."""
    xs = _floats(xs)
    if not eps > 0:
        raise ValueError(f"eps must be a positive step, got {eps!r}")
    result = []
    # Recording on, as in analytic_grad: f may take a gradient inside (gradgradcheck's
    # lambda x: grad(x**3, [x], create_graph=True)[0]), which no_grad would make 0.
    with enable_grad():
        for i in range(len(xs)):
            shifted = list(xs)
            shifted[i] = xs[i] + eps
            plus = _scalar_result(f(*map(Value, shifted)), f)
            shifted[i] = xs[i] - eps
            minus = _scalar_result(f(*map(Value, shifted)), f)
            result.append((plus - minus) / (2 * eps))
    return result


def analytic_grad(f: Callable[..., Value], xs: Sequence[float]) -> list[float]:
    """Reverse-mode gradients of f at xs (leaves' ``.grad`` left untouched)."""
    xs = _floats(xs)
    names = _input_names(f, len(xs))
    leaves = [Value(x, label=name) for x, name in zip(xs, names)]
    with enable_grad():  # a gradient needs the graph, even when called inside no_grad
        out = f(*leaves)
        if not isinstance(out, Value):
            _scalar_result(out, f)  # raises for non-numbers
            return [0.0] * len(xs)  # a constant function
        return grad(out, leaves)


def compare(
    names: Sequence[str], analytic: Sequence[float], numerical: Sequence[float],
    atol: float = 1e-5, rtol: float = 1e-3,
) -> list[Mismatch]:
    """The inputs whose gradients differ by more than atol + rtol·|numerical|."""
    bad = []
    for i, (name, a, n) in enumerate(zip(names, analytic, numerical)):
        close = abs(a - n) <= atol + rtol * abs(n)
        if not close or math.isnan(a) != math.isnan(n):
            bad.append(Mismatch(i, name, a, n))
    return bad


def report(mismatches: Sequence[Mismatch], where: str = "") -> str:
    """A table: input, analytic, numerical, absolute and relative error."""
    head = f"gradients disagree{' ' + where if where else ''}:\n"
    rows = [("input", "analytic", "numerical", "abs error", "rel error")]
    rows += [
        (f"{m.index} ({m.name})", f"{m.analytic:.10g}", f"{m.numerical:.10g}",
         f"{m.abs_error:.3g}", f"{m.rel_error:.3g}")
        for m in mismatches
    ]
    widths = [max(len(row[c]) for row in rows) for c in range(5)]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(row, widths)) for row in rows]
    return head + "\n".join(lines)


def gradcheck(
    f: Callable[..., Value], xs: Sequence[float],
    eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
) -> bool:
    """True when reverse-mode and central-difference gradients of f agree at xs.

    Raises ``GradcheckError`` with a table of every disagreeing input otherwise.
    """
    xs = _floats(xs)
    names = _input_names(f, len(xs))
    analytic = analytic_grad(f, xs)
    numerical = numerical_grad(f, xs, eps)
    bad = compare(names, analytic, numerical, atol, rtol)
    if bad:
        name = getattr(f, "__name__", "f")
        raise GradcheckError(report(bad, f"for {name} at {xs}"))
    return True


def check_local_grads(
    op: Op, xs: Sequence[float], eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3
) -> bool:
    """True when ``op.local_grads`` matches central differences of ``op.forward`` at xs.

    The check for a newly registered op; raises ``GradcheckError`` naming the op.
    """
    xs = _floats(xs)
    if len(xs) != (op.arity if op.arity is not None else max(len(xs), 1)):
        expected = "at least one" if op.arity is None else op.arity
        raise ValueError(f"op {op.name!r} takes {expected} input(s), got {len(xs)}: {xs}")
    out = op.forward(*xs)
    analytic = [float(d) for d in op.local_grads(*xs, out)]
    numerical = []
    for i in range(len(xs)):
        plus, minus = list(xs), list(xs)
        plus[i] += eps
        minus[i] -= eps
        numerical.append((op.forward(*plus) - op.forward(*minus)) / (2 * eps))
    names = [f"∂{op.name}/∂input {i}" for i in range(len(xs))]
    bad = compare(names, analytic, numerical, atol, rtol)
    if bad:
        raise GradcheckError(report(bad, f"for op {op.name!r} at {xs}"))
    return True
