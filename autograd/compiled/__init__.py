"""``autograd.compile``: trace a function of Values once, replay it fast on batches.

>>> import autograd
>>> w = autograd.Value(0.5, "w")
>>> b = autograd.Value(0.6, "b")
>>> def loss(x, t):
...     y = w * x + b
...     return (y - t) ** 2 / 2
>>> program = autograd.compiled.compile(loss, [0.0, 1.0], params=[w, b])
>>> program([[0.0, 1.0], [1.0, 2.9]]).round(6).tolist()
[0.08, 1.62]
>>> program.backward()
>>> round(w.grad, 6), round(b.grad, 6)
(-1.8, -2.2)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..value import Value
from .plan import lower
from .program import Program
from .trace import StructureError, trace

__all__ = ["compile", "Program", "StructureError"]


def compile(  # noqa: A001 - autograd.compile, like torch.compile
    fn: Callable[..., Value | Sequence[Value]],
    example: Sequence[float],
    params: Sequence[Value] | None = None,
    *,
    check: Sequence[Sequence[float]] = (),
    wrt_inputs: bool = False,
) -> Program:
    """A Program replaying the graph ``fn(*Values of example)`` builds, on any batch.

    ``fn`` takes one Value per input number (``example`` is one sample, used to trace)
    and returns a Value or a list of Values. Leaves of the graph that are neither
    inputs nor constants are parameters: read from ``.data`` on every call, given
    gradients by ``backward()``; ``params`` fixes which ones come first. The graph
    must not depend on the data (no Python ``if`` on a Value): ``check`` re-traces
    ``fn`` eagerly on those samples and raises StructureError if any graph differs.
    ``wrt_inputs=True`` also computes ∂/∂inputs (``program.input_grads``).
    """
    if not callable(fn):
        raise TypeError(f"compile needs a function of Values, got {fn!r}")
    recorded = trace(fn, example, params)
    program = Program(fn, recorded, lower(recorded, wrt_inputs), wrt_inputs)
    if len(check):  # (a numpy array of samples has no truth value)
        program.check(check)
    return program
