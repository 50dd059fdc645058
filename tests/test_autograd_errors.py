"""Every bad input names the op, the value and the node label."""

import math

import numpy as np
import pytest

import autograd
from autograd import AnomalyError, DomainError, GradcheckError, Value


@pytest.mark.parametrize("bad, shown", [("abc", "'abc' (str)"), (None, "None (NoneType)"),
                                        ([1.0], "[1.0] (list)"), (1j, "1j (complex)")])
def test_value_rejects_non_numbers(bad, shown):
    with pytest.raises(TypeError, match="Value holds a real number") as info:
        Value(bad, label="w")
    assert shown in str(info.value) and "'w'" in str(info.value)


def test_a_number_too_large_for_a_float_is_named_with_the_label():
    with pytest.raises(OverflowError, match=r"the int given is beyond ±1.8e308, the largest float "
                                            r"\(label 'big'\)"):
        Value(10 ** 400, label="big")


def test_value_rejects_non_string_labels():
    with pytest.raises(TypeError, match="label must be a str, got 3"):
        Value(1.0, label=3)
    label = Value(1.0, label=np.array(["w1"])[0]).label  # a str subclass: taken as a str
    assert type(label) is str and label == "w1"


@pytest.mark.parametrize("expr, message", [
    (lambda v: v + "x", "add takes Values or real numbers, got 'x' (str) as b, with a = 1.0"),
    (lambda v: "x" * v, "mul takes Values or real numbers, got 'x' (str) as a, with b = 1.0"),
    (lambda v: v * [1], "mul takes Values or real numbers, got [1] (list) as b, with a = 1.0"),
    (lambda v: v ** "2", "pow takes Values or real numbers, got '2' (str) as b, with a = 1.0"),
    (lambda v: None - v,
     "sub takes Values or real numbers, got None (NoneType) as a, with b = 1.0"),
    (lambda v: v / 1j, "div takes Values or real numbers, got 1j (complex) as b, with a = 1.0"),
])
def test_operators_with_non_numbers_name_the_op_the_value_and_the_label(expr, message):
    # Python's own "unsupported operand type(s) for +" named neither the op nor the node
    with pytest.raises(TypeError) as info:
        expr(Value(1.0, "w"))
    assert str(info.value) == f"{message} (node 'w')"


def test_operators_still_let_numpy_arrays_combine_with_values():
    out = Value(1.0, "w") + np.array([1.0, 2.0])  # numpy's __radd__ builds an array of Values
    assert [v.data for v in out] == [2.0, 3.0]


def test_a_finite_number_beyond_a_float_raises_for_every_type():
    # one rule: 10**400 raised while numpy's longdouble 1e4000 silently became inf
    for big in (10 ** 400, np.longdouble("1e4000"), -np.longdouble("1e4000")):
        with pytest.raises(OverflowError,
                           match=r"beyond ±1.8e308, the largest float \(label 'w'\)"):
            Value(big, "w")
    assert Value(np.longdouble("inf")).data == math.inf  # infinity itself is a float


def test_numpy_and_int_operands_are_accepted():
    np = pytest.importorskip("numpy")
    v = Value(np.float32(2.0)) * np.int64(3)
    assert v.data == 6.0 and type(v.data) is float


@pytest.mark.parametrize("make, op, value", [
    (lambda: Value(0.0, "x").log(), "log", "0.0"),
    (lambda: Value(-1.0, "x").log(), "log", "-1.0"),
    (lambda: Value(-4.0, "x").sqrt(), "sqrt", "-4.0"),
    (lambda: Value(1.0, "p") / Value(0.0, "x"), "div", "0.0"),
    (lambda: Value(0.0, "x") ** -1, "pow", "0.0"),
    (lambda: Value(-8.0, "x") ** 0.5, "pow", "-8.0"),
])
def test_domain_errors_name_op_value_and_label(make, op, value):
    with pytest.raises(DomainError) as info:
        make()
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    assert message.startswith(f"{op} is undefined at")
    assert value in message and "node 'x'" in message


def test_division_by_zero_error_names_the_requirement():
    with pytest.raises(ValueError, match="div needs b ≠ 0"):
        Value(1.0) / 0


def test_exp_overflow_names_op_and_input():
    with pytest.raises(OverflowError, match=r"exp overflowed a float at a = 1000.0 \(node 'z'\)"):
        Value(1000.0, "z").exp()


def test_pow_overflow_is_an_overflow_error():
    with pytest.raises(OverflowError, match="pow overflowed"):
        Value(10.0, "big") ** 1000


def test_errors_describe_inner_nodes_by_their_op():
    x = Value(-2.0, "x")
    with pytest.raises(DomainError, match="unlabelled node made by mul"):
        (x * 1.0).log()


def test_detect_anomaly_catches_nan_and_inf_in_forward():
    inf = Value(math.inf, "inf")
    with autograd.detect_anomaly():
        with pytest.raises(AnomalyError, match=r"sub\(inf \(node 'inf'\), inf \(node 'inf'\)\) "
                                               r"gave nan"):
            inf - inf
        with pytest.raises(AnomalyError, match=r"mul\(inf \(node 'inf'\), 2.0"):
            inf * 2
    assert math.isnan((inf - inf).data)  # without the context manager, nan flows on


def test_detect_anomaly_catches_infinite_gradients():
    w = Value(1e-200, "w")
    out = 1.0 / w  # 1e200 is finite, but ∂(1/w)/∂w = −1/w² = −1e400 overflows
    with autograd.detect_anomaly():
        with pytest.raises(AnomalyError, match="backward through div gave gradient -inf") as info:
            out.backward()
    assert "node 'w'" in str(info.value)
    out.backward()  # outside the context manager the infinity is simply stored
    assert w.grad == -math.inf


def test_detect_anomaly_keeps_the_domain_error_of_an_undefined_derivative():
    # sqrt is fine at 0 but its derivative 1/(2√0) is not: eager names the node; the
    # checked backward of detect_anomaly once let a bare ZeroDivisionError escape.
    x = Value(0.0, "x")
    out = x.sqrt() * 2.0
    with autograd.detect_anomaly():
        with pytest.raises(DomainError, match=r"derivative of sqrt is undefined at a = 0.0 "
                                              r"\(node 'x'\)"):
            out.backward()
        with pytest.raises(DomainError, match="derivative of sqrt"):
            autograd.grad(out, [x])


def test_grad_under_detect_anomaly_checks_gradients_and_restores_dot_grad():
    w = Value(1e-200, "w")
    w.grad = 5.0
    out = 1.0 / w
    with autograd.detect_anomaly():
        with pytest.raises(AnomalyError, match="backward through div gave gradient -inf"):
            autograd.grad(out, [w])
    assert w.grad == 5.0 and autograd.grad(out, [w]) == [-math.inf]


def test_gradcheck_report_is_a_table_naming_inputs():
    def wrong(x, w):
        # tanh with a forgotten chain-rule factor, built by hand as a "user op"
        return autograd.apply(BROKEN, x) * w

    BROKEN = autograd.Op(
        name="broken_cube", symbol="cube", arity=1, forward=lambda a: a ** 3,
        local_grads=lambda a, out: (a * a,), rules=("∂a³/∂a = 3a²",),
        template="{0}³", domain=(((-3.0, 3.0),),),
    )
    with pytest.raises(GradcheckError) as info:
        autograd.gradcheck(wrong, [2.0, 1.5])
    text = str(info.value)
    assert "gradients disagree for wrong at [2.0, 1.5]" in text
    assert "0 (x)" in text and "6" in text and "18" in text  # analytic 6, numerical 18
    assert "1 (w)" not in text  # w's gradient is right, so it is not listed
    for column in ("analytic", "numerical", "abs error", "rel error"):
        assert column in text


def test_gradcheck_rejects_bad_inputs():
    with pytest.raises(TypeError, match="xs must be a sequence"):
        autograd.gradcheck(lambda x: x, 3.0)
    with pytest.raises(TypeError, match=r"xs\[1\] must be a real number, got 'a'"):
        autograd.numerical_grad(lambda x, y: x, [1.0, "a"])
    with pytest.raises(TypeError, match="must return one Value, got \\[") :
        autograd.numerical_grad(lambda x: [x], [1.0])
    with pytest.raises(ValueError, match="eps must be a positive step, got 0"):
        autograd.numerical_grad(lambda x: x, [1.0], eps=0)
    # a string or a bool is a mistake, not a number to convert (once checked as 1.5 and 1.0)
    with pytest.raises(TypeError, match=r"xs\[0\] must be a real number, got '1.5' \(str\)"):
        autograd.gradcheck(lambda x: x * x, ["1.5"])
    with pytest.raises(TypeError, match=r"xs\[1\] must be a real number, got True \(bool\)"):
        autograd.numerical_grad(lambda x, y: x * y, [1.0, True])


def test_check_local_grads_names_a_wrong_number_of_inputs():
    with pytest.raises(ValueError, match=r"op 'mul' takes 2 input\(s\), got 1: \[1.0\]"):
        autograd.check_local_grads(autograd.OPS["mul"], [1.0])
    with pytest.raises(ValueError, match=r"op 'sum' takes at least one input\(s\), got 0"):
        autograd.check_local_grads(autograd.OPS["sum"], [])
    assert autograd.check_local_grads(autograd.OPS["sum"], [1.0, 2.0, 3.0])


def test_gradcheck_takes_a_numpy_vector_of_inputs():
    xs = np.array([3.0, 4.0])
    assert autograd.gradcheck(lambda x, y: x * y, xs)
    assert autograd.analytic_grad(lambda x, y: x * y, xs) == [4.0, 3.0]
    assert autograd.numerical_grad(lambda x, y: x * y, np.array([3, 4])) == [
        pytest.approx(4.0), pytest.approx(3.0)]


def test_numerical_grad_values():
    assert autograd.numerical_grad(lambda x, y: x * y, [3.0, 4.0]) == [
        pytest.approx(4.0), pytest.approx(3.0)]


def test_unknown_op_name():
    with pytest.raises(ValueError, match="unknown op 'frobnicate'"):
        Value(1.0).apply("frobnicate")
    with pytest.raises(ValueError, match="unknown op 'frobnicate'; registered ops: abs, add"):
        autograd.apply("frobnicate", Value(1.0))
    with pytest.raises(TypeError, match=r"an op is an Op or the name of a registered one, "
                                        r"got 3 \(int\)"):
        autograd.apply(3, Value(1.0))


def test_apply_takes_an_op_name_like_value_apply():
    x = Value(2.0, "x")
    out = autograd.apply("mul", x, 3)  # once an AttributeError: 'str' has no 'arity'
    assert (out.op, out.data, out.inputs[0]) == ("mul", 6.0, x)
    assert autograd.apply("sum", x, x, 1.0).data == 5.0


def test_repr_shows_data_grad_and_label():
    v = Value(0.6, "b")
    v.grad = -0.4
    assert repr(v) == "Value(data=0.6, grad=-0.4, label='b')"
    assert float(v) == 0.6 and v < 1 and v >= 0.6 and not v > Value(2.0)
    assert v != Value(0.6, "b") and len({v, Value(0.6)}) == 2


@pytest.mark.parametrize("make", [lambda x: x.sqrt(), lambda x: x ** 0.5])
def test_undefined_derivative_in_backward_names_op_and_node(make):
    x = Value(0.0, "x")
    out = make(x) * 2.0  # the forward is fine at 0; the derivative is not
    expected = "derivative of .* is undefined at a = 0.0 \\(node 'x'\\)"
    with pytest.raises(DomainError, match=expected):
        out.backward()
    with pytest.raises(DomainError, match="node 'x'"):
        autograd.grad(out, [x])


@pytest.mark.parametrize("bad", ["abc", "1.5", None, True, [1.0], 10 ** 400])
def test_backward_grad_must_be_a_number_and_the_error_names_the_node(bad):
    # float("abc") gave Python's "could not convert string to float" (and "1.5" passed)
    L = Value(2.0, "w") * Value(3.0, "x")
    L.label = "L"
    with pytest.raises(TypeError) as info:
        L.backward(grad=bad)
    assert str(info.value).startswith("backward from node 'L' made by mul (data 6.0): grad is ")
    assert f"got {bad!r}"[:40] in str(info.value)


def test_backward_grad_accepts_any_real_number():
    x = Value(2.0, "x")
    (x * 3.0).backward(grad=np.float32(2.0))
    (x * 3.0).backward(grad=1)
    assert x.grad == 9.0


@pytest.mark.parametrize("make, op", [
    (lambda a, b: a + b, "add"), (lambda a, b: a - (-b), "sub"), (lambda a, b: a * b, "mul"),
    (lambda a, b: a / (1.0 / b), "div"), (lambda a, b: autograd.sum([a, b, a]), "sum"),
])
def test_an_overflowing_result_raises_naming_the_op_the_operands_and_labels(make, op):
    # one rule for every op, as exp and pow already had: inf from finite operands raises
    a, b = Value(1e308, "a"), Value(1e308, "b")
    with pytest.raises(OverflowError) as info:
        make(a, b)
    message = str(info.value)
    assert message.startswith(f"{op} overflowed a float at a = ") and "(node 'a')" in message
    assert message.endswith(": the result is beyond ±1.8e308, the largest float")
    with autograd.no_grad(), pytest.raises(OverflowError):
        make(a, b)  # not a recording detail: the number itself overflowed


def test_infinite_operands_are_not_an_overflow():
    inf = Value(math.inf, "inf")
    assert (inf + 1.0).data == math.inf and (inf * -2.0).data == -math.inf
    assert (Value(1.0) / Value(math.inf)).data == 0.0


def test_pow_overflow_says_it_overflowed_not_what_pow_needs():
    # "pow needs a > 0, or a whole-number b" held for 2 ** 100000: the message misled
    with pytest.raises(OverflowError) as info:
        Value(2.0, "two") ** 100000
    assert str(info.value) == ("pow overflowed a float at a = 2.0 (node 'two'), b = 100000.0 "
                               "(unlabelled node): the result is beyond ±1.8e308, the largest "
                               "float")


@pytest.mark.parametrize("fn, big, op", [
    (lambda x, y: x * y, 1e300, "mul"),  # one element-wise step
    (lambda x, y: x + y + x * y, 1e300, "mul"),  # the product overflows first
    (lambda x, y: x + y + x * y, 1e308, "add"),  # x + y first: inside the segmented sum
])
def test_compiled_programs_raise_the_same_overflow_naming_the_sample(fn, big, op):
    program = autograd.compile(fn, [1.0, 1.0])
    with pytest.raises(OverflowError) as info:
        program([[1.0, 2.0], [big, big]])
    with pytest.raises(OverflowError) as eager_info:
        fn(Value(big, "x0"), Value(big, "x1"))
    eager = str(eager_info.value)
    assert str(info.value) == eager.replace(": the result", " (sample 1 of the batch): the result")
    assert str(info.value).startswith(f"{op} overflowed a float")


def test_a_compiled_layer_raises_the_overflow_of_one_of_its_products():
    w1, w2, b = Value(1e300, "w1"), Value(2.0, "w2"), Value(0.5, "b")
    program = autograd.compile(lambda x, y: autograd.sum([w1 * x, w2 * y, b]), [1.0, 1.0])
    assert program([[1.0, 1.0], [math.inf, 1.0]])[1] == math.inf  # infinite data: no error
    with pytest.raises(OverflowError, match=r"mul overflowed a float at a = 1e\+300 \(node 'w1'\), "
                                            r"b = 10000000000.0 \(node 'x0'\) \(sample 2 of"):
        program([[1.0, 1.0], [math.nan, 1.0], [1e10, 1.0]])
