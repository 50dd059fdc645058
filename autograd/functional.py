"""JAX-style helpers: turn a function of Values into a function returning its gradient."""

from __future__ import annotations

from collections.abc import Callable

from .check import _input_names
from .graph import grad
from .modes import enable_grad
from .value import Value

__all__ = ["grad_fn", "value_and_grad"]


def _argnums(argnums: int | tuple[int, ...], n: int) -> tuple[int, ...]:
    wanted = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for i in wanted:
        if not isinstance(i, int) or not -n <= i < n:
            raise ValueError(f"argnums {argnums!r} does not name one of the {n} arguments")
    return tuple(i % n for i in wanted)


def value_and_grad(
    f: Callable[..., Value], argnums: int | tuple[int, ...] = 0
) -> Callable[..., tuple[float, float | tuple[float, ...]]]:
    """A function returning (f(*xs), ∂f/∂xs[argnums]) for plain numbers xs.

    As in JAX: an int ``argnums`` gives one float, a tuple gives a tuple.
    """

    names: dict[int, list[str]] = {}

    def evaluate(*xs: float) -> tuple[float, float | tuple[float, ...]]:
        wanted = _argnums(argnums, len(xs))
        # labelled by f's parameter names, so an error names them ("node 'w'")
        if len(xs) not in names:  # inspect.signature once, not on every call
            names[len(xs)] = _input_names(f, len(xs))
        leaves = [Value(x, name) for x, name in zip(xs, names[len(xs)], strict=True)]
        # it computes a gradient, so it records one even inside no_grad (as jax.grad does)
        with enable_grad():
            out = f(*leaves)
            if not isinstance(out, Value):
                raise TypeError(
                    f"{getattr(f, '__name__', 'f')} must return one Value, got {out!r}")
            grads = grad(out, [leaves[i] for i in wanted])
        return out.data, grads[0] if isinstance(argnums, int) else tuple(grads)

    return evaluate


def grad_fn(
    f: Callable[..., Value], argnums: int | tuple[int, ...] = 0
) -> Callable[..., float | tuple[float, ...]]:
    """A function returning ∂f/∂xs[argnums] for plain numbers xs (``jax.grad``)."""
    evaluate = value_and_grad(f, argnums)

    def gradient(*xs: float) -> float | tuple[float, ...]:
        return evaluate(*xs)[1]

    return gradient
