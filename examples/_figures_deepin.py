"""The deepin article's figures (seed 001): logic-gate lines, y = 2x + 1, the digits.

Each function takes the gallery's ``Sources`` and returns a Figure; titles are Chinese
over English, numbers are the run's.
"""

from __future__ import annotations

from matplotlib.figure import Figure

import nn
from viz.curves import series_plot
from viz.diagrams import GatePanel, decision_lines
from viz.images import confusion_matrix, image_grid

from . import linear, logic_gates
from ._gallery_sources import DIGIT_MISTAKES, DIGIT_SAMPLES, Sources


def gates_and_or(s: Sources) -> Figure:
    """Figure 2 of the article: AND (and OR) as one threshold neuron's line."""
    panels = []
    for gate, name in (("and", "与 AND"), ("or", "或 OR")):
        w1, w2, theta = logic_gates.ARTICLE_WEIGHTS[gate]
        computed = logic_gates.truth_table(logic_gates.threshold_neuron(w1, w2, theta))
        panels.append(GatePanel(f"{name}：w1 = {w1:g}, w2 = {w2:g}, θ = {theta:g}", computed,
                                [(w1, w2, theta, f"{w1:g}·x1 + {w2:g}·x2 = {theta:g}")]))
    return decision_lines(panels, title="一条直线分开输出 1（实心）与输出 0（空心）的点\n"
                                        "One neuron, one line: filled = 1, hollow = 0 "
                                        "(shaded: w1·x1 + w2·x2 ≥ θ)")


def gates_xor(s: Sources) -> Figure:
    """Figure 3 of the article: no line separates XOR; a hidden layer's two lines do."""
    xor = nn.datasets.GATES["xor"]
    tried = s.gate_search.tried
    lines = [(w1, w2, -b, f"隐藏神经元 hidden {k}: tanh = 0")
             for k, (w1, w2, b) in enumerate(s.xor.hidden_lines, start=1)]
    panels = [
        GatePanel(f"异或 XOR：{tried:,} 个单神经元中 {s.gate_search.count('xor')} 个可行\n"
                  f"no single neuron of {tried:,} tried", xor),
        GatePanel(f"2-{len(lines)}-1 网络学会了异或 (hidden layer)\n"
                  f"outputs {', '.join(f'{y:.2f}' for y in s.xor.outputs)}", xor, lines,
                  shade=False),
    ]
    return decision_lines(panels, title="异或：没有一条直线能把实心点与空心点分开\n"
                                        "XOR: no line separates the filled points from the "
                                        "hollow ones")


def linear_trajectory(s: Sources) -> Figure:
    """w and b of y = w·x + b, pair after pair of y = 2x + 1 data."""
    r = s.linear
    pairs = list(range(len(r.trajectory)))
    ws = [w for w, _ in r.trajectory]
    bs = [b for _, b in r.trajectory]
    marks = {f"文章：十几对 article: ~{linear.ARTICLE_PAIRS}": linear.ARTICLE_PAIRS}
    if r.w_close_after:
        marks[f"|w − 2| < {linear.TOLERANCE:g}: {r.w_close_after}"] = r.w_close_after
    if r.b_close_after:
        marks[f"|b − 1| < {linear.TOLERANCE:g}: {r.b_close_after}"] = r.b_close_after
    return series_plot(
        {"w": (pairs, ws), "b": (pairs, bs)}, references={"w = 2": 2.0, "b = 1": 1.0},
        marks=marks, xlabel="训练数据对 pairs seen", ylabel="参数值 value",
        legend="center right",
        title="y = 2x + 1：w 与 b 逐对逼近 2 与 1（学习率 0.01）\nw and b pair by pair "
              f"(x ~ U(−5, 5), noise σ 0.1, seed {s.seed}): w is quick, b is slow")


def digits_samples(s: Sources) -> Figure:
    """Held-out digits with the network's answers: the first ones, then its mistakes."""
    d = s.digits
    first = list(range(min(DIGIT_SAMPLES, len(d.labels))))
    wrong = [i for i, (t, p) in enumerate(zip(d.labels, d.predicted, strict=True)) if t != p]
    shown = first + [i for i in wrong if i not in first][:DIGIT_MISTAKES]
    shape = "-".join(map(str, d.sizes))
    return image_grid(
        [d.images[i] for i in shown], [f"{d.labels[i]} → {d.predicted[i]}" for i in shown],
        wrong=[d.labels[i] != d.predicted[i] for i in shown], columns=10,
        title=f"手写数字（8×8）：标签 → 网络的回答，红色为错误\nscikit-learn digits, "
              f"label → answer of the {shape} network (red: wrong; the last row: mistakes)")


def digits_confusion(s: Sources) -> Figure:
    """How often each digit was read as each other digit."""
    d = s.digits
    right = round(d.accuracy * len(d.labels))
    return confusion_matrix(
        d.confusion, [str(k) for k in range(10)], xlabel="网络的回答 predicted",
        ylabel="真实标签 true",
        title=f"识别正确 {right}/{len(d.labels)} = {d.accuracy:.2%}（文章：MNIST 上 92.53%）\n"
              f"Confusion matrix on the held-out digits")
