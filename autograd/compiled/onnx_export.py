"""``program.export_onnx``: a traced graph as an ONNX model, node for node.

Each traced node becomes what its op table entry's ``onnx`` lowering builds, on a
column of the batch: input ``x`` has shape (batch, n_inputs), and input i is its
column i. Parameters become scalar initializers named by their labels (``w``,
``layers.0.neurons.3.w.2``), constants scalar initializers, and the output ``y`` has
the shape ``program(X)`` returns: (batch,) for one output, else (batch, n_outputs).
The graph is read from the trace, not from the compiled steps, so the export shows the
graph as written (one ONNX node per scalar op; ``nn.export_onnx`` writes layers as
matrix products instead).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..onnx_graph import OnnxGraph, save_model
from ..value import Value
from .trace import Trace

__all__ = ["trace_to_onnx", "export_program"]

INPUT, OUTPUT, BATCH = "x", "y", "batch"


def _param_initializers(g: OnnxGraph, params: list[Value]) -> dict[int, str]:
    """An initializer per parameter, named by its label (``param.k`` when empty or repeated)."""
    labels = [p.label for p in params]
    names = {}
    for k, p in enumerate(params):
        name = p.label if p.label and labels.count(p.label) == 1 else f"param.{k}"
        while not g.claim(name):  # "x", or another parameter labelled "param.3"
            name += "_"
        g.initializers[name] = np.asarray(p.data, dtype=g.dtype)
        names[id(p)] = name
    return names


def trace_to_onnx(trace: Trace, dtype: str = "float64", name: str = "program") -> object:
    """The ``onnx.ModelProto`` computing ``trace``'s outputs for a batch of inputs."""
    g = OnnxGraph(dtype, reserved=(INPUT, OUTPUT))
    position = {id(x): i for i, x in enumerate(trace.inputs)}
    param_name = _param_initializers(g, trace.params)
    # name of each node's tensor, and whether it has the batch axis (a node reading no
    # input is one scalar for every sample, broadcast where it meets one that does)
    tensor: dict[int, tuple[str, bool]] = {}
    for node in trace.order:
        if node.inputs:
            operands = [tensor[id(x)] for x in node.inputs]
            out = g.lower(node.op_entry, [n for n, _ in operands])
            tensor[id(node)] = (out, any(batched for _, batched in operands))
        elif id(node) in position:
            index = g.const(position[id(node)], dtype="int64")
            tensor[id(node)] = (g.node("Gather", INPUT, index, axis=1), True)
        elif node.is_constant:
            tensor[id(node)] = (g.const(node.data), False)
        else:
            tensor[id(node)] = (param_name[id(node)], False)

    batch_shape = None
    columns = []
    for out in trace.outputs:
        name, batched = tensor[id(out)]
        if not batched:  # the same number for every sample: give it the batch axis
            if batch_shape is None:
                batch_shape = g.node("Slice", g.node("Shape", INPUT),
                                     g.const([0], dtype="int64"), g.const([1], dtype="int64"))
            name = g.node("Expand", name, batch_shape)
        columns.append(name)
    if len(columns) == 1:
        g.nodes.append(("Identity", columns, OUTPUT, {}))
        output_shape = [BATCH]
    else:
        axis = g.const([1], dtype="int64")
        g.nodes.append(("Concat", [g.node("Unsqueeze", c, axis) for c in columns], OUTPUT,
                        {"axis": 1}))
        output_shape = [BATCH, len(columns)]
    n_ops = sum(1 for node in trace.order if node.inputs)
    doc = (f"stepgrad program: {len(trace.inputs)} inputs (columns of x), "
           f"{len(trace.outputs)} outputs, {len(trace.params)} parameters, {n_ops} ops")
    return g.model([(INPUT, [BATCH, len(trace.inputs)])], [(OUTPUT, output_shape)],
                   name=name, doc=doc, metadata={"stepgrad.graph": doc})


def export_program(trace: Trace, path: str | os.PathLike, dtype: str = "float64",
                   name: str = "program") -> Path:
    """Write ``trace`` as an ONNX model to ``path`` (checked, atomically); returns the path."""
    return save_model(trace_to_onnx(trace, dtype, name), path)
