"""Model files: a module's architecture and parameters as JSON, never pickle.

Layout (version 1)::

    {"format": "stepgrad-model", "version": 1,
     "architecture": {"class": "MLP", "nin": 2, "sizes": [2, 1], ...},
     "parameters": {"layers.0.neurons.0.w.0": 0.123, ...}}

Python writes floats with ``repr``, so the round trip is exact. Files are written to a
temporary file in the same folder and renamed over the target: a crash never leaves a
half-written model.
"""

from __future__ import annotations

import json
import math
import numbers
import os
from pathlib import Path

from .files import write_atomic
from .module import MLP, Layer, Module, Neuron

__all__ = ["save", "load", "FORMAT", "VERSION"]

FORMAT = "stepgrad-model"
VERSION = 1

# class name -> (constructor, its required config keys and their expected kind)
_ARCHITECTURES = {
    "Neuron": (lambda c: Neuron(c["nin"], c["activation"], init="zeros"),
               {"nin": "int", "activation": "str"}),
    "Layer": (lambda c: Layer(c["nin"], c["nout"], c["activation"], init="zeros"),
              {"nin": "int", "nout": "int", "activation": "str"}),
    "MLP": (lambda c: MLP(c["nin"], c["sizes"], c["activation"], c["output_activation"],
                          init="zeros"),
            {"nin": "int", "sizes": "list of int", "activation": "str",
             "output_activation": "str"}),
}


def save(model: Module, path: str | os.PathLike) -> None:
    """Write ``model`` (a Neuron, Layer or MLP) to ``path`` as JSON, atomically."""
    if not isinstance(model, Module):
        raise TypeError(f"save takes an nn Module, got {model!r} ({type(model).__name__})")
    architecture = model.config()
    parameters = model.state_dict()
    for name, number in parameters.items():
        if not math.isfinite(number):
            raise ValueError(f"cannot save: parameter {name!r} is {number!r} (training diverged?)")
    document = {"format": FORMAT, "version": VERSION, "architecture": architecture,
                "parameters": parameters}
    text = json.dumps(document, indent=1, allow_nan=False)
    write_atomic(path, (text + "\n").encode("utf-8"), durable=True)


def _kind_ok(value: object, kind: str) -> bool:
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "str":
        return isinstance(value, str)
    return isinstance(value, list) and bool(value) and all(_kind_ok(v, "int") for v in value)


def _dims(cls: str, architecture: dict) -> list[int]:
    """Layer widths [inputs, …, outputs] that an architecture describes."""
    if cls == "Neuron":
        return [architecture["nin"], 1]
    if cls == "Layer":
        return [architecture["nin"], architecture["nout"]]
    return [architecture["nin"], *architecture["sizes"]]


def _build(architecture: object, parameters: dict, where: str) -> Module:
    if not isinstance(architecture, dict):
        raise ValueError(f"{where}: 'architecture' must be an object, got {architecture!r}")
    cls = architecture.get("class")
    if cls not in _ARCHITECTURES:
        raise ValueError(f"{where}: 'architecture.class' must be one of "
                         f"{', '.join(_ARCHITECTURES)}, got {cls!r}")
    construct, keys = _ARCHITECTURES[cls]
    for key, kind in keys.items():
        if key not in architecture:
            raise ValueError(f"{where}: missing key 'architecture.{key}' for a {cls}")
        if not _kind_ok(architecture[key], kind):
            raise ValueError(f"{where}: 'architecture.{key}' must be {kind}, "
                             f"got {architecture[key]!r}")
    # Building costs about what reading the file did, unless the architecture asks
    # for far more parameters than the file stores (a hostile file: 10⁹ neurons).
    dims = _dims(cls, architecture)
    count = sum((a + 1) * b for a, b in zip(dims, dims[1:]))
    if count > 2 * len(parameters) + 100:
        raise ValueError(f"{where}: architecture {json.dumps(architecture)} has {count} "
                         f"parameters but the file stores only {len(parameters)}")
    try:
        return construct(architecture)
    except ValueError as exc:
        raise ValueError(f"{where}: bad architecture: {exc}") from None


def _describe(model: Module) -> str:
    try:
        return json.dumps(model.config())
    except TypeError:  # a user's Module without a saved architecture
        return type(model).__name__


def _check_parameters(model: Module, parameters: dict, where: str) -> dict[str, float]:
    expected = [name for name, _ in model.named_parameters()]
    missing = [n for n in expected if n not in parameters]
    known = set(expected)  # built once: `in set(expected)` per name made loading quadratic
    unexpected = [n for n in parameters if n not in known]
    if missing or unexpected:
        raise ValueError(
            f"{where}: parameters do not match the architecture ({_describe(model)}, "
            f"{len(expected)} parameters; file has {len(parameters)}): "
            f"missing {missing[:5]}{'…' if len(missing) > 5 else ''}, "
            f"unexpected {unexpected[:5]}{'…' if len(unexpected) > 5 else ''}"
        )
    for name, number in parameters.items():
        if isinstance(number, bool) or not isinstance(number, numbers.Real) \
                or not math.isfinite(number):
            raise ValueError(f"{where}: parameter {name!r} must be a finite number, got {number!r}")
    return parameters


def load(path: str | os.PathLike, model: Module | None = None) -> Module:
    """The model stored at ``path``; with ``model``, load the parameters into it instead.

    A malformed, truncated, wrong-version or mismatched file raises ValueError naming
    the key or the shape that is wrong.
    """
    where = f"model file {os.fspath(path)!r}"
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{where} is not UTF-8 JSON text: {exc}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{where} is not valid JSON (truncated or corrupt?): {exc}") from None
    except RecursionError:  # json recurses per nesting level: "[[[[…" is corrupt, not a model
        raise ValueError(f"{where} is not a model file: JSON nested too deeply") from None
    if not isinstance(document, dict):
        raise ValueError(f"{where}: expected a JSON object, got {type(document).__name__}")
    if document.get("format") != FORMAT:
        raise ValueError(f"{where}: key 'format' must be {FORMAT!r}, got "
                         f"{document.get('format')!r} (not a stepgrad model file?)")
    # type check too: JSON `true` would compare equal to version 1
    if type(document.get("version")) is not int or document["version"] != VERSION:
        raise ValueError(f"{where}: unsupported 'version' {document.get('version')!r}; "
                         f"this stepgrad reads version {VERSION}")
    for key in ("architecture", "parameters"):
        if key not in document:
            raise ValueError(f"{where}: missing key {key!r}")
    parameters = document["parameters"]
    # Checked before building: the size check against a hostile architecture needs it
    # (a list here let {"nin": 10⁹} build until the process ran out of memory).
    if not isinstance(parameters, dict):
        raise ValueError(
            f"{where}: 'parameters' must be an object, got {type(parameters).__name__}"
        )
    if model is None:
        model = _build(document["architecture"], parameters, where)
    elif not isinstance(model, Module):
        raise TypeError(f"model must be an nn Module, got {model!r}")
    model.load_state_dict(_check_parameters(model, parameters, where))
    return model
