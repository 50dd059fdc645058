"""A 1-D function learned by a tiny network (seed 000, the first article), all nine figures.

The article ("浅析ChatGPT-机器学习和神经网络的训练", after Wolfram's essay) trains a
one-input, one-output network on a simple function; its nine figures were lost. This
regenerates each from a live computation:

1. the function to learn: t = sin(πx) on [−1, 1];
2. the network: 1 → 4 → 4 → 1, tanh hidden units, a linear output (33 parameters);
3. the functions it computes for random weights (every weight and bias ~ U(−2, 2));
4. fits from 5, 10, 20, 50 and 100 training examples (x ~ U(−1, 1), seeded);
5. the learning curve of the article's L2 loss, Σ (y − t)² over the examples;
6. the loss over two weights w₁, w₂ (every other weight at its trained value);
7. steepest descent on that landscape from an arbitrary start;
8. five "different but equivalent" solutions (same data, different initial weights);
9. the same five outside the training interval, on [−3, 3].

Why sin(πx) on [−1, 1]: one whole period, so no straight line and no single tanh
unit comes near it and random networks visibly miss it; smooth, so small tanh
networks fit it closely; and the truth keeps oscillating outside the interval while
every tanh network levels off, each at its own height: the extrapolations disagree with
each other and with the truth, the article's last point.

Why 1-4-4-1 tanh: one input and one output as the article says, two hidden layers so
the drawing has layers between them, tanh for smooth curves (ReLU fits have kinks, and
units that die). Width: with 2 units per layer some seeds stay far off (MSE against
sin(πx) up to 0.07 over seeds 0..7 after 1,500 full-batch Adam steps), 3 are just
enough, 4 leave a margin (every seed 0..7 under 2e-4); and 33 parameters keep the
drawing readable and the loss landscape cheap to compute.

Training is full-batch Adam on the per-example loss compiled once with
``autograd.compile`` (``examples._l2_loss``): the same steps as ``nn.fit``, about 1 s a
network. The five "equivalent" solutions use initial-weight seeds S … S + 4.

Run: ``python -m examples.function_fit [--seed S] [--plots DIR]``.
"""

from __future__ import annotations

import math
import os
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import autograd
import nn

from ._l2_loss import Descent, L2Loss, Landscape, descend, landscape, train
from ._report import add_plots_option, check_plots_folder, heading, parser, plot_lines, row, show

Rows = list[tuple[list[float], float]]

INTERVAL = (-1.0, 1.0)  # where the training examples are
OUTSIDE = (-3.0, 3.0)  # where the extrapolation is drawn
HIDDEN = (4, 4)
EXAMPLES = 50  # the main training set: the first 50 of the seeded stream
EXAMPLE_COUNTS = (5, 10, 20, 50, 100)
EPOCHS, LR = 1500, 0.01  # full-batch Adam steps
RANDOM_SETTINGS, RANDOM_RANGE = 5, 2.0
SOLUTIONS = 5
# the landscape: two weights from the input into the first two hidden units
LANDSCAPE_WEIGHTS = ("layers.0.neurons.0.w.0", "layers.0.neurons.2.w.0")
LANDSCAPE_HALF_WIDTH, LANDSCAPE_POINTS = 4.0, 41
DESCENT_START_OFFSET = (-3.2, 3.2)  # the two "arbitrary" starts: trained weights + (−3.2, ±3.2)
DESCENT_LR, DESCENT_STEPS = 0.0003, 2000
GRID_POINTS = 201  # where curves are evaluated, inside the interval and outside it


def target(x: float) -> float:
    """The function to learn: t = sin(πx)."""
    return math.sin(math.pi * x)


def examples(n: int, seed: int = 0) -> Rows:
    """The first ``n`` training examples ([x], sin(πx)) of the stream x ~ U(−1, 1) from ``seed``."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a whole number ≥ 1, got {n!r}")
    rng = random.Random(seed)
    xs = [rng.uniform(*INTERVAL) for _ in range(n)]
    return [([x], target(x)) for x in xs]


def network(seed: int = 0) -> nn.MLP:
    """The 1-4-4-1 network: tanh hidden units, a linear output, initial weights from ``seed``."""
    return nn.MLP(1, [*HIDDEN, 1], activation="tanh", seed=seed)


def grid(low: float, high: float, n: int = GRID_POINTS) -> np.ndarray:
    """``n`` evenly spaced x from ``low`` to ``high``."""
    return np.linspace(low, high, n)


def outputs(model: nn.MLP, xs: np.ndarray) -> np.ndarray:
    """The network's y at each x, by the compiled program (one row per x)."""
    program = autograd.compile(lambda x: model([x])[0], [0.0], model.parameters())
    return np.asarray(program(np.asarray(xs, float)[:, None]), float)


def randomize(model: nn.MLP, rng: random.Random) -> nn.MLP:
    """``model`` with every weight and bias drawn from U(−RANDOM_RANGE, RANDOM_RANGE)."""
    for p in model.parameters():
        p.data = rng.uniform(-RANDOM_RANGE, RANDOM_RANGE)
    return model


def mse_against_target(xs: np.ndarray, ys: np.ndarray) -> float:
    """Mean of (y − sin(πx))² over ``xs``."""
    truth = np.sin(np.pi * np.asarray(xs))
    return float(np.mean((np.asarray(ys) - truth) ** 2))


@dataclass(frozen=True)
class Fit:
    """One trained network drawn as a curve: its examples, y on the grid, its errors."""

    label: str
    examples: int
    inside: tuple[float, ...]  # y on grid(*INTERVAL)
    outside: tuple[float, ...]  # y on grid(*OUTSIDE)
    loss: tuple[float, ...]  # the L2 loss before each training step
    mse_inside: float  # against sin(πx), on the inside grid
    mse_outside: float  # against sin(πx), on the outside grid


def fit_curve(label: str, seed: int, rows: Rows, epochs: int) -> tuple[Fit, nn.MLP]:
    """Train ``network(seed)`` on ``rows``; the fit as data, and the trained network."""
    model = network(seed)
    loss = train(model, rows, epochs, LR)
    xin, xout = grid(*INTERVAL), grid(*OUTSIDE)
    yin, yout = outputs(model, xin), outputs(model, xout)
    return Fit(label, len(rows), tuple(yin.tolist()), tuple(yout.tolist()), tuple(loss),
               mse_against_target(xin, yin), mse_against_target(xout, yout)), model



@dataclass(frozen=True)
class FunctionFitResults:
    """What the nine figures show, for one seed (curves on ``x_inside`` / ``x_outside``)."""

    seed: int
    sizes: tuple[int, ...]
    num_parameters: int
    x_inside: tuple[float, ...]
    x_outside: tuple[float, ...]
    examples: tuple[tuple[float, float], ...]  # (x, t), the stream; the first EXAMPLES train main
    weights: tuple[tuple[tuple[float, ...], ...], ...]  # trained: weights[k][j][i], layer k
    random_curves: tuple[tuple[float, ...], ...]  # figure 3, on x_inside
    by_count: tuple[Fit, ...]  # figure 4, one per EXAMPLE_COUNTS entry
    main: Fit  # figure 5's learning curve; the first solution
    landscape: Landscape  # figure 6
    descents: tuple[Descent, ...]  # figure 7
    solutions: tuple[Fit, ...]  # figures 8 and 9

    @property
    def spread_inside(self) -> float:
        """Largest gap between any two solutions at any x of the training interval."""
        return _spread([s.inside for s in self.solutions])

    @property
    def spread_outside(self) -> float:
        """Largest gap between any two solutions at any x outside the training interval."""
        keep = [i for i, x in enumerate(self.x_outside) if not INTERVAL[0] <= x <= INTERVAL[1]]
        return _spread([[s.outside[i] for i in keep] for s in self.solutions])


def _spread(curves: Sequence[Sequence[float]]) -> float:
    table = np.array(curves, float)
    return float(np.max(table.max(axis=0) - table.min(axis=0)))


def _weights(model: nn.MLP) -> tuple[tuple[tuple[float, ...], ...], ...]:
    return tuple(tuple(tuple(w.data for w in n.w) for n in layer.neurons)
                 for layer in model.layers)


def run(seed: int = 0, epochs: int = EPOCHS, counts: Sequence[int] = EXAMPLE_COUNTS,
        solutions: int = SOLUTIONS, landscape_points: int = LANDSCAPE_POINTS,
        descent_steps: int = DESCENT_STEPS) -> FunctionFitResults:
    """Everything the nine figures draw: data from ``seed``, networks from seed, seed + 1, …"""
    if solutions < 2:
        raise ValueError(f"solutions must be at least 2 to compare, got {solutions!r}")
    for what, number, low in (("epochs", epochs, 1), ("landscape_points", landscape_points, 2),
                              ("descent_steps", descent_steps, 1)):
        if isinstance(number, bool) or not isinstance(number, int) or number < low:
            raise ValueError(f"{what} must be a whole number ≥ {low}, got {number!r}")
    rows = examples(max(EXAMPLES, *counts), seed)
    trained: dict[tuple[int, int], tuple[Fit, nn.MLP]] = {}

    def fitted(n: int, init: int, label: str) -> tuple[Fit, nn.MLP]:
        if (n, init) not in trained:  # the main fit is also a count and a solution
            trained[n, init] = fit_curve(label, init, rows[:n], epochs)
        return trained[n, init]

    main, model = fitted(EXAMPLES, seed, f"seed {seed}")
    by_count = tuple(fitted(n, seed, f"seed {seed}")[0] for n in counts)
    others = tuple(fitted(EXAMPLES, seed + k, f"seed {seed + k}")[0]
                   for k in range(1, solutions))

    rng = random.Random(seed)
    xin = grid(*INTERVAL)
    random_curves = tuple(tuple(outputs(randomize(network(seed), rng), xin).tolist())
                          for _ in range(RANDOM_SETTINGS))

    l2 = L2Loss(model, rows[:EXAMPLES])
    params = dict(model.named_parameters())
    pair = [params[name] for name in LANDSCAPE_WEIGHTS]
    centre = [p.data for p in pair]
    starts = [(DESCENT_START_OFFSET[0], side * DESCENT_START_OFFSET[1]) for side in (1, -1)]
    descents = tuple(
        Descent(offset, tuple(descend(l2, pair, [c + o for c, o in zip(centre, offset,
                                                                       strict=True)],
                                      DESCENT_LR, descent_steps)))
        for offset in starts)
    # the drawn window: the trained weights ± LANDSCAPE_HALF_WIDTH, and every path
    span = [(min(c - LANDSCAPE_HALF_WIDTH, *(p[k] for d in descents for p in d.path)),
             max(c + LANDSCAPE_HALF_WIDTH, *(p[k] for d in descents for p in d.path)))
            for k, c in enumerate(centre)]
    land = landscape(l2, pair, span, landscape_points, LANDSCAPE_WEIGHTS)
    return FunctionFitResults(
        seed, (1, *HIDDEN, 1), model.num_parameters(), tuple(xin.tolist()),
        tuple(grid(*OUTSIDE).tolist()), tuple((x[0], t) for x, t in rows),
        _weights(model), random_curves, by_count, main, land, descents, (main, *others))


def write_plots(r: FunctionFitResults, folder: str | os.PathLike,
                formats: Sequence[str] = ("png",)) -> list[Path]:
    """Draw the nine figures into ``folder`` (one file per figure and format), in order."""
    from viz.plots import save_figure  # only when plots are asked for: matplotlib is slow

    from ._figures_function_fit import FIGURES

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, draw in FIGURES.items():
        figure = draw(r)
        written += [save_figure(figure, folder / f"{name}.{fmt}") for fmt in formats]
    return written


def _descent_lines(r: FunctionFitResults) -> list[str]:
    bottom = r.landscape.trained
    lines = []
    for k, d in enumerate(r.descents, start=1):
        (a, b, first), (c, e, last) = d.path[0], d.end
        where = ("the trained weights' valley" if math.hypot(c - bottom[0], e - bottom[1]) < 0.5
                 else "a different dip: a \"mountain lake\"")
        lines.append(f"  start {k}: (w1, w2) = ({a:+.3f}, {b:+.3f}), L {first:.4g} → "
                     f"({c:+.3f}, {e:+.3f}), L {last:.4g}: {where}")
    return lines


def report(r: FunctionFitResults) -> list[str]:
    """The figures' numbers, each beside the article's claim, as printed lines."""
    sizes = "-".join(map(str, r.sizes))
    worst_random = min(mse_against_target(np.array(r.x_inside), np.array(c))
                       for c in r.random_curves)
    lines = [
        heading("1. The function to learn"),
        f"  t = sin(πx) on [{INTERVAL[0]:g}, {INTERVAL[1]:g}]; training examples x ~ "
        f"U({INTERVAL[0]:g}, {INTERVAL[1]:g}), seed {r.seed}",
        heading("2. The network"),
        row("inputs and outputs", "one and one", f"{r.sizes[0]} and {r.sizes[-1]}"),
        row(f"parameters of {sizes} (tanh, linear output)", None, r.num_parameters),
        heading("3. Random weights: \"far from the function we want\""),
        row("closest random network's MSE against sin(πx)", "far", worst_random),
        heading("4. More and more examples"),
        *[row(f"MSE against sin(πx) after {f.examples:>3} examples", None, f.mse_inside)
          for f in r.by_count],
        heading("5. Learning curve (L2 loss Σ (y − t)²)"),
        row(f"loss before step 1 → before step {len(r.main.loss)}", "falls",
            f"{r.main.loss[0]:.4g} → {r.main.loss[-1]:.4g}"),
        heading(f"6. Landscape over w1 = {r.landscape.names[0]}, w2 = {r.landscape.names[1]}"),
        row("L2 loss at the trained weights", None, r.landscape.trained[2]),
        row("highest L2 loss on the drawn grid", None, max(map(max, r.landscape.loss))),
        heading("7. Steepest descent (\"only guaranteed to reach a local minimum\")"),
        *_descent_lines(r),
        heading("8. Different but equivalent solutions (same data, other initial weights)"),
        *[row(f"{s.label}: MSE inside [{INTERVAL[0]:g}, {INTERVAL[1]:g}]", "≈ same",
              s.mse_inside) for s in r.solutions],
        row("largest gap between two solutions, inside", "small", r.spread_inside),
        heading(f"9. Extrapolation to [{OUTSIDE[0]:g}, {OUTSIDE[1]:g}]"),
        *[row(f"{s.label}: y at x = {OUTSIDE[0]:g} and {OUTSIDE[1]:g}", None,
              f"{s.outside[0]:+.3f}, {s.outside[-1]:+.3f}") for s in r.solutions],
        row("largest gap between two solutions, outside", "very different",
            r.spread_outside),
        row("gap outside / gap inside", None, f"{r.spread_outside / r.spread_inside:.0f}×"),
        "  sin(πx) keeps oscillating out there (it is 0 at x = ±3) while every tanh network",
        "  levels off: none extrapolates the truth, and the data cannot say which is \"right\".",
    ]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Print the nine figures' numbers beside the article's claims; with --plots, draw them."""
    p = parser("function_fit", "The first article: a 1-4-4-1 network learns sin(πx); "
               "its nine lost figures.")
    add_plots_option(p, "the nine figures")
    args = p.parse_args(argv)
    check_plots_folder(p, args.plots)  # before the training
    r = run(args.seed)
    show(report(r) + plot_lines(write_plots, r, args.plots))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
