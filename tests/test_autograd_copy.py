"""Graphs stay acyclic, copy without recursion, and refuse pickling by name."""

import copy
import pickle

import pytest

import autograd
from autograd import Value


def test_setting_inputs_that_make_a_cycle_is_refused_naming_the_node():
    x = Value(1.0, "x")
    a = x * 2.0
    a.label = "a"
    b = a + 1.0
    for inputs in [(b, x), (a, x)]:  # through another node, and directly
        with pytest.raises(ValueError, match=r"inputs\[0\] of Value\(data=2.0, grad=0.0, "
                                             r"label='a'\) \(node 'a' made by mul\) is computed "
                                             r"from that node itself"):
            a.inputs = inputs
    assert a.inputs[0] is x  # unchanged
    a.inputs = (x, Value(3.0, "y"))  # an acyclic rewiring is still allowed
    assert [v.label for v in a.inputs] == ["x", "y"]


def _chain(depth):
    x = Value(0.5, "x")
    y = x
    for _ in range(depth):
        y = -y  # one node per level: deep, and cheap to build
    return x, y


def test_deepcopy_of_a_100000_deep_chain_is_iterative():
    x, y = _chain(100_000)  # the default copy recursed once per node: RecursionError
    copied = copy.deepcopy(y)
    order = autograd.topo_order(copied)
    assert len(order) == 100_001 and order[-1] is copied
    assert order[0] is not x and order[0].label == "x" and order[50_000] is not y.inputs[0]
    copied.backward()
    assert (order[0].grad, x.grad) == (1.0, 0.0)  # (−1)^100000 = 1, and the original untouched
    assert copied.data == y.data == 0.5


def test_deepcopy_keeps_sharing_ops_constants_and_the_memo():
    x = Value(2.0, "x")
    square = x * x
    copied = copy.deepcopy(square)
    assert copied.inputs[0] is copied.inputs[1] is not x  # x*x reads one copied x
    assert copied.op_entry is square.op_entry  # the op table entry itself, not a copy
    scaled = copy.deepcopy(x * 3.0)
    assert scaled.inputs[1].is_constant
    a, b = x + 1.0, x - 1.0
    pair = copy.deepcopy([a, b])  # one memo: both copies read the same copy of x
    assert pair[0].inputs[0] is pair[1].inputs[0]


def test_copy_is_a_new_node_with_the_same_inputs():
    x = Value(2.0, "x")
    y = x * 3.0
    y.grad = 5.0
    z = copy.copy(y)
    assert z is not y and z.inputs == y.inputs and (z.data, z.grad, z.op) == (6.0, 5.0, "mul")


def test_pickling_a_value_is_refused_with_what_to_do_instead():
    with pytest.raises(TypeError, match=r"Values are not picklable .* nn.save \(JSON\)"):
        pickle.dumps(Value(1.0, "w"))
    with pytest.raises(TypeError, match="not picklable"):
        pickle.dumps(_chain(100_000)[1])  # no RecursionError on the way


def test_the_pickle_message_names_a_save_that_exists(tmp_path):
    import nn

    model = nn.MLP(2, [2, 1], seed=0)
    nn.save(model, tmp_path / "m.json")  # what the message (and the README) tell you to use
    assert nn.load(tmp_path / "m.json").state_dict() == model.state_dict()
