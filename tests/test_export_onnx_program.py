"""program.export_onnx: every op's lowering, random traced graphs, names, errors."""

from __future__ import annotations

import math
import random
import tempfile
from importlib import metadata
from pathlib import Path

import numpy as np
import onnx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import DomainError, Op, Value, apply
from autograd.compiled.onnx_export import trace_to_onnx
from autograd.ops import OPS
from autograd.testing import domain_floats, expressions
from tests.ort_helpers import run


def eager_with_scale(fn, sample: list[float]) -> tuple[list[float], float]:
    """(outputs, largest |value| of any node) of one eager evaluation of ``fn``."""
    out = fn(*[Value(x) for x in sample])
    outs = [out] if isinstance(out, Value) else list(out)
    nodes = [n for o in outs for n in autograd.topo_order(o)]
    return [o.data for o in outs], max(abs(n.data) for n in nodes)


def assert_close(found: float, expected: float, scale: float, what: str) -> None:
    """1e-12 relative, with the graph's largest value as the floor for results near 0.

    A node that cancels (a − b with a ≈ b) keeps the rounding of its operands: relative to
    the small result that is large, relative to the operands it is not. sin and cos
    need the floor near their zeros too: ONNX Runtime's differ from libm's by up to
    7e−16 absolutely (3 units in the last place of 1), which near sin(kπ) is far more
    than 1e−12 of the result.
    """
    assert abs(found - expected) <= 1e-12 * max(abs(expected), scale, 1e-300), \
        f"{what}: ONNX Runtime {found!r}, stepgrad {expected!r}"


def onnx_outputs(program, X: np.ndarray) -> np.ndarray:
    return run(trace_to_onnx(program.trace), X)[0]


def test_every_op_of_the_table_has_a_lowering():
    assert [name for name, op in OPS.items() if op.onnx is None] == []


@pytest.mark.parametrize("name", sorted(OPS))
@settings(max_examples=10)
@given(data=st.data())
def test_each_op_matches_stepgrad_to_1e_12(name, data):
    op = OPS[name]
    arity = op.arity if op.arity is not None else data.draw(st.integers(1, 4), label="arity")
    sample = st.tuples(*[domain_floats(op, 0 if op.arity is None else i) for i in range(arity)])
    strategy = st.lists(sample, min_size=1, max_size=16)
    X = np.array(data.draw(strategy, label="samples"), dtype=float)

    def fn(*xs):
        return apply(op, *xs)

    program = autograd.compile(fn, X[0].tolist())
    found = onnx_outputs(program, X)
    compiled = program(X)
    for row, got, replayed in zip(X, found, compiled, strict=True):
        (expected,), scale = eager_with_scale(fn, row.tolist())
        scale = scale if name in ("sin", "cos") else 0.0  # only these need the floor
        assert_close(got, expected, scale, f"{name}{tuple(row)}")
        assert_close(got, replayed, scale, f"{name}{tuple(row)} compiled")


@settings(max_examples=80)
@given(expr=expressions(max_inputs=4, max_steps=10), n_params=st.integers(0, 3),
       seed=st.integers(0, 2**16))
def test_random_traced_graphs_match_stepgrad(expr, n_params, seed):
    n_params = min(n_params, expr.n_inputs - 1)
    params = [Value(x, f"p{i}") for i, x in enumerate(expr.point[:n_params])]

    def fn(*xs):
        return expr(*params, *xs)

    point = list(expr.point[n_params:])
    rng = random.Random(seed)
    samples = [point] + [[x + rng.uniform(-1e-3, 1e-3) for x in point] for _ in range(4)]
    program = autograd.compile(fn, point, params=params)
    with tempfile.TemporaryDirectory() as folder:
        path = program.export_onnx(Path(folder) / "graph.onnx")
        found = run(path, np.array(samples))[0]
    for sample, got in zip(samples, found, strict=True):
        try:
            (expected,), scale = eager_with_scale(fn, sample)
        except (DomainError, ValueError, ZeroDivisionError, OverflowError):
            continue  # the perturbation left an op's domain: eager refuses, nothing to compare
        if not math.isfinite(expected):
            continue
        assert_close(got, expected, scale, f"{expr!r} at {sample}")


def test_a_traced_mlp_with_outputs_of_every_kind():
    """Several outputs: the model's, one reading no input, an input itself; shapes as program's."""
    model = nn.MLP(3, [4, 2], "tanh", seed=7)
    w = Value(0.25, "w")

    def fn(*xs):
        return [*model(list(xs)), w.exp() * 2, xs[1]]

    X = np.random.default_rng(3).normal(size=(6, 3))
    program = autograd.compile(fn, X[0], params=[w, *model.parameters()])
    found = onnx_outputs(program, X)
    assert found.shape == (6, 4) == program(X).shape
    for row, got in zip(X, found, strict=True):
        expected, scale = eager_with_scale(fn, row.tolist())
        for k, (a, b) in enumerate(zip(got, expected, strict=True)):
            assert_close(a, b, scale, f"output {k} at {row}")
    one = autograd.compile(lambda a, b: a * w + b, [1.0, 2.0], params=[w])
    assert onnx_outputs(one, [[1.0, 2.0], [3.0, 4.0]]).tolist() == [2.25, 4.75]


def test_parameters_are_initializers_named_by_label_with_current_data(tmp_path):
    w, b, u1, u2, blank, x_ = (Value(v, label) for v, label in
                               [(0.5, "w"), (0.6, "b"), (1.0, "u"), (2.0, "u"), (3.0, ""),
                                (4.0, "x")])
    params = [w, b, u1, u2, blank, x_]

    def fn(t):
        return (w * t + b) * u1 + u2 * blank - x_

    program = autograd.compile(fn, [1.0], params=params)
    w.data = 1.5  # after tracing: the export stores what program(X) would read
    model = onnx.load(program.export_onnx(tmp_path / "p.onnx"))
    stored = {i.name: float(onnx.numpy_helper.to_array(i)) for i in model.graph.initializer
              if i.data_type == onnx.TensorProto.DOUBLE and i.dims == []}
    assert {k: v for k, v in stored.items() if not k.startswith("c")} == {
        "w": 1.5, "b": 0.6, "param.2": 1.0, "param.3": 2.0, "param.4": 3.0, "x_": 4.0}
    assert run(tmp_path / "p.onnx", [[2.0]])[0].tolist() == [program([2.0])]
    props = {p.key: p.value for p in model.metadata_props}
    assert props["stepgrad.version"] == metadata.version("stepgrad")
    assert "1 inputs" in props["stepgrad.graph"] and "6 parameters" in props["stepgrad.graph"]
    assert [d.dim_param or d.dim_value for d in
            model.graph.input[0].type.tensor_type.shape.dim] == ["batch", 1]


CUBE = Op(name="cube", symbol="³", arity=1, forward=lambda a: a ** 3,
          local_grads=lambda a, out: (3 * a * a,), rules=("∂a³/∂a = 3a²",),
          template="{0}³", domain=(((-2.0, 2.0),),))


def test_an_op_without_a_lowering_names_itself_and_the_fix(tmp_path):
    program = autograd.compile(lambda a: apply(CUBE, a) + 1, [2.0])
    path = tmp_path / "cube.onnx"
    with pytest.raises(ValueError, match=r"op 'cube' has no ONNX lowering.*onnx=lambda g, a"):
        program.export_onnx(path)
    assert not path.exists()


def test_a_lowering_is_one_field_of_the_op():
    cube = Op(**{**CUBE.__dict__, "onnx": lambda g, a: g.node("Pow", a, g.const(3.0))})
    program = autograd.compile(lambda a: apply(cube, a) - 1, [2.0])
    assert onnx_outputs(program, [[2.0], [-0.5]]).tolist() == [7.0, -1.125]


def test_the_checker_runs_before_anything_is_written(tmp_path):
    broken = Op(**{**CUBE.__dict__, "onnx": lambda g, a: g.node("NoSuchOperator", a)})
    program = autograd.compile(lambda a: apply(broken, a), [2.0])
    path = tmp_path / "broken.onnx"
    path.write_bytes(b"old")
    with pytest.raises(onnx.checker.ValidationError, match="NoSuchOperator"):
        program.export_onnx(path)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["broken.onnx"]
