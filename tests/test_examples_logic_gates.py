"""Logic gates (seed 001): AND/OR threshold neurons, no XOR neuron, a 2-2-1 net learns XOR."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from examples import logic_gates as lg


@pytest.fixture(scope="module")
def search():
    return lg.grid_search()


def test_article_and_neuron_computes_and():
    assert lg.truth_table(lg.threshold_neuron(0.5, 0.5, 0.7)) == (0, 0, 0, 1)


def test_or_neuron_computes_or():
    assert lg.truth_table(lg.threshold_neuron(0.5, 0.5, 0.3)) == (0, 1, 1, 1)


def test_threshold_neuron_is_a_step_neuron_with_bias_minus_theta():
    neuron = lg.threshold_neuron(0.5, 0.5, 0.7)
    assert neuron.activation == "step"
    assert neuron.b.data == -0.7
    assert nn.scalar(neuron([1.0, 1.0])).op == "step"


def test_grid_has_no_xor_neuron(search):
    assert search.tried == len(lg.WEIGHT_GRID) ** 2 * len(lg.THRESHOLD_GRID) == 9702
    assert search.count("xor") == 0
    assert search.count("xnor") == 0
    # every other function of two bits is linearly separable and turns up
    assert search.realised == 14
    assert sum(len(v) for v in search.solutions.values()) == search.tried


def test_grid_solutions_satisfy_the_threshold_formula(search):
    assert (0.5, 0.5, 0.75) in search.solutions[nn.datasets.GATES["and"]]
    assert (0.5, 0.5, 0.25) in search.solutions[nn.datasets.GATES["or"]]
    for table, triples in search.solutions.items():
        for w1, w2, theta in triples[::37]:
            direct = tuple(int(w1 * x1 + w2 * x2 >= theta) for x1, x2 in lg.INPUTS)
            assert direct == table


@given(
    w1=st.floats(-100, 100), w2=st.floats(-100, 100), theta=st.floats(-100, 100),
)
def test_no_real_weights_make_a_threshold_neuron_compute_xor(w1, w2, theta):
    assert lg.truth_table(lg.threshold_neuron(w1, w2, theta)) != nn.datasets.GATES["xor"]


def test_two_two_one_network_learns_xor():
    xor = lg.train_xor(seed=0)
    assert xor.learned
    for y, t in zip(xor.outputs, (0, 1, 1, 0), strict=True):
        assert abs(y - t) < 0.1
    assert xor.loss[-1] < xor.loss[0] / 10
    assert len(xor.loss) == lg.XOR_EPOCHS and len(xor.hidden_lines) == 2


def test_xor_training_is_reproducible():
    assert lg.train_xor(seed=3, epochs=20) == lg.train_xor(seed=3, epochs=20)


def test_separating_line_lies_on_the_boundary():
    for w1, w2, theta in [(0.5, 0.5, 0.7), (1.0, 0.0, 0.5), (0.2, -0.4, 0.1)]:
        for x1, x2 in lg.separating_line(w1, w2, theta):
            assert w1 * x1 + w2 * x2 == pytest.approx(theta)
    with pytest.raises(ValueError, match="w1 = w2 = 0"):
        lg.separating_line(0.0, 0.0, 0.3)


def test_main_exits_zero(capsys):
    assert lg.main([]) == 0
    out = capsys.readouterr().out
    assert "neurons computing XOR" in out and "computed: 0" in out
    assert "seeds 0..9 that learn XOR" in out
