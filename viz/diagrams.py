"""Diagrams: a network's layers, threshold neurons' lines, a narrowing search, bar groups.

- ``network_diagram``: units as circles, layer by layer, every connection a line
  (coloured by the sign of its weight and as thick as its size, when weights are given);
- ``decision_lines``: the four inputs of a two-input logic gate, filled where the gate
  is 1 and hollow where it is 0, with lines w1·x1 + w2·x2 = θ;
- ``narrowing_plot``: a search that narrows an interval (bisection), guess by guess;
- ``distribution_bars``: several distributions over the same categories (softmax at
  several temperatures).

Each returns a ``matplotlib.figure.Figure``; write it with ``viz.plots.save_figure``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .figure import ACCENT, PALETTE, check_title, finish, finite_numbers, new_figure

__all__ = ["network_diagram", "GatePanel", "decision_lines", "narrowing_plot",
           "distribution_bars"]

_POSITIVE, _NEGATIVE, _UNIT = "#0072B2", "#D55E00", "#e0e7ff"
GATE_INPUTS = ((0, 0), (0, 1), (1, 0), (1, 1))


def _check_sizes(sizes: object) -> list[int]:
    if not isinstance(sizes, Sequence) or len(sizes) < 2 or not all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in sizes):
        raise ValueError(f"sizes must list at least 2 layer widths ≥ 1, got {sizes!r}")
    return list(sizes)


def _unit_heights(n: int) -> list[float]:
    return [(n - 1) / 2 - i for i in range(n)]  # centred on 0, first unit on top


def network_diagram(
    sizes: Sequence[int], *, weights: Sequence[Sequence[Sequence[float]]] | None = None,
    layer_names: Sequence[str] | None = None, unit_names: Mapping[int, Sequence[str]] | None = None,
    title: str | None = None,
) -> Figure:
    """Units of each layer as circles, every connection as a line; returns the Figure.

    ``weights[k][j][i]`` is the weight from unit i of layer k to unit j of layer k + 1
    (an ``nn.MLP``'s ``layers[k].neurons[j].w[i]``): lines are blue when positive,
    orange when negative, thicker when larger. ``layer_names`` are written under the
    layers; ``unit_names[k]`` names the units of layer k (e.g. {0: ["x"], 3: ["y"]}).
    """
    check_title(title)
    widths = _check_sizes(sizes)
    if layer_names is not None and len(layer_names) != len(widths):
        raise ValueError(f"layer_names needs {len(widths)} names, got {len(layer_names)}")
    scale = 0.0
    if weights is not None:
        if len(weights) != len(widths) - 1:
            raise ValueError(f"weights needs {len(widths) - 1} matrices, got {len(weights)}")
        for k, matrix in enumerate(weights):
            if len(matrix) != widths[k + 1]:
                raise ValueError(f"weights[{k}] needs {widths[k + 1]} rows (one per unit of "
                                 f"layer {k + 1}), got {len(matrix)}")
            for j, row in enumerate(matrix):
                values = finite_numbers(row, f"weights[{k}][{j}]", widths[k])
                scale = max([scale, *map(abs, values)])
    tallest = max(widths)
    fig = new_figure(1.9 * len(widths) + 1.5, 0.55 * tallest + 1.8)
    ax = fig.subplots()
    for k in range(len(widths) - 1):
        for j, y_to in enumerate(_unit_heights(widths[k + 1])):
            for i, y_from in enumerate(_unit_heights(widths[k])):
                if weights is None:
                    colour, lw = "#94a3b8", 0.8
                else:
                    w = float(weights[k][j][i])
                    colour = _POSITIVE if w >= 0 else _NEGATIVE
                    lw = 0.3 + 3.2 * abs(w) / scale if scale else 0.8
                ax.plot([k, k + 1], [y_from, y_to], color=colour, lw=lw, alpha=0.8, zorder=1)
    for k, n in enumerate(widths):
        names = (unit_names or {}).get(k)
        for i, y in enumerate(_unit_heights(n)):
            ax.scatter([k], [y], s=520, color=_UNIT, edgecolors="#3730a3", zorder=2)
            if names is not None and i < len(names):
                ax.annotate(names[i], (k, y), ha="center", va="center", zorder=3)
        if layer_names is not None:
            ax.annotate(layer_names[k], (k, -(tallest - 1) / 2 - 0.9), ha="center",
                        va="top", fontsize="small")
    if weights is not None:
        ax.legend(handles=[Line2D([], [], color=_POSITIVE, lw=2, label="w > 0"),
                           Line2D([], [], color=_NEGATIVE, lw=2, label="w < 0")],
                  loc="upper right", fontsize="small")
    ax.set_xlim(-0.6, len(widths) - 0.4)
    ax.set_ylim(-(tallest - 1) / 2 - 1.6, (tallest - 1) / 2 + 0.7)
    ax.set_axis_off()
    return finish(fig, title)


@dataclass(frozen=True)
class GatePanel:
    """One gate for ``decision_lines``: outputs on (0,0), (0,1), (1,0), (1,1), and lines.

    Each line is (w1, w2, θ, label): the points where w1·x1 + w2·x2 = θ. With
    ``shade`` the side where w1·x1 + w2·x2 ≥ θ (the neuron outputs 1) is tinted.
    """

    title: str
    outputs: tuple[int, int, int, int]
    lines: Sequence[tuple[float, float, float, str]] = ()
    shade: bool = True


def _line_points(w1: float, w2: float, theta: float) -> tuple[list[float], list[float]]:
    if w2 == 0:
        if w1 == 0:
            raise ValueError("w1 = w2 = 0 draws no line: the neuron's output is constant")
        return [theta / w1] * 2, [-0.5, 1.5]
    return [-0.5, 1.5], [(theta - w1 * x) / w2 for x in (-0.5, 1.5)]


def decision_lines(panels: Sequence[GatePanel], *, title: str | None = None,
                   names: tuple[str, str] = ("x1", "x2")) -> Figure:
    """One panel per gate: the four inputs (filled = 1, hollow = 0) and its lines."""
    check_title(title)
    if not panels or not all(isinstance(p, GatePanel) for p in panels):
        raise TypeError(f"panels must be a non-empty list of GatePanel, got {panels!r}")
    fig = new_figure(3.6 * len(panels), 4.0)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, panel in zip(axes, panels, strict=True):
        if len(panel.outputs) != 4 or any(o not in (0, 1) for o in panel.outputs):
            raise ValueError(f"{panel.title!r}: outputs must be four 0/1 values, got "
                             f"{panel.outputs!r}")
        for k, (w1, w2, theta, label) in enumerate(panel.lines):
            xs, ys = _line_points(*finite_numbers((w1, w2, theta), f"line {label!r}"))
            colour = PALETTE[k % len(PALETTE)]
            ax.plot(xs, ys, ls="--", color=colour, lw=1.6, label=label)
            if panel.shade:
                _shade(ax, w1, w2, theta, colour)
        for (x1, x2), out in zip(GATE_INPUTS, panel.outputs, strict=True):
            ax.scatter([x1], [x2], s=160, zorder=3, linewidths=2, edgecolors="#111827",
                       color="#111827" if out else "white")
            ax.annotate(f"y={out}", (x1, x2), textcoords="offset points", xytext=(10, 8),
                        fontsize="small")
        ax.set_xlim(-0.5, 1.5)
        ax.set_ylim(-0.5, 1.5)
        ax.set_aspect("equal")
        ax.set_xlabel(names[0])
        ax.set_ylabel(names[1])
        ax.set_title(panel.title, fontsize="medium")
        ax.grid(alpha=0.3)
        if panel.lines:
            ax.legend(loc="upper left", fontsize="x-small")
    return finish(fig, title)


def _shade(ax, w1: float, w2: float, theta: float, colour: str) -> None:
    grid = np.linspace(-0.5, 1.5, 81)
    g1, g2 = np.meshgrid(grid, grid)
    ax.contourf(g1, g2, (w1 * g1 + w2 * g2 >= theta).astype(float), levels=[0.5, 1.5],
                colors=[colour], alpha=0.12)


def narrowing_plot(
    guesses: Sequence[float], lows: Sequence[float], highs: Sequence[float], target: float,
    *, title: str | None = None, xlabel: str = "guess", ylabel: str = "number",
    labels: tuple[str, str, str] = ("still possible", "guess", "hidden number"),
) -> Figure:
    """Guess k as a dot inside the interval [lows[k], highs[k]] still possible before it."""
    check_title(title)
    g = finite_numbers(guesses, "guesses")
    lo = finite_numbers(lows, "lows", len(g))
    hi = finite_numbers(highs, "highs", len(g))
    fig = new_figure(7, 4.2)
    ax = fig.subplots()
    steps = list(range(1, len(g) + 1))
    ax.bar(steps, [h - low for low, h in zip(lo, hi, strict=True)], bottom=lo, width=0.5,
           color=PALETTE[5], alpha=0.5, label=labels[0])
    ax.plot(steps, g, color=PALETTE[0], marker="o", lw=1.2, label=labels[1], zorder=3)
    for k, (guess, low, high) in enumerate(zip(g, lo, hi, strict=True), start=1):
        ax.annotate(f"{guess:g}  [{low:g}, {high:g}]", (k, guess), textcoords="offset points",
                    xytext=(10, -4), fontsize="small")
    ax.axhline(float(target), color=ACCENT, ls=":", lw=1.5, label=f"{labels[2]} {target:g}")
    ax.set_xticks(steps)
    ax.set_xlim(0.5, len(g) + 1.5)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3, axis="y")
    ax.legend(loc="upper right", fontsize="small")
    return finish(fig, title)


def distribution_bars(categories: Sequence[str], distributions: Mapping[str, Sequence[float]],
                      *, title: str | None = None, ylabel: str = "probability") -> Figure:
    """Grouped bars: for each category, one bar per named distribution."""
    check_title(title)
    if not distributions:
        raise ValueError("distribution_bars needs at least one distribution")
    cats = [str(c) for c in categories]
    fig = new_figure(7, 4.2)
    ax = fig.subplots()
    width = 0.8 / len(distributions)
    for k, (label, probs) in enumerate(distributions.items()):
        values = finite_numbers(probs, f"distribution {label!r}", len(cats))
        offset = (k - (len(distributions) - 1) / 2) * width
        ax.bar([i + offset for i in range(len(cats))], values, width=width,
               color=PALETTE[k % len(PALETTE)], label=label)
    ax.set_xticks(range(len(cats)), cats)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize="small")
    return finish(fig, title)
