"""Line plots: functions of x (a target, fits, training points) and named series.

``function_plot`` draws curves y(x) on one grid of x, with the target dashed, training
examples as dots and an x-range shaded (the training interval); ``function_panels``
draws several such panels side by side; ``series_plot`` draws series that each have
their own x (losses per epoch or step, parameters per pair), optionally on a log scale,
with labelled reference levels and marked x positions. Every function returns a
``matplotlib.figure.Figure``; write it with ``viz.plots.save_figure``.

>>> import math
>>> xs = [i / 50 - 1 for i in range(101)]
>>> fig = function_plot(xs, {"fit": [0.9 * math.sin(math.pi * x) for x in xs]},
...                     target=("sin(πx)", [math.sin(math.pi * x) for x in xs]),
...                     band=(-1, 1, "training interval"))
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .figure import ACCENT, PALETTE, as_numbers, check_title, finish, finite_numbers, new_figure

__all__ = ["Panel", "function_plot", "function_panels", "series_plot"]

_TARGET = "#111827"
_BAND = "#fde68a"


@dataclass(frozen=True)
class Panel:
    """One panel of ``function_panels``: its title, its curves, its training examples."""

    title: str
    curves: Mapping[str, Sequence[float]]
    points: tuple[Sequence[float], Sequence[float]] | None = None
    dashed: Collection[str] = field(default_factory=tuple)
    points_label: str = "examples"


def _check_band(band: object) -> tuple[float, float, str] | None:
    if band is None:
        return None
    if not isinstance(band, Sequence) or len(band) != 3 or not isinstance(band[2], str):
        raise ValueError(f"band must be (low, high, label), got {band!r}")
    low, high = finite_numbers(band[:2], "band")
    if not low < high:
        raise ValueError(f"band must have low < high, got {band!r}")
    return low, high, band[2]


def _draw_functions(ax: Axes, xs: list[float], panel: Panel,
                    target: tuple[str, list[float]] | None,
                    band: tuple[float, float, str] | None, ylim: object) -> None:
    if band is not None:
        ax.axvspan(band[0], band[1], color=_BAND, alpha=0.45, label=band[2], lw=0)
    if target is not None:
        ax.plot(xs, target[1], color=_TARGET, lw=2.4, ls="--", label=target[0], zorder=3)
    for k, (label, ys) in enumerate(panel.curves.items()):
        values = finite_numbers(ys, f"curve {label!r}", len(xs))
        ax.plot(xs, values, color=PALETTE[k % len(PALETTE)], lw=1.6, label=label,
                ls=":" if label in panel.dashed else "-", zorder=4)
    if panel.points is not None:
        px = finite_numbers(panel.points[0], "points x")
        py = finite_numbers(panel.points[1], "points y", len(px))
        ax.scatter(px, py, s=18, color=ACCENT, zorder=5, label=panel.points_label)
    if ylim is not None:
        ax.set_ylim(*finite_numbers(ylim, "ylim", 2))
    ax.grid(alpha=0.3)


def _target(xs: list[float], target: object) -> tuple[str, list[float]] | None:
    if target is None:
        return None
    if not isinstance(target, Sequence) or len(target) != 2 or not isinstance(target[0], str):
        raise ValueError(f"target must be (label, ys), got {target!r}")
    return target[0], finite_numbers(target[1], "target", len(xs))


def function_plot(
    xs: Sequence[float], curves: Mapping[str, Sequence[float]], *,
    target: tuple[str, Sequence[float]] | None = None,
    points: tuple[Sequence[float], Sequence[float]] | None = None,
    band: tuple[float, float, str] | None = None, title: str | None = None,
    xlabel: str = "x", ylabel: str = "y", ylim: Sequence[float] | None = None,
    dashed: Collection[str] = (), legend: str = "best", points_label: str = "examples",
) -> Figure:
    """Curves y(x) over ``xs``, one per label; the target dashed, examples as dots.

    ``band`` = (low, high, label) shades an x-range; ``dashed`` names curves drawn
    dotted (an identity drawn over the curve it should equal); ``legend`` is a
    matplotlib location, or "outside" (to the right of the axes).
    """
    check_title(title)
    grid = finite_numbers(xs, "xs")
    fig = new_figure(8.2 if legend == "outside" else 7, 4.2)
    ax = fig.subplots()
    _draw_functions(ax, grid, Panel("", curves, points, dashed, points_label),
                    _target(grid, target), _check_band(band), ylim)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if ax.get_legend_handles_labels()[1]:
        if legend == "outside":
            fig.legend(loc="outside right upper", fontsize="small")
        else:
            ax.legend(loc=legend, fontsize="small")
    return finish(fig, title)


def function_panels(
    xs: Sequence[float], panels: Sequence[Panel], *,
    target: tuple[str, Sequence[float]] | None = None,
    band: tuple[float, float, str] | None = None, title: str | None = None,
    xlabel: str = "x", ylabel: str = "y", ylim: Sequence[float] | None = None,
    columns: int | None = None,
) -> Figure:
    """Several ``function_plot`` panels over the same ``xs``, side by side, one legend."""
    check_title(title)
    if not panels or not all(isinstance(p, Panel) for p in panels):
        raise TypeError(f"panels must be a non-empty list of viz.curves.Panel, got {panels!r}")
    grid = finite_numbers(xs, "xs")
    shown_target, shown_band = _target(grid, target), _check_band(band)
    columns = columns or len(panels)
    rows = -(-len(panels) // columns)
    fig = new_figure(min(max(3.2 * columns, 9.0), 16.0), 2.9 * rows + 0.8)
    axes = fig.subplots(rows, columns, squeeze=False, sharex=True, sharey=True)
    for ax, panel in zip(axes.flat, panels, strict=False):
        _draw_functions(ax, grid, panel, shown_target, shown_band, ylim)
        ax.set_title(panel.title, fontsize="medium")
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel(xlabel)
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    if labels:
        fig.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 5),
                   fontsize="small")
    return finish(fig, title)


def series_plot(
    series: Mapping[str, tuple[Sequence[float], Sequence[float]]], *,
    title: str | None = None, xlabel: str = "step", ylabel: str = "loss",
    log_y: bool = False, references: Mapping[str, float] | None = None,
    marks: Mapping[str, float] | None = None, dashed: Collection[str] = (),
    legend: str = "best",
) -> Figure:
    """Named (xs, ys) series on one axis: learning curves, parameters per step.

    ``references`` draws a labelled horizontal line at each level (the value a parameter
    should reach); ``marks`` a labelled vertical line at each x (the step something
    happened); ``dashed`` names series drawn dashed.
    """
    check_title(title)
    if not series:
        raise ValueError("series_plot needs at least one series")
    fig = new_figure(7, 4.2)
    ax = fig.subplots()
    for k, (label, pair) in enumerate(series.items()):
        if not isinstance(pair, Sequence) or len(pair) != 2:
            raise ValueError(f"series {label!r} must be (xs, ys), got {pair!r}")
        sx = finite_numbers(pair[0], f"series {label!r} xs")
        sy = as_numbers(pair[1], f"series {label!r} ys")
        if len(sy) != len(sx):
            raise ValueError(f"series {label!r} has {len(sx)} xs and {len(sy)} ys")
        if log_y and any(v <= 0 for v in sy):
            raise ValueError(f"series {label!r} has a value ≤ 0, which a log scale cannot show")
        ax.plot(sx, sy, color=PALETTE[k % len(PALETTE)], lw=1.6, label=label,
                ls="--" if label in dashed else "-",
                marker="o" if len(sx) <= 30 else None, markersize=3)
    for k, (label, level) in enumerate((references or {}).items()):
        ax.axhline(float(level), color=PALETTE[k % len(PALETTE)], ls=":", lw=1.2, label=label)
    for k, (label, at) in enumerate((marks or {}).items()):
        ax.axvline(float(at), color="#6b7280", ls="-.", lw=1.0)
        # each label one line lower than the last, so marks close together stay readable
        ax.annotate(label, (float(at), 1.0), xycoords=("data", "axes fraction"),
                    xytext=(3, -12 - 12 * k), textcoords="offset points", fontsize="small",
                    color="#374151")
    if log_y:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(loc=legend, fontsize="small")
    return finish(fig, title)
