"""The first article's nine lost figures, drawn from ``function_fit.run()``'s results.

Titles are Chinese over English (the article is Chinese, the code English); the
numbers on them are the run's. ``function_fit --plots`` and the gallery both draw here.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from matplotlib.figure import Figure

from viz.curves import Panel, function_panels, function_plot, series_plot
from viz.diagrams import network_diagram
from viz.surfaces import surface_plot

from . import function_fit as ff

PATH_POINTS = 150  # a descent path of thousands of steps is drawn through ~150 of them


def _sin(xs: tuple[float, ...]) -> tuple[str, list[float]]:
    return "t = sin(πx)", [math.sin(math.pi * x) for x in xs]


def _band() -> tuple[float, float, str]:
    return (*ff.INTERVAL, "训练区间 training interval")


def target(r: ff.FunctionFitResults) -> Figure:
    """Figure 1: the function to learn."""
    return function_plot(r.x_inside, {}, target=_sin(r.x_inside),
                         title="要学习的函数 t = sin(πx)\nThe function to learn")


def network(r: ff.FunctionFitResults) -> Figure:
    """Figure 2: the 1-in-1-out network, lines coloured by the trained weights."""
    sizes = list(r.sizes)
    hidden = [f"隐藏层 {k} hidden\n{n} × tanh" for k, n in enumerate(sizes[1:-1], start=1)]
    return network_diagram(
        sizes, weights=r.weights, unit_names={0: ["x"], len(sizes) - 1: ["y"]},
        layer_names=["输入 input", *hidden, "输出 output\nlinear"],
        title=f"一个输入、一个输出的网络：{'-'.join(map(str, sizes))}，{r.num_parameters} 个参数"
              f"\nOne input, one output: {r.num_parameters} parameters (trained weights)")


def random_weights(r: ff.FunctionFitResults) -> Figure:
    """Figure 3: what the network computes for random weights."""
    curves = {f"随机权重 random {k}": ys for k, ys in enumerate(r.random_curves, start=1)}
    return function_plot(r.x_inside, curves, target=_sin(r.x_inside), legend="outside",
                         title="随机权重下网络计算的函数\nThe network with random weights "
                               f"(every weight and bias ~ U(−{ff.RANDOM_RANGE:g}, "
                               f"{ff.RANDOM_RANGE:g}))")


def more_examples(r: ff.FunctionFitResults) -> Figure:
    """Figure 4: the fit from more and more training examples."""
    xs, ts = zip(*r.examples, strict=True)
    panels = [Panel(f"{f.examples} 个样例 examples\nMSE {f.mse_inside:.2g}",
                    {"网络 network": f.inside}, (xs[:f.examples], ts[:f.examples]),
                    points_label="训练样例 examples")
              for f in r.by_count]
    return function_panels(r.x_inside, panels, target=_sin(r.x_inside), ylim=(-1.6, 1.6),
                           title="逐渐增加样例后的结果\nFits from more and more examples "
                                 f"({len(r.by_count[0].loss)} Adam steps each)")


def learning_curve(r: ff.FunctionFitResults) -> Figure:
    """Figure 5: the L2 loss per training step."""
    loss = r.main.loss
    return series_plot(
        {"L2 损失 Σ(y − t)²": (range(1, len(loss) + 1), loss)}, log_y=True,
        xlabel="训练步 step (full batch)", ylabel="L2 损失 loss",
        title=f"学习曲线：{loss[0]:.3g} → {loss[-1]:.2g}\nLearning curve on "
              f"{r.main.examples} examples")


def _names(r: ff.FunctionFitResults) -> tuple[str, str]:
    return tuple(f"w{'₁₂'[k]} ({name})" for k, name in enumerate(r.landscape.names))


def landscape(r: ff.FunctionFitResults) -> Figure:
    """Figure 6: the loss over two weights, the others at their trained values."""
    land = r.landscape
    return surface_plot(
        land.w1, land.w2, land.loss, names=_names(r), zlabel="L2", log_scale=True,
        paths={"训练得到的权重 trained": [land.trained]}, start=None, end=None,
        title="损失作为 w₁、w₂ 的函数（其余权重取训练值）\nThe L2 loss over two weights, "
              "every other at its trained value")


def _thinned(path: tuple[tuple[float, float, float], ...]) -> list[tuple[float, float, float]]:
    step = max(1, len(path) // PATH_POINTS)
    return [*path[::step], path[-1]]


def descent(r: ff.FunctionFitResults) -> Figure:
    """Figure 7: steepest descent from arbitrary starts; one may stop in a mountain lake."""
    land = r.landscape
    paths = {}
    for k, d in enumerate(r.descents, start=1):
        end = d.end
        paths[f"起点 start {k}: L {d.path[0][2]:.3g} → {end[2]:.2g}"] = _thinned(d.path)
    return surface_plot(
        land.w1, land.w2, land.loss, names=_names(r), zlabel="L2", log_scale=True,
        paths=paths, start=None, end=None,
        title="从任意起点沿最陡的下降路径前进\nSteepest descent from two starts "
              f"(lr {ff.DESCENT_LR:g}, {len(r.descents[0].path) - 1} steps)")


def equivalent(r: ff.FunctionFitResults) -> Figure:
    """Figure 8: different but equivalent solutions on the training interval."""
    curves = {f"{s.label}: MSE {s.mse_inside:.1g}": s.inside for s in r.solutions}
    xs, ts = zip(*r.examples[:r.main.examples], strict=True)
    return function_plot(r.x_inside, curves, target=_sin(r.x_inside), points=(xs, ts),
                         legend="lower right", points_label=f"{len(xs)} 个样例 examples",
                         title="“不同但等效”的解决方案\nDifferent but equivalent solutions "
                               f"(largest gap {r.spread_inside:.2g})")


def extrapolation(r: ff.FunctionFitResults) -> Figure:
    """Figure 9: the same solutions outside the training interval."""
    curves = {s.label: s.outside for s in r.solutions}
    return function_plot(r.x_outside, curves, target=_sin(r.x_outside), band=_band(),
                         legend="lower left",
                         title="在训练区域之外“外插”\nThe same solutions outside the "
                               f"training interval (largest gap {r.spread_outside:.2g})")


FIGURES: dict[str, Callable[[ff.FunctionFitResults], Figure]] = {
    "fit_1_target": target,
    "fit_2_network": network,
    "fit_3_random_weights": random_weights,
    "fit_4_more_examples": more_examples,
    "fit_5_learning_curve": learning_curve,
    "fit_6_landscape": landscape,
    "fit_7_descent": descent,
    "fit_8_equivalent": equivalent,
    "fit_9_extrapolation": extrapolation,
}
