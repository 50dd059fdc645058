"""Hypothesis strategies for property-testing gradients, your own ops included.

>>> from hypothesis import given
>>> from autograd.testing import op_inputs, assert_gradients_match
>>> @given(op_inputs("tanh"))
... def test_tanh(xs):
...     assert_gradients_match(lambda a: a.tanh(), xs)

``expressions()`` draws random expression DAGs over the op table (nodes reused,
diamonds included) together with a point where every op is inside its domain.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

try:
    from hypothesis import strategies as st
except ModuleNotFoundError as exc:  # an optional dependency: say which extra brings it
    if exc.name != "hypothesis":
        raise
    raise ModuleNotFoundError(
        "autograd.testing needs hypothesis, which the 'test' extra installs: "
        "pip install 'stepgrad[test]' (from a checkout: pip install -e '.[test]'), "
        "or pip install hypothesis", name="hypothesis") from None

from .check import check_local_grads, gradcheck
from .ops import OPS, Op, lookup
from .value import Value, apply

__all__ = [
    "domain_floats", "op_inputs", "expressions", "Expression",
    "assert_gradients_match", "assert_local_grads_match",
]


def domain_floats(op: Op | str, position: int = 0) -> st.SearchStrategy[float]:
    """Floats where input ``position`` of ``op`` is smooth (away from kinks and poles)."""
    entry = lookup(op)
    intervals = entry.input_domain(position)
    if not intervals:
        raise ValueError(f"op {entry.name!r} has no test domain for input {position}")
    return st.one_of(
        [st.floats(lo, hi, allow_nan=False, allow_infinity=False) for lo, hi in intervals]
    )


def op_inputs(op: Op | str, max_inputs: int = 4) -> st.SearchStrategy[list[float]]:
    """A list of inputs for ``op``, each from its domain (1..max_inputs for n-ary ops)."""
    entry = lookup(op)
    if entry.arity is None:
        return st.lists(domain_floats(entry), min_size=1, max_size=max_inputs)
    return st.tuples(*[domain_floats(entry, i) for i in range(entry.arity)]).map(list)


def _inside(entry: Op, position: int, x: float) -> bool:
    return any(lo <= x <= hi for lo, hi in entry.input_domain(position))


@dataclass(frozen=True)
class Expression:
    """A random DAG: ``steps[k] = (op name, indices of earlier nodes)``.

    Nodes 0..n_inputs−1 are the inputs; the output sums every node nobody reads,
    so nothing drawn is dead. Call it with Values to build the graph.
    """

    n_inputs: int
    steps: tuple[tuple[str, tuple[int, ...]], ...]
    point: tuple[float, ...]

    def __call__(self, *xs: Value) -> Value:
        nodes: list = list(xs)
        for name, picks in self.steps:
            nodes.append(apply(OPS[name], *[nodes[i] for i in picks]))
        read = {i for _, picks in self.steps for i in picks}
        sinks = [node for i, node in enumerate(nodes) if i not in read]
        return apply(OPS["sum"], *sinks)

    def __repr__(self) -> str:
        names = [f"x{i}" for i in range(self.n_inputs)]
        for name, picks in self.steps:
            names.append(f"{name}({', '.join(names[i] for i in picks)})")
        return f"Expression(at={list(self.point)}, nodes={names[self.n_inputs:]})"


@st.composite
def expressions(
    draw, ops: Sequence[str] | None = None, max_inputs: int = 3, max_steps: int = 8
) -> Expression:
    """Random expression DAGs over ``ops`` (default: the whole table) and a smooth point.

    Each step picks an op and earlier nodes (repeats allowed: ``x*x``) whose values at
    the drawn point lie inside the op's domain, so central differences are meaningful.
    """
    names = sorted(ops if ops is not None else OPS)
    n_inputs = draw(st.integers(1, max_inputs))
    point = [draw(st.floats(-2.0, 2.0, allow_nan=False)) for _ in range(n_inputs)]
    values = list(point)
    steps = []
    for _ in range(draw(st.integers(1, max_steps))):
        entry = OPS[draw(st.sampled_from(names))]
        arity = entry.arity if entry.arity is not None else draw(st.integers(1, 4))
        picks = []
        for position in range(arity):
            usable = [i for i, v in enumerate(values) if _inside(entry, position, v)]
            if not usable:
                break
            picks.append(draw(st.sampled_from(usable)))
        if len(picks) < arity:
            continue  # no node fits this op here: skip the op
        out = entry.forward(*[values[i] for i in picks])
        if not math.isfinite(out) or abs(out) > 50:
            continue  # keep later ops away from overflow
        values.append(out)
        steps.append((entry.name, tuple(picks)))
    return Expression(n_inputs, tuple(steps), tuple(point))


def assert_gradients_match(
    f, xs: Sequence[float], eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3
) -> None:
    """Fail with a table when f's reverse-mode gradients differ from central differences."""
    gradcheck(f, xs, eps=eps, atol=atol, rtol=rtol)


def assert_local_grads_match(
    op: Op | str, xs: Sequence[float], eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3
) -> None:
    """Fail with a table when an op's ``local_grads`` differ from central differences."""
    check_local_grads(lookup(op), xs, eps=eps, atol=atol, rtol=rtol)
