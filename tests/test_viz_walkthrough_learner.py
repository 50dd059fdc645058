"""What a learner reads in the walkthrough: rules in the graph's own names, the article's
shortcut, a header that says what we look at, facts that are never from the future,
updates that agree with themselves, readable names in an MLP, Chinese that reads as
Chinese, and bounds that give a clear error instead of a blow-up."""

from __future__ import annotations

import math
import re

import pytest

import autograd
import nn
import viz
from autograd import Op, Value
from viz.walkthrough import MAX_STEPS, DivergedError


@pytest.fixture(scope="module")
def article():
    return viz.walkthrough(steps=2)


def frame_of(wt, step, phase, name):
    (frame,) = [f for f in wt.frames if f.step == step and f.phase == phase
                and f.node is not None and f.graph.names[f.node] == name]
    return frame


# --- 1. rules written with the graph's own names ------------------------------------

@pytest.mark.parametrize("name, rule", [
    ("w", "(rule: ∂(w × x)/∂w = x = 1)"),
    ("y − t", "(rule: ∂((y − t)²)/∂(y − t) = 2·(y − t) = −3.592)"),
    ("t", "(rule: ∂(y − t)/∂t = −1)"),
    ("b", "(rule: ∂((w × x) + b)/∂b = 1)"),
    ("(y − t)²", "(rule: ∂((y − t)² ÷ 2)/∂(y − t)² = 1/2 = 0.5)"),
])
def test_backward_rules_use_the_operands_names_then_their_numbers(article, name, rule):
    assert rule in frame_of(article, 1, "backward", name).caption


def test_no_rule_speaks_in_letters_that_collide_with_the_graph(article):
    for frame in article.frames:
        assert not re.search(r"∂\(a|∂a\b|= b\b|aᵇ", frame.caption), frame.caption
    # the same texts reach the transcript and the inspector's lines
    text = article.transcript()
    assert "(rule: ∂(w × x)/∂w = x = 1)" in text
    lines = [line for facts in article.facts.values() for f in facts for _, _, line in f.lines]
    assert any("(rule: ∂(w × x)/∂w = x = 1)" in line for line in lines)


def test_a_registered_op_gets_the_names_and_an_old_plain_rule_still_works():
    cube = Op(name="cube_t", symbol="cube", arity=1, forward=lambda a: a ** 3,
              local_grads=lambda a, out: (3 * a * a,), rules=("∂cube({0})/∂{0} = 3·{0}²",),
              template="cube({0})", domain=(((-2.0, 2.0),),))
    plain = Op(name="cube_p", symbol="cube", arity=1, forward=lambda a: a ** 3,
               local_grads=lambda a, out: (3 * a * a,), rules=("∂a³/∂a = 3a²",),
               template="cube({0})", domain=(((-2.0, 2.0),),))
    for op, rule in ((cube, "∂cube(w)/∂w = 3·w² = 0.75"), (plain, "∂a³/∂a = 3a² (a = w) = 0.75")):
        w = Value(0.5, "w")
        wt = viz.walkthrough(lambda x, op=op, w=w: autograd.apply(op, w) * x,
                             pairs=[(1.0, 1.0)], params={"w": w})
        assert rule in frame_of(wt, 0, "backward", "w").caption


def test_the_article_shortcut_is_noted_at_the_loss(article):
    start = [f for f in article.frames if f.step == 1 and f.phase == "backward"][0]
    assert start.node is start.graph.root
    assert "for L = (y − t)²/2, ∂L/∂y = y − t = −1.796" in start.caption


# --- 3. facts that follow the frame -----------------------------------------------

def test_node_facts_are_known_only_from_their_frame(article):
    facts = {f.name: f for f in article.facts[1]}
    w = facts["w"]
    backward_w = frame_of(article, 1, "backward", "w").index
    update_w = frame_of(article, 1, "update", "w").index
    first = min(f.index for f in article.frames if f.step == 1)
    assert w.value == (first, "0.5") and w.grad == (backward_w, "−1.796")
    assert w.new == (update_w, "0.51796")
    kinds = [(frame, kind) for frame, kind, _ in w.lines]
    assert kinds == [(first, "forward"), (backward_w, "backward"), (update_w, "update")]
    y = facts["y"]
    assert y.value[0] == frame_of(article, 1, "forward", "y").index
    assert y.lines[0][2] == "y = (w × x) + b = 0.5 + 0.604 = 1.104"
    # every fact of pair 2 belongs to pair 2's frames
    indices = {f.index for f in article.frames if f.step == 1}
    assert all(frame in indices for f in facts.values() for frame, _, _ in f.lines)


def test_roles_say_what_a_node_is(article):
    roles = {f.name: f.role for f in article.facts[0]}
    assert roles == {"w": "param", "x": "input", "w × x": "result", "b": "param", "y": "result",
                     "t": "target", "y − t": "result", "(y − t)²": "result", "L": "loss"}


# --- 4. the update frame agrees with itself -------------------------------------------

def test_update_frames_show_old_to_new_and_mark_stale_values(article):
    frame = frame_of(article, 1, "update", "w")
    assert frame.caption == ("update (learning rate lr = 0.01): w ← w − lr·∂L/∂w = "
                             "0.5 − 0.01 × (−1.796) = 0.51796")
    w = frame.node
    assert frame.before == {w: 0.5} and frame.numbers[w][0] == pytest.approx(0.51796)
    names = {frame.graph.names[n] for n in frame.stale}
    assert names == {"w × x", "y", "y − t", "(y − t)²", "L"}  # computed with the old w
    assert frame.answer.cells == ("data 0.51796",) and frame.answer.question.endswith("= ?")


def test_backward_frames_carry_the_trail_so_far(article):
    frames = [f for f in article.frames if f.step == 1 and f.phase == "backward"]
    for before, after in zip(frames, frames[1:]):
        assert set(before.trail) <= set(after.trail)
        assert set(after.trail) == set(before.trail) | set(before.edges) - {(None, 0)} \
            or before.node is before.graph.root


# --- 5. say what we are looking at ------------------------------------------------------

def test_the_header_states_model_goal_article_and_where_the_pairs_come_from():
    about = " ".join(viz.walkthrough().about.lines)
    for text in ("y = w·x + b", "L = (y − t)²/2", "learning rate 0.01", "w = 0.5, b = 0.6",
                 "w should approach 2 and b approach 1", "deepin", "(0, 1) and (1, 2.9)",
                 "pairs 3–6 are generated", "x uniform in [−5, 5]", "after 43 pairs",
                 "after 181"):
        assert text in about, text


def test_the_header_of_a_users_model_states_what_was_passed():
    model = nn.MLP(2, [2, 1], activation="tanh", seed=0)
    wt = viz.walkthrough(model, pairs=[([0.5, 1.0], 1.0)] * 2, loss=nn.mse, lr=0.05)
    (line,) = wt.about.lines
    assert "MLP(2, [2, 1], activation='tanh'" in line and "loss mse" in line
    assert "learning rate 0.05" in line and "2 training pairs" in line


def test_mlp_nodes_have_short_stable_names_and_backward_goes_layer_by_layer():
    model = nn.MLP(2, [2, 1], activation="tanh", seed=0)
    wt = viz.walkthrough(model, pairs=[([0.5, 1.0], 1.0)], loss=nn.mse)
    names = set(wt.frames[0].graph.names.values())
    for name in ("x1", "x2", "w1.1.1", "w1.2.2", "b1.2", "z1.1", "h1.2", "w2.1.2", "y"):
        assert name in names, (name, sorted(names))
    assert "z2.1" in names or "y" in names
    order = [f.graph.names[f.node] for f in wt.frames if f.phase == "backward"]
    layer2 = [i for i, n in enumerate(order) if n.startswith(("w2.", "b2."))]
    layer1 = [i for i, n in enumerate(order) if n.startswith(("w1.", "b1."))]
    assert max(layer2) < min(layer1), order
    facts = {f.name: f.full for f in wt.facts[0]}
    assert facts["w1.2.1"] == "layers.0.neurons.1.w.0"


def test_long_sums_fold_in_the_caption_and_stay_whole_in_the_inspector():
    model = nn.MLP(1, [5, 1], activation="tanh", seed=0)
    wt = viz.walkthrough(model, pairs=[(0.5, 1.0)], loss=nn.mse)
    frame = frame_of(wt, 0, "backward", "x")
    assert "summed over the 5 nodes that read x" in frame.caption
    assert frame.caption.count(" × ") < 5 + 2 and ") + … = " in frame.caption
    (fact,) = [f for f in wt.facts[0] if f.name == "x"]
    whole = [line for _, kind, line in fact.lines if kind == "backward"][0]
    assert whole.count("(") > frame.caption.count("(") and " … " not in whole.split("(rule")[0]


# --- 7. Chinese that reads as Chinese ---------------------------------------------------

def test_chinese_uses_the_articles_words_and_no_english_fragments():
    wt = viz.walkthrough(steps=2, lang="zh")
    text = wt.transcript()
    assert "== 第 1 步 ==" in text and "第 1/2 个训练对（文章中的）" in text
    for frame in wt.frames:
        words = set(re.findall(r"[A-Za-z]{3,}", frame.caption))
        assert words <= {"deepin"}, (words, frame.caption)
    svg = wt.digraph(20).source
    assert "值 0.5" in svg and "梯度 …" in svg and "data" not in svg and "grad " not in svg


# --- 8. bounded work ---------------------------------------------------------------------

def test_more_steps_than_the_limit_is_a_clear_error():
    with pytest.raises(ValueError, match=rf"steps={MAX_STEPS + 1:,} is more than a walkthrough "
                                         rf"keeps \(at most {MAX_STEPS:,}"):
        viz.walkthrough(steps=MAX_STEPS + 1)


@pytest.mark.parametrize("options", [{"lr": 1.0, "steps": 2000}, {"lr": 1e308, "steps": 3},
                                     {"w": 1e308, "steps": 3}])
def test_divergence_is_one_clear_error(options):
    with pytest.raises(DivergedError, match=r"training diverged at pair \d+ of \d+ .*the "
                                            r"learning rate lr = \S+ or the starting values are "
                                            "too large"):
        viz.walkthrough(**options)


def test_long_runs_keep_frames_for_the_first_pairs_and_numbers_for_all():
    wt = viz.walkthrough(steps=181)
    assert len(wt.records) == 181 and {f.step for f in wt.frames} == set(range(6))
    assert [r.detailed for r in wt.records[5:7]] == [True, False]
    after = [r.after for r in wt.records]
    assert abs(after[42]["w"] - 2) < 0.05 and abs(after[41]["w"] - 2) >= 0.05
    assert abs(after[180]["b"] - 1) < 0.05 and all(abs(a["b"] - 1) >= 0.05 for a in after[:180])
    assert "Pairs 1–6 are shown frame by frame; pairs 7–181 only as numbers" in \
        " ".join(wt.about.lines)


def test_too_many_frames_is_a_clear_error():
    model = nn.MLP(3, [6, 6, 1], seed=0)
    with pytest.raises(ValueError, match=r"more than 2,000 frames .*detail=N"):
        viz.walkthrough(model, pairs=[([0.1, 0.2, 0.3], 1.0)] * 20, loss=nn.mse, detail=20)


def test_a_label_with_a_newline_keeps_one_line_per_frame():
    w = Value(0.5, "w\nsecond line")
    wt = viz.walkthrough(lambda x: w * x, pairs=[(1.0, 2.0)])
    lines = wt.transcript().splitlines()
    numbered = [line for line in lines if re.match(r"\[\d+\] ", line)]
    assert len(numbered) == len(wt.frames)
    assert not any(line.startswith("second line") for line in lines)


# --- issue 11: predict-then-reveal answers, weight decay ---------------------------------

def test_every_backward_and_update_frame_has_an_answer_hidden_in_its_question(article):
    for frame in article.frames:
        if frame.phase == "backward" and frame.node is not frame.graph.root or \
                frame.phase == "update" and frame.node is not None:
            assert frame.answer is not None, frame.caption
            assert frame.answer.text in frame.caption
            assert frame.answer.question.count("?") == 1
            assert frame.answer.question.replace("?", frame.answer.text, 1) in frame.caption


def test_weight_decay_shows_a_parameter_with_two_consumers():
    wd = 0.1
    wt = viz.walkthrough(example="l2", weight_decay=wd, steps=2)
    frame = frame_of(wt, 1, "backward", "w")
    assert "summed over the 2 nodes that read w" in frame.caption
    terms = re.search(r"= \((−?[\d.]+) × (\(?−?[\d.]+\)?)\) \+ \((−?[\d.]+) × (\(?−?[\d.]+\)?)\) = "
                      r"(−?[\d.]+)", frame.caption)
    num = lambda s: float(s.strip("()").replace("−", "-"))  # noqa: E731
    a, b, c, d, total = (num(g) for g in terms.groups())
    assert a * b + c * d == pytest.approx(total, rel=1e-5)
    # against central differences of L(w, b) = (w·x + b − t)²/2 + λ(w² + b²)/2 at pair 2
    r = wt.records[1]
    (x,), (t,) = r.x, r.t

    def loss(w, b):
        return (w * x + b - t) ** 2 / 2 + wd * (w * w + b * b) / 2

    w0, b0, h = r.before["w"], r.before["b"], 1e-6
    dw = (loss(w0 + h, b0) - loss(w0 - h, b0)) / (2 * h)
    assert r.grads["w"] == pytest.approx(dw, rel=1e-6) and total == pytest.approx(dw, rel=1e-5)
    assert r.after["w"] == pytest.approx(w0 - 0.01 * dw, rel=1e-9)
    assert "weight decay" in " ".join(wt.about.lines)
    with pytest.raises(ValueError, match="example must be one of article, l2, got 'l3'"):
        viz.walkthrough(example="l3")
    assert math.isfinite(wt.records[-1].loss)


def test_one_pair_and_one_step_are_said_in_the_singular():
    model = nn.MLP(1, [1], seed=0)
    wt = viz.walkthrough(model, pairs=[([0.5], 1.0)], loss=nn.mse)
    assert "1 training pair you gave;" in " ".join(wt.about.lines)
    assert repr(wt).startswith("Walkthrough(1 step, ")
    two = viz.walkthrough(model, pairs=[([0.5], 1.0), ([1.0], 0.0)], loss=nn.mse)
    assert "2 training pairs you gave;" in " ".join(two.about.lines)
