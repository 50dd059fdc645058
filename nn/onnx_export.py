"""``nn.export_onnx``: a Neuron, Layer or MLP as an ONNX model, layer by layer.

Each layer is one matrix product (``Gemm``) and its activation, lowered by the op
table's ``onnx=`` entry (so σ is computed as stepgrad computes it). A softmax head
adds ONNX ``Softmax``: output ``y`` holds the probabilities and ``logits`` the layer's
outputs. Parameter names are kept: a layer's weights are one initializer whose row i,
column j is the parameter ``….neurons.i.w.j`` (``layers.0.neurons.w``, shape
nout × nin) and its biases another (``layers.0.neurons.b``); a Neuron's are ``w``
(1 × nin) and ``b``. Metadata holds the stepgrad version and the architecture
(``model.config()``, what ``nn.load`` rebuilds from).

>>> import nn
>>> nn.export_onnx(nn.MLP(2, [3, 1]), "tiny.onnx")          # doctest: +SKIP
PosixPath('tiny.onnx')
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from autograd import OPS
from autograd.onnx_graph import OnnxGraph, save_model

from .module import MLP, Layer, Module, Neuron

__all__ = ["export_onnx", "model_to_onnx", "dense_layers"]

INPUT, OUTPUT, LOGITS, BATCH = "x", "y", "logits", "batch"


def dense_layers(model: Module, what: str = "export_onnx") -> list[tuple[str, list[Neuron], str]]:
    """(parameter-name prefix, neurons, activation) per layer of a Neuron, Layer or MLP."""
    if isinstance(model, Neuron):
        return [("", [model], model.activation)]
    if isinstance(model, Layer):
        return [("neurons.", model.neurons, model.activation)]
    if isinstance(model, MLP):
        return [(f"layers.{k}.neurons.", layer.neurons, layer.activation)
                for k, layer in enumerate(model.layers)]
    raise TypeError(
        f"{what} takes an nn.Neuron, nn.Layer or nn.MLP, got {model!r} "
        f"({type(model).__name__}); to export another function of Values, trace it "
        "with autograd.compile and call program.export_onnx(path)"
    )


def model_to_onnx(model: Module, *, batch: bool = True, dtype: str = "float64") -> object:
    """The ``onnx.ModelProto`` of ``model`` (see ``export_onnx``)."""
    layers = dense_layers(model)
    for name, value in model.named_parameters():
        if not math.isfinite(value.data):
            raise ValueError(f"cannot export: parameter {name!r} is {value.data!r} "
                             "(training diverged?)")
    g = OnnxGraph(dtype, reserved=(INPUT, OUTPUT, LOGITS))
    h = INPUT
    for prefix, neurons, activation in layers:
        w = g.initializer(f"{prefix}w", [[wi.data for wi in n.w] for n in neurons])
        b = g.initializer(f"{prefix}b", [n.b.data for n in neurons])
        if batch:  # (batch, nin) · (nout, nin)ᵀ + b
            h = g.node("Gemm", h, w, b, transB=1)
        else:  # (nout, nin) · (nin,) + b
            h = g.node("Add", g.node("MatMul", w, h), b)
        if activation != "linear":
            h = g.lower(OPS[activation], [h])
    nin, nout = model.nin, len(layers[-1][1])
    shape = ([BATCH] if batch else []) + [nout]
    outputs = [(OUTPUT, shape)]
    if getattr(model, "output_activation", None) == "softmax":
        g.nodes.append(("Softmax", [h], OUTPUT, {"axis": -1}))
        g.nodes.append(("Identity", [h], LOGITS, {}))
        outputs.append((LOGITS, shape))
    else:
        g.nodes.append(("Identity", [h], OUTPUT, {}))
    config = model.config()
    heads = " (softmax probabilities) and logits" if len(outputs) > 1 else ""
    doc = (f"stepgrad {json.dumps(config)}: input x ({'batch × ' if batch else ''}{nin}), "
           f"output y{heads}. Initializer <prefix>w[i, j] holds parameter <prefix>i.w.j "
           "(a Neuron's w[0, j] holds w.j), <prefix>b[i] holds <prefix>i.b")
    return g.model([(INPUT, ([BATCH] if batch else []) + [nin])], outputs,
                   name=type(model).__name__, doc=doc,
                   metadata={"stepgrad.architecture": config})


def export_onnx(model: Module, path: str | os.PathLike, *, batch: bool = True,
                dtype: str = "float64") -> Path:
    """Write ``model`` as ONNX to ``path``, checked and atomically; returns the path.

    Input ``x`` has shape (batch, nin) with a dynamic batch, or (nin,) with
    ``batch=False``; output ``y`` (batch, nout). ``dtype="float32"`` halves the file for
    runtimes without float64 kernels (numbers then agree to about 1e-6, not 1e-12).
    """
    return save_model(model_to_onnx(model, batch=batch, dtype=dtype), path)
