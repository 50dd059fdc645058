"""autograd.compiled: the replayed program gives the eager graph's numbers, or a clear error."""

from __future__ import annotations

import builtins
import math
import random

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd
from autograd import DomainError, Op, Value
from autograd.compiled import StructureError, compile
from autograd.compiled.steps import Dense
from autograd.compiled.trace import _record, _signature, retrace_difference
from autograd.ops import OPS
from autograd.testing import expressions, op_inputs


def close(a: float, b: float, scale: float = 0.0) -> bool:
    """Within 1e-12 relative (the issue's bar), with a floor for results that cancel to ~0."""
    return abs(a - b) <= 1e-12 * max(abs(a), abs(b), scale, 1e-300)


def eager(fn, sample, params):
    """Output and gradients (params, then inputs) from one eager backward, .grad left as found."""
    saved = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    xs = [Value(x) for x in sample]
    out = fn(*xs)
    out.backward()
    grads = [p.grad for p in params], [x.grad for x in xs]
    for p, g in zip(params, saved, strict=True):
        p.grad = g
    return out.data, grads


def largest_terms(fn, sample, params):
    """(max |value| of a node, max |local derivative × upstream gradient| of an edge).

    Values and gradients are sums of such terms. The compiled program may add them in
    another order (a matrix product; gradients group by group rather than node by node),
    so when they cancel the two differ by rounding of the terms, not of the small
    result: these are the floors for comparing values and gradients.
    """
    xs = [Value(x) for x in sample]
    out = fn(*xs)
    saved = [p.grad for p in params]
    out.backward()  # every node now holds its own gradient

    order = autograd.topo_order(out)
    largest = max((abs(d * node.grad) for node in order for d in node.local_grads()),
                  default=0.0)
    for p, g in zip(params, saved, strict=True):
        p.grad = g
    return max(abs(node.data) for node in order), largest


def perturbed(point, rng, n):
    return [list(point)] + [[x + rng.uniform(-1e-3, 1e-3) for x in point] for _ in range(n)]


@settings(max_examples=80)
@given(expr=expressions(max_inputs=4, max_steps=10), n_params=st.integers(0, 4),
       seed=st.integers(0, 2**16))
def test_random_dags_match_eager_forward_and_gradients(expr, n_params, seed):
    n_params = min(n_params, expr.n_inputs)
    params = [Value(x, f"p{i}") for i, x in enumerate(expr.point[:n_params])]

    def fn(*xs):
        return expr(*params, *xs)

    samples = perturbed(expr.point[n_params:], random.Random(seed), 3)
    expected, value_scale, scale = [], 0.0, 0.0
    for sample in samples:
        try:
            expected.append(eager(fn, sample, params))
            values, contributions = largest_terms(fn, sample, params)
        except (DomainError, OverflowError):
            assume(False)
        value_scale, scale = max(value_scale, values), max(scale, contributions)
    program = compile(fn, samples[0], params=params, wrt_inputs=True)
    outputs = program(np.array(samples).reshape(len(samples), -1))
    program.backward()
    for out, (want, _) in zip(outputs, expected, strict=True):
        assert close(out, want, value_scale), (out, want)
    for k, p in enumerate(params):
        want = sum(gp[k] for _, (gp, _) in expected)
        assert close(p.grad, want, scale), (k, p.grad, want)
    for i, (_, (_, gx)) in enumerate(expected):
        for j, want in enumerate(gx):
            assert close(program.input_grads[i, j], want, scale), (i, j)


@pytest.mark.parametrize("name", sorted(OPS))
@settings(max_examples=15)
@given(data=st.data())
def test_every_op_in_the_table_compiles_to_its_eager_numbers(name, data):
    op = OPS[name]
    xs = data.draw(op_inputs(name, max_inputs=3), label="xs")
    scale = Value(1.0, "scale")  # a parameter, so the op's gradient flows to a leaf too

    def fn(*inputs):
        return autograd.apply(op, *[x * scale for x in inputs])

    want, (grads, input_grads) = eager(fn, xs, [scale])
    program = compile(fn, xs, params=[scale], wrt_inputs=True)
    assert close(program([xs])[0], want)
    program.backward()
    assert close(scale.grad, grads[0], 1e-3 * max(map(abs, input_grads), default=0.0))
    assert all(close(a, b) for a, b in zip(program.input_grads[0], input_grads, strict=True))
    scale.grad = 0.0


def mlp(rng, sizes, activation="tanh"):
    """Neurons as nn builds them: sum(w·x products + [b]) then the activation."""
    layers, n = [], sizes[0]
    for size in sizes[1:]:
        layers.append([([Value(rng.uniform(-1, 1)) for _ in range(n)], Value(rng.uniform(-1, 1)))
                       for _ in range(size)])
        n = size
    params = [p for layer in layers for ws, b in layer for p in [*ws, b]]

    def forward(xs):
        for k, layer in enumerate(layers):
            xs = [autograd.sum([w * x for w, x in zip(ws, xs, strict=True)] + [b])
                  for ws, b in layer]
            if k < len(layers) - 1:
                xs = [x.apply(activation) for x in xs]
        return xs

    return forward, params


def test_mlp_is_lowered_to_matrix_products_and_matches_eager():
    forward, params = mlp(random.Random(1), [3, 6, 5, 2])

    def loss(x0, x1, x2, t0, t1):
        y = forward([x0, x1, x2])
        return (y[0] - t0) ** 2 + (y[1] - t1) ** 2

    X = np.random.default_rng(2).normal(size=(9, 5))
    program = compile(loss, X[0], params=params)
    assert sum(isinstance(s, Dense) for s in program.plan.steps) == 3
    losses = program(X)
    program.backward(reduction="mean")
    got = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    total = autograd.sum([loss(*[Value(v) for v in row]) for row in X]) / len(X)
    total.backward()
    assert close(float(losses.mean()), total.data)
    for g, p in zip(got, params, strict=True):
        assert close(g, p.grad, 1e-3 * max(abs(q.grad) for q in params))


def test_micrograd_style_chains_of_adds_become_matrix_products_with_eager_numbers():
    rng = random.Random(7)
    layers = [[([Value(rng.uniform(-1, 1)) for _ in range(n_in)], Value(0.0))
               for _ in range(n_out)] for n_in, n_out in ((3, 5), (5, 2))]
    params = [p for layer in layers for ws, b in layer for p in [*ws, b]]

    def loss(x0, x1, x2, t):
        xs = [x0, x1, x2]
        for k, layer in enumerate(layers):
            # builtins.sum with a start value: ((b + w0·x0) + w1·x1) + …, as micrograd does
            xs = [builtins.sum((w * x for w, x in zip(ws, xs, strict=True)), b) for ws, b in layer]
            xs = [x.relu() for x in xs] if k == 0 else xs
        return (xs[0] - t) ** 2 + xs[1] * 0.5

    X = np.random.default_rng(4).normal(size=(6, 4))
    program = compile(loss, X[0], params=params)
    assert sum(isinstance(s, Dense) for s in program.plan.steps) == 2
    out = program(X)
    program.backward()
    got = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    for row, value in zip(X, out, strict=True):
        eager_loss = loss(*[Value(v) for v in row])
        eager_loss.backward()
        assert close(value, eager_loss.data)
    scale = max(abs(p.grad) for p in params)
    assert all(close(g, p.grad, scale * 1e-3) for g, p in zip(got, params, strict=True))


def test_several_outputs_take_a_gradient_per_output():
    forward, params = mlp(random.Random(3), [2, 4, 3])
    program = compile(lambda a, b: forward([a, b]), [0.1, 0.2], params=params)
    X = [[0.3, -0.7], [1.5, 0.25]]
    out = program(X)
    assert out.shape == (2, 3)
    for row, values in zip(X, out, strict=True):
        want = [v.data for v in forward([Value(x) for x in row])]
        assert all(close(a, b) for a, b in zip(values, want, strict=True))
    with pytest.raises(ValueError, match="3 outputs: pass grad"):
        program.backward()
    with pytest.raises(ValueError, match=r"shape \(2, 3\)"):
        program.backward(np.ones((2, 2)))


def test_backward_twice_accumulates_like_eager_leaves():
    w = Value(2.0, "w")
    program = compile(lambda x: w * x * x, [1.0])
    assert program.params == [w]
    program([[3.0]])
    program.backward()
    program.backward()
    assert w.grad == 18.0  # 2 × (x² = 9)


def test_parameters_are_read_fresh_and_written_back():
    w, b = Value(0.5, "w"), Value(0.6, "b")
    program = compile(lambda x: w * x + b, [0.0], params=[w, b])
    assert program([[1.0], [2.0]]).tolist() == [1.1, 1.6]
    w.data = 1.0
    assert program([[2.0]]).tolist() == [2.6]  # __call__ reads .data again
    program.theta[:] = [3.0, 4.0]
    assert program.forward([2.0]) == 10.0  # forward uses theta as it is
    program.store_params()
    assert (w.data, b.data) == (3.0, 4.0)


def test_shared_weights_and_squares_of_parameters_stay_exact():
    # w is used by two neurons and squared (L2): no matrix product owns it alone.
    w, v, b = Value(0.3, "w"), Value(-0.2, "v"), Value(0.1, "b")

    def fn(x, y):
        h1 = autograd.sum([w * x, v * y, b]).tanh()
        h2 = autograd.sum([w * y, v * x]).sigmoid()
        return h1 * h2 + 1e-2 * autograd.sum([p * p for p in (w, v, b)])

    sample = [0.7, -1.2]
    want, (grads, _) = eager(fn, sample, [w, v, b])
    program = compile(fn, sample, params=[w, v, b])
    assert close(program(sample), want)
    program.backward()
    assert all(close(p.grad, g) for p, g in zip([w, v, b], grads, strict=True))


def test_terms_without_inputs_run_once_per_batch_with_eager_numbers():
    # micrograd's demo loss: per point hinge + the L2 term, which reads no input
    forward, params = mlp(random.Random(5), [2, 4, 1], activation="relu")

    def loss(x1, x2, t):
        score = forward([x1, x2])[0]
        return (1 - t * score).relu() + 1e-4 * autograd.sum([p * p for p in params])

    X = np.column_stack([np.random.default_rng(3).normal(size=(7, 2)), [1, -1] * 3 + [1]])
    program = compile(loss, X[0], params=params)
    assert program.plan.shared_steps >= 2  # p × p and their sum
    out = program(X)
    program.backward(reduction="mean")
    got = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    losses = [loss(*[Value(v) for v in row]) for row in X]
    total = autograd.sum(losses) / len(losses)
    total.backward()
    assert all(close(a, b.data) for a, b in zip(out, losses, strict=True))
    scale = max(abs(p.grad) for p in params)
    assert all(close(g, p.grad, scale * 1e-3) for g, p in zip(got, params, strict=True))


def test_an_unregistered_user_op_without_array_forward_works():
    cube = Op(name="cube", symbol="³", arity=1, forward=lambda a: a ** 3,
              local_grads=lambda a, out: (3 * a * a,), rules=("∂a³/∂a = 3a²",),
              template="{0}³", domain=(((-2.0, 2.0),),))
    assert "cube" not in OPS
    w = Value(1.5)
    program = compile(lambda x: autograd.apply(cube, w * x), [1.0])
    assert close(program([2.0]), 27.0)
    program.backward()
    assert close(w.grad, 3 * 9.0 * 2.0)  # 3(wx)²·x


def test_python_control_flow_on_data_is_detected():
    def branchy(x):
        return x * 2 if x > 0 else x.exp()

    program = compile(branchy, [1.0])
    message = r"sample 1 \(\[-1.0\]\): node 1 .*constant 2.0 when traced, now exp"
    with pytest.raises(StructureError, match=message):
        program.check([[2.0], [-1.0]])
    with pytest.raises(StructureError, match="if/else"):
        compile(branchy, [1.0], check=[[-3.0]])


def test_constants_computed_from_the_data_are_detected():
    def shifted(x, y):
        m = max(x.data, y.data)  # a data-dependent constant, like a softmax shift
        return (x - m).exp() + (y - m).exp()

    program = compile(shifted, [1.0, 2.0])
    program.check([[0.5, 2.0]])  # same max: same graph
    with pytest.raises(StructureError, match="the constant 2.0 when traced, now the constant 3.0"):
        program.check([[3.0, 2.0]])


def test_domain_errors_name_the_op_the_value_and_the_sample():
    program = compile(lambda x: (x - 1.0).log(), [2.0])
    with pytest.raises(DomainError, match=r"log is undefined at a = -1.0 .*sample 1 of the batch"):
        program([[3.0], [0.0]])
    program2 = compile(lambda x: x.exp(), [1.0])
    with pytest.raises(OverflowError, match="exp overflowed"):
        program2([[1000.0]])


def test_nan_in_the_data_flows_on_as_in_eager_and_errors_still_name_the_first_sample():
    def fn(x, y):
        return (x * 2.0) / y + (x * 0.5).sin()

    def eager_error(x, y, sample):
        with pytest.raises(DomainError) as info:
            fn(Value(x, "x0"), Value(y, "x1"))  # the program's inputs are labelled so
        text = str(info.value)
        cut = text.index("; ") if "; " in text else text.index(" [")
        return f"{text[:cut]} (sample {sample} of the batch){text[cut:]}"

    program = compile(fn, [1.0, 1.0])
    nan, inf = math.nan, math.inf
    out = program([[nan, 1.0]] * 50 + [[1.0, 2.0]])  # eager: nan flows on, no error
    assert np.isnan(out[:50]).all() and out[50] == fn(Value(1.0), Value(2.0)).data
    # Python raises for nan / 0 and sin(inf) where numpy returns nan: the first such
    # sample is named, with the error eager evaluation gives for it
    with pytest.raises(DomainError) as info:
        program([[nan, 1.0], [1.0, 1.0], [nan, 0.0], [inf, 1.0]])
    assert str(info.value) == eager_error(nan, 0.0, 2)
    assert "div is undefined at a = nan" in str(info.value)
    with pytest.raises(DomainError) as info:
        program([[nan, 1.0], [inf, 1.0], [nan, 0.0]])
    assert str(info.value) == eager_error(inf, 1.0, 1)
    assert "sin is undefined at a = inf" in str(info.value)


def test_an_overflowing_product_raises_as_in_eager_and_a_gradient_may_be_infinite():
    program = compile(lambda x: x * x, [1.0])
    with pytest.raises(OverflowError, match=r"mul overflowed a float at a = 1e\+200 \(node 'x0'\)"
                                            r".*\(sample 1 of the batch\)"):
        program([[1.0], [1e200]])  # eager: the same OverflowError (inf from finite operands)
    assert program([math.inf]) == math.inf  # an infinite input is not an overflow
    w = Value(1e-200, "w")
    program = compile(lambda x: x / w, [1.0])
    program([[1.0], [2.0]])
    program.backward()  # ∂(x/w)/∂w = −x/w² overflows to −inf eagerly too, without an error
    assert w.grad == -math.inf


@pytest.mark.parametrize("make", [lambda z: z.sqrt(), lambda z: z ** 0.5])
def test_an_undefined_derivative_in_backward_is_the_eager_domain_error(make):
    # √ is fine at 0, its derivative 1/(2√0) is not. At x = 0, 2√(w·x) is flat in w
    # (∂/∂w = 0: the mul's local derivative x = 0 stops the undefined factor), but its
    # derivative in x is undefined: eager backward raises a DomainError for the leaf x.
    # The compiled one once returned inf (or nan) as the gradient without a word.
    w = Value(1.0, "w")

    def fn(x):
        return make(w * x) * 2.0

    program = compile(fn, [1.0])
    program([[4.0], [0.0], [1.0]])
    program.backward()  # x is data, not a parameter: only ∂/∂w is computed, and it exists
    assert autograd.grad(fn(Value(0.0)), [w]) == [0.0]  # eager agrees: flat in w at x = 0
    assert w.grad == pytest.approx(2.0 + 0.0 + 1.0)  # √x/√w at x = 4, 0, 1
    with_inputs = compile(fn, [1.0], wrt_inputs=True)  # now ∂/∂x is needed too
    with_inputs([[4.0], [0.0], [1.0]])
    eager = Value(0.0, "x0")
    with pytest.raises(DomainError) as info:
        fn(eager).backward()
    want = str(info.value).replace(" (∂", " (sample 1 of the batch) (∂", 1)
    with pytest.raises(DomainError) as info:
        with_inputs.backward()
    assert str(info.value) == want
    assert "derivative of" in want and "a = 0.0 (unlabelled node made by mul)" in want
    w.grad = 0.0
    program([[4.0], [1.0]])  # away from 0 the same program trains on
    program.backward()
    assert w.grad == pytest.approx(4 * 0.5 + 2 * 0.5)  # d/dw 2√(wx) = √x/√w at w = 1
    w.grad = 0.0
    program([[math.nan]] * 30 + [[1.0]])  # nan data: a nan gradient, as eagerly, no error
    program.backward()
    assert math.isnan(w.grad)
    with pytest.raises(DomainError, match=r"\(sample 30 of the batch\)"):
        with_inputs([[math.nan]] * 30 + [[0.0]])
        with_inputs.backward()


def test_detect_anomaly_stops_at_a_non_finite_result_with_the_sample():
    program = compile(lambda x: x * x, [1.0])
    with autograd.detect_anomaly(), pytest.raises(autograd.AnomalyError,
                                                  match="mul gave inf at sample 1"):
        program([[2.0], [math.inf]])  # (1e200 would overflow: an OverflowError, as eagerly)


def test_bad_inputs_get_clear_errors():
    program = compile(lambda x, y: x * y, [1.0, 2.0])
    with pytest.raises(ValueError, match=r"shape \(batch, 2\) or \(2,\).*got shape \(3,\)"):
        program([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="inputs must be numbers"):
        program([["a", object()]])
    with pytest.raises(TypeError, match=r"example\[1\] must be a real number"):
        compile(lambda x, y: x * y, [1.0, "2"])
    with pytest.raises(TypeError, match="must return a Value or a non-empty sequence"):
        compile(lambda x: 3.0, [1.0])
    with pytest.raises(ValueError, match="reduction must be 'sum' or 'mean'"):
        program([1.0, 2.0])
        program.backward(reduction="avg")
    with pytest.raises(RuntimeError, match="call the program on a batch"):
        compile(lambda x: x * 2, [1.0]).gradient()
    # check samples are rows like the example, named when not (was: 'float' not iterable)
    with pytest.raises(TypeError, match=r"check sample 0\[0\] must be a real number|"
                                        r"check sample 0 must be a sequence of numbers"):
        compile(lambda x: x * 2, [1.0], check=[3.0])
    with pytest.raises(ValueError, match=r"check sample 1 has 2 numbers, the program takes 1"):
        compile(lambda x: x * 2, [1.0], check=[[3.0], [1.0, 2.0]])


@settings(max_examples=150)
@given(first=expressions(max_inputs=2, max_steps=6),
       second=expressions(max_inputs=2, max_steps=6), same=st.booleans())
def test_the_structure_check_agrees_with_comparing_signatures(first, second, same):
    # check() pairs the new graph with the traced one node for node instead of ordering
    # it and writing its signature: it must accept exactly the graphs with equal signatures
    w = Value(0.75, "w")
    use = [first]

    def fn(x0, x1):  # a parameter and a constant in every graph
        e = use[0]
        return e(*[w * x0, x1 + 1.0][: e.n_inputs])

    sample = [0.25, -0.5]
    try:
        program = compile(fn, sample, params=[w])
        use[0] = second if not same else first
        inputs, _, order, _ = _record(fn, sample)
    except (DomainError, OverflowError, ValueError, ZeroDivisionError):
        assume(False)
    equal = program.trace.signature == _signature(order, inputs, program.trace.params)
    assert (retrace_difference(program.trace, fn, sample) is None) == equal


def test_assigning_theta_copies_into_the_vector_the_generated_code_reads():
    # the generated code holds views of theta: a new array assigned to it must be read
    w, b = Value(0.5, "w"), Value(0.6, "b")
    program = compile(lambda x: w * x + b, [0.0], params=[w, b])
    assert program([[1.0]]).tolist() == [1.1]
    program.theta = np.array([2.0, 1.0])
    assert program.forward([3.0]) == 7.0
    program.theta -= 1.0  # in place, as the demo loop does
    assert program.forward([3.0]) == 3.0
    with pytest.raises(ValueError, match=r"theta holds 2 parameters, got an array of shape \(3,\)"):
        program.theta = [1.0, 2.0, 3.0]
