"""The articles' small datasets, each a list of ``(inputs, target)`` pairs.

``inputs`` is a list of floats (a numpy row for IDX files), ``target`` a float
(regression) or an int class index (classification).
"""

from __future__ import annotations

import numbers
import random

from .data import make_rng
from .idx import load_idx, load_mnist, read_idx

__all__ = [
    "linear_pairs", "logic_gate", "GATES", "ice_cream", "ICE_CREAM_COLUMNS", "ICE_CREAM_ROWS",
    "digits", "load_idx", "load_mnist", "read_idx",
]


def linear_pairs(n: int, seed: int | random.Random | None = 0) -> list[tuple[list[float], float]]:
    """The deepin article's stream for y = 2x + 1: ([0], 1), ([1], 2.9), then n − 2 noisy pairs.

    After the article's two pairs, x ~ U(−5, 5) and t = 2x + 1 + N(0, 0.1²), drawn
    from ``seed``.
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
        raise ValueError(f"n must be an int ≥ 0, got {n!r}")
    pairs = [([0.0], 1.0), ([1.0], 2.9)][:n]
    rng = make_rng(seed)
    for _ in range(n - len(pairs)):
        x = rng.uniform(-5.0, 5.0)
        pairs.append(([x], 2.0 * x + 1.0 + rng.gauss(0.0, 0.1)))
    return pairs


GATES = {
    "and": (0, 0, 0, 1), "or": (0, 1, 1, 1), "xor": (0, 1, 1, 0),
    "nand": (1, 1, 1, 0), "nor": (1, 0, 0, 0), "xnor": (1, 0, 0, 1),
}


def logic_gate(name: str) -> list[tuple[list[float], int]]:
    """The four rows of a truth table: ([x1, x2], 0 or 1) for (0,0), (0,1), (1,0), (1,1)."""
    key = name.lower() if isinstance(name, str) else name
    if key not in GATES:
        raise ValueError(f"unknown gate {name!r}; expected one of {', '.join(GATES)}")
    inputs = ([0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0])
    return [(list(x), t) for x, t in zip(inputs, GATES[key], strict=True)]


ICE_CREAM_COLUMNS = ("temperature_c", "day_of_week", "cones_sold")
# SYNTHETIC: the article's table was an image and is lost. Made up by hand to follow
# roughly cones ≈ 8.5·temperature − 35, plus more on weekends (day 5 = Sat, 6 = Sun).
ICE_CREAM_ROWS = (
    (18, 0, 120), (22, 1, 160), (25, 2, 190), (27, 3, 210), (30, 4, 240),
    (33, 5, 320), (29, 6, 300), (20, 5, 210), (24, 6, 250), (31, 2, 230),
)


def ice_cream(scaled: bool = True) -> list[tuple[list[float], float]]:
    """A synthetic 10-row table: ([temperature, day of week], cones sold).

    Synthetic because the article's table is lost (see ``ICE_CREAM_ROWS``). With
    ``scaled`` (default) inputs are [°C / 40, day / 6] and the target cones / 400, all
    in [0, 1], as a small ReLU network wants; otherwise the raw numbers.
    """
    if scaled:
        return [([t / 40, d / 6], s / 400) for t, d, s in ICE_CREAM_ROWS]
    return [([float(t), float(d)], float(s)) for t, d, s in ICE_CREAM_ROWS]


def digits() -> list[tuple[list[float], int]]:
    """scikit-learn's 1,797 8×8 digit images: ([64 pixels in [0, 1]], digit 0–9) pairs."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ImportError(
            "nn.datasets.digits() needs scikit-learn: pip install scikit-learn "
            "(or pip install 'stepgrad[examples]')"
        ) from None
    bunch = load_digits()
    pixels = (bunch.data / 16.0).tolist()  # 4-bit grey levels 0..16 → [0, 1]
    return [(row, int(label)) for row, label in zip(pixels, bunch.target, strict=True)]
