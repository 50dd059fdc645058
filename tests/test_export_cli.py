"""``stepgrad export MODEL.json MODEL.onnx``: the written model runs; bad input exits 2."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import onnx
import pytest

import nn
from tests.ort_helpers import max_relative_error, run
from viz.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, main

X = np.random.default_rng(2).normal(size=(9, 3))


@pytest.fixture
def model_file(tmp_path):
    model = nn.MLP(3, [4, 2], "sigmoid", "softmax", seed=11)
    model.save(tmp_path / "model.json")
    return model, tmp_path / "model.json"


def test_export_writes_a_model_onnx_runtime_runs(capsys, tmp_path, model_file):
    model, path = model_file
    out = tmp_path / "out" / "model.onnx"  # a new folder is made
    assert main(["export", str(path), str(out)]) == EXIT_OK
    assert "wrote" in capsys.readouterr().err
    probabilities, logits = run(out, X)
    expected = np.array([[p.data for p in nn.softmax(model(row.tolist()))] for row in X])
    assert max_relative_error(probabilities, expected) <= 1e-12
    props = {p.key: p.value for p in onnx.load(out).metadata_props}
    assert json.loads(props["stepgrad.architecture"]) == model.config()


def test_no_batch_and_float32(tmp_path, model_file):
    _, path = model_file
    out = tmp_path / "one.onnx"
    assert main(["export", str(path), str(out), "--no-batch", "--float32"]) == EXIT_OK
    graph = onnx.load(out).graph
    assert [d.dim_value for d in graph.input[0].type.tensor_type.shape.dim] == [3]
    assert graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    assert run(out, X[0], dtype=np.float32)[0].shape == (2,)


@pytest.mark.parametrize(("content", "message"), [
    (None, "cannot read model file '{model}': No such file or directory"),
    (b"{\"format\": ", "model file '{model}' is not valid JSON"),
    (b"\xff\xfe", "is not UTF-8 JSON text"),
    (b'{"format": "stepgrad-model", "version": 2}', "unsupported 'version' 2"),
    (b'{"format": "other"}', "key 'format' must be 'stepgrad-model'"),
    (json.dumps({"format": "stepgrad-model", "version": 1,
                 "architecture": {"class": "Neuron", "nin": 2, "activation": "relu"},
                 "parameters": {"w.0": 1.0, "b": 0.0}}).encode(),
     "parameters do not match the architecture"),
], ids=["missing", "truncated", "binary", "version", "format", "mismatched"])
def test_a_bad_model_file_exits_2_and_writes_nothing(capsys, tmp_path, content, message):
    model = tmp_path / "model.json"
    if content is not None:
        model.write_bytes(content)
    out = tmp_path / "model.onnx"
    assert main(["export", str(model), str(out)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("stepgrad export: error: ")
    assert message.format(model=model) in err
    assert "Traceback" not in err
    assert not out.exists()


def test_bad_paths_exit_2(capsys, tmp_path, model_file):
    _, path = model_file
    assert main(["export", str(tmp_path), str(tmp_path / "m.onnx")]) == EXIT_USAGE
    # a folder is refused by name before reading (issue 9), like /dev/zero or a pipe
    assert f"model file {str(tmp_path)!r} is a folder, not a regular file" in \
        capsys.readouterr().err
    assert main(["export", str(path), str(tmp_path / "m.json")]) == EXIT_USAGE
    assert "end its name in .onnx" in capsys.readouterr().err
    assert main(["export", str(path)]) == EXIT_USAGE  # argparse: the output is missing
    assert "MODEL.onnx" in capsys.readouterr().err


def test_without_onnx_the_failure_says_how_to_install(capsys, monkeypatch, tmp_path, model_file):
    _, path = model_file
    monkeypatch.setitem(sys.modules, "onnx", None)
    assert main(["export", str(path), str(tmp_path / "m.onnx")]) == EXIT_FAILURE
    assert "pip install 'stepgrad[export]'" in capsys.readouterr().err


def test_console_script_exit_status(tmp_path, model_file):
    _, path = model_file
    done = subprocess.run([sys.executable, "-m", "viz", "export", str(tmp_path / "nope.json"),
                           str(tmp_path / "m.onnx")], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == EXIT_USAGE
    assert "cannot read model file" in done.stderr
    done = subprocess.run([sys.executable, "-m", "viz", "export", str(path),
                           str(tmp_path / "m.onnx")], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == EXIT_OK, done.stderr
    assert (tmp_path / "m.onnx").stat().st_size > 0
