"""nn modules: the deepin worked example, parameter names and counts, init, errors."""

import math
import random

import numpy as np
import pytest

import autograd
import nn
from autograd import Value, no_grad


def test_deepin_two_sgd_steps_with_the_nn_api():
    """WORKED_EXAMPLES §1: w 0.5 → 0.5 → 0.51796, b 0.6 → 0.604 → 0.62196."""
    model = nn.Neuron(1, weights=[0.5], bias=0.6)
    opt = nn.SGD(model, lr=0.01)
    expected = [
        (([0.0], 1.0), 0.6, -0.4, 0.0, -0.4, 0.5, 0.604),
        (([1.0], 2.9), 1.104, -1.796, -1.796, -1.796, 0.51796, 0.62196),
    ]
    for (x, t), y_want, dy, dw, db, w_after, b_after in expected:
        opt.zero_grad()
        y = model(x)
        loss = nn.half_squared_error(y, t)
        loss.backward()
        assert round(y.data, 6) == y_want
        assert round(y.grad, 6) == dy  # dL/dy = y − t
        assert (round(model.w[0].grad, 6), round(model.b.grad, 6)) == (dw, db)
        opt.step()
        assert (round(model.w[0].data, 5), round(model.b.data, 5)) == (w_after, b_after)


def test_neuron_is_one_sum_node_then_activation():
    n = nn.Neuron(3, "tanh", weights=[1.0, 2.0, 3.0], bias=0.5)
    out = n([1.0, -1.0, 2.0])
    assert out.op == "tanh"
    (z,) = out.inputs
    assert z.op == "sum" and len(z.inputs) == 4 and z.inputs[-1] is n.b
    assert [p.op for p in z.inputs[:3]] == ["mul"] * 3
    assert z.data == 1 - 2 + 6 + 0.5
    assert out.data == pytest.approx(math.tanh(5.5))
    assert nn.Neuron(2, weights=[1.0, 1.0], bias=0.0)([1.0, 2.0]).op == "sum"  # linear: no node


def test_inputs_become_labelled_leaves_shared_across_a_layer():
    layer = nn.Layer(2, 3, seed=1)
    outs = layer([0.25, -1.0])
    firsts = {out.inputs[0].inputs[1] for out in outs}  # x.0 in each neuron's w·x
    assert len(firsts) == 1 and next(iter(firsts)).label == "x.0"
    x = Value(3.0, "mine")
    assert layer([x, 1.0])[0].inputs[0].inputs[1] is x


@pytest.mark.parametrize("activation, z, expected", [
    ("relu", -0.5, 0.0), ("relu", 0.5, 0.5), ("sigmoid", 0.0, 0.5),
    ("step", 0.0, 1.0), ("step", -1e-9, 0.0), ("linear", -2.0, -2.0),
])
def test_activations(activation, z, expected):
    assert nn.Neuron(1, activation, weights=[1.0], bias=0.0)(z).data == expected


def test_step_neuron_is_the_articles_and_gate_with_zero_gradient():
    gate = nn.Neuron(2, "step", weights=[0.5, 0.5], bias=-0.7)
    outs = [gate(x).data for x, _ in nn.datasets.logic_gate("and")]
    assert outs == [0.0, 0.0, 0.0, 1.0]
    out = gate([1.0, 1.0])
    out.backward()
    assert [w.grad for w in gate.w] == [0.0, 0.0]


def test_layer_returns_a_list_even_with_one_neuron():
    layer = nn.Layer(2, 1, weights=[[1.0, 2.0]], biases=[3.0])
    out = layer([1.0, 1.0])
    assert isinstance(out, list) and len(out) == 1
    assert nn.scalar(out).data == 6.0 and out[0] is nn.scalar(out)
    with pytest.raises(ValueError, match="exactly one output, got 2"):
        nn.scalar(nn.Layer(2, 2, seed=0)([1.0, 1.0]))


def test_parameter_counts_of_the_article_networks():
    assert nn.MLP(784, [50, 100, 10]).num_parameters() == 45360
    assert nn.MLP(64, [50, 100, 10]).num_parameters() == 9360
    assert nn.MLP(2, [2, 1]).num_parameters() == 9  # the ice-cream network


def test_named_parameters_are_dotted_and_label_the_values():
    mlp = nn.MLP(3, [4, 5, 2], seed=0)
    named = mlp.named_parameters()
    names = [name for name, _ in named]
    assert names[:4] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1",
                         "layers.0.neurons.0.w.2", "layers.0.neurons.0.b"]
    assert "layers.1.neurons.3.w.2" in names and names[-1] == "layers.2.neurons.1.b"
    assert len(set(names)) == len(names) == mlp.num_parameters()
    assert all(v.label == name for name, v in named)
    assert mlp.parameters() == [v for _, v in named]
    alone = nn.Neuron(2, seed=0)
    assert [name for name, _ in alone.named_parameters()] == ["w.0", "w.1", "b"]
    assert [v.label for v in alone.parameters()] == ["w.0", "w.1", "b"]


def test_mlp_structure_and_activations():
    mlp = nn.MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=0)
    assert [layer.activation for layer in mlp.layers] == ["tanh", "sigmoid"]
    (out,) = mlp([0.1, 0.2])
    assert out.op == "sigmoid"
    soft = nn.MLP(2, [3], output_activation="softmax", seed=0)
    assert soft.layers[-1].activation == "linear"  # logits; cross_entropy does the rest
    assert [o.op for o in soft([1.0, 2.0])] == ["sum"] * 3


def test_same_seed_same_network_and_no_global_random():
    random.seed(123)
    before = random.random()
    random.seed(123)
    a = nn.MLP(4, [3, 2], seed=7).state_dict()
    b = nn.MLP(4, [3, 2], seed=random.Random(7)).state_dict()
    assert random.random() == before  # the global generator was not touched
    assert a == b and a != nn.MLP(4, [3, 2], seed=8).state_dict()


def test_init_schemes():
    uniform = nn.Layer(9, 4, init="uniform", seed=0).named_parameters()
    weights = [v.data for name, v in uniform if ".w." in name]
    assert all(abs(w) <= 1 / 3 for w in weights) and len(set(weights)) == 36  # U(±1/√9)
    assert {v.data for name, v in uniform if name.endswith(".b")} == {0.0}
    explicit = nn.Neuron(2, weights=np.array([0.5, -0.5]), bias=np.float64(0.1))
    assert [p.data for p in explicit.parameters()] == [0.5, -0.5, 0.1]
    xavier = [v.data for n, v in nn.Layer(6, 6, init="xavier", seed=0).named_parameters()
              if ".w." in n]
    assert all(abs(w) <= 1 / math.sqrt(2) for w in xavier) and max(map(abs, xavier)) > 1 / 3
    glorot = nn.Layer(6, 6, init="glorot", seed=0).state_dict()
    assert glorot == nn.Layer(6, 6, init="xavier", seed=0).state_dict()
    he = [v.data for n, v in nn.Layer(200, 5, init="he", seed=0).named_parameters()
          if ".w." in n]
    std = math.sqrt(sum(w * w for w in he) / len(he))
    assert std == pytest.approx(math.sqrt(2 / 200), rel=0.1)
    assert set(nn.MLP(3, [2, 2], init="zeros").state_dict().values()) == {0.0}
    assert set(nn.Layer(3, 2, init=("constant", 0.25)).state_dict().values()) == {0.25}
    assert set(nn.Neuron(3, init=-1.5).state_dict().values()) == {-1.5}


def test_layer_widths_may_be_a_numpy_array():
    import numpy as np

    mlp = nn.MLP(64, np.array([50, 100, 10]), seed=0)  # was "sizes must be a non-empty list"
    assert mlp.num_parameters() == 9_360
    assert mlp.config()["sizes"] == [50, 100, 10]
    assert all(type(n) is int for n in mlp.config()["sizes"])  # JSON-ready for save()


@pytest.mark.parametrize("init, activation", [("zeros", "sigmoid"), (("constant", 0.3), "tanh")])
def test_symmetric_init_keeps_the_neurons_of_a_layer_identical(init, activation):
    mlp = nn.MLP(2, [3, 1], activation=activation, init=init)
    start = [v.data for v in mlp.layers[0].neurons[0].parameters()]
    opt = nn.SGD(mlp, lr=0.5)
    for x, t in nn.datasets.logic_gate("xor") * 5:
        opt.zero_grad()
        nn.mse(mlp(x), t).backward()
        opt.step()
    hidden = [[v.data for v in neuron.parameters()] for neuron in mlp.layers[0].neurons]
    assert hidden[0] != start  # they moved …
    assert hidden[0] == hidden[1] == hidden[2]  # … but together


def test_state_dict_round_trip_and_key_errors():
    mlp = nn.MLP(2, [2, 1], seed=3)
    state = mlp.state_dict()
    other = nn.MLP(2, [2, 1], seed=4)
    other.load_state_dict(state)
    assert other.state_dict() == state
    broken = dict(state)
    del broken["layers.1.neurons.0.b"]
    broken["layers.9.x"] = 1.0
    with pytest.raises(ValueError, match=r"missing keys \['layers.1.neurons.0.b'\].*"
                                         r"unexpected keys \['layers.9.x'\]"):
        other.load_state_dict(broken)
    with pytest.raises(TypeError, match="'layers.0.neurons.0.b' must be a real number"):
        other.load_state_dict({**state, "layers.0.neurons.0.b": "0.5"})
    assert other.state_dict() == state  # a failed load changes nothing


def test_zero_grad_and_call_under_no_grad():
    mlp = nn.MLP(2, [2, 1], seed=0)
    nn.mse(mlp([1.0, 2.0]), 1.0).backward()
    assert any(p.grad != 0 for p in mlp.parameters())
    mlp.zero_grad()
    assert all(p.grad == 0 for p in mlp.parameters())
    with no_grad():
        (out,) = mlp([1.0, 2.0])
    assert out.is_leaf


def test_custom_module_finds_parameters_in_attributes():
    class Affine(nn.Module):
        def __init__(self):
            self.scale = Value(2.0)
            self.inner = nn.Neuron(1, weights=[1.0], bias=0.0)
            self.extra = [Value(1.0), self.scale]  # shared parameter counted once
            self._cache = Value(9.0)  # private: not a parameter
            self.label_parameters()

        def __call__(self, x):
            return self.inner(x) * self.scale

    m = Affine()
    assert [n for n, _ in m.named_parameters()] == ["scale", "inner.w.0", "inner.b", "extra.0"]
    assert m(3.0).data == 6.0
    with pytest.raises(TypeError, match="Affine has no saved architecture"):
        m.config()


@pytest.mark.parametrize("build, message", [
    (lambda: nn.Neuron(0), "nin must be a positive int, got 0"),
    (lambda: nn.Neuron(2, "gelu"), "activation must be one of .* got 'gelu'"),
    (lambda: nn.Neuron(2, weights=[1.0]), r"Neuron\(2\) needs 2 weights, got \[1.0\]"),
    (lambda: nn.Neuron(2, init="kaiming"), "init must be one of .* got 'kaiming'"),
    (lambda: nn.Layer(2, 2, weights=[[1.0, 1.0]]), r"needs 2 weights, got \[\[1.0, 1.0\]\]"),
    (lambda: nn.Layer(2, 1, biases=0.5), "needs 1 biases, got 0.5"),
    (lambda: nn.Neuron(2, weights=5), r"Neuron\(2\) needs 2 weights, got 5"),
    (lambda: nn.Neuron(2, weights=[1.0, "a"]), "got 'a' \\(str\\) \\(label 'w.1'\\)"),
    (lambda: nn.Neuron(2, bias=None, init="zeros", weights=[1, None]), "label 'w.1'"),
    (lambda: nn.MLP(2, []), "sizes must be a non-empty list"),
    (lambda: nn.MLP(2, "21"), "sizes must be a non-empty list of layer widths, got '21'"),
    # non-finite constants were accepted and gave a network of nan outputs
    (lambda: nn.Neuron(2, init=float("inf")), "init constant must be a finite number, got inf"),
    (lambda: nn.MLP(2, [1], init=("constant", float("nan"))),
     "init constant must be a finite number, got nan"),
    (lambda: nn.MLP(2, [3, 0]), r"sizes\[1\] must be a positive int, got 0"),
    (lambda: nn.MLP(2, [1], output_activation="softmax2"), "got 'softmax2'"),
    (lambda: nn.MLP(2, [3], seed="x"), "seed must be an int, a random.Random or None"),
])
def test_constructor_errors_name_the_bad_value(build, message):
    with pytest.raises((ValueError, TypeError), match=message):
        build()


def test_call_errors_name_the_input():
    mlp = nn.MLP(3, [1], seed=0)
    with pytest.raises(ValueError, match=r"expected 3 inputs, got 2"):
        mlp([1.0, 2.0])
    with pytest.raises(TypeError, match="label 'x.1'"):
        mlp([1.0, "two", 3.0])
    with pytest.raises(TypeError, match="sequence of 3 numbers"):
        mlp(None)
    assert nn.Neuron(1, weights=[2.0], bias=0.0)(Value(4.0)).data == 8.0


def test_gradients_of_a_network_match_central_differences():
    mlp = nn.MLP(2, [3, 2], activation="tanh", seed=5)

    def loss_at(x0, x1):
        return nn.cross_entropy(mlp([x0, x1]), 1)

    assert autograd.gradcheck(loss_at, [0.3, -0.7])
    out = nn.mse(mlp([0.3, -0.7]), [0.5, -0.5])
    params = mlp.parameters()
    analytic = autograd.grad(out, params)
    for p, a in zip(params, analytic, strict=True):
        saved = p.data
        p.data = saved + 1e-6
        with no_grad():
            up = nn.mse(mlp([0.3, -0.7]), [0.5, -0.5]).data
        p.data = saved - 1e-6
        with no_grad():
            down = nn.mse(mlp([0.3, -0.7]), [0.5, -0.5]).data
        p.data = saved
        assert a == pytest.approx((up - down) / 2e-6, abs=1e-6)


def test_import_fails_clearly_when_autograd_is_hips(tmp_path):
    """PyPI's HIPS autograd shares the import name; nn must say so, not break later."""
    import subprocess
    import sys
    from pathlib import Path

    fake = tmp_path / "autograd"
    fake.mkdir()
    (fake / "__init__.py").write_text("# stands in for HIPS autograd: no __stepgrad__\n")
    (tmp_path / "nn").symlink_to(Path(nn.__file__).parent)
    result = subprocess.run([sys.executable, "-c", "import nn"], cwd=tmp_path,
                            capture_output=True, text=True, env={"PYTHONPATH": str(tmp_path)})
    assert result.returncode != 0
    assert "ImportError" in result.stderr and "pip uninstall autograd" in result.stderr
    assert "virtual environment" in result.stderr
