"""Every op of the table against central differences over its domain."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import OPS, Op, Value, grad, gradcheck, ops, register
from autograd.testing import (
    assert_gradients_match,
    assert_local_grads_match,
    domain_floats,
    op_inputs,
)


def test_every_op_has_a_test_domain_and_rules():
    for name, op in OPS.items():
        arity = 1 if op.arity is None else op.arity
        for position in range(arity):
            assert op.input_domain(position), f"op {name} has no domain for input {position}"
            assert op.rule(position).startswith("∂"), name
        assert op.symbol and op.name == name


@pytest.mark.parametrize("name", sorted(OPS))
@given(data=st.data())
def test_local_grads_match_central_difference(name, data):
    xs = data.draw(op_inputs(name), label="xs")
    assert_local_grads_match(name, xs)


@pytest.mark.parametrize("name", sorted(OPS))
@given(data=st.data())
def test_backward_through_each_op_matches_central_difference(name, data):
    op = OPS[name]
    xs = data.draw(op_inputs(name), label="xs")

    def f(*values):
        return values[0].apply(op, *values[1:])

    assert_gradients_match(f, xs)


@pytest.mark.parametrize("name", sorted(OPS))
@given(data=st.data())
def test_vector_forward_matches_scalar_forward(name, data):
    np = pytest.importorskip("numpy")
    op = OPS[name]
    xs = data.draw(op_inputs(name), label="xs")
    arrays = [np.array([x, x]) for x in xs]
    got = op.vector_forward(*arrays)
    assert got[0] == pytest.approx(op.forward(*xs), rel=1e-12, abs=1e-300)
    grads = op.local_grads(*arrays, got)
    for g, expected in zip(grads, op.local_grads(*xs, op.forward(*xs))):
        assert np.broadcast_to(g, (2,))[0] == pytest.approx(expected, rel=1e-12, abs=1e-300)


def test_methods_and_operators_build_the_named_ops():
    x, y = Value(0.5, "x"), Value(2.0, "y")
    built = {
        "add": x + y, "sub": x - y, "mul": x * y, "div": x / y, "pow": x ** y,
        "neg": -x, "exp": x.exp(), "log": x.log(), "tanh": x.tanh(),
        "sigmoid": x.sigmoid(), "relu": x.relu(), "step": x.step(), "sqrt": x.sqrt(),
        "abs": abs(x), "sin": x.sin(), "cos": x.cos(),
    }
    for name, node in built.items():
        assert node.op == name
        assert node.data == pytest.approx(OPS[name].forward(*[i.data for i in node.inputs]))
    assert (2 - x).op == "sub" and (2 - x).inputs[0].data == 2.0
    assert (2 / x).data == 4.0 and (2 ** y).data == 4.0 and (3 + x).data == 3.5


def test_x_to_the_zero_is_flat_at_zero_too():
    # A polynomial Σ cₖ·xᵏ evaluated at x = 0 has an x**0 term: its derivative b·aᵇ⁻¹ is
    # 0·0⁻¹ there, which once made backward raise "derivative of pow is undefined".
    x = Value(0.0, "x")
    poly = 3 * x ** 0 + 2 * x ** 1 + x ** 2  # dp/dx = 2 + 2x = 2 at 0
    poly.backward()
    assert (poly.data, x.grad) == (3.0, 2.0)
    (d,) = autograd.grad(x ** 0, [x], create_graph=True)
    assert autograd.grad(d, [x]) == [0.0]
    program = autograd.compile(lambda v: v ** 0 + v ** 2, [0.0], wrt_inputs=True)
    program([[0.0], [3.0]])
    program.backward()
    assert program.input_grads.ravel().tolist() == [0.0, 6.0]
    # only a = b = 0 is special: elsewhere the rule's numbers are unchanged
    a, b = Value(2.0), Value(0.0)
    (da,) = autograd.grad(a ** b, [a], create_graph=True)
    assert da.data == 0.0 and autograd.grad(da, [b]) == [0.5]  # ∂(b·aᵇ⁻¹)/∂b at b = 0: 1/a
    with pytest.raises(autograd.DomainError, match="derivative of pow is undefined at a = 0.0"):
        (Value(0.0) ** 0.5).backward()  # √ at 0 stays undefined


def test_relu_of_nan_is_nan_eagerly_and_compiled():
    # relu once turned nan into 0.0 eagerly (hiding it) while the compiled path kept nan
    assert math.isnan(Value(math.nan).relu().data)
    assert Value(-0.0).relu().data == 0.0 and Value(2.5).relu().data == 2.5
    with autograd.detect_anomaly(), pytest.raises(autograd.AnomalyError, match="relu"):
        Value(math.nan).relu()
    program = autograd.compile(lambda x: x.relu(), [1.0])
    assert math.isnan(program([math.nan]))


def test_sigmoid_is_stable_at_extremes():
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0


def test_a_user_registered_op_works_everywhere():
    softplus = register(Op(
        name="test_softplus", symbol="softplus", arity=1,
        forward=lambda a: math.log1p(math.exp(a)),
        local_grads=lambda a, out: (1.0 - ops.exp(-out),),  # σ(a) = 1 − e^−softplus(a)
        rules=("∂softplus(a)/∂a = σ(a)",), template="softplus({0})",
        domain=(((-3.0, 3.0),),),
    ))
    try:
        node = Value(0.3, "x").apply("test_softplus")
        assert node.op == "test_softplus"
        assert gradcheck(lambda a: a.apply(softplus) * a, [0.3])
        assert_local_grads_match("test_softplus", [1.1])
        x = Value(0.4)  # the same local_grads also gives second derivatives: σ'(a)
        (first,) = grad(x.apply(softplus), [x], create_graph=True)
        (second,) = grad(first, [x])
        sigma = 1 / (1 + math.exp(-0.4))
        assert second == pytest.approx(sigma * (1 - sigma), rel=1e-12)
        with pytest.raises(ValueError, match="already registered"):
            register(softplus)
    finally:
        del OPS["test_softplus"]


def test_a_wrong_local_gradient_is_caught():
    broken = Op(
        name="broken_square", symbol="sq", arity=1, forward=lambda a: a * a,
        local_grads=lambda a, out: (a,), rules=("∂a²/∂a = 2a",), template="{0}²",
        domain=(((-3.0, 3.0),),),
    )
    with pytest.raises(AssertionError, match="broken_square"):
        assert_local_grads_match(broken, [1.5])


def test_domain_strategy_rejects_unknown_ops():
    with pytest.raises(ValueError, match="unknown op 'nope'"):
        domain_floats("nope")
