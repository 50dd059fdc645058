"""How graphs live in memory: freed by reference counting alone, a flat footprint
across training steps, a bounded size per node, and the storage and fast paths behind
that (inputs kept in slots, add/mul/sum backpropagated without a call) agreeing
exactly with the op table."""

import builtins
import gc
import random
import sys
import tracemalloc
from contextlib import contextmanager

import pytest
from hypothesis import given

import autograd
from autograd import Value
from autograd.testing import expressions


@contextmanager
def collector_off():
    """The cyclic garbage collector off inside, so only reference counting frees memory."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def mlp_graph(rng: random.Random, width: int = 8) -> tuple[Value, list[Value]]:
    """A small two-layer net's loss over every op kind in the table, and its parameters."""
    params = [Value(rng.uniform(-1, 1), f"w{i}") for i in range(3 * width)]
    xs = [Value(rng.uniform(-1, 1)) for _ in range(2)]
    hidden = [autograd.sum([params[i] * xs[0], params[width + i] * xs[1], 0.1]).tanh()
              for i in range(width)]
    out = builtins.sum(h * w for h, w in zip(hidden, params[2 * width:], strict=True))
    extras = [out.exp(), (out * out + 1).log(), out.sigmoid(), out.relu(), (out * out).sqrt(),
              out.abs(), out.sin(), out.cos(), -out, out - 1, out / 2, 2 / (out * out + 1),
              (out * out + 1) ** 0.5, out.step()]
    return autograd.sum(extras), params


def test_a_dropped_graph_is_freed_without_the_cycle_collector():
    rng = random.Random(0)
    with collector_off():
        for _ in range(20):
            loss, params = mlp_graph(rng)
            loss.backward()
            del loss
        found = gc.collect()
    assert found == 0, f"{found} objects were only reachable through reference cycles"


def test_a_long_chain_is_freed_without_recursion_or_cycles():
    with collector_off():
        x = Value(1.0)
        for _ in range(50_000):
            x = x * 1.0001 + 0.0001
        x.backward()
        del x
        assert gc.collect() == 0


def test_memory_is_flat_across_training_steps():
    rng = random.Random(1)
    blocks = []
    for step in range(60):
        loss, params = mlp_graph(random.Random(step % 3))
        loss.backward()
        with autograd.no_grad():
            for p in params:
                p.data -= 0.01 * p.grad * rng.random()
        del loss, params
        if step in (9, 59):
            gc.collect()
            blocks.append(sys.getallocatedblocks())
    # a leak of even one object per node would add thousands of blocks over 50 steps
    assert abs(blocks[1] - blocks[0]) < 200, blocks


def test_bytes_per_node_stay_small():
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        x = Value(1.0)
        for _ in range(10_000):
            x = x * 1.0001 + 0.0001  # 4 nodes a step: two constants, mul, add
        used = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    per_node = used / 40_000
    # measured 92 bytes: an 80-byte Value (6 slots) plus a share of 24-byte floats
    assert 60 < per_node < 130, per_node


@pytest.mark.parametrize("build, expected", [
    (lambda x, y: x, ()),
    (lambda x, y: x.exp(), ("x",)),
    (lambda x, y: x * x, ("x", "x")),
    (lambda x, y: x - y, ("x", "y")),
    (lambda x, y: autograd.sum([x]), ("x",)),
    (lambda x, y: autograd.sum([y, x]), ("y", "x")),
    (lambda x, y: autograd.sum([x, y, x, y]), ("x", "y", "x", "y")),
])
def test_inputs_read_back_in_order_whatever_the_arity(build, expected):
    x, y = Value(0.5, "x"), Value(2.0, "y")
    node = build(x, y)
    assert tuple(v.label for v in node.inputs) == expected
    assert node.is_leaf == (expected == ()) and (node.op == "") == (expected == ())


def test_constants_are_leaves_and_assigned_inputs_round_trip():
    x = Value(3.0, "x")
    node = x * 2
    constant = node.inputs[1]
    assert constant.is_constant and constant.is_leaf and constant.inputs == ()
    node.inputs = [x, x, x]
    assert node.inputs == (x, x, x)
    node.inputs = ()
    assert node.is_leaf and node.op == "" and node.op_entry is None


def test_assigning_inputs_is_checked_where_it_happens():
    # once accepted, then .op raised AttributeError ('NoneType' has no 'name') and
    # backward a bare TypeError, far from the assignment
    x = Value(3.0, "x")
    with pytest.raises(ValueError, match=r"Value\(data=3.0, grad=0.0, label='x'\) was not "
                                         "made by an op, so it cannot be given inputs"):
        x.inputs = [Value(1.0)]
    with pytest.raises(ValueError, match="was not made by an op"):
        (x * 2).inputs[1].inputs = [x]  # a constant leaf
    with pytest.raises(TypeError, match=r"inputs\[1\] must be a Value, got 2.0 \(float\)"):
        (x * 2).inputs = [x, 2.0]
    assert x.inputs == () and x.op == ""


def reference_grads(out: Value, leaves: list[Value]) -> list[float]:
    """∂out/∂leaf the plain way: a dict of gradients, every node through op.local_grads."""
    grads = {out: 1.0}
    for node in reversed(autograd.topo_order(out)):
        if node.inputs:
            local = node.op_entry.local_grads(*[x.data for x in node.inputs], node.data)
            for parent, d in zip(node.inputs, local, strict=True):
                grads[parent] = grads.get(parent, 0.0) + d * grads[node]
    return [grads.get(x, 0.0) for x in leaves]


@given(expressions())
def test_backward_and_grad_match_the_op_table_exactly(expr):
    # .backward() and autograd.grad take fast paths for add, mul and sum
    leaves = [Value(p) for p in expr.point]
    out = expr(*leaves)
    expected = reference_grads(out, leaves)
    assert autograd.grad(out, leaves) == expected
    out.backward()
    assert [x.grad for x in leaves] == expected


def test_fast_paths_match_on_a_net_with_reuse():
    loss, params = mlp_graph(random.Random(2), width=16)
    expected = reference_grads(loss, params)
    assert autograd.grad(loss, params) == expected
    loss.backward()
    assert [p.grad for p in params] == expected


def test_grad_puts_every_dot_grad_back():
    loss, params = mlp_graph(random.Random(3))
    loss.backward()
    before = [n.grad for n in autograd.topo_order(loss)]
    autograd.grad(loss, params + [Value(1.0)])
    assert [n.grad for n in autograd.topo_order(loss)] == before


def test_walking_something_that_is_not_a_value_names_it():
    with pytest.raises(TypeError, match=r"topo_order needs a Value, got 'x' \(str\)"):
        autograd.topo_order("x")


def test_consumers_of_an_order_missing_an_input_name_it():
    x = Value(2.0, "x")
    y = x * x
    assert autograd.consumers(autograd.topo_order(y)) == {x: [(y, 0), (y, 1)], y: []}
    with pytest.raises(ValueError, match=r"input 0 of unlabelled node made by mul "
                                         r"\(Value\(data=2.0, grad=0.0, label='x'\)\) is not "
                                         "in the order given"):
        autograd.consumers([y])  # once a bare KeyError
