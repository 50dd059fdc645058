"""nn.to_torch / nn.from_torch: the same numbers and gradients in PyTorch, and back.

PyTorch is an optional extra: these tests skip without it, except where CI sets
STEPGRAD_REQUIRE_TORCH=1 (``./run test`` then installs it): there a missing torch fails.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

import autograd
import nn
from nn.onnx_export import dense_layers
from tests.torch_helpers import import_torch

ACTIVATIONS = ["linear", "relu", "tanh", "sigmoid", "step"]
X = np.vstack([np.random.default_rng(17).normal(0.0, 2.0, size=(12, 3)), [[40.0, -40.0, 9.0]]])


@pytest.fixture(scope="module")
def torch():
    return import_torch()


def models(activation: str) -> list[nn.Module]:
    return [nn.Neuron(3, activation, seed=1), nn.Layer(3, 4, activation, seed=2),
            nn.MLP(3, [5, 4, 2], activation, activation, seed=3),
            nn.MLP(3, [6, 3], activation, "softmax", seed=4)]


def eager_outputs(model: nn.Module, rows: np.ndarray) -> tuple[np.ndarray, float]:
    """(outputs per row, softmax applied for a softmax head; largest |value| of any node)."""
    outputs, scale = [], 0.0
    for row in rows:
        out = model(row.tolist())
        out = [out] if isinstance(out, autograd.Value) else out
        if getattr(model, "output_activation", None) == "softmax":
            out = nn.softmax(out)
        scale = max(scale, *(abs(v.data) for o in out for v in autograd.topo_order(o)))
        outputs.append([o.data for o in out])
    return np.array(outputs), scale


def relative_error(found, expected, floor: float = 1e-300) -> float:
    found, expected = np.asarray(found, float), np.asarray(expected, float)
    return float(np.max(np.abs(found - expected) / np.maximum(np.abs(expected), floor)))


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_outputs_equal_stepgrad_to_1e_12(torch, activation):
    for model in models(activation):
        net = nn.to_torch(model)
        assert all(p.dtype == torch.float64 for p in net.parameters())
        found = net(torch.tensor(X)).detach().numpy()
        expected, scale = eager_outputs(model, X)
        softmax = getattr(model, "output_activation", None) == "softmax"
        # probabilities: relative to themselves; other outputs may cancel, floor at the graph
        assert relative_error(found, expected, 1e-300 if softmax else scale) <= 1e-12, model


def stepgrad_grads(model: nn.Module, loss_of) -> dict[str, float]:
    model.zero_grad()
    total = autograd.sum([loss_of(model(row.tolist()), k) for k, row in enumerate(X)])
    total.backward()
    return {name: p.grad for name, p in model.named_parameters()}


def torch_grads(torch, model: nn.Module, net) -> dict[str, float]:
    """Linear k's weight[i, j].grad under stepgrad's name for it."""
    grads = {}
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    for (prefix, neurons, _), linear in zip(dense_layers(model), linears,
                                            strict=True):
        for i in range(len(neurons)):
            row = "" if prefix == "" else f"{prefix}{i}."
            for j in range(linear.in_features):
                grads[f"{row}w.{j}"] = linear.weight.grad[i, j].item()
            grads[f"{row}b"] = linear.bias.grad[i].item()
    return grads


def assert_grads_equal(found: dict, expected: dict) -> None:
    assert found.keys() == expected.keys()
    # A gradient summed over samples may cancel: floor at the largest one.
    floor = max(abs(g) for g in expected.values()) or 1e-300
    for name, g in expected.items():
        assert abs(found[name] - g) <= 1e-12 * max(abs(g), floor), (name, found[name], g)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gradients_of_a_squared_error_equal_stepgrad(torch, activation):
    targets = np.random.default_rng(5).normal(size=(len(X), 2))
    model = nn.MLP(3, [5, 4, 2], activation, "linear", seed=6)
    expected = stepgrad_grads(model, lambda out, k: nn.half_squared_error(out, targets[k].tolist()))
    net = nn.to_torch(model)
    y = net(torch.tensor(X))
    (0.5 * ((y - torch.tensor(targets)) ** 2).sum()).backward()
    found = torch_grads(torch, model, net)
    if activation == "step":  # zeros before the last threshold, not missing gradients
        assert found["layers.0.neurons.0.w.0"] == 0.0
    assert_grads_equal(found, expected)


def test_gradients_of_cross_entropy_on_the_softmax_head_equal_stepgrad(torch):
    labels = [k % 3 for k in range(len(X))]
    model = nn.MLP(3, [6, 5, 3], "sigmoid", "softmax", seed=8)
    expected = stepgrad_grads(model, lambda out, k: nn.cross_entropy(out, labels[k]))
    net = nn.to_torch(model)
    logits = net[:-1](torch.tensor(X))  # the Sequential without its Softmax
    torch.nn.functional.cross_entropy(logits, torch.tensor(labels), reduction="sum").backward()
    assert_grads_equal(torch_grads(torch, model, net), expected)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_round_trip_keeps_architecture_and_every_number(torch, activation):
    for model in models(activation):
        back = nn.from_torch(nn.to_torch(model))
        assert type(back) is type(model)
        assert back.config() == model.config()
        assert back.state_dict() == model.state_dict()


def test_a_sequential_built_in_torch_comes_over(torch):
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3),
                              torch.nn.Softmax(dim=1))  # float32, as torch makes them
    model = nn.from_torch(net)
    assert model.config() == {"class": "MLP", "nin": 4, "sizes": [8, 3], "activation": "relu",
                              "output_activation": "softmax"}
    with torch.no_grad():
        assert model.state_dict()["layers.1.neurons.2.w.7"] == net[2].weight[2, 7].item()
    x = np.random.default_rng(0).normal(size=(5, 4))
    expected, _ = eager_outputs(model, x)
    found = net.double()(torch.tensor(x)).detach().numpy()
    assert relative_error(found, expected) <= 1e-12
    one = nn.from_torch(torch.nn.Sequential(torch.nn.Linear(2, 1), torch.nn.Tanh()))
    assert isinstance(one, nn.Neuron) and one.activation == "tanh"
    layer = nn.from_torch(torch.nn.Sequential(torch.nn.Linear(2, 3)))
    assert isinstance(layer, nn.Layer) and layer.activation == "linear"


def test_step_passes_zero_gradients(torch):
    from nn.torch_modules import Step

    x = torch.tensor([-1.0, 0.0, 2.0], dtype=torch.float64, requires_grad=True)
    y = Step()(x)
    y.sum().backward()
    assert y.tolist() == [0.0, 1.0, 1.0]
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_what_stepgrad_cannot_express_is_named(torch):
    tnn = torch.nn
    cases = [
        (tnn.Sequential(tnn.Linear(2, 3), tnn.Dropout(0.5), tnn.Linear(3, 1)),
         r"layer 1 \(Dropout\(p=0.5.*is not a layer stepgrad can express; expected Linear"),
        (tnn.Sequential(tnn.Linear(2, 3, bias=False)), r"layer 0 .* has no bias"),
        (tnn.Sequential(tnn.Linear(2, 3), tnn.Linear(4, 1)),
         r"layer 1 .*takes 4 inputs but the layer before gives 3"),
        (tnn.Sequential(tnn.ReLU(), tnn.Linear(2, 3)),
         r"layer 0 \(ReLU\(\)\) must follow a Linear"),
        (tnn.Sequential(tnn.Linear(2, 3), tnn.Softmax(dim=-1), tnn.Linear(3, 1)),
         r"layer 2 .*follows the Softmax, which must be the last layer"),
        (tnn.Sequential(tnn.Linear(2, 3), tnn.Softmax(dim=0)), r"over the last axis"),
        (tnn.Sequential(tnn.Linear(2, 3), tnn.Tanh(), tnn.Linear(3, 3), tnn.ReLU(),
                        tnn.Linear(3, 1)),
         r"one activation for every hidden layer.*Linear 0: tanh, Linear 1: relu"),
        (tnn.Sequential(tnn.Linear(2, 3), tnn.LeakyReLU()), r"layer 1 \(LeakyReLU"),
        (tnn.Sequential(), r"has no Linear layer"),
    ]
    for net, message in cases:
        with pytest.raises(ValueError, match=message):
            nn.from_torch(net)
    with pytest.raises(TypeError, match="torch.nn.Sequential .* got Linear"):
        nn.from_torch(tnn.Linear(2, 3))
    bad = tnn.Sequential(tnn.Linear(2, 1))
    with torch.no_grad():
        bad[0].weight[0, 1] = float("inf")
    with pytest.raises(ValueError, match="layer 0's weight holds inf"):
        nn.from_torch(bad)
    with pytest.raises(TypeError, match=r"to_torch takes an nn.Neuron, nn.Layer or nn.MLP"):
        nn.to_torch(object())


def test_without_torch_the_message_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # what `import torch` sees when missing
    for call in (lambda: nn.to_torch(nn.Neuron(1)), lambda: nn.from_torch(None)):
        with pytest.raises(ImportError, match=r"needs the 'torch' package, which is not "
                                              r"installed: pip install 'stepgrad\[torch\]'"):
            call()
