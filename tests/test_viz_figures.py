"""The gallery's plot functions: what each draws, its errors, files that repeat byte for byte."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from viz.curves import Panel, function_panels, function_plot, series_plot
from viz.diagrams import (
    GatePanel,
    decision_lines,
    distribution_bars,
    narrowing_plot,
    network_diagram,
)
from viz.images import confusion_matrix, image_grid
from viz.plots import save_figure
from viz.surfaces import surface_plot

XS = [0.0, 0.5, 1.0]


def _texts(fig: Figure) -> list[str]:
    from matplotlib.text import Text

    return [t.get_text() for t in fig.findobj(Text)]


# --- curves -------------------------------------------------------------------------

def test_function_plot_draws_target_curves_and_examples():
    fig = function_plot(XS, {"fit": [0.1, 0.4, 0.9]}, target=("t = x", XS),
                        points=([0.2, 0.8], [0.2, 0.8]), band=(0.0, 0.5, "training"),
                        title="拟合 fit")
    (ax,) = fig.axes
    target, fit = ax.get_lines()
    assert list(target.get_ydata()) == XS and target.get_linestyle() == "--"
    assert list(fit.get_ydata()) == [0.1, 0.4, 0.9]
    assert [tuple(p) for p in ax.collections[0].get_offsets()] == [(0.2, 0.2), (0.8, 0.8)]
    assert {"t = x", "fit", "examples", "training", "拟合 fit"} <= set(_texts(fig))


def test_function_plot_refuses_mismatched_or_bad_input():
    with pytest.raises(ValueError, match=r"curve 'fit' must have 3 numbers \(one per x\), got 2"):
        function_plot(XS, {"fit": [1.0, 2.0]})
    with pytest.raises(ValueError, match=r"curve 'fit' must be finite numbers, got "
                                         r"curve 'fit'\[1\] = nan"):
        function_plot(XS, {"fit": [1.0, float("nan"), 2.0]})
    with pytest.raises(ValueError, match=r"band must be \(low, high, label\), got \(0, 1\)"):
        function_plot(XS, {}, band=(0, 1))
    with pytest.raises(TypeError, match="title must be text or None, got 3"):
        function_plot(XS, {}, title=3)


def test_function_panels_share_one_legend_and_hide_spare_axes():
    panels = [Panel(f"n = {n}", {"fit": [0.0, 0.5, 1.0]}) for n in (1, 2, 3)]
    fig = function_panels(XS, panels, target=("t", XS), columns=2)
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in shown] == ["n = 1", "n = 2", "n = 3"]
    assert len(fig.axes) == 4 and len(fig.legends) == 1
    with pytest.raises(TypeError, match="panels must be a non-empty list of viz.curves.Panel"):
        function_panels(XS, [])


def test_series_plot_draws_references_marks_and_a_log_scale():
    fig = series_plot({"w": ([0, 1, 2], [0.5, 1.5, 1.9])}, references={"w = 2": 2.0},
                      marks={"close after 2": 2}, log_y=True)
    (ax,) = fig.axes
    assert ax.get_yscale() == "log"
    line, level, mark = ax.get_lines()
    assert list(level.get_ydata()) == [2.0, 2.0] and list(mark.get_xdata()) == [2, 2]
    assert "close after 2" in _texts(fig)
    with pytest.raises(ValueError, match="series 'w' has a value ≤ 0, which a log scale"):
        series_plot({"w": ([0, 1], [1.0, 0.0])}, log_y=True)
    with pytest.raises(ValueError, match="series 'w' has 2 xs and 1 ys"):
        series_plot({"w": ([0, 1], [1.0])})


# --- surfaces -----------------------------------------------------------------------

def test_surface_plot_takes_a_grid_and_draws_every_path_on_both_views():
    xs, ys = [0.0, 1.0, 2.0], [0.0, 1.0]
    heights = [[x * x + y for y in ys] for x in xs]  # heights[i][j] at (xs[i], ys[j])
    paths = {"a": [(2.0, 1.0, 5.0), (1.0, 0.0, 1.0)], "b": [(0.0, 1.0, 1.0)]}
    fig = surface_plot(xs, ys, heights, paths=paths, log_scale=True, names=("w1", "w2"))
    flat, _, solid = fig.axes  # contour, colour bar, 3-D
    assert [line.get_label() for line in flat.get_lines()] == ["a", "b"]
    _, _, zs = solid.get_lines()[0].get_data_3d()
    assert list(zs) == pytest.approx([np.log10(5.0), 0.0])
    assert "log₁₀ loss" in _texts(fig)


def test_surface_plot_refuses_a_grid_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"heights must be 2 × 3 \(one row per x, one column "
                                         r"per y\), got shape \(3, 2\)"):
        surface_plot([0, 1], [0, 1, 2], [[0, 0], [0, 0], [0, 0]])
    with pytest.raises(ValueError, match="xs must be at least 2 increasing numbers"):
        surface_plot([1, 0], [0, 1], [[0, 0], [0, 0]])
    with pytest.raises(ValueError, match=r"path 'p' point 0 must be \(p1, p2, loss\)"):
        surface_plot([0, 1], [0, 1], [[0, 0], [0, 0]], paths={"p": [(0, 0)]})


# --- diagrams -----------------------------------------------------------------------

def test_network_diagram_draws_every_connection_coloured_by_sign():
    weights = [[[1.0], [-2.0]], [[0.5, -0.5]]]  # 1 → 2 → 1
    fig = network_diagram([1, 2, 1], weights=weights, unit_names={0: ["x"], 2: ["y"]})
    (ax,) = fig.axes
    lines = ax.get_lines()
    assert len(lines) == 1 * 2 + 2 * 1
    colours = [line.get_color() for line in lines]
    assert colours == ["#0072B2", "#D55E00", "#0072B2", "#D55E00"]
    assert lines[1].get_linewidth() > lines[0].get_linewidth()  # |−2| is the largest weight
    assert {"x", "y"} <= set(_texts(fig))
    with pytest.raises(ValueError, match=r"weights\[0\] needs 2 rows"):
        network_diagram([1, 2, 1], weights=[[[1.0]], [[0.5, -0.5]]])
    with pytest.raises(ValueError, match="sizes must list at least 2 layer widths"):
        network_diagram([3])


def test_decision_lines_fill_the_points_where_the_gate_is_one():
    fig = decision_lines([GatePanel("AND", (0, 0, 0, 1), [(0.5, 0.5, 0.7, "line")])])
    (ax,) = fig.axes
    from matplotlib.collections import PathCollection

    points = [c for c in ax.collections if type(c) is PathCollection]  # not the shading
    assert len(points) == 4
    filled = [tuple(c.get_offsets()[0]) for c in points if c.get_facecolor()[0][0] < 0.5]
    assert filled == [(1.0, 1.0)]
    (line,) = ax.get_lines()
    assert list(line.get_ydata()) == pytest.approx([(0.7 + 0.25) / 0.5, (0.7 - 0.75) / 0.5])
    with pytest.raises(ValueError, match="w1 = w2 = 0 draws no line"):
        decision_lines([GatePanel("flat", (0, 0, 0, 0), [(0, 0, 1, "none")])])
    with pytest.raises(ValueError, match="outputs must be four 0/1 values"):
        decision_lines([GatePanel("bad", (0, 2, 0, 1))])


def test_narrowing_plot_and_distribution_bars():
    fig = narrowing_plot([50, 24], [0, 0], [100, 49], 30)
    bars = fig.axes[0].patches
    assert [(b.get_y(), b.get_height()) for b in bars] == [(0, 100), (0, 49)]
    fig = distribution_bars(["a", "b"], {"T = 1": [0.7, 0.3], "T = 5": [0.55, 0.45]})
    assert [round(b.get_height(), 2) for b in fig.axes[0].patches] == [0.7, 0.3, 0.55, 0.45]
    with pytest.raises(ValueError, match=r"distribution 'T = 1' must have 2 numbers"):
        distribution_bars(["a", "b"], {"T = 1": [1.0]})


# --- images -------------------------------------------------------------------------

def test_image_grid_marks_wrong_answers_in_red():
    images = [np.eye(8), np.ones((8, 8))]
    fig = image_grid(images, ["1 → 1", "7 → 9"], wrong=[False, True], columns=2)
    titles = {ax.get_title(): ax.title.get_color() for ax in fig.axes}
    assert titles == {"1 → 1": "#111827", "7 → 9": "#dc2626"}
    with pytest.raises(ValueError, match="one caption per image, got 2 images and 1 captions"):
        image_grid(images, ["x"])
    with pytest.raises(ValueError, match="image 0 must be a 2-D table of finite numbers"):
        image_grid([np.ones(3)], ["x"])


def test_confusion_matrix_writes_every_count():
    fig = confusion_matrix([[5, 1], [0, 4]], ["0", "1"])
    assert [t for t in _texts(fig) if t in {"5", "1", "0", "4"}][:4] == ["5", "1", "0", "4"]
    with pytest.raises(ValueError, match=r"matrix must be 3 × 3 .* got shape \(2, 2\)"):
        confusion_matrix([[1, 0], [0, 1]], ["a", "b", "c"])


# --- files --------------------------------------------------------------------------

def test_saving_the_same_figure_twice_gives_the_same_bytes(tmp_path):
    fig = distribution_bars(["a", "b"], {"温度 T = 1": [0.7, 0.3]}, title="软最大 softmax")
    for fmt in ("svg", "png"):  # (pdf: no dates either, but embedding CJK takes ~4 s)
        first = save_figure(fig, tmp_path / f"one.{fmt}").read_bytes()
        again = save_figure(fig, tmp_path / f"two.{fmt}").read_bytes()
        assert first == again, fmt
    assert b"<dc:date>" not in (tmp_path / "one.svg").read_bytes()  # no date, no random ids
