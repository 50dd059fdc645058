"""Lean hand-written numpy loops: the floor ``autograd.compile`` is measured against.

``numpy_reference.py`` keeps batch-shaped arrays even at batch 1 and a guarded sigmoid;
these loops are the leanest plain numpy we could write for the same three workloads
(issue 14, after ``lean_numpy_sgd.py`` in the shared reference folder): 1-D vectors
for one sample, ``1 / (1 + exp(−z))`` as the sigmoid, derivatives written by hand,
nothing computed that the update does not need. The per-sample loop computes no loss
(``nn.fit`` also reports each epoch's loss and accuracy); the demo step does, as
micrograd's demo prints it.
"""

from __future__ import annotations

import numpy as np

__all__ = ["init_mlp", "per_sample_epoch", "batch_epoch", "moons_init", "moons_step"]


def init_mlp(sizes: list[int], seed: int = 0) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(weights, biases): uniform ±1/√fan-in weights, zero biases."""
    rng = np.random.default_rng(seed)
    Ws = [rng.uniform(-1 / np.sqrt(i), 1 / np.sqrt(i), (o, i))
          for i, o in zip(sizes[:-1], sizes[1:], strict=True)]
    return Ws, [np.zeros(o) for o in sizes[1:]]


def per_sample_epoch(Ws: list, bs: list, X: np.ndarray, Y: np.ndarray, lr: float) -> None:
    """One epoch of per-sample SGD on a sigmoid/sigmoid/softmax net, cross-entropy loss."""
    W1, W2, W3 = Ws
    b1, b2, b3 = bs
    for x, y in zip(X, Y):  # noqa: B905 - the hot loop: X and Y come from one dataset
        h1 = 1 / (1 + np.exp(-(W1 @ x + b1)))
        h2 = 1 / (1 + np.exp(-(W2 @ h1 + b2)))
        z = W3 @ h2 + b3
        p = np.exp(z - z.max())
        p /= p.sum()
        dz = p
        dz[y] -= 1  # softmax − one-hot: ∂(cross-entropy)/∂z
        dh2 = W3.T @ dz * h2 * (1 - h2)
        dh1 = W2.T @ dh2 * h1 * (1 - h1)
        W3 -= lr * np.outer(dz, h2)
        b3 -= lr * dz
        W2 -= lr * np.outer(dh2, h1)
        b2 -= lr * dh2
        W1 -= lr * np.outer(dh1, x)
        b1 -= lr * dh1


def batch_epoch(Ws: list, bs: list, X: np.ndarray, Y: np.ndarray, lr: float,
                batch_size: int) -> None:
    """One epoch of mini-batch SGD (mean loss per batch) on the same network."""
    W1, W2, W3 = Ws
    b1, b2, b3 = bs
    for start in range(0, len(X), batch_size):
        x = X[start:start + batch_size].T  # (inputs, batch): a view, no copy
        y = Y[start:start + batch_size]
        n = x.shape[1]
        h1 = 1 / (1 + np.exp(-(W1 @ x + b1[:, None])))
        h2 = 1 / (1 + np.exp(-(W2 @ h1 + b2[:, None])))
        z = W3 @ h2 + b3[:, None]
        p = np.exp(z - z.max(axis=0))
        p /= p.sum(axis=0)
        dz = p
        dz[y, np.arange(n)] -= 1
        dz /= n
        dh2 = W3.T @ dz * h2 * (1 - h2)
        dh1 = W2.T @ dh2 * h1 * (1 - h1)
        W3 -= lr * (dz @ h2.T)
        b3 -= lr * dz.sum(axis=1)
        W2 -= lr * (dh2 @ h1.T)
        b2 -= lr * dh2.sum(axis=1)
        W1 -= lr * (dh1 @ x.T)
        b1 -= lr * dh1.sum(axis=1)


def moons_init(seed: int = 0) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """micrograd's demo network MLP(2, [16, 16, 1]): uniform(−1, 1) weights, zero biases."""
    rng = np.random.default_rng(seed)
    sizes = [2, 16, 16, 1]
    Ws = [rng.uniform(-1, 1, (o, i)) for i, o in zip(sizes[:-1], sizes[1:], strict=True)]
    return Ws, [np.zeros(o) for o in sizes[1:]]


def moons_step(Ws: list, bs: list, X: np.ndarray, y: np.ndarray, lr: float,
               alpha: float = 1e-4) -> float:
    """micrograd's demo step on the full batch: mean relu(1 − y·score) + α·Σp², SGD.

    Returns the loss, as the demo prints it every step.
    """
    W1, W2, W3 = Ws
    b1, b2, b3 = bs
    n = len(y)
    z1 = W1 @ X.T + b1[:, None]
    h1 = np.maximum(z1, 0)
    z2 = W2 @ h1 + b2[:, None]
    h2 = np.maximum(z2, 0)
    score = W3[0] @ h2 + b3[0]
    margin = 1 - y * score
    loss = np.maximum(margin, 0).sum() / n + alpha * (
        (W1 * W1).sum() + (W2 * W2).sum() + (W3 * W3).sum()
        + (b1 * b1).sum() + (b2 * b2).sum() + (b3 * b3).sum())
    dscore = (margin > 0) * (-y / n)
    dh2 = np.outer(W3[0], dscore) * (z2 > 0)
    dh1 = (W2.T @ dh2) * (z1 > 0)
    W3 -= lr * (dscore @ h2.T + 2 * alpha * W3)
    b3 -= lr * (dscore.sum() + 2 * alpha * b3)
    W2 -= lr * (dh2 @ h1.T + 2 * alpha * W2)
    b2 -= lr * (dh2.sum(axis=1) + 2 * alpha * b2)
    W1 -= lr * (dh1 @ X + 2 * alpha * W1)
    b1 -= lr * (dh1.sum(axis=1) + 2 * alpha * b1)
    return float(loss)
