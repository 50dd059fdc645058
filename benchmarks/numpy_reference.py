"""Hand-written numpy forward/backward for the benchmark's networks: the speed to beat.

A sigmoid MLP with a softmax + cross-entropy head (W4 digits, 784-50-100-10) and
micrograd's demo network (W1: ReLU MLP, SVM max-margin loss + L2), each written out by
hand with matrix products, trained with plain SGD. Derivatives here are written by
hand on purpose: this is the baseline the compiled op-table program is compared to.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SigmoidSoftmaxMLP", "MoonsMLP"]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


class SigmoidSoftmaxMLP:
    """sigmoid hidden layers, softmax output, mean cross-entropy; weights as matrices."""

    def __init__(self, sizes: list[int], seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.W = [rng.uniform(-1, 1, (n_out, n_in)) / np.sqrt(n_in)
                  for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)]
        self.b = [np.zeros(n_out) for n_out in sizes[1:]]

    def step(self, X: np.ndarray, y: np.ndarray, lr: float) -> float:
        """One SGD step on the batch (X: (batch, n_in), y: class indices); returns mean loss."""
        acts = [X.T]
        for k, (W, b) in enumerate(zip(self.W, self.b, strict=True)):
            z = W @ acts[-1] + b[:, None]
            acts.append(_sigmoid(z) if k < len(self.W) - 1 else z)
        z = acts[-1]
        shifted = z - z.max(axis=0)
        log_total = np.log(np.exp(shifted).sum(axis=0))
        cols = np.arange(len(y))
        loss = float(np.mean(log_total - shifted[y, cols]))
        delta = np.exp(shifted - log_total)  # softmax
        delta[y, cols] -= 1.0
        delta /= len(y)
        for k in range(len(self.W) - 1, -1, -1):
            a = acts[k]
            grad_W = delta @ a.T
            grad_b = delta.sum(axis=1)
            if k:
                delta = (self.W[k].T @ delta) * a * (1.0 - a)
            self.W[k] -= lr * grad_W
            self.b[k] -= lr * grad_b
        return loss


class MoonsMLP:
    """micrograd's demo: MLP(2, [16, 16, 1]) ReLU, SVM loss mean(relu(1 − y·s)) + 1e-4·Σp²."""

    def __init__(self, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        sizes = [2, 16, 16, 1]
        self.W = [rng.uniform(-1, 1, (n_out, n_in))
                  for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)]
        self.b = [np.zeros(n_out) for n_out in sizes[1:]]

    def step(self, X: np.ndarray, y: np.ndarray, lr: float, alpha: float = 1e-4) -> float:
        """One full-batch SGD step; returns the total loss."""
        acts, pre = [X.T], []
        for k, (W, b) in enumerate(zip(self.W, self.b, strict=True)):
            z = W @ acts[-1] + b[:, None]
            pre.append(z)
            acts.append(np.maximum(z, 0.0) if k < len(self.W) - 1 else z)
        scores = acts[-1][0]
        margins = 1.0 - y * scores
        data_loss = np.maximum(margins, 0.0).mean()
        reg = alpha * sum((W * W).sum() + (b * b).sum() for W, b in zip(self.W, self.b,
                                                                        strict=True))
        delta = (-y * (margins > 0) / len(y))[None, :]
        for k in range(len(self.W) - 1, -1, -1):
            grad_W = delta @ acts[k].T + 2 * alpha * self.W[k]
            grad_b = delta.sum(axis=1) + 2 * alpha * self.b[k]
            if k:
                delta = (self.W[k].T @ delta) * (pre[k - 1] > 0)
            self.W[k] -= lr * grad_W
            self.b[k] -= lr * grad_b
        return float(data_loss + reg)
