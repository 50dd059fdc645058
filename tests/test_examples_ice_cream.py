"""Ice-cream sales (seed 002): 9 parameters, U-shaped brute force, descent, batch sizes."""

from __future__ import annotations

import pytest

import nn
from examples import ice_cream as ic


@pytest.fixture(scope="module")
def results():
    return ic.run(seed=0, compare_steps=150)


def _relu(z):
    return z if z > 0 else 0.0


def _mse_by_hand(state, rows, bias):
    """The 2-2-1 ReLU network written out from the state dict, independent of nn."""
    total = 0.0
    for (x1, x2), t in rows:
        h = [
            _relu(state[f"layers.0.neurons.{i}.w.0"] * x1 + state[f"layers.0.neurons.{i}.w.1"] * x2
                  + state[f"layers.0.neurons.{i}.b"])
            for i in range(2)
        ]
        y = _relu(state["layers.1.neurons.0.w.0"] * h[0] + state["layers.1.neurons.0.w.1"] * h[1]
                  + bias)
        total += (y - t) ** 2
    return total / len(rows)


def test_network_has_nine_parameters(results):
    assert ic.network(0).num_parameters() == 9 == results.num_parameters
    assert len(results.trained) == 9


def test_brute_force_is_u_shaped_with_its_bottom_inside_the_grid(results):
    assert results.bias_grid == (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
    mse = results.bias_mse
    bottom = mse.index(min(mse))
    assert 0 < bottom < len(mse) - 1
    assert all(a > b for a, b in zip(mse[:bottom], mse[1:bottom + 1]))
    assert all(a < b for a, b in zip(mse[bottom:], mse[bottom + 1:]))
    # a parabola near its bottom: the grid point nearest the trained bias is lowest
    trained_bias = results.trained["layers.1.neurons.0.b"]
    assert results.best_bias == round(trained_bias, 1)


def test_brute_force_numbers_match_the_network_written_by_hand(results):
    rows = nn.datasets.ice_cream()
    for b, m in zip(results.bias_grid, results.bias_mse):
        assert m == pytest.approx(_mse_by_hand(results.trained, rows, b), rel=1e-12)


def test_bias_descent_steps_shrink_and_slopes_match_central_differences(results):
    path = results.bias_path
    assert path[0].params == (0.0,)
    sizes = [abs(p.steps[0]) for p in path]
    assert all(a > b for a, b in zip(sizes, sizes[1:]))
    assert sizes[-1] < ic.TOLERANCE
    assert all(a.mse > b.mse for a, b in zip(path, path[1:]))
    rows, eps = nn.datasets.ice_cream(), 1e-6
    for p in path[::7]:
        b = p.params[0]
        numeric = (_mse_by_hand(results.trained, rows, b + eps)
                   - _mse_by_hand(results.trained, rows, b - eps)) / (2 * eps)
        assert p.slopes[0] == pytest.approx(numeric, abs=1e-7)
        assert p.steps[0] == pytest.approx(ic.BIAS_LR * p.slopes[0])
    # it ends at the brute force's bottom, more precisely than the grid could say
    assert abs(path[-1].params[0] - results.best_bias) < 0.05


def test_two_parameter_descent_walks_down_the_bowl(results):
    path, bowl = results.two_path, results.surface
    assert results.dead_hidden == (1,)  # for seed 0 hidden unit 1 ends 0 on every row …
    assert bowl.weight_name == "layers.1.neurons.0.w.0"  # … so the live unit's weight is freed
    assert len(bowl.mse) == len(bowl.weights) == ic.SURFACE_POINTS
    assert all(len(line) == len(bowl.biases) for line in bowl.mse)
    assert all(a.mse >= b.mse for a, b in zip(path, path[1:]))
    assert path[-1].mse < path[0].mse / 100
    lowest = min(min(line) for line in bowl.mse)
    assert path[-1].mse == pytest.approx(lowest, rel=0.05)
    # the bowl's bottom is its centre, the trained (weight, bias)
    i = min(range(len(bowl.mse)), key=lambda k: min(bowl.mse[k]))
    j = bowl.mse[i].index(min(bowl.mse[i]))
    assert (i, j) == (ic.SURFACE_POINTS // 2, ic.SURFACE_POINTS // 2)


def test_all_nine_training_lowers_the_mse(results):
    curve = [p.mse for p in results.training]
    assert len(curve) == ic.TRAIN_STEPS
    assert curve[-1] < curve[0] / 100


def test_methods_count_derivatives_as_the_article_does(results):
    full, sgd, mini = results.methods
    assert (full.rows_per_step, sgd.rows_per_step, mini.rows_per_step) == (10, 1, 4)
    assert (full.derivatives_per_step, sgd.derivatives_per_step, mini.derivatives_per_step) \
        == (90, 9, 36)
    assert full.derivatives == 90 * 150 and sgd.derivatives == 9 * 150
    for m in results.methods:
        assert m.curve[0] == full.curve[0]  # the same start
        assert [step for step, _ in m.curve] == list(range(0, 151))  # ≤ 100 steps: every one
        assert m.final_mse < m.curve[0][1] / 10
    # at an equal derivative budget the cheap steps win
    budget = sgd.derivatives
    assert sgd.mse_after(budget) < full.mse_after(budget)


def test_curve_always_records_the_last_step():
    for m in ic.compare_methods(seed=0, steps=15, every=10):
        assert [step for step, _ in m.curve] == [0, 10, 15]
        assert m.mse_after(m.derivatives_per_step * 12) == m.curve[1][1]


def test_a_dead_start_is_refused_with_the_reason():
    assert 1 in ic.dead_seeds()
    assert ic.is_dead(ic.network(1), nn.datasets.ice_cream())
    with pytest.raises(ValueError, match="seed 1: the untrained output ReLU is 0 on every row"):
        ic.run(seed=1)


def test_main_exits_zero(capsys):
    assert ic.main([]) == 0
    out = capsys.readouterr().out
    assert "SYNTHETIC" in out
    assert "article: 90,000" in out and "computed: 90,000" in out
    assert "bias with the lowest MSE on the grid" in out


def test_main_refuses_bad_options_with_usage_errors(capsys, tmp_path):
    taken = tmp_path / "taken"
    taken.write_text("mine")
    for argv, message in ((["--plots", str(taken)], f"--plots {str(taken)!r} is a file; "
                                                    "give a folder"),
                          (["--steps", "0"], "--steps must be at least 1, got 0")):
        with pytest.raises(SystemExit) as stop:
            ic.main(argv)
        assert stop.value.code == 2
        assert message in capsys.readouterr().err
    assert taken.read_text() == "mine"


def test_write_plots_draws_the_u_and_the_bowl(results, tmp_path):
    paths = ic.write_plots(results, tmp_path / "plots")
    assert [p.name for p in paths] == ["ice_cream_bias.png", "ice_cream_bowl.png"]
    for p in paths:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_mse_function_matches_the_brute_force(results):
    mse = ic.mse_function(0, results.trained, ["layers.1.neurons.0.b"])
    for b, m in zip(results.bias_grid, results.bias_mse):
        assert mse(b) == pytest.approx(m, rel=1e-12)
    with pytest.raises(ValueError, match="unknown parameter names \\['w9'\\]"):
        ic.mse_function(0, results.trained, ["w9"])


def test_compare_rejects_a_batch_larger_than_the_data():
    from examples import _descent

    rows = nn.datasets.ice_cream()
    with pytest.raises(ValueError, match="batch size for 'huge' must be in 1..10, got 11"):
        _descent.compare_methods(lambda: ic.network(0), rows, {"huge": 11}, steps=1, lr=0.1)


def test_compare_rejects_a_zero_recording_interval():
    from examples import _descent

    rows = nn.datasets.ice_cream()
    with pytest.raises(ValueError, match="every must be an int ≥ 1, got 0"):  # was ÷0
        _descent.compare_methods(lambda: ic.network(0), rows, {"full": 10}, steps=1, lr=0.1,
                                 every=0)
    with pytest.raises(ValueError, match="steps must be an int ≥ 0, got -1"):
        ic.compare_methods(seed=0, steps=-1)


def test_surface_and_sweep_put_the_parameters_back():
    model = ic.network(0)
    rows = nn.datasets.ice_cream()
    weight, bias = ic.output_weight(model, rows), ic.output_bias(model)
    before = model.state_dict()
    bowl = ic.surface(model, rows, weight, bias, n=3)
    assert model.state_dict() == before
    # the middle of the grid is the model as it stands: its MSE, exactly
    assert bowl.mse[1][1] == ic.dataset_mse(model, rows)
