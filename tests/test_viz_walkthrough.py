"""viz.walkthrough: the article's numbers in frames, transcript, SVG frames and the page."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest

import autograd
import nn
import viz
from autograd import Value

PHASE_ORDER = {"forward": 0, "loss": 1, "backward": 2, "update": 3}


@pytest.fixture(scope="module")
def article():
    """The deepin example, two pairs: recorded once for the whole module."""
    return viz.walkthrough(steps=2)


def captions(wt) -> list[str]:
    return [f.caption for f in wt.frames]


def test_article_numbers_after_two_pairs(article):
    first, second = article.records
    assert (first.x, first.t) == ((0.0,), (1.0,)) and (second.x, second.t) == ((1.0,), (2.9,))
    assert first.grads == pytest.approx({"w": 0.0, "b": -0.4})
    assert first.after == pytest.approx({"w": 0.5, "b": 0.604})
    assert second.grads == pytest.approx({"w": -1.796, "b": -1.796})
    assert second.after == pytest.approx({"w": 0.51796, "b": 0.62196}, abs=1e-12)


@pytest.mark.parametrize("text", [
    "forward: y = (w × x) + b = 0 + 0.6 = 0.6",
    "loss: y − t = 0.6 − 1 = −0.4",
    "∂L/∂y = ∂L/∂(y − t) · ∂(y − t)/∂y = −0.4 × 1 = −0.4",
    "∂L/∂w = ∂L/∂(w × x) · ∂(w × x)/∂w = −0.4 × 0 = 0 (rule: ∂(w × x)/∂w = x = 0)",
    "∂L/∂b = ∂L/∂y · ∂y/∂b = −0.4 × 1 = −0.4",
    "b ← b − lr·∂L/∂b = 0.6 − 0.01 × (−0.4) = 0.604",
    "forward: y = (w × x) + b = 0.5 + 0.604 = 1.104",
    "∂L/∂y = ∂L/∂(y − t) · ∂(y − t)/∂y = −1.796 × 1 = −1.796",
    "w ← w − lr·∂L/∂w = 0.5 − 0.01 × (−1.796) = 0.51796",
    "b ← b − lr·∂L/∂b = 0.604 − 0.01 × (−1.796) = 0.62196",
    "After pair 2: w = 0.51796, b = 0.62196",
])
def test_captions_read_the_article_numbers(article, text):
    assert any(text in c for c in captions(article)), text


def test_phases_run_forward_loss_backward_update_per_pair(article):
    for step in (0, 1):
        phases = [f.phase for f in article.frames if f.step == step]
        assert phases == sorted(phases, key=PHASE_ORDER.get)
        assert phases.count("forward") == 3  # the start, w × x, y
        assert phases.count("loss") == 3  # y − t, (y − t)², L
        assert phases.count("update") == 3  # w, b, and the summary
        # one backward frame per node that is not a constant, the loss's included
        graph = next(f.graph for f in article.frames if f.step == step)
        expected = sum(1 for n in graph.order if not n.is_constant)
        assert phases.count("backward") == expected
    assert [f.index for f in article.frames] == list(range(len(article.frames)))


def test_forward_frames_reveal_one_node_at_a_time(article):
    frames = [f for f in article.frames if f.step == 0 and f.phase in ("forward", "loss")]
    computed = [sum(1 for data, _ in f.numbers.values() if data is not None) for f in frames]
    assert computed == list(range(computed[0], computed[0] + len(frames)))
    assert all(grad is None for f in frames for _, grad in f.numbers.values())
    for f in frames[1:]:
        assert f.numbers[f.node][0] == f.node.data  # the highlighted node is the new one


def test_backward_frames_highlight_the_edges_the_gradient_flows_through(article):
    frames = [f for f in article.frames if f.step == 0 and f.phase == "backward"][1:]
    for f in frames:
        readers = autograd.consumers(f.graph.order)[f.node]
        assert list(f.edges) == readers
        if f.node in f.graph.params:  # trained since: compare with the step's record
            name = f.graph.params[f.node]
            record = article.records[0]
            assert f.numbers[f.node] == (record.before[name], record.grads[name])
        else:
            assert f.numbers[f.node] == (f.node.data, f.node.grad)


def test_accumulation_writes_the_sum_over_consumers():
    w = Value(0.5, "w")

    def model(x):
        h = w * x
        h.label = "h"
        return h * h + h  # h read three times: twice by ×, once by +

    wt = viz.walkthrough(model, pairs=[(2.0, 1.0)])
    (frame,) = [f for f in wt.frames if f.phase == "backward" and f.node.label == "h"]
    assert "summed over the 3 nodes that read h" in frame.caption
    # y = h² + h, L = (y − t)²/2 at h = 1, t = 1: ∂L/∂y = 1, ∂L/∂h = 1·1 + 1·1 + 1·1 = 3
    assert "= (1 × 1) + … = 3" in frame.caption  # folded: two lines at most
    assert "∂L/∂h = Σ ∂L/∂c · ∂c/∂h = " in frame.caption  # three terms: Σ in the caption
    (fact,) = [f for f in wt.facts[0] if f.name == "h"]  # and whole in the inspector
    whole = [line for _, kind, line in fact.lines if kind == "backward"][0]
    assert "∂(h × h)/∂h = h = 1; ∂((h × h) + h)/∂h = 1" in whole
    assert "∂L/∂h = ∂L/∂(h × h) · ∂(h × h)/∂h + ∂L/∂(h × h) · ∂(h × h)/∂h + " in whole
    assert "= (1 × 1) + (1 × 1) + (1 × 1) = 3" in whole


def test_gradients_in_captions_match_central_differences():
    a, c = Value(0.3, "a"), Value(-0.7, "c")

    def model(x):
        return (a * x).tanh() + c * x

    wt = viz.walkthrough(model, pairs=[(1.5, 0.2)], lr=0.1)
    record = wt.records[0]

    def loss(pa, pc):
        y = math.tanh(pa * 1.5) + pc * 1.5
        return (y - 0.2) ** 2 / 2

    h = 1e-6
    da = (loss(0.3 + h, -0.7) - loss(0.3 - h, -0.7)) / (2 * h)
    dc = (loss(0.3, -0.7 + h) - loss(0.3, -0.7 - h)) / (2 * h)
    assert record.grads == pytest.approx({"a": da, "c": dc}, rel=1e-6)
    assert record.after == pytest.approx({"a": 0.3 - 0.1 * da, "c": -0.7 - 0.1 * dc}, rel=1e-6)
    assert a.data == pytest.approx(0.3 - 0.1 * da, rel=1e-6)  # the user's Values were trained


def test_nn_mlp_with_an_nn_loss():
    model = nn.MLP(2, [3, 1], activation="tanh", seed=1)
    before = {name: p.data for name, p in model.named_parameters()}
    wt = viz.walkthrough(model, pairs=[([0.5, -1.0], 1.0)], loss=nn.mse, lr=0.05)
    (record,) = wt.records
    # records use the names the graph shows (w1.3.2: layer 1, neuron 3, weight 2), and
    # wt.full_names the model's own dotted ones
    short = {wt.full_names[p]: name for p, name in wt.params.items()}
    assert short["layers.0.neurons.2.w.1"] == "w1.3.2" and short["layers.1.neurons.0.b"] == "b2.1"
    assert set(short) == set(before)
    for name, p in model.named_parameters():
        assert record.before[short[name]] == before[name]
        assert p.data == pytest.approx(before[name] - 0.05 * record.grads[short[name]])
    # the same gradients as autograd on a fresh graph with the starting weights
    fresh = nn.MLP(2, [3, 1], activation="tanh", seed=1)
    loss = nn.mse(fresh([0.5, -1.0]), 1.0)
    grads = autograd.grad(loss, fresh.parameters())
    assert [record.grads[short[n]] for n, _ in fresh.named_parameters()] == pytest.approx(grads)
    assert any("parameters w1.1.1 = " in c for c in captions(wt))


def test_default_runs_six_pairs_of_the_article_stream():
    wt = viz.walkthrough()
    pairs = nn.datasets.linear_pairs(6, seed=0)
    assert [(r.x[0], r.t[0]) for r in wt.records] == [(x[0], t) for x, t in pairs]
    assert wt.records[1].after == pytest.approx({"w": 0.51796, "b": 0.62196})
    assert wt.frames[-1].caption.startswith("After pair 6:")


def test_transcript_has_every_frame_and_the_table(article):
    text = article.transcript()
    lines = text.splitlines()
    assert sum(1 for line in lines if re.match(r"\[\d+\] ", line)) == len(article.frames)
    assert "[1] Pair 1 of 2 (from the article): x = 0, t = 1." in text
    assert lines[-1].split() == ["2", "1.61281", "0.51796", "0.62196"]
    assert lines[-2].split() == ["1", "0.08", "0.5", "0.604"]


def test_control_characters_in_labels_never_reach_the_terminal():
    evil = Value(0.5, "w\x1b[2J\x07")

    def model(x):
        return evil * x

    wt = viz.walkthrough(model, pairs=[(1.0, 2.0)])
    text = wt.transcript()
    assert "\x1b" not in text and "\x07" not in text
    assert "y = w\N{REPLACEMENT CHARACTER}[2J\N{REPLACEMENT CHARACTER} × x = 0.5 × 1" in text
    assert all("\x1b" not in f.caption for f in wt.frames)


def test_chinese_captions_and_transcript():
    wt = viz.walkthrough(steps=2, lang="zh")
    text = wt.transcript()
    for word in ("前向传播", "损失", "反向传播", "链式法则", "学习率", "参数更新"):
        assert word in text, word
    assert "参数更新（学习率 lr = 0.01）：w ← w − lr·∂L/∂w = 0.5 − 0.01 × (−1.796) = 0.51796" \
        in text
    assert "0.62196" in text


def test_frame_svgs_carry_caption_and_numbers(tmp_path):
    wt = viz.walkthrough(steps=1)
    paths = wt.write_frames(tmp_path / "frames")
    assert [p.name for p in paths] == [f"frame_{i:03d}.svg" for i in range(1, len(wt) + 1)]
    last = ET.parse(paths[-1]).getroot()
    texts = " ".join("".join(t.itertext()) for t in last.iter("{http://www.w3.org/2000/svg}text"))
    assert "data 0.604" in texts and "w = 0.5, b = 0.604" in texts
    backward_w = next(i for i, f in enumerate(wt.frames)
                      if f.phase == "backward" and f.node.label == "w")
    svg = paths[backward_w].read_text(encoding="utf-8")
    assert "−0.4 × 0 = 0" in svg  # the caption
    assert "×0</text>" in svg  # the highlighted edge's label: the local derivative x = 0


def test_frames_to_a_file_path_say_it_is_not_a_folder(tmp_path):
    taken = tmp_path / "frames"
    taken.write_text("mine")
    with pytest.raises(NotADirectoryError, match="cannot write the frames to .*frames.*: it is "
                                                 "a file, not a folder"):
        viz.walkthrough(steps=1).write_frames(taken)
    assert taken.read_text() == "mine"


def test_chinese_frame_svg_keeps_the_text(tmp_path):
    wt = viz.walkthrough(steps=1, lang="zh")
    paths = wt.write_frames(tmp_path)
    svg = paths[0].read_text(encoding="utf-8")
    assert "前向传播" in svg and "Noto Sans CJK SC" in svg


def test_walkthrough_rejects_bad_arguments():
    with pytest.raises(ValueError, match="lang must be one of en, zh, got 'fr'"):
        viz.walkthrough(lang="fr")
    with pytest.raises(ValueError, match="steps must be a positive int, got 0"):
        viz.walkthrough(steps=0)
    with pytest.raises(ValueError, match="lr must be a finite number, got nan"):
        viz.walkthrough(lr=float("nan"))
    with pytest.raises(ValueError, match="lr must be ≥ 0, got -0.01"):
        viz.walkthrough(lr=-0.01)
    with pytest.raises(ValueError, match="needs its training pairs"):
        viz.walkthrough(lambda x: x * 2)
    with pytest.raises(ValueError, match="pairs is empty"):
        viz.walkthrough(pairs=[])
    with pytest.raises(ValueError, match="steps=3 but only 1 pairs"):
        viz.walkthrough(pairs=[(0, 1)], steps=3)
    with pytest.raises(ValueError, match=r"pair 0: x must be a number or a non-empty list of "
                                         r"numbers, got 'a'"):
        viz.walkthrough(pairs=[("a", 1)])
    with pytest.raises(ValueError, match=r"pair 1: t must hold finite numbers, got \[1, nan\]"):
        viz.walkthrough(pairs=[(0, 1), (0, [1, math.nan])])
    with pytest.raises(ValueError, match=r"pair 0 must be \(x, t\), got \(1, 2, 3\)"):
        viz.walkthrough(pairs=[(1, 2, 3)])
    with pytest.raises(TypeError, match="pairs must be a list of \\(x, t\\) pairs, got 5"):
        viz.walkthrough(pairs=5)
    assert len(viz.walkthrough(pairs=((x, 2 * x + 1) for x in (0, 1))).records) == 2
    with pytest.raises(ValueError, match="y = w·x \\+ b takes one input, got 2"):
        viz.walkthrough(pairs=[([1, 2], 2)])
    with pytest.raises(ValueError, match="the model gives 2 outputs but the target has 1"):
        viz.walkthrough(lambda x: [x * 2, x * 3], pairs=[(1, 2)], params=[])
    with pytest.raises(TypeError, match="model must be callable \\(x -> Value\\), got 3"):
        viz.walkthrough(3, pairs=[(1, 2)])
    with pytest.raises(TypeError, match="loss must be callable \\(y, t\\) -> Value, got 3"):
        viz.walkthrough(loss=3)
    with pytest.raises(ValueError, match="precision is a number of significant digits 1..17"):
        viz.walkthrough(precision=0)
    with pytest.raises(TypeError, match="model must return a Value"):
        viz.walkthrough(lambda x: 3.0, pairs=[(0, 1)])
    with pytest.raises(TypeError, match="loss must return a Value"):
        viz.walkthrough(pairs=[(0, 1)], loss=lambda y, t: 1.0)
    big = nn.MLP(8, [16, 16, 1], seed=0)
    with pytest.raises(ValueError, match=r"has [\d,]+ nodes \(at most 400\).*viz.draw"):
        viz.walkthrough(big, pairs=[([0.0] * 8, 1.0)])
    with pytest.raises(ValueError, match="give a .html path"):
        viz.walkthrough(steps=1).write_html("page.svg")


def test_parameters_with_the_same_label_or_none_stay_apart_in_the_records():
    # Records and the step table are keyed by name: two parameters labelled "w" (or
    # two unlabelled ones) used to collapse into one column, losing a parameter.
    w1, w2 = Value(0.5, "w"), Value(-0.3, "w")
    wt = viz.walkthrough(lambda x: w1 * x + w2 * x * x, pairs=[(1.0, 2.0)], lr=0.1)
    # y = 0.5 − 0.3 = 0.2, dL/dy = −1.8, so both gradients are −1.8 (x = x² = 1)
    assert wt.records[0].before == {"w": 0.5, "w#2": -0.3}
    assert wt.records[0].after == pytest.approx({"w": 0.68, "w#2": -0.12})
    assert wt.transcript().splitlines()[-2].split() == ["pair", "L", "w", "w#2"]
    assert "w#2 ← w#2 − lr·∂L/∂w#2 = −0.3 − 0.1 × (−1.8) = −0.12" in wt.transcript()
    u, v = Value(0.5), Value(0.1)
    wt = viz.walkthrough(lambda x: u * x + v, pairs=[(1.0, 2.0)], params=[u, v], lr=0.1)
    assert wt.records[0].after == pytest.approx({"p0": 0.64, "p1": 0.24})


def test_numpy_pairs_walk_like_lists():
    import numpy as np

    def walk(x, t):
        model = nn.MLP(2, [1], seed=0)
        return viz.walkthrough(model, pairs=[(x, t)], loss=nn.mse).records[0]

    # IDX/numpy rows were refused as "not a non-empty list of numbers"
    assert walk(np.array([0.5, 1.0]), np.array([1.0])) == walk([0.5, 1.0], [1.0])


def test_a_leaf_outside_params_shows_this_pairs_gradient_only():
    # c is a leaf of the model but not a parameter: its .grad used to accumulate across
    # pairs, so pair 2 read "∂L/∂c = 1.485 × 1 = 2.985"
    w, c = Value(0.5, "w"), Value(3.0, "c")
    wt = viz.walkthrough(lambda x: w * x + c, pairs=[(1.0, 2.0), (1.0, 2.0)], params=[w])
    lines = [f.caption for f in wt.frames if f.phase == "backward" and f.node is c]
    # pair 1: y = 3.5, dL/dy = 1.5; pair 2: w = 0.485, y = 3.485, dL/dy = 1.485
    assert [line.split("∂L/∂c = ")[1].split(" (rule")[0] for line in lines] == [
        "∂L/∂y · ∂y/∂c = 1.5 × 1 = 1.5", "∂L/∂y · ∂y/∂c = 1.485 × 1 = 1.485"]


def test_a_model_that_ignores_its_input_is_walked_through():
    # x is then not in the graph; the pair's caption used to fail with a bare KeyError
    w = Value(0.5, "w")
    wt = viz.walkthrough(lambda x: w * 2, pairs=[(3.0, 2.0)], lr=0.1)
    assert "x = 3, t = 2" in wt.frames[0].caption
    # L = (2w − 2)²/2, dL/dw = 2(2w − 2) = −2 at w = 0.5
    assert wt.records[0].grads == {"w": -2.0}
    assert wt.records[0].after == pytest.approx({"w": 0.7})


def test_page_is_self_contained(tmp_path, article):
    path = article.write_html(tmp_path / "walk.html")
    page = path.read_text(encoding="utf-8")
    assert page.count('<div class="frame"') == len(article.frames)
    assert page.count("<svg") == len(article.frames) + 1  # the frames and the trajectory
    # no external resource: the only URLs are XML namespace names inside the SVG
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    # url(#id) points inside the page (the chart's clip path); nothing else may
    assert not re.search(r"<(link|img|iframe)\b|\bsrc=|@import|url\((?!#)", page)
    assert "default-src 'none'" in page
    assert "0.51796" in page and "0.62196" in page


def test_frames_of_a_pair_keep_one_layout(article):
    """Highlights, edge labels and numbers appearing must not move the picture."""
    import sys

    frames_module = sys.modules["viz.walkthrough.frames"]
    step = [f for f in article.frames if f.step == 0]
    svgs = frames_module.frame_svgs(step, lang="en", precision=6, title=False)
    sizes = {re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', s).groups() for s in svgs}
    assert len(sizes) == 1, sizes
    positions = {re.search(r"<title>v0</title>\s*<polygon[^>]*points=\"([^\"]+)\"", s).group(1)
                 for s in svgs}
    assert len(positions) == 1, positions
