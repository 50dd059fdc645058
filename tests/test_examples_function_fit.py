"""The first article's example (seed 000): sin(πx) by 1-4-4-1, and the facts its figures show."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
import nn
from examples import function_fit as ff
from examples._l2_loss import L2Loss, train

# What the figures claim, as numbers (seed 0):
INSIDE_TOLERANCE = 0.05  # figure 8: any two solutions within this of each other on [−1, 1]
OUTSIDE_FACTOR = 10  # figure 9: outside [−1, 1] they differ at least 10 times more


@pytest.fixture(scope="module")
def results():
    return ff.run(seed=0, counts=(5, 50), solutions=3, landscape_points=11)


def test_the_network_has_one_input_one_output_and_33_parameters(results):
    assert results.sizes == (1, 4, 4, 1)
    assert results.num_parameters == ff.network(0).num_parameters() == 2 * 4 + 5 * 4 + 5
    assert [len(w) for w in results.weights] == [4, 4, 1]  # rows: units of the next layer


def test_examples_are_sin_pi_x_on_the_interval_and_a_stream():
    rows = ff.examples(100, seed=3)
    assert all(-1 <= x[0] <= 1 and t == math.sin(math.pi * x[0]) for x, t in rows)
    assert ff.examples(10, seed=3) == rows[:10]  # 10 examples are the first 10 of 100
    with pytest.raises(ValueError, match="n must be a whole number ≥ 1, got 0"):
        ff.examples(0)


def test_random_weights_compute_functions_far_from_the_target(results):
    xs = np.array(results.x_inside)
    errors = [ff.mse_against_target(xs, np.array(c)) for c in results.random_curves]
    assert len(errors) == ff.RANDOM_SETTINGS
    assert min(errors) > 0.1  # the closest of them is still far off


def test_loss_falls_and_more_examples_fit_better(results):
    loss = results.main.loss
    assert len(loss) == ff.EPOCHS
    assert loss[-1] < loss[0] / 1000  # the L2 loss falls by over three orders of magnitude
    few, many = results.by_count
    assert (few.examples, many.examples) == (5, 50)
    assert many.mse_inside < few.mse_inside / 100
    assert many is results.main  # the 50-example fit is the main one, trained once


def test_the_l2_loss_is_the_sum_of_squared_differences(results):
    model = ff.network(0)
    rows = ff.examples(7, seed=1)
    l2 = L2Loss(model, rows)
    by_hand = sum((nn.scalar(model(x)).data - t) ** 2 for x, t in rows)
    assert l2.loss() == pytest.approx(by_hand, rel=1e-12)


def test_l2_gradient_matches_eager_backward_for_every_parameter():
    # the compiled program orders its parameters its own way: gradient() must map them back
    model = ff.network(2)
    rows = ff.examples(6, seed=2)
    params = model.parameters()
    l2 = L2Loss(model, rows)
    l2.loss()
    compiled = l2.gradient(params)
    model.zero_grad()
    autograd.sum([(nn.scalar(model(x)) - t) ** 2 for x, t in rows]).backward()
    assert compiled == pytest.approx([p.grad for p in params], rel=1e-9, abs=1e-12)


def test_training_loop_takes_nn_fits_steps():
    rows = ff.examples(8, seed=4)
    ours, theirs = ff.network(5), ff.network(5)
    losses = train(ours, rows, epochs=4, lr=0.01)
    history = nn.fit(theirs, rows, loss=nn.sum_squared_error, optimizer=nn.Adam(theirs, lr=0.01),
                     epochs=4, batch_size=None, shuffle=False, progress=False)
    assert losses == pytest.approx([m * len(rows) for m in history.train_loss], rel=1e-12)
    for a, b in zip(ours.parameters(), theirs.parameters(), strict=True):
        assert a.data == pytest.approx(b.data, rel=1e-12, abs=1e-15)


def test_equivalent_solutions_agree_inside_and_differ_outside(results):
    assert [s.label for s in results.solutions] == ["seed 0", "seed 1", "seed 2"]
    assert all(s.mse_inside < 1e-3 for s in results.solutions)  # each fits the target …
    assert results.spread_inside < INSIDE_TOLERANCE  # … and they agree with each other
    assert results.spread_outside > OUTSIDE_FACTOR * results.spread_inside
    assert all(s.mse_outside > 0.1 for s in results.solutions)  # none extrapolates sin(πx)


def test_steepest_descent_never_climbs_and_one_start_stops_in_a_lake(results):
    to_valley, to_lake = results.descents
    for d in results.descents:
        losses = [p[2] for p in d.path]
        assert len(losses) == ff.DESCENT_STEPS + 1
        assert all(b <= a for a, b in zip(losses, losses[1:]))  # lr small enough: monotone
    w1, w2, trained_loss = results.landscape.trained
    end = to_valley.end
    assert math.hypot(end[0] - w1, end[1] - w2) < 0.1 and end[2] <= trained_loss
    assert to_lake.end[2] > 100 * trained_loss  # a local minimum, far above the valley
    assert math.hypot(to_lake.end[0] - w1, to_lake.end[1] - w2) > 1


def test_landscape_grid_holds_every_path_and_puts_weights_back(results):
    land = results.landscape
    assert land.names == ff.LANDSCAPE_WEIGHTS
    assert len(land.loss) == len(land.w1) == 11 and all(len(r) == 11 for r in land.loss)
    for d in results.descents:
        for a, b, _ in d.path:
            assert land.w1[0] <= a <= land.w1[-1] and land.w2[0] <= b <= land.w2[-1]
    assert min(map(min, land.loss)) >= 0


def test_run_refuses_settings_that_leave_a_figure_empty():
    with pytest.raises(ValueError, match="solutions must be at least 2 to compare, got 1"):
        ff.run(solutions=1)
    with pytest.raises(ValueError, match="epochs must be a whole number ≥ 1, got 0"):
        ff.run(epochs=0)  # used to fail later, on an empty learning curve
    with pytest.raises(ValueError, match="landscape_points must be a whole number ≥ 2, got 1"):
        ff.run(landscape_points=1)


def test_main_prints_the_claims_and_draws_nine_figures(results, monkeypatch, tmp_path, capsys):
    import viz.plots

    drawn = {}

    def record(figure, path):  # saving nine figures takes ~10 s; one is saved for real below
        drawn[path.name] = figure
        path.write_bytes(b"figure")
        return path

    monkeypatch.setattr(ff, "run", lambda seed: results)  # the fixture's run, not a new one
    monkeypatch.setattr(viz.plots, "save_figure", record)
    assert ff.main(["--plots", str(tmp_path / "plots")]) == 0
    out = capsys.readouterr().out
    assert "article: falls" in out and "a \"mountain lake\"" in out
    assert f"computed: {results.num_parameters}" in out
    assert list(drawn) == [f"{n}.png" for n in (
        "fit_1_target", "fit_2_network", "fit_3_random_weights", "fit_4_more_examples",
        "fit_5_learning_curve", "fit_6_landscape", "fit_7_descent", "fit_8_equivalent",
        "fit_9_extrapolation")]
    assert sorted(p.name for p in (tmp_path / "plots").iterdir()) == sorted(drawn)
    # figure 4: one panel per training-set size, each with its examples as dots
    panels = [ax for ax in drawn["fit_4_more_examples.png"].axes if ax.get_visible()]
    assert [len(ax.collections[0].get_offsets()) for ax in panels] == [5, 50]
    # figure 9: every solution drawn over [−3, 3]
    (ax,) = drawn["fit_9_extrapolation.png"].axes
    assert [list(line.get_ydata()) for line in ax.get_lines()][1:] == \
        [list(s.outside) for s in results.solutions]


def test_the_descent_figure_renders_its_chinese_title(results, tmp_path):
    from examples._figures_function_fit import descent
    from viz.plots import save_figure

    figure = descent(results)
    titles = [t.get_text() for t in figure.texts]
    assert any("从任意起点沿最陡的下降路径前进" in t for t in titles)
    legend = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert legend[1].startswith("起点 start 2: L ")  # the lake path, its losses in the label
    assert save_figure(figure, tmp_path / "descent.png").read_bytes()[:4] == b"\x89PNG"


def test_main_refuses_a_file_for_plots_before_training(tmp_path, capsys):
    taken = tmp_path / "taken"
    taken.write_text("mine")
    with pytest.raises(SystemExit) as stop:
        ff.main(["--plots", str(taken)])
    assert stop.value.code == 2
    assert f"--plots {str(taken)!r} is a file; give a folder" in capsys.readouterr().err
    assert taken.read_text() == "mine"
