"""Plots of training, headless: learning curves, a loss curve over one parameter, loss surfaces.

Each function returns a ``matplotlib.figure.Figure`` (Jupyter shows it inline) and
never touches pyplot's global state, so it works on servers and in tests; write it
with ``save_figure(fig, "curve.png")`` (.png, .svg, .pdf, … by the suffix, atomically).
``lang="zh"`` gives Chinese titles and axis labels; they render when a CJK font is
installed (see ``viz.fonts``).

>>> from viz.plots import loss_curve, save_figure
>>> fig = loss_curve([0, 0.1, 0.2, 0.3, 0.4, 0.5], lambda b: (b - 0.3) ** 2, parameter="b")
>>> # save_figure(fig, "bias.png")
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from autograd import Value

from .figure import as_numbers as _numbers
from .figure import new_figure as _new_figure
from .figure import pairs
from .fonts import apply_fonts, quiet_missing_glyphs
from .render import write_atomic
from .surfaces import surface_plot

__all__ = ["learning_curve", "loss_curve", "loss_surface", "save_figure", "LABELS"]

Point = tuple[float, float]

# Words on the plots, per language. Keys are what the code asks for.
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "learning_curve": "Learning curve", "epoch": "epoch", "loss": "loss",
        "accuracy": "accuracy", "train": "training", "val": "validation",
        "loss_against": "Loss against {name}", "minimum": "minimum: {loss} at {name} = {at}",
        "surface": "Loss surface over {a} and {b}", "path": "descent path",
        "start": "start", "end": "end",
    },
    "zh": {
        "learning_curve": "学习曲线", "epoch": "轮次", "loss": "损失",
        "accuracy": "准确率", "train": "训练集", "val": "验证集",
        "loss_against": "损失随 {name} 的变化", "minimum": "最小值：{name} = {at} 时损失为 {loss}",
        "surface": "损失曲面（{a}, {b}）", "path": "梯度下降路径",
        "start": "起点", "end": "终点",
    },
}

_TRAIN, _VAL, _PATH, _MINIMUM = "#2563eb", "#ea580c", "#dc2626", "#dc2626"


def _words(lang: str) -> dict[str, str]:
    if lang not in LABELS:
        raise ValueError(f"lang must be one of {', '.join(sorted(LABELS))}, got {lang!r}")
    return LABELS[lang]


def _series(history: object, name: str) -> list[float]:
    """``history.name`` (a History) or ``history[name]`` (a dict); [] when absent."""
    if isinstance(history, Mapping):
        values = history.get(name)
    else:
        values = getattr(history, name, None)
    # "is None", not "or []": a numpy array has no truth value
    return [] if values is None else _numbers(values, f"history.{name}")


def learning_curve(history: object, *, title: str | None = None, lang: str = "en",
                   log_scale: bool = False) -> Figure:
    """Training (and validation) loss per epoch, with accuracy beside it when recorded.

    ``history`` is an ``nn.History`` or a dict with ``train_loss`` and optionally
    ``val_loss``, ``train_accuracy``, ``val_accuracy``.
    """
    words = _words(lang)
    if not isinstance(history, Mapping) and not hasattr(history, "train_loss"):
        raise TypeError(f"learning_curve takes an nn.History or a dict with 'train_loss', got "
                        f"{history!r} ({type(history).__name__})")
    train_loss = _series(history, "train_loss")
    if not train_loss:
        raise ValueError("the history has no train_loss yet: train for at least one epoch")
    val_loss = _series(history, "val_loss")
    accuracies = (_series(history, "train_accuracy"), _series(history, "val_accuracy"))
    has_accuracy = any(accuracies)

    fig = _new_figure(10 if has_accuracy else 6, 4)
    axes = fig.subplots(1, 2 if has_accuracy else 1, squeeze=False)[0]
    _plot_epochs(axes[0], (train_loss, val_loss), words, "upper right")
    axes[0].set_ylabel(words["loss"])
    if log_scale:
        axes[0].set_yscale("log")
    if has_accuracy:
        _plot_epochs(axes[1], accuracies, words, "lower right")
        axes[1].set_ylabel(words["accuracy"])
        axes[1].set_ylim(-0.02, 1.02)
    fig.suptitle(title if title is not None else words["learning_curve"])
    apply_fonts(fig)
    return fig


def _plot_epochs(ax, series: tuple[list[float], list[float]], words: dict[str, str],
                 corner: str) -> None:
    for values, key, colour in zip(series, ("train", "val"), (_TRAIN, _VAL), strict=True):
        if values:
            epochs = range(1, len(values) + 1)
            marker = "o" if len(values) <= 30 else None
            ax.plot(epochs, values, color=colour, marker=marker, markersize=3,
                    label=words[key])
    ax.set_xlabel(words["epoch"])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    ax.legend(loc=corner)  # losses fall and accuracies rise: keep the legend off the ends


def loss_curve(values: Sequence[float], losses: Sequence[float] | Callable[[float], object],
               *, parameter: str = "b", title: str | None = None, lang: str = "en") -> Figure:
    """The loss at each value of one parameter (the brute-force search), minimum marked.

    ``losses`` is a list (one per value) or a function of the parameter returning a
    number or a Value, e.g. the MSE of a model whose output bias is set to it.
    """
    words = _words(lang)
    xs = _numbers(values, "values")
    if callable(losses):
        ys = [_loss_number(losses(x), f"the loss at {parameter} = {x!r}") for x in xs]
    else:
        ys = _numbers(losses, "losses")
    if len(xs) != len(ys):
        raise ValueError(f"values and losses must have the same length, got {len(xs)} "
                         f"values and {len(ys)} losses")
    if len(xs) < 2:
        raise ValueError(f"a loss curve needs at least 2 points, got {len(xs)}")
    for what, series in (("values", xs), ("losses", ys)):
        bad = next((i for i, v in enumerate(series) if not math.isfinite(v)), None)
        if bad is not None:
            raise ValueError(f"{what} must be finite numbers, got {what}[{bad}] = "
                             f"{series[bad]!r}")

    fig = _new_figure(6, 4)
    ax = fig.subplots()
    ax.plot(xs, ys, color=_TRAIN, marker="o", markersize=4)
    best = min(range(len(ys)), key=ys.__getitem__)
    shown = {"name": parameter, "at": f"{xs[best]:.4g}", "loss": f"{ys[best]:.5g}"}
    ax.scatter([xs[best]], [ys[best]], s=80, color=_MINIMUM, zorder=3,
               label=words["minimum"].format(**shown))
    ax.set_xlabel(parameter)
    ax.set_ylabel(words["loss"])
    ax.grid(alpha=0.3)
    ax.legend()
    fig.suptitle(title if title is not None else words["loss_against"].format(name=parameter))
    apply_fonts(fig)
    return fig


def _loss_number(result: object, what: str) -> float:
    number = result.data if isinstance(result, Value) else result
    try:
        return float(number)
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be a number or a Value, got {result!r}") from None


def _range(bounds: object, what: str) -> tuple[float, float]:
    numbers = _numbers(bounds, what)
    if len(numbers) != 2 or not all(math.isfinite(v) for v in numbers) \
            or not numbers[0] < numbers[1]:
        raise ValueError(f"{what} must be (low, high) with finite low < high, got {bounds!r}")
    return numbers[0], numbers[1]


def _safe_loss(loss: Callable[[float, float], object], a: float, b: float) -> float:
    try:
        return _loss_number(loss(a, b), f"the loss at ({a!r}, {b!r})")
    except (ArithmeticError, ValueError):
        return math.nan  # outside the loss's domain (log of 0, overflow): a gap, not a crash


def loss_surface(loss: Callable[[float, float], object], range1: Sequence[float],
                 range2: Sequence[float], *, path: Sequence[Point] | None = None,
                 names: tuple[str, str] = ("w", "b"), resolution: int = 41,
                 title: str | None = None, lang: str = "en") -> Figure:
    """The loss over two parameters: a contour map and a 3-D surface, with a descent path.

    ``loss(p1, p2)`` returns a number or a Value; it is evaluated on a
    ``resolution`` × ``resolution`` grid over ``range1`` × ``range2``. ``path`` is the
    sequence of (p1, p2) points gradient descent visited, drawn on both views.
    Points where the loss is undefined are left blank.
    """
    words = _words(lang)
    if not callable(loss):
        raise TypeError(f"loss must be a function of two numbers, got {loss!r}")
    lo1, hi1 = _range(range1, "range1")
    lo2, hi2 = _range(range2, "range2")
    if isinstance(names, str) or not isinstance(names, Sequence) or len(names) != 2 \
            or not all(isinstance(n, str) for n in names):
        raise ValueError(f"names must be a pair of parameter names, as ('w', 'b'), "
                         f"got {names!r}")
    if isinstance(resolution, bool) or not isinstance(resolution, int) \
            or not 2 <= resolution <= 400:
        raise ValueError(f"resolution must be a whole number from 2 to 400, got {resolution!r}")
    points = pairs(path or (), "path")

    xs = np.linspace(lo1, hi1, resolution).tolist()
    ys = np.linspace(lo2, hi2, resolution).tolist()
    heights = [[_safe_loss(loss, a, b) for b in ys] for a in xs]
    if not np.isfinite(np.array(heights)).any():
        raise ValueError("the loss is undefined (or not finite) everywhere on this grid")
    drawn = {words["path"]: [(a, b, _safe_loss(loss, a, b)) for a, b in points]} \
        if points else None
    return surface_plot(
        xs, ys, heights, paths=drawn, names=(names[0], names[1]), zlabel=words["loss"],
        title=title if title is not None else words["surface"].format(a=names[0], b=names[1]),
        start=words["start"], end=words["end"])


# No dates in the files and fixed SVG element ids: the same figure gives the same bytes.
_UNDATED = {"svg": {"Date": None}, "pdf": {"CreationDate": None, "ModDate": None},
            "ps": {"CreationDate": None}, "eps": {"CreationDate": None}}


def save_figure(fig: Figure, path: str | os.PathLike) -> Path:
    """Write ``fig`` to ``path`` (format from the suffix) atomically; returns the path.

    The same figure always gives the same bytes (no dates, fixed SVG ids), so files
    regenerated from the same seed compare equal.
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"save_figure takes a matplotlib Figure, got {fig!r}")
    path = Path(path)
    formats = FigureCanvasAgg(Figure()).get_supported_filetypes()
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in formats:
        raise ValueError(f"cannot tell the format of {str(path)!r}: use one of "
                         f"{', '.join('.' + f for f in sorted(formats))}")
    buffer = io.BytesIO()
    # Type 42 (TrueType) fonts in PDF/PS keep CJK text small and selectable.
    settings = {"pdf.fonttype": 42, "ps.fonttype": 42, "svg.hashsalt": "stepgrad"}
    metadata = _UNDATED.get(fmt)
    with matplotlib.rc_context(settings):
        if apply_fonts(fig):
            fig.savefig(buffer, format=fmt, dpi=150, metadata=metadata)
        else:
            with quiet_missing_glyphs():  # warned once already; boxes, not a flood
                fig.savefig(buffer, format=fmt, dpi=150, metadata=metadata)
    write_atomic(path, buffer.getvalue())
    return path
