"""Notes on training (seed 003): zero init keeps neurons identical; a too-big net overfits."""

from __future__ import annotations

import pytest

from examples import init_and_overfit as io


@pytest.fixture(scope="module")
def zeros_sigmoid():
    return io.symmetry("zeros", "sigmoid", seed=0)


def test_zero_init_sigmoid_neurons_move_but_stay_identical(zeros_sigmoid):
    s = zeros_sigmoid
    assert s.identical
    w, b = s.hidden[0]
    assert w != 0.0 and b != 0.0  # they did learn, all in lockstep
    assert len(s.hidden) == io.SYMMETRY_HIDDEN


def test_zero_init_tanh_hidden_layer_never_moves():
    s = io.symmetry("zeros", "tanh", seed=0)
    assert all(wb == (0.0, 0.0) for wb in s.hidden)
    # only the output bias learns: the best constant, whose MSE is the targets' variance
    targets = [t for _, t in io.u_shape()]
    mean = sum(targets) / len(targets)
    variance = sum((t - mean) ** 2 for t in targets) / len(targets)
    assert s.loss[-1] == pytest.approx(variance, rel=1e-3)


def test_random_init_breaks_the_symmetry_and_fits_the_u(zeros_sigmoid):
    zeros = zeros_sigmoid
    random_init = io.symmetry("uniform", "sigmoid", seed=0)
    assert not random_init.identical
    assert random_init.loss[-1] < zeros.loss[-1] / 10


def test_u_shape_is_off_centre():
    xs = [x[0] for x, _ in io.u_shape()]
    ts = [t for _, t in io.u_shape()]
    assert xs == [i / 2 for i in range(9)]
    assert ts[xs.index(1.5)] == pytest.approx(0.04)
    assert min(ts) == ts[3]


def test_noisy_line_is_seeded():
    assert io.noisy_line(5, 3) == io.noisy_line(5, 3)
    assert io.noisy_line(5, 3) != io.noisy_line(5, 4)
    assert all(-3 <= x[0] <= 3 for x, _ in io.noisy_line(50, 1))


@pytest.fixture(scope="module")
def runs():
    return io.overfit(seed=0, epochs=500)


def test_overfitting_train_loss_falls_while_test_loss_rises(runs):
    big, _ = runs
    b = big.best
    assert 0 < b < len(big.epochs) - 1  # the lowest test loss is neither the start nor the end
    peak = max(range(b, len(big.test_loss)), key=big.test_loss.__getitem__)
    assert big.test_loss[peak] > 2 * big.test_loss[b]
    assert big.train_loss[peak] < big.train_loss[b] / 5
    assert big.train_loss[-1] < big.train_loss[b] / 10
    assert big.best_epoch == big.epochs[b] and big.best_epoch % io.EVERY == 0


def test_the_right_size_model_does_not_overfit(runs):
    big, line = runs
    assert line.num_parameters == 2 and big.num_parameters == 49
    assert line.test_loss[-1] < big.test_loss[-1] / 2
    assert line.test_loss[-1] < line.test_loss[line.best] * 1.1


def test_main_exits_zero(capsys):
    assert io.main([]) == 0
    out = capsys.readouterr().out
    assert "zeros, sigmoid: hidden neurons identical" in out
    assert "lowest test loss" in out
