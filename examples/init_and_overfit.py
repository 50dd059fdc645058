"""Two warnings from the notes (seed 003): all-zero initialisation, and overfitting.

Zero initialisation: every neuron of a hidden layer then computes the same thing,
receives the same gradient and makes the same update, so the neurons stay identical
forever and the layer is no wider than one neuron. With sigmoid they move together;
with tanh (tanh 0 = 0, so no gradient reaches the hidden weights) they never move at
all. Shown on a U-shaped target t = (x − 1.7)², which one sigmoid unit cannot draw but four
different ones can.

Overfitting: a network far bigger than its data (1-16-1, 49 parameters, on 8 noisy
points of t = x/2 + noise) first learns the line, then bends to pass through the noise:
from some epoch on the training loss keeps falling while the loss on fresh points
from the same line rises. A linear neuron (2 parameters) on the same points does not.

Run: ``python -m examples.init_and_overfit [--seed S] [--epochs N]``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import nn

from ._report import heading, parser, row, show

Rows = list[tuple[list[float], float]]

SYMMETRY_HIDDEN, SYMMETRY_EPOCHS, SYMMETRY_LR = 4, 300, 0.05
OVERFIT_HIDDEN, OVERFIT_EPOCHS, OVERFIT_LR = 16, 1000, 0.03
TRAIN_POINTS, TEST_POINTS, NOISE = 8, 40, 0.3
EVERY = 25  # epochs between two measurements of the train and test loss


def u_shape() -> Rows:
    """Nine points of t = (x − 1.7)² for x = 0, 0.5, …, 4: a U needs two units, not one.

    The bottom is off-centre on purpose: for a U symmetric about the inputs' middle,
    t is uncorrelated with x and a constant fit gives the hidden weights zero gradient
    by symmetry alone, which would hide the effect shown here; too far off-centre and
    the U is nearly monotone, which one unit can fit.
    """
    return [([x / 2], (x / 2 - 1.7) ** 2) for x in range(9)]


def noisy_line(n: int, seed: int | random.Random, noise: float = NOISE) -> Rows:
    """``n`` points x ~ U(−3, 3), t = x/2 + N(0, noise²), drawn from ``seed``."""
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    points = []
    for _ in range(n):
        x = rng.uniform(-3.0, 3.0)
        points.append(([x], 0.5 * x + rng.gauss(0.0, noise)))
    return points


@dataclass(frozen=True)
class Symmetry:
    """A trained 1-4-1 network: each hidden neuron's (w, b), and the loss per epoch."""

    init: str
    activation: str
    hidden: tuple[tuple[float, float], ...]
    loss: tuple[float, ...]

    @property
    def identical(self) -> bool:
        """True when every hidden neuron ended with exactly the same weight and bias."""
        return len(set(self.hidden)) == 1


def symmetry(init: str, activation: str = "sigmoid", seed: int = 0,
             epochs: int = SYMMETRY_EPOCHS) -> Symmetry:
    """Train MLP(1, [4, 1]) with ``init`` on the U-shape (Adam, full batch); return its neurons."""
    model = nn.MLP(1, [SYMMETRY_HIDDEN, 1], activation=activation, init=init, seed=seed)
    history = nn.fit(model, u_shape(), loss=nn.mse, optimizer=nn.Adam(model, lr=SYMMETRY_LR),
                     epochs=epochs, batch_size=None, shuffle=False, progress=False)
    hidden = tuple((n.w[0].data, n.b.data) for n in model.layers[0].neurons)
    return Symmetry(init, activation, hidden, tuple(history.train_loss))


@dataclass(frozen=True)
class Overfit:
    """Train and test loss measured every ``EVERY`` epochs (epoch 0: before training)."""

    name: str
    num_parameters: int
    epochs: tuple[int, ...]
    train_loss: tuple[float, ...]
    test_loss: tuple[float, ...]

    @property
    def best(self) -> int:
        """Index of the lowest test loss: the epoch to stop at."""
        return min(range(len(self.test_loss)), key=self.test_loss.__getitem__)

    @property
    def best_epoch(self) -> int:
        """The epoch where the test loss is lowest."""
        return self.epochs[self.best]


def track(model: nn.Module, train: Rows, test: Rows, name: str, epochs: int, lr: float,
          every: int = EVERY) -> Overfit:
    """Train ``model`` full-batch with Adam, measuring train and test MSE every ``every`` epochs."""
    optimizer = nn.Adam(model, lr=lr)  # one optimizer across the chunks keeps Adam's state
    marks = [0]
    train_loss = [nn.evaluate(model, train, nn.mse)[0]]
    test_loss = [nn.evaluate(model, test, nn.mse)[0]]
    while marks[-1] < epochs:
        chunk = min(every, epochs - marks[-1])
        nn.fit(model, train, loss=nn.mse, optimizer=optimizer, epochs=chunk, batch_size=None,
               shuffle=False, progress=False)
        marks.append(marks[-1] + chunk)
        train_loss.append(nn.evaluate(model, train, nn.mse)[0])
        test_loss.append(nn.evaluate(model, test, nn.mse)[0])
    return Overfit(name, model.num_parameters(), tuple(marks), tuple(train_loss),
                   tuple(test_loss))


def overfit(seed: int = 0, epochs: int = OVERFIT_EPOCHS) -> tuple[Overfit, Overfit]:
    """(too big, right size): a 1-16-1 tanh MLP and a linear neuron on the same 8 noisy points."""
    rng = random.Random(seed)
    train, test = noisy_line(TRAIN_POINTS, rng), noisy_line(TEST_POINTS, rng)
    big = nn.MLP(1, [OVERFIT_HIDDEN, 1], activation="tanh", seed=seed)
    line = nn.Neuron(1, seed=seed)
    return (
        track(big, train, test, f"1-{OVERFIT_HIDDEN}-1 tanh MLP", epochs, OVERFIT_LR),
        track(line, train, test, "linear neuron", epochs, OVERFIT_LR),
    )


def _symmetry_lines(s: Symmetry) -> list[str]:
    neurons = "  ".join(f"({w:+.3f}, {b:+.3f})" for w, b in s.hidden)
    return [
        f"  init {s.init:<8} {s.activation:<8} final MSE {s.loss[-1]:.4f}  "
        f"hidden (w, b): {neurons}",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Print the symmetry runs and the overfitting curve; return 0."""
    p = parser("init_and_overfit", "All-zero initialisation keeps neurons identical; "
               "a too-big net overfits.")
    p.add_argument("--epochs", type=int, default=OVERFIT_EPOCHS,
                   help=f"epochs of the overfitting run (default {OVERFIT_EPOCHS})")
    args = p.parse_args(argv)
    if args.epochs < EVERY:
        p.error(f"--epochs must be at least {EVERY}, got {args.epochs}")
    runs = [symmetry("zeros", "sigmoid", args.seed), symmetry("zeros", "tanh", args.seed),
            symmetry("uniform", "sigmoid", args.seed)]
    lines = [heading(f"All-zero initialisation: 1-{SYMMETRY_HIDDEN}-1 on t = (x − 1.7)², "
                     f"{SYMMETRY_EPOCHS} epochs")]
    for s in runs:
        lines += _symmetry_lines(s)
    lines += [
        row("zeros, sigmoid: hidden neurons identical", True, runs[0].identical),
        row("zeros, tanh: hidden weights never left 0", True,
            all(wb == (0.0, 0.0) for wb in runs[1].hidden)),
        row("random init: hidden neurons identical", False, runs[2].identical),
    ]
    big, line = overfit(args.seed, args.epochs)
    lines.append(heading(f"Overfitting: {TRAIN_POINTS} noisy points of t = x/2, "
                         f"{TEST_POINTS} fresh test points, seed {args.seed}"))
    for run in (big, line):
        lines.append(f"  {run.name} ({run.num_parameters} parameters)")
        shown = set(range(0, len(run.epochs), max(1, len(run.epochs) // 8)))
        for k in sorted(shown | {run.best, len(run.epochs) - 1}):
            mark = "  ← lowest test loss" if k == run.best else ""
            lines.append(f"    epoch {run.epochs[k]:>5}: train {run.train_loss[k]:.4f}  "
                         f"test {run.test_loss[k]:.4f}{mark}")
    b = big.best
    lines += [
        row("epoch with the lowest test loss (too big)", None, big.best_epoch),
        row("after it: train loss", "keeps falling",
            f"{big.train_loss[b]:.4f} → {big.train_loss[-1]:.4f}"),
        row("after it: test loss", "rises",
            f"{big.test_loss[b]:.4f} → {big.test_loss[-1]:.4f}"),
        row("linear neuron: test loss at the end", None, line.test_loss[-1]),
    ]
    show(lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
