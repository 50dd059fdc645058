"""Building ONNX graphs: the builder the op table's ``onnx=`` lowerings write into.

A lowering calls ``g.node("Add", a, b)`` and ``g.const(1.0)`` with tensor *names* and
gets names back; nothing here imports ``onnx`` until a model is assembled, so the op
table and ``import autograd`` stay free of the optional dependency. Models are
checked with ``onnx.checker`` and written atomically; numbers are float64 unless the
caller asks for float32.

>>> g = OnnxGraph()
>>> g.node("Add", "x", g.const(1.0))      # x + 1; g.const(1.0) named 'c0'
'v1'
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

import numpy as np

from .files import write_atomic
from .ops import Op

__all__ = ["OnnxGraph", "require", "stepgrad_version", "DTYPES", "OPSET", "save_model"]

OPSET = 17  # Where, GreaterOrEqual and single-axis Softmax; read by every current runtime
IR_VERSION = 8  # the IR of opset 17: older runtimes refuse a newer IR than they know
DTYPES = ("float64", "float32")
_INSTALL = "pip install 'stepgrad[export]' (or: pip install onnx onnxruntime)"


def require(module: str, what: str, install: str = _INSTALL) -> object:
    """``import module``, or ImportError saying that ``what`` needs it and how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(f"{what} needs the '{module}' package, which is not installed: "
                          f"{install}") from exc


def stepgrad_version() -> str:
    """The installed stepgrad's version (``"unknown"`` when run from an uninstalled tree)."""
    try:
        return metadata.version("stepgrad")
    except metadata.PackageNotFoundError:
        return "unknown"


def check_dtype(dtype: object) -> str:
    """``dtype`` if it is one ONNX export supports, else ValueError naming it."""
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be 'float64' or 'float32', got {dtype!r}")
    return dtype


class OnnxGraph:
    """Nodes and initializers of one ONNX graph, named as they are added."""

    def __init__(self, dtype: str = "float64", reserved: Sequence[str] = ()) -> None:
        self.dtype = check_dtype(dtype)
        self.nodes: list[tuple[str, list[str], str, dict]] = []  # (op type, inputs, output, attrs)
        self.initializers: dict[str, np.ndarray] = {}
        self._taken: set[str] = set(reserved)
        self._consts: dict[tuple, str] = {}
        self._counter = 0

    def fresh(self, base: str = "v") -> str:
        """A name no tensor of the graph has yet: ``v0``, ``v1``, …"""
        while f"{base}{self._counter}" in self._taken:
            self._counter += 1
        name = f"{base}{self._counter}"
        self._taken.add(name)
        self._counter += 1
        return name

    def claim(self, name: str) -> bool:
        """Reserve ``name`` for a tensor; False if the graph already has one of that name."""
        if name in self._taken:
            return False
        self._taken.add(name)
        return True

    def node(self, op_type: str, *inputs: str, **attributes: object) -> str:
        """Add one node of ONNX operator ``op_type``; returns its output's name."""
        out = self.fresh()
        self.nodes.append((op_type, list(inputs), out, attributes))
        return out

    def initializer(self, name: str, values: object, dtype: str | None = None) -> str:
        """A stored tensor named exactly ``name`` (a parameter, say); returns the name."""
        if not self.claim(name):
            raise ValueError(f"the ONNX graph already has a tensor named {name!r}")
        self.initializers[name] = np.asarray(values, dtype=dtype or self.dtype)
        return name

    def const(self, value: float, dtype: str | None = None) -> str:
        """A scalar constant of the graph's float type (or ``dtype``), stored once per value."""
        array = np.asarray(value, dtype=dtype or self.dtype)
        key = (array.tobytes(), array.dtype.str, array.shape)
        if key not in self._consts:
            name = self._consts[key] = self.fresh("c")
            self.initializers[name] = array
        return self._consts[key]

    def lower(self, op: Op, inputs: Sequence[str]) -> str:
        """Apply ``op``'s ``onnx`` lowering to ``inputs``; ValueError if it has none."""
        if op.onnx is None:
            raise ValueError(
                f"op {op.name!r} has no ONNX lowering, so a graph using it cannot be "
                "exported. Give its table entry one: register(Op(..., onnx=lambda g, a: "
                'g.node("Exp", a))) builds nodes with g.node(ONNX operator, *input names) '
                "and g.const(number) and returns the result's name (see autograd.onnx_graph)"
            )
        return op.onnx(self, *inputs)

    def model(self, inputs: Sequence[tuple[str, Sequence]], outputs: Sequence[tuple[str, Sequence]],
              *, name: str, doc: str, metadata: dict[str, object]) -> object:
        """The ``onnx.ModelProto``: ``inputs``/``outputs`` are (name, shape) pairs."""
        onnx = require("onnx", "ONNX export")
        helper = onnx.helper
        elem = helper.np_dtype_to_tensor_dtype(np.dtype(self.dtype))
        nodes = [helper.make_node(op_type, ins, [out], name=out, **attrs)
                 for op_type, ins, out, attrs in self.nodes]
        graph = helper.make_graph(
            nodes, name,
            [helper.make_tensor_value_info(n, elem, list(shape)) for n, shape in inputs],
            [helper.make_tensor_value_info(n, elem, list(shape)) for n, shape in outputs],
            initializer=[onnx.numpy_helper.from_array(a, n) for n, a in self.initializers.items()],
            doc_string=doc,
        )
        model = helper.make_model(
            graph, opset_imports=[helper.make_opsetid("", OPSET)], ir_version=IR_VERSION,
            producer_name="stepgrad", producer_version=stepgrad_version(), doc_string=doc,
        )
        props = {"stepgrad.version": stepgrad_version()}
        props.update((key, value if isinstance(value, str) else json.dumps(value))
                     for key, value in metadata.items())
        helper.set_model_props(model, props)
        return model


def save_model(model: object, path: str | os.PathLike) -> Path:
    """Check ``model`` with ``onnx.checker`` (shapes and types too), then write it atomically."""
    onnx = require("onnx", "ONNX export")
    onnx.checker.check_model(model, full_check=True)
    return write_atomic(path, model.SerializeToString(), durable=True)
