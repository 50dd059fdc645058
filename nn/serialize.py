"""Model files: a module's architecture and parameters as JSON, never pickle.

Layout (version 1)::

    {"format": "stepgrad-model", "version": 1,
     "architecture": {"class": "MLP", "nin": 2, "sizes": [2, 1], ...},
     "parameters": {"layers.0.neurons.0.w.0": 0.123, ...}}

Python writes floats with ``repr``, so the round trip is exact. Files are written to a
temporary file in the same folder and renamed over the target: a crash never leaves a
half-written model. ``load`` reads regular files only (never ``/dev/zero`` or a pipe)
of at most ``MAX_FILE_BYTES`` (256 MiB: about 4.5 million parameters), and checks every
key before it builds anything.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import sys

from .files import read_capped, write_atomic
from .module import MLP, Layer, Module, Neuron

__all__ = ["save", "load", "FORMAT", "VERSION", "MAX_FILE_BYTES"]

FORMAT = "stepgrad-model"
VERSION = 1
MAX_FILE_BYTES = 256 * 2**20  # a 1,000,000-parameter MLP's file is about 58 MB
_MAX_DIGITS = 400  # longer integers stay text: a float holds at most 309 digits


class _LongInteger:
    """An integer literal too long to be a count or a finite float: only its length is kept.

    Python's own conversion would fail with a digit-limit error naming no key (5,000
    digits) or build a number only to overflow later; this lets the check name the key.
    """

    def __init__(self, digits: str) -> None:
        self.digits = len(digits.lstrip("-"))

    def __repr__(self) -> str:
        return f"a {self.digits:,}-digit integer"


def _parse_int(digits: str) -> int | _LongInteger:
    return int(digits) if len(digits) <= _MAX_DIGITS else _LongInteger(digits)


def _cut(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters, saying how long it was (a 400-digit nin)."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def _short(value: object) -> str:
    return _cut(repr(value))

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
    if not isinstance(cls, str) or cls not in _ARCHITECTURES:  # ["MLP"] is unhashable
        raise ValueError(f"{where}: 'architecture.class' must be one of "
                         f"{', '.join(_ARCHITECTURES)}, got {_short(cls)}")
    construct, keys = _ARCHITECTURES[cls]
    for key, kind in keys.items():
        if key not in architecture:
            raise ValueError(f"{where}: missing key 'architecture.{key}' for a {cls}")
        if not _kind_ok(architecture[key], kind):
            raise ValueError(f"{where}: 'architecture.{key}' must be {kind}, "
                             f"got {_short(architecture[key])}")
    # Building costs about what reading the file did, unless the architecture asks
    # for far more parameters than the file stores (a hostile file: 10⁹ neurons).
    dims = _dims(cls, architecture)
    count = sum((a + 1) * b for a, b in zip(dims, dims[1:]))
    if count > 2 * len(parameters) + 100:
        shown = _cut(json.dumps(architecture, default=repr), 200)
        raise ValueError(f"{where}: architecture {shown} has {_short(count)} parameters "
                         f"but the file stores only {len(parameters)}")
    try:
        return construct(architecture)
    except ValueError as exc:
        raise ValueError(f"{where}: bad architecture: {exc}") from None


def _describe(model: Module) -> str:
    try:
        return json.dumps(model.config())
    except TypeError:  # a user's Module without a saved architecture
        return type(model).__name__


def _check_numbers(parameters: dict, where: str) -> None:
    for name, number in parameters.items():
        # type() first: a float is the common case, and isfinite(10**400) would overflow
        if type(number) is not float and (isinstance(number, bool)
                                          or not isinstance(number, numbers.Real)
                                          or abs(number) > sys.float_info.max):
            raise ValueError(f"{where}: parameter {_short(name)} must be a finite number, "
                             f"got {_short(number)}")
        if not math.isfinite(number):
            raise ValueError(f"{where}: parameter {_short(name)} must be a finite number, "
                             f"got {number!r}")


def _load_parameters(model: Module, parameters: dict, where: str) -> None:
    """``model.load_state_dict(parameters)``; a name mismatch is reported with the file."""
    try:
        model.load_state_dict(parameters)
    except ValueError as exc:
        # Only on failure: naming every parameter again would double a big load's cost.
        expected = [name for name, _ in model.named_parameters()]
        known = set(expected)
        missing = [n for n in expected if n not in parameters]
        unexpected = [n for n in parameters if n not in known]
        if not missing and not unexpected:  # a user's Module refused for its own reason
            raise ValueError(f"{where}: {exc}") from None
        raise ValueError(
            f"{where}: parameters do not match the architecture ({_describe(model)}, "
            f"{len(expected)} parameters; file has {len(parameters)}): "
            f"missing {missing[:5]}{'…' if len(missing) > 5 else ''}, "
            f"unexpected {unexpected[:5]}{'…' if len(unexpected) > 5 else ''}"
        ) from None


def load(path: str | os.PathLike, model: Module | None = None, *,
         max_bytes: int = MAX_FILE_BYTES) -> Module:
    """The model stored at ``path``; with ``model``, load the parameters into it instead.

    A malformed, truncated, wrong-version or mismatched file raises ValueError naming
    the file and the key or the shape that is wrong; so does a file larger than
    ``max_bytes`` or one that is not a regular file (``/dev/zero``, a pipe).
    """
    where = f"model file {os.fspath(path)!r}"
    raw = read_capped(path, max_bytes, "model file",
                      " for model files (pass max_bytes= to nn.load to read a larger one)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{where} is not UTF-8 JSON text: {exc}") from None
    try:
        document = json.loads(text, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{where} is not valid JSON (truncated or corrupt?): {exc}") from None
    except RecursionError:  # json recurses per nesting level: "[[[[…" is corrupt, not a model
        raise ValueError(f"{where} is not a model file: JSON nested too deeply") from None
    if not isinstance(document, dict):
        raise ValueError(f"{where}: expected a JSON object, got {type(document).__name__}")
    if document.get("format") != FORMAT:
        raise ValueError(f"{where}: key 'format' must be {FORMAT!r}, got "
                         f"{_short(document.get('format'))} (not a stepgrad model file?)")
    # type check too: JSON `true` would compare equal to version 1
    if type(document.get("version")) is not int or document["version"] != VERSION:
        raise ValueError(f"{where}: unsupported 'version' {_short(document.get('version'))}; "
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
    _check_numbers(parameters, where)
    if model is None:
        model = _build(document["architecture"], parameters, where)
    elif not isinstance(model, Module):
        raise TypeError(f"model must be an nn Module, got {model!r}")
    _load_parameters(model, parameters, where)
    return model
