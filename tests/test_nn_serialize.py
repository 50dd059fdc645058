"""Model files: exact round trip, atomic writes, and every malformed-file error."""

import json
import os

import pytest

import nn


@pytest.mark.parametrize("model", [
    nn.MLP(3, [4, 2], activation="tanh", output_activation="softmax", seed=11),
    nn.Layer(2, 3, "sigmoid", seed=2),
    nn.Neuron(1, weights=[0.51796], bias=0.62196),
], ids=["mlp", "layer", "neuron"])
def test_round_trip_is_exact(tmp_path, model):
    path = tmp_path / "model.json"
    model.save(path)
    loaded = nn.load(path)
    assert type(loaded) is type(model) and loaded.config() == model.config()
    assert loaded.state_dict() == model.state_dict()  # bit-for-bit floats
    x = [0.3, -0.2, 0.9][: model.nin]
    out, back = model(x), loaded(x)
    out = out if isinstance(out, list) else [out]
    back = back if isinstance(back, list) else [back]
    assert [o.data for o in out] == [b.data for b in back]
    assert [v.label for v in loaded.parameters()] == [n for n, _ in model.named_parameters()]


def test_file_layout(tmp_path):
    path = tmp_path / "m.json"
    nn.MLP(2, [1], seed=0).save(str(path))
    document = json.loads(path.read_text())
    assert document["format"] == "stepgrad-model" and document["version"] == 1
    assert document["architecture"] == {"class": "MLP", "nin": 2, "sizes": [1],
                                        "activation": "relu", "output_activation": "linear"}
    assert list(document["parameters"]) == ["layers.0.neurons.0.w.0",
                                            "layers.0.neurons.0.w.1", "layers.0.neurons.0.b"]


def test_load_into_an_existing_model(tmp_path):
    path = tmp_path / "m.json"
    source = nn.MLP(2, [2, 1], seed=1)
    source.save(path)
    target = nn.MLP(2, [2, 1], seed=2)
    assert nn.load(path, model=target) is target
    assert target.state_dict() == source.state_dict()
    with pytest.raises(ValueError, match="parameters do not match the architecture"):
        nn.load(path, model=nn.MLP(2, [3, 1]))


def test_save_replaces_atomically_and_leaves_no_temp_files(tmp_path):
    path = tmp_path / "m.json"
    nn.MLP(2, [1], seed=0).save(path)
    bad = nn.MLP(2, [1], seed=1)
    bad.layers[0].neurons[0].b.data = float("nan")
    before = path.read_bytes()
    with pytest.raises(ValueError, match="parameter 'layers.0.neurons.0.b' is nan"):
        bad.save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.json"]


def _write(tmp_path, document):
    path = tmp_path / "bad.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def _valid():
    model = nn.MLP(2, [2, 1], seed=0)
    return {"format": "stepgrad-model", "version": 1, "architecture": model.config(),
            "parameters": model.state_dict()}


def _without(key):
    doc = _valid()
    del doc[key]
    return doc


def _changed(path, value):
    doc = _valid()
    where = doc
    for key in path[:-1]:
        where = where[key]
    if value is ...:
        del where[path[-1]]
    else:
        where[path[-1]] = value
    return doc


@pytest.mark.parametrize("document, message", [
    (json.dumps(_valid())[:-40], "not valid JSON \\(truncated or corrupt\\?\\)"),
    ("[1, 2]", "expected a JSON object, got list"),
    (_changed(["format"], "pickle"), "key 'format' must be 'stepgrad-model', got 'pickle'"),
    (_changed(["version"], 2), "unsupported 'version' 2; this stepgrad reads version 1"),
    (_changed(["version"], True), "unsupported 'version' True; this stepgrad reads version 1"),
    ("[" * 100_000 + "]" * 100_000, "JSON nested too deeply"),
    (_without("architecture"), "missing key 'architecture'"),
    (_without("parameters"), "missing key 'parameters'"),
    (_changed(["architecture", "class"], "CNN"), "'architecture.class' must be one of"),
    (_changed(["architecture", "sizes"], ...), "missing key 'architecture.sizes'"),
    (_changed(["architecture", "sizes"], [2, "1"]), "'architecture.sizes' must be list of int"),
    (_changed(["architecture", "nin"], 0), "bad architecture: nin must be a positive int"),
    (_changed(["architecture", "activation"], "gelu"), "bad architecture: activation must be"),
    (_changed(["architecture", "sizes"], [3, 1]),
     r"parameters do not match the architecture .* 13 parameters; file has 9\): "
     r"missing \['layers.0.neurons.2.w.0'"),
    (_changed(["architecture", "sizes"], [10 ** 9, 1]),
     "has 4000000001 parameters but the file stores only 9"),
    (_changed(["parameters", "layers.1.neurons.0.b"], ...),
     r"missing \['layers.1.neurons.0.b'\]"),
    (_changed(["parameters", "layers.1.neurons.0.w.7"], 1.0),
     r"unexpected \['layers.1.neurons.0.w.7'\]"),
    (_changed(["parameters", "layers.0.neurons.1.b"], "0.1"),
     "parameter 'layers.0.neurons.1.b' must be a finite number, got '0.1'"),
    (json.dumps(_valid()).replace("0.0", "NaN", 1), "must be a finite number, got nan"),
])
def test_malformed_files_name_the_key_or_shape(tmp_path, document, message):
    with pytest.raises(ValueError, match=message):
        nn.load(_write(tmp_path, document))


def test_parameters_not_an_object_is_refused_before_building_the_architecture(
        tmp_path, monkeypatch):
    # The size check against a hostile architecture needs the parameter count: with a
    # list there, {"nin": 10**9} was built until the process ran out of memory.
    def never(*args, **kwargs):
        raise AssertionError("the architecture was built")

    monkeypatch.setattr(nn.serialize, "MLP", never)
    document = _changed(["architecture", "nin"], 10 ** 9)
    document["parameters"] = [0.0] * 9
    with pytest.raises(ValueError, match="'parameters' must be an object, got list"):
        nn.load(_write(tmp_path, document))


def test_save_onto_a_folder_names_the_folder(tmp_path):
    (tmp_path / "models").mkdir()
    with pytest.raises(IsADirectoryError, match=r"cannot write '.*models': it is a folder"):
        nn.MLP(2, [1], seed=0).save(tmp_path / "models")
    assert os.listdir(tmp_path) == ["models"]  # no temp file left beside it


def test_non_utf8_and_missing_files(tmp_path):
    path = tmp_path / "binary.json"
    path.write_bytes(b"\x80\x81\xff")
    with pytest.raises(ValueError, match="not UTF-8 JSON text"):
        nn.load(path)
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "nope.json")


def test_save_into_a_missing_folder_names_it_and_writes_a_readable_file(tmp_path):
    model = nn.MLP(2, [2, 1], seed=0)
    with pytest.raises(FileNotFoundError, match=r"cannot write .*m.json.*: folder .*nope.* "
                                                r"does not exist"):
        model.save(tmp_path / "nope" / "m.json")
    path = tmp_path / "m.json"
    model.save(path)
    assert path.stat().st_mode & 0o777 == 0o644  # not mkstemp's private 0o600
    assert nn.load(path).state_dict() == model.state_dict()
