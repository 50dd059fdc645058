"""SGD (momentum, weight decay) and Adam against hand computation; bad hyper-parameters."""

import math

import pytest

import nn
from autograd import Value, is_grad_enabled


def _param(data, grad):
    p = Value(data, "p")
    p.grad = grad
    return p


def test_plain_sgd_step():
    p = _param(1.0, 0.5)
    nn.SGD([p], lr=0.1).step()
    assert p.data == pytest.approx(0.95)


def test_sgd_momentum_by_hand():
    p = _param(1.0, 2.0)
    opt = nn.SGD([p], lr=0.1, momentum=0.9)
    opt.step()  # v = 2, p = 1 − 0.2
    assert p.data == pytest.approx(0.8)
    p.grad = 1.0
    opt.step()  # v = 0.9·2 + 1 = 2.8, p = 0.8 − 0.28
    assert p.data == pytest.approx(0.52)
    assert opt.velocity == pytest.approx([2.8])


def test_sgd_weight_decay_by_hand():
    p = _param(2.0, 0.5)
    nn.SGD([p], lr=0.1, weight_decay=0.01).step()  # g = 0.5 + 0.01·2
    assert p.data == pytest.approx(2.0 - 0.1 * 0.52)


def test_adam_first_two_steps_by_hand():
    p, q = _param(1.0, 0.2), _param(-1.0, -3.0)
    opt = nn.Adam([p, q], lr=0.01)
    opt.step()
    # step 1: m̂ = g, v̂ = g², so the move is lr·g/(|g| + eps) ≈ lr·sign(g)
    assert p.data == pytest.approx(1.0 - 0.01 * 0.2 / (0.2 + 1e-8), abs=1e-15)
    assert q.data == pytest.approx(-1.0 + 0.01, abs=1e-9)
    p.grad = 0.1
    opt.step()
    m = 0.9 * 0.1 * 0.2 + 0.1 * 0.1
    v = 0.999 * 0.001 * 0.04 + 0.001 * 0.01
    m_hat, v_hat = m / (1 - 0.9 ** 2), v / (1 - 0.999 ** 2)
    first = 1.0 - 0.01 * 0.2 / (0.2 + 1e-8)
    assert p.data == pytest.approx(first - 0.01 * m_hat / (math.sqrt(v_hat) + 1e-8), abs=1e-15)


def test_step_builds_no_graph_and_zero_grad_clears():
    model = nn.Neuron(2, weights=[1.0, 1.0], bias=0.0)
    opt = nn.SGD(model, lr=0.1)
    nn.mse(model([1.0, 2.0]), 0.0).backward()
    opt.step()
    assert all(p.is_leaf for p in model.parameters()) and is_grad_enabled()
    assert [p.data for p in model.parameters()] == pytest.approx([0.4, -0.2, -0.6])
    opt.zero_grad()
    assert [p.grad for p in model.parameters()] == [0.0, 0.0, 0.0]


def test_params_from_module_or_iterable_and_shared_once():
    model = nn.MLP(2, [2, 1], seed=0)
    assert nn.SGD(model, lr=0.1).params == model.parameters()
    shared = Value(1.0)
    shared.grad = 1.0
    nn.SGD([shared, shared], lr=0.5).step()
    assert shared.data == 0.5  # updated once, not twice


@pytest.mark.parametrize("build, message", [
    (lambda p: nn.SGD(p, lr=-0.1), r"lr must be a number ≥ 0.0, got -0.1"),
    (lambda p: nn.SGD(p, lr=float("nan")), "lr must be"),
    (lambda p: nn.SGD(p, lr=0.1, momentum=1.0),
     r"momentum must be a number in \[0.0, 1.0\), got 1.0"),
    (lambda p: nn.SGD(p, lr=0.1, momentum=-0.5), "momentum must be"),
    (lambda p: nn.SGD(p, lr=0.1, weight_decay=-1), "weight_decay must be"),
    (lambda p: nn.Adam(p, betas=(0.9, 1.0)), r"betas\[1\] must be a number in \[0.0, 1.0\)"),
    (lambda p: nn.Adam(p, betas=(-0.1, 0.9)), r"betas\[0\] must be"),
    (lambda p: nn.Adam(p, betas=0.9), "betas must be a pair"),
    (lambda p: nn.Adam(p, eps=0.0), "eps must be a positive number"),
    (lambda p: nn.Adam(p, lr="fast"), "lr must be"),
])
def test_bad_hyper_parameters_name_themselves(build, message):
    with pytest.raises(ValueError, match=message):
        build([Value(1.0)])


def test_bad_params():
    with pytest.raises(ValueError, match="empty parameter list"):
        nn.SGD([], lr=0.1)
    with pytest.raises(TypeError, match=r"params\[1\] must be a Value, got 2.0"):
        nn.SGD([Value(1.0), 2.0], lr=0.1)
    with pytest.raises(TypeError, match="Module or an iterable of Values"):
        nn.SGD(Value(1.0), lr=0.1)
