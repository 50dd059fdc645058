"""The safe expression parser: whitelist, positions, values and gradients."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import autograd.ops
import viz.expr
import viz.expr_check
from autograd import OPS, Op, numerical_grad, register
from viz.expr import MAX_LENGTH, ExpressionError, functions, parse


def _error(source: str, values: dict | None = None) -> ExpressionError:
    """The ExpressionError that parsing (and building with ``values``) raises."""
    with pytest.raises(ExpressionError) as info:
        expr = parse(source)
        built = expr.build(values if values is not None else dict.fromkeys(expr.names, 1.0))
        built.backward()
    return info.value


def test_tanh_neuron_value_and_gradients_match_the_chain_rule():
    built = parse("tanh(x*w + b)").build({"x": 0.5, "w": -1.0, "b": 2.0})
    built.backward()
    out = math.tanh(0.5 * -1.0 + 2.0)
    slope = 1 - out**2
    assert built.root.data == pytest.approx(out, abs=1e-15)
    assert built.leaves["x"].grad == pytest.approx(slope * -1.0)
    assert built.leaves["w"].grad == pytest.approx(slope * 0.5)
    assert built.leaves["b"].grad == pytest.approx(slope)


def test_the_article_loss_gives_the_article_gradients():
    # WORKED_EXAMPLES §1, pair 1: y = 0.6, dL/dy = -0.4, dL/dw = 0, dL/db = -0.4
    built = parse("(w*x + b - t)**2 / 2").build({"w": 0.5, "x": 0.0, "b": 0.6, "t": 1.0})
    built.backward()
    assert built.leaves["w"].grad == 0.0
    assert built.leaves["b"].grad == pytest.approx(-0.4)


def test_leaves_are_labelled_by_name_and_repeats_share_one_leaf():
    built = parse("x*x + y").build({"x": 3.0, "y": 1.0})
    built.backward()
    assert built.leaves["x"].label == "x"
    assert built.leaves["x"].grad == 6.0  # both inputs of x*x are the same leaf
    mul = built.root.inputs[0]
    assert mul.inputs == (built.leaves["x"], built.leaves["x"])


def test_names_come_in_order_of_first_appearance():
    assert parse("b + w*x + b").names == ("b", "w", "x")
    assert parse("exp(a) + sum(c, b, a)").names == ("a", "c", "b")


def test_numbers_become_constant_leaves():
    built = parse("2*x - 1").build({"x": 4.0})
    constants = [node for node in built.root.inputs[0].inputs if node.is_constant]
    assert [c.data for c in constants] == [2.0]
    assert built.root.data == 7.0


def test_unary_minus_and_plus():
    built = parse("-x + +y").build({"x": 2.0, "y": 5.0})
    assert built.root.data == 3.0
    assert built.root.inputs[0].op == "neg"


def test_sum_call_is_one_n_ary_node():
    built = parse("sum(a, b, 2)").build({"a": 1.0, "b": 4.0})
    assert built.root.op == "sum"
    assert len(built.root.inputs) == 3
    assert built.root.data == 7.0


def test_functions_come_from_the_op_table_without_operator_ops():
    names = functions()
    for name in ["exp", "log", "tanh", "sigmoid", "relu", "sqrt", "abs", "sin", "cos", "step"]:
        assert name in names
    for operator_op in ["add", "sub", "mul", "div", "pow", "neg"]:
        assert operator_op not in names
    assert set(names) <= set(OPS)


def test_a_registered_op_becomes_callable(monkeypatch):
    name = "viz_expr_test_square"
    # Registered into a copy of the table, so other tests still see the stock ops.
    table = dict(OPS)
    monkeypatch.setattr(autograd.ops, "OPS", table)
    monkeypatch.setattr(viz.expr, "OPS", table)
    monkeypatch.setattr(viz.expr_check, "OPS", table)
    op = register(Op(
        name=name, symbol="sq", arity=1, forward=lambda a: a * a,
        local_grads=lambda a, out: (2 * a,), rules=("∂a²/∂a = 2a",),
        template="sq({0})", domain=(((-3.0, 3.0),),),
    ))
    built = parse(f"{name}(x) + 1").build({"x": 3.0})
    built.backward()
    assert built.root.data == 10.0
    assert built.leaves["x"].grad == 6.0
    assert op.name in functions()
    assert name not in OPS or OPS is table  # the stock table is untouched


@given(
    x=st.floats(-2, 2), w=st.floats(-2, 2), b=st.floats(-2, 2),
)
def test_gradients_match_central_differences(x, w, b):
    source = "sigmoid(w*x + b) * cos(x) + exp(b/3) - abs(w + 3) ** 2"
    values = {"x": x, "w": w, "b": b}
    built = parse(source).build(values)
    built.backward()

    def f(*leaves):
        return parse(source).build({n: v.data for n, v in zip(values, leaves, strict=True)}).root

    expected = numerical_grad(f, list(values.values()))
    for name, slope in zip(values, expected, strict=True):
        assert built.leaves[name].grad == pytest.approx(slope, rel=1e-5, abs=1e-6)


# --- the whitelist: every refusal names a column ----------------------------------

@pytest.mark.parametrize(
    ("source", "column", "words"),
    [
        ("x.real", 2, "attribute access"),
        ("tanh(x).__class__", 8, "attribute access"),
        ('__import__("os")', 1, "unknown function '__import__'"),
        ("x + (lambda: 1)()", 6, "lambda"),
        ("[x for x in y]", 1, "comprehension"),
        ("sum(x for x in y)", 4, "generator"),
        ("eval(x)", 1, "unknown function 'eval'"),
        ("foo(x) + 1", 1, "unknown function 'foo'"),
        ("x[0]", 1, "indexing"),
        ("x == 1", 1, "comparison"),
        ("x if y else z", 1, "'if ... else'"),
        ("x // 2", 3, "operator //"),
        ("x % 2", 3, "operator %"),
        ("~x", 1, "operator ~"),
        ("x, y", 1, "tuple"),
        ('"text"', 1, "not a number"),
        ("True * x", 1, "not a number"),
        ("2j", 1, "not a number"),
        ("exp", 1, "exp is a function"),
        ("tanh(x, y)", 1, "takes 1 argument, got 2"),
        ("exp(x=1)", 1, "no keyword"),
        ("sum()", 1, "at least one"),
        ("exp(x)(y)", 1, "only a function name"),
        ("(y := 2)", 2, "':='"),
        ("x + 1e999", 5, "too large"),
        ("x * " + "9" * 400, 5, "too large"),
    ],
)
def test_whitelist_refuses_with_position(source, column, words):
    err = _error(source)
    assert words in str(err)
    assert err.column == column
    assert f"(column {column})" in str(err)
    assert "\n" not in str(err)


def test_excerpt_puts_a_caret_under_the_column():
    err = _error("x + foo(y)")
    assert err.excerpt() == "  x + foo(y)\n      ^"


def test_excerpt_pads_wide_characters_twice():
    err = _error("权重 + x.y")
    line, caret = err.excerpt().split("\n")
    assert line == "  权重 + x.y"
    # 权重 is four terminal cells, then " + x" puts the "." at cell 9
    assert caret == "  " + " " * 8 + "^"
    assert err.column == 7


def test_excerpt_of_a_long_expression_is_a_window():
    source = "x+" * 300 + "log(x-1)"
    err = _error(source)
    assert err.column == 601
    line, caret = err.excerpt().split("\n")
    assert len(line) < 80
    assert line[len(caret) - 1 : len(caret) + 2] == "log"


def test_syntax_errors_have_a_column():
    assert _error("x +").column == 4
    assert "not a valid expression" in str(_error("x y"))
    assert _error("x y").column == 3


def test_leading_spaces_are_allowed_and_columns_count_them():
    assert parse("  -x").build({"x": 1.0}).root.data == -1.0
    assert _error("  x.y").column == 4


def test_multi_line_and_empty_and_overlong_text_are_refused():
    assert "one line" in str(_error("x +\n y"))
    assert "empty" in str(_error("   "))
    assert f"at most {MAX_LENGTH}" in str(_error("x+" * MAX_LENGTH + "x"))
    with pytest.raises(TypeError, match="str"):
        parse(42)


def test_deep_nesting_is_an_error_not_a_crash():
    assert "nested too deeply" in str(_error("(" * 300 + "x" + ")" * 300))


def test_long_chains_build_without_recursion():
    built = parse("-" * 999 + "x").build({"x": 2.0})
    built.backward()
    assert built.root.data == -2.0
    assert built.leaves["x"].grad == -1.0


def test_huge_exponent_towers_overflow_with_the_position_of_the_power():
    err = _error("9**9**9**9")
    assert "overflows a float" in str(err)
    assert err.column == 5  # 9 ** 387420489 is the middle "**"


def test_domain_errors_name_the_op_and_the_column():
    err = _error("w * log(x - 1)", {"w": 1.0, "x": 1.0})
    assert err.column == 5
    assert "log(0.0) is undefined" in str(err)
    assert _error("1/(x-1)", {"x": 1.0}).column == 2


def test_undefined_derivative_is_reported_at_its_node():
    err = _error("x + sqrt(y)", {"x": 1.0, "y": 0.0})
    assert "derivative of sqrt" in str(err)
    assert err.column == 5


def test_missing_extra_and_bad_values():
    expr = parse("x * w")
    with pytest.raises(ExpressionError, match="no value for 'w'") as info:
        expr.build({"x": 1.0})
    assert info.value.column == 5
    with pytest.raises(ExpressionError, match="'z' does not appear"):
        expr.build({"x": 1.0, "w": 2.0, "z": 3.0})
    with pytest.raises(ExpressionError, match="finite"):
        expr.build({"x": math.nan, "w": 2.0})
    with pytest.raises(ExpressionError, match="must be a number"):
        expr.build({"x": "1", "w": 2.0})


def test_names_are_matched_in_python_normal_form():
    built = parse("ﬁ * 2").build({"ﬁ": 3.0})  # Python reads the ligature as "fi"
    assert built.root.data == 6.0
    assert list(built.leaves) == ["fi"]


# --- properties -------------------------------------------------------------------

@given(st.text(alphabet="xw01.9e+-*/()[]{},:;'\"=<>!%@&|^~ _lambdaforin\\#λ权", max_size=40))
def test_any_text_parses_or_fails_with_an_expression_error(source):
    try:
        expr = parse(source)
        built = expr.build(dict.fromkeys(expr.names, 0.5))
        built.backward()
    except ExpressionError as err:
        assert err.column is None or 1 <= err.column <= len(source) + 1
        assert "\n" not in str(err)
        err.excerpt()  # never raises


_LEAVES = {"x": 0.7, "w": -1.3, "b": 2.0}
def _exp(a: float) -> float:
    return math.exp(a) if a < 700 else math.inf  # the test skips overflowing cases


_UNARY = {"exp": _exp, "tanh": math.tanh, "sin": math.sin, "cos": math.cos,
          "abs": abs, "sigmoid": lambda a: 1 / (1 + _exp(-a))}
_BINARY = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b}


def _extend(children):
    unary = st.tuples(st.sampled_from(sorted(_UNARY)), children).map(
        lambda t: (f"{t[0]}({t[1][0]})", _UNARY[t[0]](t[1][1])))
    binary = st.tuples(children, st.sampled_from(sorted(_BINARY)), children).map(
        lambda t: (f"({t[0][0]} {t[1]} {t[2][0]})", _BINARY[t[1]](t[0][1], t[2][1])))
    negated = children.map(lambda c: (f"-{c[0]}", -c[1]))
    return unary | binary | negated


_EXPRESSIONS = st.recursive(
    st.sampled_from(sorted(_LEAVES)).map(lambda name: (name, _LEAVES[name]))
    | st.integers(0, 9).map(lambda n: (str(n), float(n))),
    _extend, max_leaves=12,
)


@given(_EXPRESSIONS)
def test_built_graphs_compute_what_the_text_says(pair):
    source, expected = pair
    assume(math.isfinite(expected))
    expr = parse(source)
    built = expr.build({name: _LEAVES[name] for name in expr.names})
    assert built.root.data == pytest.approx(expected, rel=1e-12, abs=1e-12)
