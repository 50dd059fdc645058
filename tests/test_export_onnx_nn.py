"""nn.export_onnx: ONNX Runtime gives stepgrad's numbers, names and architecture are kept."""

from __future__ import annotations

import json
import math
import os
import re
from importlib import metadata

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

import autograd
import nn
from examples import digits
from tests.ort_helpers import max_relative_error, run, session

ACTIVATIONS = ["linear", "relu", "tanh", "sigmoid", "step"]
RNG = np.random.default_rng(13)
# Wide inputs reach σ's tails (σ(−40) ≈ 4e−18), where ONNX Runtime's own Sigmoid gives 0.
X = np.vstack([RNG.normal(0.0, 3.0, size=(24, 3)), [[40.0, -40.0, 40.0], [-40.0, 40.0, -40.0]]])


def models(activation: str) -> list[nn.Module]:
    """A Neuron, a Layer and an MLP of ``activation``, seeded."""
    return [nn.Neuron(3, activation, seed=1), nn.Layer(3, 4, activation, seed=2),
            nn.MLP(3, [5, 4, 2], activation, activation, seed=3)]


def eager(model: nn.Module, rows: np.ndarray, softmax: bool = False) -> tuple[np.ndarray, float]:
    """(outputs per row, the largest |value| of any node): the floor where outputs cancel."""
    outputs, scale = [], 0.0
    for row in rows:
        out = model(row.tolist())
        out = [out] if isinstance(out, autograd.Value) else out
        if softmax:
            out = nn.softmax(out)
        scale = max(scale, *(abs(v.data) for o in out for v in autograd.topo_order(o)))
        outputs.append([o.data for o in out])
    return np.array(outputs), scale


def assert_close(found: np.ndarray, expected: np.ndarray, scale: float = 0.0) -> None:
    """Within 1e-12 relative, with ``scale`` as the floor for outputs that cancel to ~0."""
    assert found.shape == expected.shape
    assert max_relative_error(found, expected, max(scale, 1e-300)) <= 1e-12, (found, expected)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("batch", [True, False], ids=["batch", "one-sample"])
def test_every_activation_matches_stepgrad_to_1e_12(tmp_path, activation, batch):
    for model in models(activation):
        path = nn.export_onnx(model, tmp_path / "model.onnx", batch=batch)
        expected, scale = eager(model, X)
        if batch:
            found = run(path, X)[0]
        else:
            sess = session(path)
            found = np.array([sess.run(None, {"x": row})[0] for row in X])
        assert_close(found, expected, scale)


def test_sigmoid_tails_keep_relative_precision(tmp_path):
    """σ(−40) ≈ 4.2e−18 to 1e−12 relative: ONNX Runtime's Sigmoid kernel would give 0."""
    neuron = nn.Neuron(1, "sigmoid", weights=[1.0], bias=0.0)
    xs = np.array([[-40.0], [-400.0], [-30.0], [-5.0], [0.0], [30.0]])
    found = run(nn.export_onnx(neuron, tmp_path / "s.onnx"), xs)[0][:, 0]
    expected = np.array([neuron([x]).data for x in xs[:, 0]])
    assert expected[1] > 0.0
    assert_close(found, expected)


def test_softmax_head_gives_probabilities_and_logits(tmp_path):
    model = nn.MLP(3, [6, 4], "tanh", "softmax", seed=4)
    path = nn.export_onnx(model, tmp_path / "head.onnx")
    probabilities, logits = run(path, X)
    expected_p, _ = eager(model, X, softmax=True)
    expected_z, scale = eager(model, X)
    assert_close(probabilities, expected_p)  # relative, even for the smallest probability
    assert_close(logits, expected_z, scale)
    assert [o.name for o in onnx.load(path).graph.output] == ["y", "logits"]
    assert np.allclose(probabilities.sum(axis=1), 1.0, rtol=0, atol=1e-15)


def parameter_of(initializer: str, index: tuple[int, ...]) -> str:
    """The stepgrad parameter name at ``index`` of an initializer (layers.0.neurons.w[i, j])."""
    prefix, kind = initializer[:-1], initializer[-1]
    tail = f"w.{index[1]}" if kind == "w" else "b"
    return tail if prefix == "" else f"{prefix}{index[0]}.{tail}"  # a Neuron's has no i


@pytest.mark.parametrize("model", models("relu") + [nn.MLP(2, [3, 3], output_activation="softmax")],
                         ids=["Neuron", "Layer", "MLP", "MLP-softmax"])
def test_parameter_names_are_initializer_names(tmp_path, model):
    graph = onnx.load(nn.export_onnx(model, tmp_path / "m.onnx")).graph
    found = {}
    for init in graph.initializer:
        if re.fullmatch(r"c\d+", init.name):  # constants of the lowerings (0, 1)
            continue
        array = numpy_helper.to_array(init)
        assert array.dtype == np.float64
        for index in np.ndindex(array.shape):
            found[parameter_of(init.name, index)] = float(array[index])
    assert found == model.state_dict()  # every parameter once, value exact


def test_metadata_dynamic_batch_and_checker(tmp_path):
    model = nn.MLP(3, [4, 2], "sigmoid", "softmax", seed=0)
    path = nn.export_onnx(model, tmp_path / "m.onnx")
    loaded = onnx.load(path)
    onnx.checker.check_model(loaded, full_check=True)
    props = {p.key: p.value for p in loaded.metadata_props}
    assert props["stepgrad.version"] == metadata.version("stepgrad")
    assert json.loads(props["stepgrad.architecture"]) == model.config()
    assert loaded.producer_name == "stepgrad"
    dims = loaded.graph.input[0].type.tensor_type.shape.dim
    assert [d.dim_param or d.dim_value for d in dims] == ["batch", 3]
    assert loaded.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.DOUBLE
    sess = session(path)
    for n in (1, 7, 50):  # one file, any batch size
        assert sess.run(None, {"x": np.zeros((n, 3))})[0].shape == (n, 2)


def test_float32_on_request(tmp_path):
    model = nn.MLP(3, [5, 2], "sigmoid", seed=5)
    path = nn.export_onnx(model, tmp_path / "m32.onnx", dtype="float32")
    assert onnx.load(path).graph.initializer[0].data_type == onnx.TensorProto.FLOAT
    found = run(path, X, dtype=np.float32)[0]
    expected, scale = eager(model, X)
    assert found.dtype == np.float32
    assert max_relative_error(found, expected, scale) < 1e-6
    with pytest.raises(ValueError, match="dtype must be 'float64' or 'float32', got 'float16'"):
        nn.export_onnx(model, tmp_path / "m16.onnx", dtype="float16")


def test_a_failed_export_leaves_the_old_file(tmp_path):
    path = tmp_path / "m.onnx"
    path.write_bytes(b"old")
    model = nn.Neuron(2, "tanh", weights=[1.0, 2.0], bias=0.0)
    model.w[1].data = math.nan
    with pytest.raises(ValueError, match=r"parameter 'w.1' is nan"):
        nn.export_onnx(model, path)
    assert path.read_bytes() == b"old"
    with pytest.raises(FileNotFoundError, match="does not exist"):
        nn.export_onnx(nn.Neuron(2), tmp_path / "missing" / "m.onnx")
    assert sorted(os.listdir(tmp_path)) == ["m.onnx"]  # no temporary file left behind


def test_only_nn_models_and_a_pointer_to_program_export():
    class Doubler(nn.Module):
        def __call__(self, x):
            return x * 2

    with pytest.raises(TypeError, match=r"takes an nn.Neuron, nn.Layer or nn.MLP, got .*"
                                         r"Doubler.*program.export_onnx"):
        nn.export_onnx(Doubler(), "d.onnx")


@pytest.fixture(scope="module")
def trained_digits():
    """The digits net (64-50-100-10, sigmoid/sigmoid/softmax) after a short compiled fit."""
    train, test, name = digits.load(seed=0)
    return digits.train_and_test(train, test, name, seed=0, epochs=3), test


def test_digits_file_to_onnx_runtime_predicts_every_test_image_alike(tmp_path, trained_digits):
    result, test = trained_digits
    model = result.model
    model.save(tmp_path / "digits.json")
    onnx_path = nn.export_onnx(nn.load(tmp_path / "digits.json"), tmp_path / "digits.onnx")
    X = np.array([x for x, _ in test])
    probabilities, logits = run(onnx_path, X)
    program = autograd.compile(lambda *xs: model(list(xs)), X[0], model.parameters())
    expected_logits = program(X)  # stepgrad's numbers for every image, replayed compiled
    assert np.array_equal(probabilities.argmax(axis=1), expected_logits.argmax(axis=1))
    accuracy = np.mean(probabilities.argmax(axis=1) == [t for _, t in test])
    assert accuracy == result.test_accuracy  # to the last image
    expected_p, _ = eager(model, X[:5], softmax=True)  # eager: the reference numbers
    assert_close(probabilities[:5], expected_p)
    shift = expected_logits - expected_logits.max(axis=1, keepdims=True)
    softmax = np.exp(shift) / np.exp(shift).sum(axis=1, keepdims=True)
    assert max_relative_error(probabilities, softmax) <= 1e-12
