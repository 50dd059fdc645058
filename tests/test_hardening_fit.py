"""Issue 9, nn.fit: a misfit pair is reported before any training step; a model that is
not callable is called that."""

import numpy as np
import pytest

import nn


def _data_with_a_wide_pair_at(index: int, total: int = 111) -> list:
    data = [([0.0, 1.0], 1.0)] * total
    data[index] = ([0.0, 1.0, 2.0], 1.0)
    return data


@pytest.mark.parametrize("compiled", [False, True], ids=["eager", "compiled"])
def test_a_pair_wider_than_the_model_is_named_before_any_step(compiled):
    # was: 100 steps of training (parameters changed), then "expected 2 inputs, got 3"
    model = nn.MLP(2, [2, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"^train\[100\] has 3 inputs but the model takes 2: "
                                         r"\[0\.0, 1\.0, 2\.0\]$"):
        nn.fit(model, _data_with_a_wide_pair_at(100), shuffle=False, progress=False,
               compiled=compiled)
    assert model.state_dict() == before


def test_validation_pairs_and_numpy_rows_are_checked_too():
    model = nn.MLP(784, [3], seed=0)
    good = [(np.zeros(784), 1)]
    with pytest.raises(ValueError, match=r"^train\[0\] has 783 inputs but the model takes "
                                         r"784: array\(\[0\., 0\.\.\.\.\., 0\.\]\)$"):
        nn.fit(model, [(np.zeros(783), 1)], progress=False)
    with pytest.raises(ValueError, match=r"^val\[1\] has inputs that are not a sequence but "
                                         r"the model takes 784: 'ab'$"):
        nn.fit(model, good, val=good + [("ab", 1)], progress=False)


def test_one_input_models_take_plain_numbers():
    model = nn.Neuron(1, weights=[0.5], bias=0.6)
    history = nn.fit(model, [(0.0, 1.0), ([1.0], 2.9)], loss=nn.half_squared_error,
                     optimizer=nn.SGD(model, lr=0.01), shuffle=False, progress=False)
    assert history.steps == 2
    assert round(model.w[0].data, 5) == 0.51796 and round(model.b.data, 5) == 0.62196


@pytest.mark.parametrize("compiled", [False, True], ids=["eager", "compiled"])
def test_a_model_that_is_not_callable_is_called_that(compiled):
    # was: "params must be a Module or an iterable of Values, got 5" (from SGD)
    with pytest.raises(TypeError, match=r"^model must be callable \(an nn Module, or a "
                                        r"function of the inputs returning Values\), got 5 "
                                        r"\(int\), which is not callable$"):
        nn.fit(5, [([0.0], 1.0)], progress=False, compiled=compiled)
