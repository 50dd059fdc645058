"""Figures of the ice-cream article (002), the notes (003) and the guessing game (004).

Each function takes the gallery's ``Sources`` and returns a Figure; titles are Chinese
over English, numbers are the run's.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

import nn
from autograd import Value
from viz.curves import Panel, function_panels, function_plot, series_plot
from viz.diagrams import distribution_bars, narrowing_plot
from viz.plots import loss_surface

from . import ice_cream, init_and_overfit
from ._gallery_sources import Sources

SIGMOID_XS = np.linspace(-6.0, 6.0, 121)
LOGITS = (2.0, 1.0, 0.1, -1.0)  # four scores, as a network's last layer gives them
TEMPERATURES = (0.5, 1.0, 2.0, 5.0)
DENSE_BIASES = 101  # points of the smooth U under the article's six brute-force guesses


def ice_bias(s: Sources) -> Figure:
    """MSE against the output bias: the brute-force U and gradient descent down it."""
    r = s.ice_cream
    name = ice_cream.output_bias(ice_cream.network(r.seed)).label
    mse = ice_cream.mse_function(r.seed, r.trained, [name])
    path = r.bias_path
    low = min(0.0, *(p.params[0] for p in path)) - 0.05
    high = max(r.bias_grid[-1], *(p.params[0] for p in path)) + 0.05
    dense = np.linspace(low, high, DENSE_BIASES).tolist()
    shown = path[:12] + (path[-1],) if len(path) > 13 else path
    return series_plot(
        {"MSE(b)": (dense, [mse(b) for b in dense]),
         "暴力搜索 brute force 0, 0.1, …, 0.5": (r.bias_grid, r.bias_mse),
         f"梯度下降 gradient descent from 0 ({len(path)} steps)":
             ([p.params[0] for p in shown], [p.mse for p in shown])},
        xlabel=f"输出层偏置 output bias ({name})", ylabel="均方误差 MSE",
        title="冰淇淋销量：MSE 随偏置的 U 形曲线，步长在谷底附近变小\nIce cream: the MSE "
              "against the output bias; descent steps shrink near the bottom")


def ice_bowl(s: Sources) -> Figure:
    """The MSE over one weight and the bias, with the descent path across it."""
    r = s.ice_cream
    bias_name = ice_cream.output_bias(ice_cream.network(r.seed)).label
    names = (r.surface.weight_name, bias_name)
    path = [p.params for p in r.two_path]
    # the window holds the bowl drawn around the optimum and the whole descent path
    span = [(min(*a, lo), max(*a, hi)) for a, (lo, hi) in zip(
        zip(*path, strict=True),
        ((min(r.surface.weights), max(r.surface.weights)),
         (min(r.surface.biases), max(r.surface.biases))), strict=True)]
    return loss_surface(
        ice_cream.mse_function(r.seed, r.trained, names), span[0], span[1], path=path,
        names=names, resolution=31, lang="zh",
        title="两个参数（一个权重与偏置）时，MSE 是三维的碗\nIce cream: the MSE over one weight "
              f"and the output bias, and gradient descent ({len(path)} steps)")


def ice_methods(s: Sources) -> Figure:
    """Full batch vs stochastic vs mini-batch, by the derivatives each one paid for."""
    series = {}
    for m in s.ice_cream.methods:
        rows = f"{m.rows_per_step} row{'s' if m.rows_per_step > 1 else ''}"
        series[f"{m.name} ({rows} × 9 = {m.derivatives_per_step}/step)"] = (
            [step * m.derivatives_per_step for step, _ in m.curve],
            [mse for _, mse in m.curve])
    steps = s.ice_cream.methods[0].steps
    return series_plot(
        series, log_y=True, xlabel="导数计算次数 derivative evaluations (rows × parameters)",
        ylabel="全部数据的 MSE", legend="upper right",
        title=f"梯度下降、随机梯度下降、小批量：各 {steps} 步\nFull batch vs SGD vs "
              f"mini-batch, {steps} steps each")


def sigmoid_derivative(s: Sources) -> Figure:
    """S(x), its derivative by backward(), and S(x)(1 − S(x)) drawn over it."""
    values, grads = [], []
    for x in SIGMOID_XS:
        v = Value(float(x))
        out = v.sigmoid()
        out.backward()
        values.append(out.data)
        grads.append(v.grad)
    identity = [y * (1 - y) for y in values]
    gap = max(abs(g - i) for g, i in zip(grads, identity, strict=True))
    return function_plot(
        SIGMOID_XS, {"S(x)": values, "S′(x)，由 backward() 算出 by backward()": grads,
                     "S(x)(1 − S(x))": identity},
        dashed={"S(x)(1 − S(x))"}, ylabel="", legend="upper left",
        title="Sigmoid 的导数 S′(x) = S(x)(1 − S(x))\nThe derivative from backward() and the "
              + ("identity agree exactly" if gap == 0 else f"identity agree to {gap:.1e}"))


def softmax_temperature(s: Sources) -> Figure:
    """Softmax of the same four scores at several temperatures."""
    distributions = {}
    for t in TEMPERATURES:
        probs = [p.data for p in nn.softmax(list(LOGITS), temperature=t)]
        top = max(probs)
        distributions[f"T = {t:g} (最大 max {top:.2f})"] = probs
    return distribution_bars(
        [f"z = {z:g}" for z in LOGITS], distributions, ylabel="概率 probability",
        title="Softmax 温度：温度越高，输出越平均\nSoftmax of the same scores: the higher "
              "the temperature, the flatter the distribution")


def zero_init(s: Sources) -> Figure:
    """Each hidden sigmoid unit after training, from an all-zero and from a random start."""
    xs = np.linspace(0.0, 4.0, 81)
    panels = []
    for run, name in zip(s.symmetry, ("全 0 初始化 all-zero start", "随机初始化 random start"),
                         strict=True):
        curves = {f"隐藏单元 unit {k}": [1 / (1 + math.exp(-(w * x + b))) for x in xs]
                  for k, (w, b) in enumerate(run.hidden, start=1)}
        units = ("all: " + _unit(*run.hidden[0]) if run.identical
                 else "; ".join(_unit(w, b) for w, b in run.hidden[:2]) + "; …")
        panels.append(Panel(f"{name}, MSE {run.loss[-1]:.3f}\n{units}", curves))
    return function_panels(
        xs, panels, ylabel="σ(w·x + b)", columns=2,
        title=f"全 0 初始化：{init_and_overfit.SYMMETRY_HIDDEN} 个隐藏单元一模一样，停止“分工”\n"
              "1-4-1 sigmoid network on t = (x − 1.7)²: each hidden unit after "
              f"{init_and_overfit.SYMMETRY_EPOCHS} epochs")


def _unit(w: float, b: float) -> str:
    return f"w {w:+.2f}, b {b:+.2f}"


def overfitting(s: Sources) -> Figure:
    """Train and test loss of a too-big network and of a line, on the same 8 points."""
    big, line = s.overfit
    series = {}
    for run in (big, line):
        series[f"{run.name} 训练 train"] = (run.epochs, run.train_loss)
        series[f"{run.name} 测试 test"] = (run.epochs, run.test_loss)
    return series_plot(
        series, log_y=True, dashed={k for k in series if k.endswith("test")},
        marks={f"测试损失最低 lowest test loss: epoch {big.best_epoch}": big.best_epoch},
        xlabel="训练轮次 epoch", ylabel="MSE", legend="lower left",
        title="过拟合：训练损失不停减少，测试损失却在增加\nOverfitting: 8 noisy points of "
              f"t = x/2, {big.num_parameters} parameters against 2")


def guess_bisection(s: Sources) -> Figure:
    """Bisection on the hidden number: each guess inside the interval still possible."""
    b = s.bisection
    return narrowing_plot(
        b.guesses, b.lows, b.highs, b.target, xlabel="第几次猜 guess", ylabel="数 number",
        labels=("仍可能的范围 still possible", "猜测 guess", "答案 hidden number"),
        title=f"二分法：{len(b.guesses)} 次猜中（0..100 最多 7 次）\nBisection finds "
              f"{b.target} in {len(b.guesses)} guesses (at most 7 for any number in 0..100)")
