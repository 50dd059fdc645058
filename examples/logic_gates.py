"""One neuron as a logic gate, and why XOR needs a hidden layer (seed 001).

A threshold neuron outputs 1 when w1·x1 + w2·x2 ≥ θ, else 0: an ``nn.Neuron`` with
``activation="step"`` and bias −θ. The article's AND is w1 = w2 = 0.5, θ = 0.7; OR
works with θ = 0.3. For XOR a grid search over w1, w2 and θ finds no triple: the
points (0,1), (1,0) and (0,0), (1,1) cannot be split by one line. Of the 16 functions
of two bits the grid realises 14: all but XOR and XNOR. A 2-2-1 network with a tanh
hidden layer and a sigmoid output then learns XOR by gradient descent (with the
default settings every seed 0..9 does; a 2-unit hidden layer can get stuck for other
settings, which is why ``main`` reports the count over seeds, not one lucky run).

Run: ``python -m examples.logic_gates [--seed S]``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import nn
from autograd import no_grad

from ._report import heading, parser, row, show

INPUTS = ((0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0))
ARTICLE_WEIGHTS = {"and": (0.5, 0.5, 0.7), "or": (0.5, 0.5, 0.3)}  # (w1, w2, θ)
# w1, w2 on tenths −1..1; θ halfway between tenths, so w1·x1 + w2·x2 never ties with θ
# and float rounding cannot decide a case.
WEIGHT_GRID = tuple(i / 10 for i in range(-10, 11))
THRESHOLD_GRID = tuple((2 * i + 1) / 20 for i in range(-11, 11))
XOR_HIDDEN = 2
XOR_EPOCHS = 300
XOR_LR = 0.5
XOR_MOMENTUM = 0.9
SEEDS_SHOWN = 10  # main reports how many of seeds 0..9 learn XOR, not just the lucky one


def threshold_neuron(w1: float, w2: float, theta: float) -> nn.Neuron:
    """The neuron y = 1 if w1·x1 + w2·x2 ≥ θ else 0 (bias −θ, step activation)."""
    return nn.Neuron(2, activation="step", weights=[w1, w2], bias=-theta)


def truth_table(model: nn.Module) -> tuple[int, ...]:
    """The model's outputs on (0,0), (0,1), (1,0), (1,1), each rounded to 0 or 1."""
    with no_grad():
        return tuple(int(nn.scalar(model(list(x))).data >= 0.5) for x in INPUTS)


@dataclass(frozen=True)
class GridSearch:
    """Every truth table a single threshold neuron reached on the grid, with its solutions."""

    tried: int
    solutions: dict[tuple[int, ...], list[tuple[float, float, float]]]

    def count(self, gate: str) -> int:
        """How many (w1, w2, θ) of the grid compute ``gate`` ("and", "or", "xor", …)."""
        return len(self.solutions.get(nn.datasets.GATES[gate], []))

    @property
    def realised(self) -> int:
        """How many of the 16 two-input boolean functions some grid neuron computes."""
        return len(self.solutions)


def grid_search(
    weights: Sequence[float] = WEIGHT_GRID, thresholds: Sequence[float] = THRESHOLD_GRID
) -> GridSearch:
    """Try every (w1, w2, θ) of the grid on one step neuron; group them by truth table."""
    neuron = threshold_neuron(0.0, 0.0, 0.0)
    solutions: dict[tuple[int, ...], list[tuple[float, float, float]]] = {}
    tried = 0
    # one neuron whose parameters move over the grid, as training would move them
    for w1, w2, theta in itertools.product(weights, weights, thresholds):
        neuron.w[0].data, neuron.w[1].data, neuron.b.data = w1, w2, -theta
        solutions.setdefault(truth_table(neuron), []).append((w1, w2, theta))
        tried += 1
    return GridSearch(tried, solutions)


@dataclass(frozen=True)
class XorResults:
    """The trained 2-2-1 network's outputs on the four inputs and its loss per epoch."""

    outputs: tuple[float, ...]
    loss: tuple[float, ...]
    hidden_lines: tuple[tuple[float, float, float], ...]  # each hidden neuron's (w1, w2, b)

    @property
    def learned(self) -> bool:
        """True when every output is on the right side of 0.5."""
        return tuple(int(y >= 0.5) for y in self.outputs) == nn.datasets.GATES["xor"]


def train_xor(
    seed: int = 0, hidden: int = XOR_HIDDEN, epochs: int = XOR_EPOCHS, lr: float = XOR_LR
) -> XorResults:
    """A 2-``hidden``-1 tanh/sigmoid MLP trained on XOR: full batch, SGD with momentum, BCE."""
    model = nn.MLP(2, [hidden, 1], activation="tanh", output_activation="sigmoid", seed=seed)
    data = nn.datasets.logic_gate("xor")
    history = nn.fit(
        model, data, loss=nn.binary_cross_entropy,
        optimizer=nn.SGD(model, lr=lr, momentum=XOR_MOMENTUM),
        epochs=epochs, batch_size=None, shuffle=False, seed=seed, progress=False,
    )
    with no_grad():
        outputs = tuple(nn.scalar(model(list(x))).data for x in INPUTS)
    lines = tuple((n.w[0].data, n.w[1].data, n.b.data) for n in model.layers[0].neurons)
    return XorResults(outputs, tuple(history.train_loss), lines)


def separating_line(w1: float, w2: float, theta: float) -> tuple[tuple[float, float], ...]:
    """Two points of the line w1·x1 + w2·x2 = θ spanning x1 in [−0.5, 1.5] (for a plot)."""
    if w2 == 0:
        if w1 == 0:
            raise ValueError("w1 = w2 = 0 draws no line: the neuron's output is constant")
        return ((theta / w1, -0.5), (theta / w1, 1.5))
    return tuple((x1, (theta - w1 * x1) / w2) for x1 in (-0.5, 1.5))


def _table(name: str, outputs: tuple[int, ...]) -> list[str]:
    expected = nn.datasets.GATES[name]
    return [
        f"    x = ({int(x[0])}, {int(x[1])})  {name.upper()} {t}  neuron {y}"
        for x, t, y in zip(INPUTS, expected, outputs, strict=True)
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Print the AND/OR truth tables, the XOR grid search and the trained XOR net; return 0."""
    p = parser("logic_gates", "Logic gates as threshold neurons; XOR needs a hidden layer.")
    args = p.parse_args(argv)
    lines = []
    for name, (w1, w2, theta) in ARTICLE_WEIGHTS.items():
        table = truth_table(threshold_neuron(w1, w2, theta))
        lines.append(heading(f"{name.upper()}: w1 = {w1}, w2 = {w2}, θ = {theta}"))
        lines += _table(name, table)
        lines.append(row(f"{name.upper()} computed by this neuron", True,
                         table == nn.datasets.GATES[name]))
    search = grid_search()
    lines += [
        heading(f"Grid search: w1, w2 in −1..1 (step 0.1), θ in ±0.05..±1.05 "
                f"({search.tried:,} neurons)"),
        row("neurons computing AND", "some", search.count("and")),
        row("neurons computing OR", "some", search.count("or")),
        row("neurons computing XOR", 0, search.count("xor")),
        row("neurons computing XNOR", None, search.count("xnor")),
        row("two-input functions realised (of 16)", None, search.realised),
    ]
    xor = train_xor(seed=args.seed)
    lines += [
        heading(f"XOR by a 2-{XOR_HIDDEN}-1 network (tanh, then sigmoid), seed {args.seed}"),
        f"  {XOR_EPOCHS} full-batch SGD steps, lr {XOR_LR}, momentum {XOR_MOMENTUM}, "
        "binary cross-entropy",
    ]
    for x, t, y in zip(INPUTS, nn.datasets.GATES["xor"], xor.outputs, strict=True):
        lines.append(f"    x = ({int(x[0])}, {int(x[1])})  XOR {t}  network {y:.4f}")
    learned = sum(train_xor(seed=s).learned for s in range(SEEDS_SHOWN))
    lines += [
        row("loss (binary cross-entropy) first → last", None,
            f"{xor.loss[0]:.4f} → {xor.loss[-1]:.4f}"),
        row("XOR learned (all 4 on the right side of 0.5)", True, xor.learned),
        row(f"seeds 0..{SEEDS_SHOWN - 1} that learn XOR", None, f"{learned}/{SEEDS_SHOWN}"),
    ]
    show(lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
