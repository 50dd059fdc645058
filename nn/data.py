"""Data helpers: seeded random generators, mini-batches and train/test splits.

A dataset everywhere in ``nn`` is a sequence of ``(inputs, target)`` pairs, e.g.
``[([0.0], 1.0), ([1.0], 2.9)]``: inputs a sequence of floats, target a number, a list
of numbers or a class index.
"""

from __future__ import annotations

import numbers
import random
from collections.abc import Iterator, Sequence
from typing import TypeVar

__all__ = ["make_rng", "batches", "train_test_split", "one_hot", "as_arrays", "is_sequence"]

T = TypeVar("T")


def is_sequence(x: object) -> bool:
    """True for a list, tuple or 1-d-or-more numpy array of items; False for str/bytes.

    numpy arrays count too: they have a length and iterate, but are not a ``Sequence``
    (a one-hot target ``np.eye(10)[3]``, an IDX pixel row). A 0-d array is a number.
    """
    return (hasattr(x, "__len__") and hasattr(x, "__iter__")
            and not isinstance(x, (str, bytes)) and getattr(x, "ndim", 1) != 0)


def make_rng(seed: int | random.Random | None) -> random.Random:
    """A ``random.Random`` for ``seed``: the same object if given one, never the global one.

    ``None`` gives a fresh generator seeded from the operating system (not reproducible).
    """
    if isinstance(seed, random.Random):
        return seed
    if seed is None:
        return random.Random()
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        return random.Random(int(seed))
    raise TypeError(
        f"seed must be an int, a random.Random or None, got {seed!r} ({type(seed).__name__})"
    )


def _check_items(items: Sequence[T], what: str) -> list[T]:
    if isinstance(items, (str, bytes)) or not hasattr(items, "__iter__"):
        raise TypeError(f"{what} needs a sequence of items, got {items!r}")
    return list(items)


def batches(
    items: Sequence[T], batch_size: int | None, shuffle: bool = True,
    seed: int | random.Random | None = 0,
) -> Iterator[list[T]]:
    """Successive lists of ``batch_size`` items (the last may be shorter).

    ``batch_size=None`` gives one batch of everything (full-batch gradient descent).
    With ``shuffle`` the order is a permutation drawn from ``seed``; pass one
    ``random.Random`` across epochs to get a new, reproducible order each epoch.
    """
    pool = _check_items(items, "batches")
    if batch_size is None:
        batch_size = max(len(pool), 1)
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) \
            or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int or None, got {batch_size!r}")
    order = list(range(len(pool)))
    if shuffle:
        make_rng(seed).shuffle(order)
    for start in range(0, len(order), batch_size):
        yield [pool[i] for i in order[start:start + batch_size]]


def train_test_split(
    items: Sequence[T], test_fraction: float = 0.2, seed: int | random.Random | None = 0,
) -> tuple[list[T], list[T]]:
    """(train, test): a seeded shuffle of ``items`` cut so ``test`` holds ``test_fraction``.

    Both parts get at least one item; fewer than two items is an error.
    """
    pool = _check_items(items, "train_test_split")
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, numbers.Real) \
            or not 0 < test_fraction < 1:
        raise ValueError(
            f"test_fraction must be between 0 and 1 (exclusive), got {test_fraction!r}"
        )
    if len(pool) < 2:
        raise ValueError(f"train_test_split needs at least 2 items, got {len(pool)}")
    n_test = min(max(round(len(pool) * test_fraction), 1), len(pool) - 1)
    order = list(range(len(pool)))
    make_rng(seed).shuffle(order)
    test = [pool[i] for i in order[:n_test]]
    train = [pool[i] for i in order[n_test:]]
    return train, test


def one_hot(index: int, n: int) -> list[float]:
    """[0, …, 1, …, 0]: ``n`` floats with a 1 at ``index`` (a class index as an MSE target)."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"one_hot needs a positive number of classes, got {n!r}")
    if isinstance(index, bool) or not isinstance(index, numbers.Integral) or not 0 <= index < n:
        raise ValueError(f"class index must be an int in 0..{n - 1}, got {index!r}")
    out = [0.0] * n
    out[index] = 1.0
    return out


def as_arrays(pairs: Sequence[tuple[Sequence[float], object]]):
    """(X, y) numpy arrays from ``(inputs, target)`` pairs: X is (n, features) float64."""
    import numpy as np

    pairs = _check_items(pairs, "as_arrays")
    if not pairs:
        raise ValueError("as_arrays needs at least one (inputs, target) pair, got none")
    X = np.asarray([list(x) if not isinstance(x, numbers.Real) else [x] for x, _ in pairs],
                   dtype=float)
    y = np.asarray([t for _, t in pairs])
    return X, y
