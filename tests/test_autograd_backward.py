"""Backward on reused nodes, diamonds, deep chains, wide sums; grad(); no_grad."""

import gc
import math

import pytest
from hypothesis import given

import autograd
from autograd import Value, grad, no_grad
from autograd.testing import assert_gradients_match, expressions


def test_deepin_step_from_raw_values():
    """The deepin article's two SGD steps on y = w·x + b, L = (y − t)²/2."""
    w, b = Value(0.5, "w"), Value(0.6, "b")
    lr = 0.01
    expected = [((0.0, 1.0), 0.6, 0.0, -0.4, 0.5, 0.604),
                ((1.0, 2.9), 1.104, -1.796, -1.796, 0.51796, 0.62196)]
    for (x, t), y_want, dw, db, w_after, b_after in expected:
        y = w * Value(x, "x") + b
        loss = (y - t) ** 2 / 2
        loss.backward()
        assert y.data == pytest.approx(y_want, abs=1e-12)
        assert (w.grad, b.grad) == (pytest.approx(dw, abs=1e-12), pytest.approx(db, abs=1e-12))
        with no_grad():
            w.data -= lr * w.grad
            b.data -= lr * b.grad
        autograd.zero_grad([w, b])
        assert (round(w.data, 5), round(b.data, 5)) == (w_after, b_after)


def test_x_times_x_has_two_inputs_and_gradient_2x():
    x = Value(3.0, "x")
    y = x * x
    assert y.inputs == (x, x)
    y.backward()
    assert x.grad == 6.0


def test_a_plus_a_counts_both_edges():
    a = Value(-2.0)
    (a + a).backward()
    assert a.grad == 2.0


def test_diamond_sums_both_paths():
    x = Value(2.0)
    left, right = x * 3, x.exp()
    out = left * right  # ∂/∂x = 3·e^x + 3x·e^x
    out.backward()
    assert x.grad == pytest.approx(3 * math.exp(2) + 6 * math.exp(2))


def test_leaves_accumulate_and_inner_nodes_hold_this_call():
    x = Value(1.5)
    h = x * x
    y = h * 2
    y.backward()
    y.backward()
    assert x.grad == pytest.approx(2 * 6.0)  # leaves: twice the gradient
    assert h.grad == 2.0  # non-leaf: this call's gradient only
    autograd.zero_grad([x])
    assert x.grad == 0.0


def test_backward_on_a_leaf_and_with_a_seed():
    x = Value(4.0)
    x.backward()
    assert x.grad == 1.0
    z = Value(2.0)
    (z * 5).backward(grad=0.5)
    assert z.grad == 2.5


def test_million_node_chain_backprops_without_recursion():
    x = Value(1.0, "x")
    y = x
    for _ in range(1_000_000):
        y = y * 1.0000001
    y.backward()
    assert x.grad == pytest.approx(1.0000001 ** 1_000_000, rel=1e-9)
    del y
    gc.collect()


def test_sum_of_a_million_products():
    xs = [Value(float(i % 7)) for i in range(1_000_000)]
    total = autograd.sum([x * 2.0 for x in xs])
    total.backward()
    assert total.data == pytest.approx(2.0 * sum(i % 7 for i in range(1_000_000)))
    assert all(x.grad == 2.0 for x in xs[:100]) and xs[-1].grad == 2.0


def test_sum_is_one_node_with_all_inputs():
    xs = [Value(float(i)) for i in range(5)]
    s = autograd.sum(xs + [1.0])
    assert s.op == "sum" and len(s.inputs) == 6 and s.data == 11.0
    with pytest.raises(ValueError, match="at least one input"):
        autograd.sum([])


@given(expressions())
def test_random_dags_match_central_differences(expr):
    assert_gradients_match(expr, list(expr.point))


def test_topo_order_is_deterministic_and_inputs_first():
    a, b = Value(1.0, "a"), Value(2.0, "b")
    c = a * b
    d = c + a
    order = autograd.topo_order(d)
    assert order.index(a) < order.index(c) < order.index(d)
    assert order.index(b) < order.index(c)
    assert [n.label for n in autograd.topo_order(d)] == [n.label for n in order]


def test_no_grad_records_no_inputs():
    x = Value(2.0)
    with no_grad():
        y = x * 3
        assert not autograd.is_grad_enabled()
        with autograd.enable_grad():
            z = x * 3
    assert y.inputs == () and y.op == "" and y.data == 6.0
    assert z.inputs == (x, z.inputs[1])
    assert autograd.is_grad_enabled()


def test_grad_leaves_dot_grad_untouched():
    x, y = Value(2.0), Value(5.0)
    out = x * y + x
    gx, gy = grad(out, [x, y])
    assert (gx, gy) == (6.0, 2.0)
    assert x.grad == 0.0 and y.grad == 0.0
    assert grad(out, [Value(1.0)]) == [0.0]
    # any iterable of inputs: a generator is read once, not silently emptied
    assert grad(out, (v for v in (x, y))) == [6.0, 2.0]
    with pytest.raises(TypeError, match="got the single Value .*: pass \\[x\\]"):
        grad(out, x)


def test_second_derivative_of_x_cubed():
    x = Value(2.0)
    (first,) = grad(x ** 3, [x], create_graph=True)
    assert isinstance(first, Value) and first.data == pytest.approx(12.0)
    (second,) = grad(first, [x])
    assert second == pytest.approx(12.0)  # d²/dx² x³ = 6x = 12


@pytest.mark.parametrize("f, second", [
    (lambda x: x.tanh(), lambda v: -2 * math.tanh(v) * (1 - math.tanh(v) ** 2)),
    (lambda x: x.sigmoid() * x, None),
    (lambda x: (x * x).log(), lambda v: -2 / v ** 2),
    (lambda x: x.sin() * x.exp(), None),
])
def test_second_derivatives_match_differences_of_first(f, second):
    v = 0.7
    x = Value(v)
    (first,) = grad(f(x), [x], create_graph=True)
    (analytic,) = grad(first, [x])
    eps = 1e-5

    def first_derivative(at):
        leaf = Value(at)
        return grad(f(leaf), [leaf])[0]

    numerical = (first_derivative(v + eps) - first_derivative(v - eps)) / (2 * eps)
    assert analytic == pytest.approx(numerical, rel=1e-5, abs=1e-7)
    if second is not None:
        assert analytic == pytest.approx(second(v), rel=1e-9)


def test_grad_fn_and_value_and_grad():
    f = autograd.grad_fn(lambda x, y: x * x * y, argnums=(0, 1))
    assert f(3.0, 2.0) == (12.0, 9.0)
    value, dx = autograd.value_and_grad(lambda x: x.exp())(0.0)
    assert (value, dx) == (1.0, 1.0)
    with pytest.raises(ValueError, match="argnums 5"):
        autograd.grad_fn(lambda x: x, argnums=5)(1.0)
    # the leaves carry f's parameter names, so an error says which argument
    with pytest.raises(autograd.DomainError, match=r"a = 0.0 \(node 'x'\)"):
        autograd.grad_fn(lambda x, w: x.log() * w)(0.0, 1.0)
    with pytest.raises(TypeError, match=r"got 'a' \(str\) \(label 'w'\)"):
        autograd.value_and_grad(lambda x, w: x * w)(1.0, "a")
