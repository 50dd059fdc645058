"""Semantics shared with PyTorch and JAX: gradient helpers under no_grad, step's zero
derivative, and a gradient of 0 meeting an undefined local derivative.

Every case is checked on the three paths that must agree: eager ``backward()``,
``grad(..., create_graph=True)`` and a compiled program.
"""

import math

import numpy as np
import pytest

import autograd
from autograd import DomainError, Value, no_grad, ops
from tests.torch_helpers import import_torch

# --- grad_fn, value_and_grad, gradcheck inside no_grad ------------------------------


def test_grad_fn_and_value_and_grad_record_their_own_call_inside_no_grad():
    # torch.func.grad and jax.grad give 12 for y³ at 2 wherever they are called
    with no_grad():
        assert autograd.grad_fn(lambda y: y ** 3)(2.0) == 12.0
        assert autograd.value_and_grad(lambda y: y ** 3)(2.0) == (8.0, 12.0)
        assert autograd.grad_fn(lambda x, y: x * y, argnums=(0, 1))(3.0, 2.0) == (2.0, 3.0)
        assert not autograd.is_grad_enabled()  # and the caller's mode is left as it was
        assert (Value(1.0) * 2.0).is_leaf


def gradient_of_cube(x):
    """3x², as a differentiable Value: PyTorch's gradgradcheck pattern."""
    return autograd.grad(x ** 3, [x], create_graph=True)[0]


def test_gradcheck_of_a_function_that_takes_a_gradient_inside():
    # numerical_grad once ran f under no_grad: x ** 3 recorded nothing, the inner grad
    # was 0 and the check failed (numerical 0, analytic 6x = 9)
    assert autograd.numerical_grad(gradient_of_cube, [1.5]) == pytest.approx([9.0], rel=1e-6)
    assert autograd.gradcheck(gradient_of_cube, [1.5])
    with no_grad():  # called from inside no_grad too
        assert autograd.analytic_grad(gradient_of_cube, [1.5]) == pytest.approx([9.0])
        assert autograd.gradcheck(gradient_of_cube, [-0.5])


# --- step: its derivative is exactly 0 ------------------------------------------------


@pytest.mark.parametrize("a", [math.inf, -math.inf, 2.0, -3.0])
def test_step_derivative_is_zero_even_at_infinity(a):
    # 0.0 * a was nan at a = ±inf, and nan poisoned every gradient upstream
    x = Value(a, "x")
    (x.step() * 3.0).backward()
    assert x.grad == 0.0
    (dx,) = autograd.grad(x.step() * 3.0, [x], create_graph=True)
    assert dx.data == 0.0


def test_step_local_derivative_on_arrays_is_an_array_of_zeros():
    a = np.array([[math.inf, -math.inf, 1.0], [0.5, -2.0, 0.0]])
    (d,) = ops.STEP.local_grads(a, ops.STEP.vector_forward(a))
    assert isinstance(d, np.ndarray) and d.shape == a.shape and d.dtype == float
    assert not d.any()
    assert ops.STEP.local_grads(math.inf, 1.0) == (0.0,)


def test_step_of_an_infinite_parameter_compiled_gives_zero_not_nan():
    w = Value(math.inf, "w")
    program = autograd.compile(lambda x: w.step() * x, [1.0])
    program([[1.0], [2.0]])
    program.backward()
    assert w.grad == 0.0


# --- a gradient of 0 times an undefined local derivative is 0 ------------------------

FLAT_BELOW_ZERO = {
    "sqrt(relu(w·x))": lambda w, x: (w * x).relu().sqrt(),
    "relu(w·x) ** 0.5": lambda w, x: (w * x).relu() ** 0.5,
    "0 · sqrt(relu(w·x))": lambda w, x: 0.0 * (w * x).relu().sqrt(),
    "0 · sqrt(w·x²) + w": lambda w, x: 0.0 * (w * x * x).sqrt() + w,
}


def _eager_backward(f, w0, x):
    w = Value(w0, "w")
    f(w, x).backward()  # x a plain number: a constant, as nn feeds data
    return w.grad


def _create_graph(f, w0, x):
    w = Value(w0, "w")
    (dw,) = autograd.grad(f(w, x), [w], create_graph=True)
    return dw.data


def _compiled(f, w0, xs):
    w = Value(w0, "w")
    program = autograd.compile(lambda x: f(w, x), [1.0])
    program([[x] for x in xs])
    program.backward()
    return w.grad


@pytest.mark.parametrize("name", sorted(FLAT_BELOW_ZERO))
@pytest.mark.parametrize("x", [-2.0, -0.5, 0.0])
def test_flat_functions_have_gradient_zero_where_the_inner_derivative_is_undefined(name, x):
    # At w·x ≤ 0 each function is constant in w near w = 1 (relu clamps to 0, or the
    # term is multiplied by 0), so ∂/∂w is 0 (plus 1 for the "+ w" case), as in PyTorch.
    # The √'s own derivative 1/(2√0) is undefined there; it once raised DomainError.
    f = FLAT_BELOW_ZERO[name]
    expected = 1.0 if name.endswith("+ w") else 0.0
    assert _eager_backward(f, 1.0, x) == expected
    assert _create_graph(f, 1.0, x) == expected
    assert _compiled(f, 1.0, [x]) == expected


@pytest.mark.parametrize("name", sorted(FLAT_BELOW_ZERO))
def test_eager_and_compiled_agree_on_a_batch_that_mixes_both_sides(name):
    f = FLAT_BELOW_ZERO[name]
    xs = [-1.0, 4.0, 0.0, 2.25]
    eager = sum(_eager_backward(f, 1.0, x) for x in xs)
    assert _compiled(f, 1.0, xs) == pytest.approx(eager, rel=1e-12)
    assert eager == pytest.approx(sum(_create_graph(f, 1.0, x) for x in xs), rel=1e-12)


@pytest.mark.parametrize("x", [-2.0, -0.5])
def test_flat_functions_match_pytorch(x):
    torch = import_torch()
    torch_forms = {
        "sqrt(relu(w·x))": lambda w, x: torch.sqrt(torch.relu(w * x)),
        "relu(w·x) ** 0.5": lambda w, x: torch.relu(w * x) ** 0.5,
        "0 · sqrt(relu(w·x))": lambda w, x: 0.0 * torch.sqrt(torch.relu(w * x)),
    }
    for name, torch_f in torch_forms.items():
        w = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
        torch_f(w, x).backward()
        assert _eager_backward(FLAT_BELOW_ZERO[name], 1.0, x) == w.grad.item() == 0.0, name


def test_an_undefined_derivative_a_gradient_needs_still_raises_on_every_path():
    # √w at w = 0: ∂/∂w = 1/(2√0) is needed (upstream 2, not 0): DomainError names sqrt
    def f(w, x):
        return w.sqrt() * 2.0 + x

    message = r"derivative of sqrt is undefined at a = 0.0 \(node 'w'\)"
    with pytest.raises(DomainError, match=message):
        _eager_backward(f, 0.0, 1.0)
    with pytest.raises(DomainError, match=message):
        _create_graph(f, 0.0, 1.0)
    with pytest.raises(DomainError, match=message + r" \(sample 0 of the batch\)"):
        _compiled(f, 0.0, [1.0, 2.0])
    w = Value(0.0, "w")
    with pytest.raises(DomainError, match=message):
        autograd.grad(f(w, 1.0), [w])


def test_undefined_factor_stops_at_a_zero_local_derivative_but_not_at_a_nonzero_one():
    x = Value(-1.0, "x")
    r = x.relu()
    out = r.sqrt()
    out.backward()  # relu'(−1) = 0 stops it: x gets 0
    assert x.grad == 0.0
    assert math.isnan(r.grad)  # ∂out/∂r itself is undefined: shown as nan, not a number
    y = Value(0.0, "y")
    with pytest.raises(DomainError, match=r"sqrt is undefined at a = 0.0 \(unlabelled node made "
                                          r"by mul\)"):
        (y * 1.0).sqrt().backward()  # mul's local derivative 1.0 passes it on to y


def test_grad_only_raises_for_the_inputs_it_is_asked_for():
    w, x = Value(1.0, "w"), Value(0.0, "x")
    out = (w * x).sqrt()  # flat in w at x = 0; ∂/∂x undefined
    assert autograd.grad(out, [w]) == [0.0]
    assert w.grad == 0.0 and x.grad == 0.0  # grad() leaves every .grad untouched
    with pytest.raises(DomainError, match="derivative of sqrt"):
        autograd.grad(out, [x])
    with pytest.raises(DomainError, match="derivative of sqrt"):
        out.backward()  # backward fills every leaf's .grad, x's included


def test_detect_anomaly_backward_follows_the_same_rule():
    x = Value(-1.0, "x")
    with autograd.detect_anomaly():
        x.relu().sqrt().backward()
    assert x.grad == 0.0


def test_second_derivatives_through_a_zero_upstream_keep_their_graph():
    # g = ∂/∂x of x·(x − 2)² is 0 at x = 2, but its own derivative is not: the
    # zero-upstream rule only skips derivatives that are undefined.
    x = Value(2.0, "x")
    (dx,) = autograd.grad(x * (x - 2.0) ** 2, [x], create_graph=True)  # (x−2)² + 2x(x−2)
    assert dx.data == 0.0
    assert autograd.grad(dx, [x]) == [4.0]  # 2(x−2) + 2(x−2) + 2x = 4 at x = 2
