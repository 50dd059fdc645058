"""Plots: real files with real content, Chinese titles with a CJK font and without one."""

from __future__ import annotations

import math
import os
import warnings

import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.text import Text

import viz.fonts
from autograd import Value
from nn import History
from viz.plots import learning_curve, loss_curve, loss_surface, save_figure

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text)]


def _history() -> History:
    return History(train_loss=[0.9, 0.5, 0.31, 0.22], val_loss=[1.0, 0.62, 0.45, 0.41],
                   train_accuracy=[0.5, 0.7, 0.8, 0.9], val_accuracy=[0.45, 0.6, 0.7, 0.75])


def _saved(fig: Figure, path) -> list[warnings.WarningMessage]:
    """Save ``fig`` to ``path``; return every warning raised while doing so."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        save_figure(fig, path)
    return caught


# --- learning curve ---------------------------------------------------------------

def test_learning_curve_png_and_svg_have_real_content(tmp_path):
    fig = learning_curve(_history(), title="XOR training")
    assert len(fig.axes) == 2  # loss, and accuracy beside it
    loss_axes = fig.axes[0]
    lines = loss_axes.get_lines()
    assert [list(line.get_ydata()) for line in lines] == [[0.9, 0.5, 0.31, 0.22],
                                                          [1.0, 0.62, 0.45, 0.41]]
    assert list(lines[0].get_xdata()) == [1, 2, 3, 4]  # epochs count from 1
    png = save_figure(fig, tmp_path / "curve.png")
    assert png.read_bytes().startswith(PNG_SIGNATURE)
    assert png.stat().st_size > 10_000
    svg = save_figure(fig, tmp_path / "curve.svg").read_text()
    assert "XOR training" in svg
    assert "validation" in svg


def test_learning_curve_without_accuracy_or_validation_is_one_panel():
    fig = learning_curve({"train_loss": [3.0, 2.0, 1.5]})
    assert len(fig.axes) == 1
    assert len(fig.axes[0].get_lines()) == 1
    assert fig.axes[0].get_legend().get_texts()[0].get_text() == "training"


def test_learning_curve_in_chinese():
    fig = learning_curve(_history(), lang="zh")
    texts = _texts(fig)
    for word in ["学习曲线", "损失", "准确率", "轮次", "训练集", "验证集"]:
        assert word in texts


def test_learning_curve_refuses_an_empty_history_and_unknown_languages():
    with pytest.raises(ValueError, match="no train_loss"):
        learning_curve(History())
    with pytest.raises(ValueError, match="lang must be one of en, zh, got 'fr'"):
        learning_curve(_history(), lang="fr")
    with pytest.raises(TypeError, match="history.train_loss"):
        learning_curve({"train_loss": "abc"})
    with pytest.raises(TypeError, match=r"takes an nn.History or a dict with 'train_loss', "
                                        r"got \[1.0, 2.0\] \(list\)"):
        learning_curve([1.0, 2.0])  # used to say "no train_loss yet", as if untrained


def test_learning_curve_takes_numpy_series():
    import numpy as np

    # a dict of arrays (losses collected with numpy) used to fail on `array or []`
    fig = learning_curve({"train_loss": np.array([3.0, 2.0]),
                          "val_accuracy": np.array([0.5, 0.75])})
    assert [list(line.get_ydata()) for ax in fig.axes for line in ax.get_lines()] == \
        [[3.0, 2.0], [0.5, 0.75]]


# --- loss against one parameter -----------------------------------------------------

def test_loss_curve_marks_the_minimum():
    biases = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]
    mses = [0.08651, 0.03791, 0.0162, 0.0101, 0.0139, 0.0271]  # U-shaped, lowest at 0.3
    fig = loss_curve(biases, mses, parameter="bias")
    ax = fig.axes[0]
    (marker,) = ax.collections
    assert [tuple(p) for p in marker.get_offsets()] == [(0.3, 0.0101)]
    assert "minimum: 0.0101 at bias = 0.3" in _texts(fig)
    assert ax.get_xlabel() == "bias"
    assert "Loss against bias" in _texts(fig)


def test_loss_curve_takes_a_function_returning_values():
    # the article's brute force: the MSE of relu(b + 0.2) against a target of 0.5
    def mse(b: float) -> Value:
        return ((Value(b) + 0.2).relu() - 0.5) ** 2

    fig = loss_curve([0.0, 0.1, 0.2, 0.3, 0.4, 0.5], mse)
    ys = list(fig.axes[0].get_lines()[0].get_ydata())
    assert ys == pytest.approx([0.09, 0.04, 0.01, 0.0, 0.01, 0.04])
    (marker,) = fig.axes[0].collections
    assert marker.get_offsets()[0][0] == pytest.approx(0.3)


def test_loss_curve_refuses_bad_input():
    with pytest.raises(ValueError, match="same length, got 3 values and 2 losses"):
        loss_curve([0, 1, 2], [1, 2])
    with pytest.raises(ValueError, match="at least 2 points"):
        loss_curve([0], [1])
    with pytest.raises(ValueError, match=r"losses must be finite numbers, got losses\[1\] = inf"):
        loss_curve([0, 1], [1, math.inf])
    with pytest.raises(ValueError, match=r"values must be finite numbers, got values\[0\] = nan"):
        loss_curve([math.nan, 1], [1, 2])
    with pytest.raises(TypeError, match="must be a number or a Value"):
        loss_curve([0, 1], lambda b: "high")


# --- loss surface --------------------------------------------------------------------

def _bowl(w: float, b: float) -> float:
    return (w - 2.0) ** 2 + 0.5 * (b - 1.0) ** 2


def _descent(steps: int = 25, lr: float = 0.2) -> list[tuple[float, float]]:
    w, b = -1.0, -1.5
    path = [(w, b)]
    for _ in range(steps):
        w, b = w - lr * 2 * (w - 2.0), b - lr * (b - 1.0)
        path.append((w, b))
    return path


def test_loss_surface_has_contour_and_3d_views_with_the_path(tmp_path):
    path = _descent()
    fig = loss_surface(_bowl, (-2, 4), (-2, 3), path=path, resolution=15,
                       title="bowl with descent path")
    flat = fig.axes[0]
    solid = next(ax for ax in fig.axes if ax.name == "3d")
    (flat_path,) = flat.get_lines()
    assert list(zip(flat_path.get_xdata(), flat_path.get_ydata(), strict=True)) == path
    (solid_path,) = solid.get_lines()
    _, _, zs = solid_path.get_data_3d()
    assert list(zs) == pytest.approx([_bowl(w, b) for w, b in path])
    assert zs[-1] < zs[0]  # descent went down
    assert "start" in _texts(fig) and "end" in _texts(fig)
    svg = save_figure(fig, tmp_path / "bowl.svg").read_text()
    assert "bowl with descent path" in svg
    assert save_figure(fig, tmp_path / "bowl.pdf").read_bytes().startswith(b"%PDF")


def test_loss_surface_leaves_undefined_points_blank():
    # log is undefined for w + b <= 0: those grid points become gaps, not an error
    def loss(w: float, b: float) -> Value:
        return (Value(w) + b).log() ** 2

    fig = loss_surface(loss, (-1, 2), (-1, 2), resolution=9)
    assert fig.axes[0].name == "rectilinear"
    with pytest.raises(ValueError, match="undefined .* everywhere"):
        loss_surface(loss, (-3, -2), (-3, -2), resolution=5)


def test_loss_surface_refuses_bad_input():
    with pytest.raises(ValueError, match="range1 must be \\(low, high\\)"):
        loss_surface(_bowl, (1, 0), (0, 1))
    with pytest.raises(ValueError, match="resolution"):
        loss_surface(_bowl, (0, 1), (0, 1), resolution=1)
    with pytest.raises(ValueError, match="path point 1 must be a \\(p1, p2\\) pair"):
        loss_surface(_bowl, (0, 1), (0, 1), path=[(0, 0), (1, 2, 3)], resolution=5)
    with pytest.raises(TypeError, match="function of two numbers"):
        loss_surface(3.0, (0, 1), (0, 1))
    with pytest.raises(ValueError, match=r"names must be a pair of parameter names, as "
                                         r"\('w', 'b'\), got \('w',\)"):
        loss_surface(_bowl, (0, 1), (0, 1), names=("w",), resolution=5)  # was IndexError


# --- saving --------------------------------------------------------------------------

def test_save_figure_is_atomic_and_checks_the_suffix(tmp_path):
    fig = loss_curve([0, 1], [1, 0])
    with pytest.raises(ValueError, match="cannot tell the format of .*curve.txt.*\\.png"):
        save_figure(fig, tmp_path / "curve.txt")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save_figure(fig, tmp_path / "missing" / "curve.png")
    with pytest.raises(TypeError, match="matplotlib Figure"):
        save_figure("not a figure", tmp_path / "x.png")
    save_figure(fig, tmp_path / "curve.png")
    assert os.listdir(tmp_path) == ["curve.png"]  # no temporary file left behind


# --- Chinese text -------------------------------------------------------------------

needs_cjk_font = pytest.mark.skipif(viz.fonts.cjk_font() is None,
                                    reason="no CJK font installed (apt-get install fonts-noto-cjk)")


@needs_cjk_font
def test_chinese_titles_render_as_cjk_glyphs(tmp_path):
    fig = loss_curve([0, 0.1, 0.2], [0.3, 0.1, 0.2], parameter="b", title="偏置的暴力搜索",
                     lang="zh")
    caught = _saved(fig, tmp_path / "bias.svg")
    assert not [w for w in caught if "missing from font" in str(w.message)]
    svg = (tmp_path / "bias.svg").read_text()
    assert "偏置的暴力搜索" in svg  # the text itself, beside its glyphs
    font_id = viz.fonts.cjk_font().replace(" ", "")
    # glyphs are drawn from the CJK font (e.g. id="NotoSansCJKsc-Regular-504f")
    assert any(font_id.lower()[:12] in line.lower() for line in svg.splitlines())
    caught = _saved(fig, tmp_path / "bias.png")
    assert not [w for w in caught if "missing from font" in str(w.message)]


def test_without_a_cjk_font_chinese_degrades_with_one_warning(tmp_path, monkeypatch):
    monkeypatch.setattr(viz.fonts, "cjk_font", lambda: None)
    monkeypatch.setattr(viz.fonts, "_warned", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = learning_curve(_history(), lang="zh")
        save_figure(first, tmp_path / "first.png")
        second = loss_curve([0, 1], [1, 0], lang="zh")
        save_figure(second, tmp_path / "second.svg")
    ours = [w for w in caught if issubclass(w.category, viz.fonts.CJKFontWarning)]
    assert len(ours) == 1
    assert "fonts-noto-cjk" in str(ours[0].message)
    assert not [w for w in caught if "missing from font" in str(w.message)]
    assert (tmp_path / "first.png").read_bytes().startswith(PNG_SIGNATURE)
    assert "损失" in (tmp_path / "second.svg").read_text()


def test_english_figures_never_warn_about_fonts(tmp_path, monkeypatch):
    monkeypatch.setattr(viz.fonts, "cjk_font", lambda: None)
    monkeypatch.setattr(viz.fonts, "_warned", False)
    caught = _saved(learning_curve(_history()), tmp_path / "en.png")
    assert not [w for w in caught if issubclass(w.category, viz.fonts.CJKFontWarning)]


def test_has_cjk():
    assert viz.fonts.has_cjk("损失 loss")
    assert viz.fonts.has_cjk("（")  # full-width punctuation needs the CJK font too
    assert not viz.fonts.has_cjk("loss ∂L/∂w −0.4")


@needs_cjk_font
def test_a_cjk_font_missing_from_matplotlibs_cache_is_found_on_disk(monkeypatch):
    # As after `apt-get install fonts-noto-cjk` with an older font cache: not in ttflist.
    manager = font_manager.fontManager
    without = [f for f in manager.ttflist if not viz.fonts.has_cjk_name(f.name)]
    monkeypatch.setattr(manager, "ttflist", without)
    assert viz.fonts.cjk_font.__wrapped__() == viz.fonts.cjk_font()  # found again on disk


# --- lazy access from the viz package ------------------------------------------------

def test_viz_exposes_the_plots_without_importing_matplotlib_up_front():
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys, viz\n"
            "print('matplotlib' in sys.modules)\n"
            "print(viz.loss_curve.__module__, 'matplotlib' in sys.modules)\n"
            "print(sorted(set(dir(viz)) & {'learning_curve', 'loss_surface', 'save_figure'}))\n"
            "try:\n    viz.no_such_plot\nexcept AttributeError as e:\n    print(e)\n")
    repo = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True,
                          text=True, timeout=60, check=True)
    assert done.stdout.splitlines() == [
        "False",
        "viz.plots True",
        "['learning_curve', 'loss_surface', 'save_figure']",
        "module 'viz' has no attribute 'no_such_plot'",
    ]
    import viz

    assert viz.learning_curve is learning_curve and viz.save_figure is save_figure
    assert {"learning_curve", "loss_curve", "loss_surface", "save_figure"} <= set(viz.__all__)
