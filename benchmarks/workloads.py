"""The four benchmark workloads, written once and run on either engine.

Every builder takes the engine's ``Value`` class (stepgrad's or micrograd's) and, where
the graph shape differs, a ``total`` function: Python's builtin ``sum`` builds a chain
of binary adds exactly as micrograd does, ``autograd.sum`` builds one n-ary node (the
way this project's ``nn`` builds a neuron). Randomness comes from ``random.Random(seed)``
passed in, never the global generator.
"""

from __future__ import annotations

import builtins
import math
import random
from collections.abc import Callable, Sequence

Total = Callable[[Sequence], object]

__all__ = [
    "MicroMLP", "NaryMLP", "moons", "digits", "w1_step", "w2_chain", "w3_sum_of_products",
    "w4_sample_step", "sgd", "add_micrograd_ops",
]


# --- data --------------------------------------------------------------------------


def moons(n: int = 100) -> tuple[list[list[float]], list[float]]:
    """(points, labels ±1): micrograd's demo data, make_moons(noise=0.1, random_state=1)."""
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples=n, noise=0.1, random_state=1)
    return [[float(a), float(b)] for a, b in X], [float(2 * t - 1) for t in y]


def digits() -> tuple[list[list[float]], list[int]]:
    """(pixels scaled to [0, 1], class) for the 1,437-image training part of sklearn digits."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    data = load_digits()
    X_train, _, y_train, _ = train_test_split(
        data.data / 16.0, data.target, test_size=0.2, random_state=0
    )
    return [[float(p) for p in row] for row in X_train], [int(t) for t in y_train]


# --- models --------------------------------------------------------------------------


class MicroMLP:
    """micrograd's MLP, node for node: ``sum((wi*xi ...), b)`` is a chain of binary adds.

    ``activations`` names the method applied after each layer ("relu", "sigmoid" or
    "" for linear), so the same class serves W1 (relu) and W4 (sigmoid).
    """

    def __init__(self, value: type, nin: int, nouts: Sequence[int],
                 activations: Sequence[str], rng: random.Random) -> None:
        sizes = [nin, *nouts]
        self.activations = list(activations)
        # layers[l][j] = (weights, bias) of neuron j in layer l
        self.layers = [
            [([value(rng.uniform(-1, 1)) for _ in range(sizes[i])], value(0.0))
             for _ in range(sizes[i + 1])]
            for i in range(len(nouts))
        ]

    def neuron(self, w: list, b: object, x: Sequence) -> object:
        """micrograd's Neuron: b + w0·x0 + w1·x1 + … as binary adds."""
        return builtins.sum((wi * xi for wi, xi in zip(w, x, strict=True)), b)

    def __call__(self, x: Sequence) -> list:
        """The outputs of the last layer (a list, even for one output)."""
        for layer, act in zip(self.layers, self.activations, strict=True):
            x = [self.neuron(w, b, x) for w, b in layer]
            if act:
                x = [getattr(v, act)() for v in x]
        return x

    def parameters(self) -> list:
        """Every weight and bias, in micrograd's order."""
        return [p for layer in self.layers for w, b in layer for p in (*w, b)]


class NaryMLP(MicroMLP):
    """The same network with one n-ary ``autograd.sum`` node per neuron (this project's nn)."""

    def neuron(self, w: list, b: object, x: Sequence) -> object:
        """Σ(w·x) + b as ONE sum node."""
        import autograd

        return autograd.sum([*(wi * xi for wi, xi in zip(w, x, strict=True)), b])


def sgd(parameters: Sequence, lr: float) -> None:
    """p.data -= lr·p.grad, then zero the gradient (micrograd's demo loop)."""
    for p in parameters:
        p.data -= lr * p.grad
        p.grad = 0.0


# --- workloads --------------------------------------------------------------------------


def w1_step(model: MicroMLP, X: Sequence, y: Sequence[float], value: type,
            total: Total, lr: float) -> float:
    """One step of micrograd's demo: SVM max-margin loss + 1e-4·L2, backward, SGD; the loss."""
    inputs = [[value(a) for a in row] for row in X]
    scores = [model(x)[0] for x in inputs]
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores, strict=True)]
    data_loss = total(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * total([p * p for p in model.parameters()])
    loss = data_loss + reg_loss
    loss.backward()
    sgd(model.parameters(), lr)
    return loss.data


def w2_chain(value: type, depth: int) -> float:
    """x = x·1.0001 + 0.0001, ``depth`` times, then backward; dx_final/dx_0."""
    x0 = value(1.0)
    x = x0
    for _ in range(depth):
        x = x * 1.0001 + 0.0001
    x.backward()
    return x0.grad


def w3_sum_of_products(value: type, total: Total, n: int) -> float:
    """Σ aᵢ·bᵢ over ``n`` pairs, then backward; ∂/∂a₀."""
    a = [value(float(i % 7)) for i in range(n)]
    b = [value(float(i % 5) + 0.5) for i in range(n)]
    out = total([ai * bi for ai, bi in zip(a, b, strict=True)])
    out.backward()
    return a[0].grad


def w4_sample_step(model: MicroMLP, pixels: Sequence[float], target: int, value: type,
                   total: Total, lr: float) -> float:
    """One per-sample SGD step: softmax of the logits, cross-entropy −ln p[target]; the loss."""
    logits = model([value(p) for p in pixels])
    exps = [z.exp() for z in logits]
    inverse = total(exps) ** -1  # micrograd divides as a·b⁻¹: the same two nodes here
    probs = [e * inverse for e in exps]
    loss = -probs[target].log()
    loss.backward()
    sgd(model.parameters(), lr)
    return loss.data


# --- micrograd lacks exp, log and sigmoid: added in its own closure style ------------------


def add_micrograd_ops(value: type) -> None:
    """Give micrograd's Value exp, log and sigmoid, written as micrograd writes its ops."""

    def exp(self):
        out = value(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def log(self):
        out = value(math.log(self.data), (self,), "log")

        def _backward():
            self.grad += (1.0 / self.data) * out.grad
        out._backward = _backward
        return out

    def sigmoid(self):
        out = value(1.0 / (1.0 + math.exp(-self.data)), (self,), "sigmoid")

        def _backward():
            self.grad += out.data * (1.0 - out.data) * out.grad
        out._backward = _backward
        return out

    value.exp, value.log, value.sigmoid = exp, log, sigmoid
