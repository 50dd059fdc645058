"""Weight initialisation schemes: how a neuron's first weights and bias are chosen.

Each scheme maps (fan_in, fan_out, rng) to the starting numbers. Random schemes draw
from the ``random.Random`` they are given (never the global generator), so a seed
reproduces a network exactly.

- ``"uniform"`` (default): w ~ U(−1/√fan_in, 1/√fan_in), b = 0. micrograd draws
  U(−1, 1) instead; dividing by √fan_in keeps w·x of order 1 for wide layers.
- ``"xavier"`` / ``"glorot"``: w ~ U(−a, a), a = √(6 / (fan_in + fan_out)), b = 0
  (for tanh and sigmoid).
- ``"he"``: w ~ N(0, 2 / fan_in), b = 0 (for ReLU).
- ``"zeros"``: every weight and bias 0 — neurons of a layer stay identical forever
  (the symmetry demonstration).
- ``("constant", c)`` or a plain number ``c``: every weight and bias ``c``.
"""

from __future__ import annotations

import math
import numbers
import random

__all__ = ["INITS", "check_init", "initial_weights", "initial_bias"]

INITS = ("uniform", "xavier", "glorot", "he", "zeros")


def _constant(c: object) -> float | None:
    if isinstance(c, numbers.Real) and not isinstance(c, bool):
        if not math.isfinite(c):  # inf or nan weights make every output nan: say so now
            raise ValueError(f"init constant must be a finite number, got {c!r}")
        return float(c)
    return None


def check_init(init: object) -> str | float:
    """The scheme name, or the constant, that ``init`` stands for; ValueError if neither."""
    if isinstance(init, str) and init in INITS:
        return init
    constant = _constant(init)
    if constant is None and isinstance(init, tuple) and len(init) == 2 \
            and init[0] == "constant":
        constant = _constant(init[1])
    if constant is not None:
        return constant
    raise ValueError(
        f"init must be one of {', '.join(repr(s) for s in INITS)}, ('constant', c) or a "
        f"number, got {init!r}"
    )


def initial_weights(init: object, fan_in: int, fan_out: int, rng: random.Random) -> list[float]:
    """``fan_in`` starting weights for one neuron under scheme ``init``."""
    scheme = check_init(init)
    if isinstance(scheme, float):
        return [scheme] * fan_in
    if scheme == "zeros":
        return [0.0] * fan_in
    if scheme == "uniform":
        bound = 1.0 / math.sqrt(fan_in)
        return [rng.uniform(-bound, bound) for _ in range(fan_in)]
    if scheme in ("xavier", "glorot"):
        bound = math.sqrt(6.0 / (fan_in + fan_out))
        return [rng.uniform(-bound, bound) for _ in range(fan_in)]
    std = math.sqrt(2.0 / fan_in)  # he
    return [rng.gauss(0.0, std) for _ in range(fan_in)]


def initial_bias(init: object) -> float:
    """The starting bias under scheme ``init``: the constant for constant schemes, else 0."""
    scheme = check_init(init)
    return scheme if isinstance(scheme, float) else 0.0
