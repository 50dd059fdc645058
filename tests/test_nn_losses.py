"""Softmax, log-softmax and every loss: hand-computed values, gradients, bad targets."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value

logit = st.floats(-8.0, 8.0, allow_nan=False)


def test_softmax_values_and_sum():
    probs = nn.softmax([1.0, 2.0, 3.0])
    total = math.exp(1) + math.exp(2) + math.exp(3)
    assert [p.data for p in probs] == pytest.approx([math.exp(k) / total for k in (1, 2, 3)])
    assert sum(p.data for p in probs) == pytest.approx(1.0)


def test_softmax_and_log_softmax_are_stable_at_plus_minus_1000():
    probs = [p.data for p in nn.softmax([1000.0, -1000.0, 999.0])]
    assert probs == pytest.approx([1 / (1 + math.exp(-1)), 0.0, 1 / (1 + math.e)])
    logs = [v.data for v in nn.log_softmax([1000.0, -1000.0, 999.0])]
    assert logs[1] == pytest.approx(-2000.0 - math.log1p(math.exp(-1)))
    loss = nn.cross_entropy([Value(-1000.0), Value(1000.0)], 0)
    assert loss.data == pytest.approx(2000.0)
    loss.backward()


def test_softmax_temperature_flattens():
    cold = [p.data for p in nn.softmax([1.0, 2.0], temperature=0.5)]
    hot = [p.data for p in nn.softmax([1.0, 2.0], temperature=10.0)]
    assert cold[1] == pytest.approx(1 / (1 + math.exp(-2)))
    assert hot[1] == pytest.approx(1 / (1 + math.exp(-0.1)))
    with pytest.raises(ValueError, match="temperature must be a positive number, got 0"):
        nn.softmax([1.0], temperature=0)


@given(st.lists(logit, min_size=2, max_size=4), st.integers(0, 3), st.sampled_from([0.5, 1, 3]))
def test_softmax_gradients_match_central_differences(zs, i, temperature):
    i = i % len(zs)

    def f(*values):
        return nn.softmax(list(values), temperature)[i]

    def g(*values):
        return nn.log_softmax(list(values), temperature)[i]

    assert autograd.gradcheck(f, zs, atol=1e-6)
    assert autograd.gradcheck(g, zs, atol=1e-6)


@given(st.lists(logit, min_size=2, max_size=5), st.integers(0, 4))
def test_cross_entropy_value_and_gradient(zs, target):
    target = target % len(zs)
    expected = math.log(sum(math.exp(z) for z in zs)) - zs[target]
    assert nn.cross_entropy(zs, target).data == pytest.approx(expected)
    values = [Value(z) for z in zs]
    nn.cross_entropy(values, target).backward()
    probs = [p.data for p in nn.softmax(zs)]
    grads = [p - (k == target) for k, p in enumerate(probs)]  # ∂CE/∂z = softmax − one-hot
    assert [v.grad for v in values] == pytest.approx(grads, abs=1e-12)


def test_cross_entropy_with_probability_targets():
    zs = [0.5, -1.0, 2.0]
    logs = [v.data for v in nn.log_softmax(zs)]
    assert nn.cross_entropy(zs, [0.25, 0.0, 0.75]).data == pytest.approx(
        -(0.25 * logs[0] + 0.75 * logs[2]))
    assert nn.cross_entropy(zs, [0.0, 0.0, 1.0]).data == pytest.approx(
        nn.cross_entropy(zs, 2).data)


def test_squared_error_losses_by_hand():
    y, t = [1.0, 2.0, 4.0], [0.0, 2.5, 1.0]
    assert nn.mse(y, t).data == pytest.approx((1 + 0.25 + 9) / 3)
    assert nn.sum_squared_error(y, t).data == pytest.approx(10.25)
    assert nn.half_squared_error(y, t).data == pytest.approx(5.125)
    single = nn.half_squared_error(Value(0.6), 1)
    assert single.data == pytest.approx(0.08) and single.op == "div"
    assert single.inputs[0].op == "pow"  # (y − t)² / 2, no one-input sum node
    assert nn.mse([Value(3.0)], [1.0]).data == 4.0


def test_binary_cross_entropy_by_hand_and_with_logits():
    assert nn.binary_cross_entropy(0.8, 1).data == pytest.approx(-math.log(0.8))
    assert nn.binary_cross_entropy(0.8, 0).data == pytest.approx(-math.log(0.2))
    soft = nn.binary_cross_entropy(0.8, 0.25).data
    assert soft == pytest.approx(-(0.25 * math.log(0.8) + 0.75 * math.log(0.2)))
    both = nn.binary_cross_entropy([0.8, 0.3], [1, 0]).data
    assert both == pytest.approx((-math.log(0.8) - math.log(0.7)) / 2)
    for z in (-800.0, -2.0, 0.0, 3.0, 800.0):
        sig = 1 / (1 + math.exp(-z)) if abs(z) < 50 else None
        got = nn.binary_cross_entropy(Value(z), 1, logits=True).data
        assert got == pytest.approx(-math.log(sig) if sig else max(-z, 0.0), abs=1e-12)
    with pytest.raises(ValueError, match="prediction 1.0 is not strictly between 0 and 1"):
        nn.binary_cross_entropy(Value(1.0), 1)
    with pytest.raises(ValueError, match=r"target 2.0 \(output 0\) must be in \[0, 1\]"):
        nn.binary_cross_entropy(0.5, 2)


@given(logit, st.sampled_from([0.0, 0.3, 1.0]))
def test_binary_cross_entropy_gradients(z, t):
    def on_logits(a):
        return nn.binary_cross_entropy(a, t, logits=True)

    def on_probability(a):
        return nn.binary_cross_entropy(a.sigmoid(), t)

    assert autograd.gradcheck(on_logits, [z])
    assert autograd.gradcheck(on_probability, [z])
    a = Value(z)
    on_logits(a).backward()
    assert a.grad == pytest.approx(1 / (1 + math.exp(-z)) - t, abs=1e-12)  # σ(z) − t


def test_hinge_binary_and_multiclass():
    assert nn.hinge(Value(0.3), 1).data == pytest.approx(0.7)
    assert nn.hinge(Value(0.3), -1).data == pytest.approx(1.3)
    assert nn.hinge(Value(2.0), 1).data == 0.0
    assert nn.hinge([0.3, -2.0], [1, -1]).data == pytest.approx(0.35)
    # multi-class SVM: Σ_{j≠t} max(0, 1 + z_j − z_t)
    assert nn.hinge([1.0, 2.5, 0.0], 1).data == pytest.approx(0.0 + 0.0)
    assert nn.hinge([1.0, 1.5, 0.0], 1).data == pytest.approx(0.5 + 0.0)
    assert nn.hinge([3.0, 1.5, 2.0], 1).data == pytest.approx(2.5 + 1.5)
    with pytest.raises(ValueError, match="targets must be -1 or \\+1"):
        nn.hinge(Value(0.3), 0)


@given(st.lists(logit, min_size=3, max_size=3), st.lists(logit, min_size=3, max_size=3))
def test_regression_losses_match_central_differences(ys, ts):
    for loss in (nn.mse, nn.half_squared_error, nn.sum_squared_error):
        assert autograd.gradcheck(lambda a, b, c, loss=loss: loss([a, b, c], ts), ys)


@pytest.mark.parametrize("call, message", [
    (lambda: nn.cross_entropy([1.0, 2.0], 2), r"class index 2 is out of range for 2 logits"),
    (lambda: nn.cross_entropy([1.0, 2.0], -1), r"class index -1 is out of range"),
    (lambda: nn.cross_entropy([1.0, 2.0], 0.5), "must be a class index"),
    (lambda: nn.cross_entropy([1.0, 2.0], [1.0]), "2 logits but 1 target probabilities"),
    (lambda: nn.mse([1.0, 2.0], [1.0]), r"prediction has 2 outputs but target \[1.0\] has 1"),
    (lambda: nn.mse([1.0, 2.0], 1), r"nn.one_hot\(1, 2\)"),
    (lambda: nn.mse([1.0], "a"), "target must be a number or a list"),
    (lambda: nn.mse([1.0, 2.0], [1.0, None]), r"target\[1\] must be a number, got None"),
    (lambda: nn.mse([], []), "needs a non-empty list"),
    (lambda: nn.hinge([1.0, 2.0], 5), "class index 5 is out of range for 2 scores"),
])
def test_bad_targets_raise_value_error_naming_them(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_one_hot():
    assert nn.one_hot(2, 4) == [0.0, 0.0, 1.0, 0.0]
    with pytest.raises(ValueError, match="class index must be an int in 0..3, got 4"):
        nn.one_hot(4, 4)


def test_numpy_arrays_are_lists_of_numbers_for_targets_and_logits():
    import numpy as np

    # A one-hot row np.eye(3)[1] as an MSE target, numpy logits and probabilities: these
    # used to be refused as "not a list of numbers" (or fail on an array's truth value).
    ys = [Value(0.2), Value(0.7), Value(0.1)]
    assert nn.mse(ys, np.eye(3)[1]).data == pytest.approx((0.04 + 0.09 + 0.01) / 3)
    assert nn.mse(ys, np.eye(3)[1]).data == nn.mse(ys, [0.0, 1.0, 0.0]).data
    assert [p.data for p in nn.softmax(np.array([1.0, 2.0]))] == \
        [p.data for p in nn.softmax([1.0, 2.0])]
    zs = [Value(1.0), Value(2.0)]
    assert nn.cross_entropy(zs, np.array([0.5, 0.5])).data == \
        nn.cross_entropy(zs, [0.5, 0.5]).data
    with pytest.raises(ValueError, match=r"softmax needs a non-empty list of Values or "
                                         r"numbers, got array\(\[\], dtype=float64\)"):
        nn.softmax(np.array([]))
    with pytest.raises(ValueError, match=r"mse: target must be a number or a list of "
                                         r"numbers, got array\(1.\)"):
        nn.mse(ys[0], np.array(1.0))  # 0-d: neither a number nor a list


def test_squared_errors_take_value_targets_and_differentiate_them():
    # What lets a compiled fit trace a regression's loss once, the target an input.
    y, t = Value(1.5), Value(1.0)
    loss = nn.mse([y], [t])
    loss.backward()
    assert loss.data == 0.25 and y.grad == 1.0 and t.grad == -1.0
    assert nn.half_squared_error(Value(1.104), Value(2.9)).data == pytest.approx(1.61281, abs=1e-5)
    with pytest.raises(ValueError, match=r"binary_cross_entropy: target must be a number"):
        nn.binary_cross_entropy(Value(0.5), Value(1.0))  # numbers only there, as before
