"""Running exported models in ONNX Runtime for the export tests (one thread: shared cores)."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort


def session(model) -> ort.InferenceSession:
    """An ONNX Runtime CPU session for a model file path or an ``onnx.ModelProto``."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    source = model.SerializeToString() if hasattr(model, "SerializeToString") else str(model)
    return ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])


def run(model, x, dtype=np.float64) -> list[np.ndarray]:
    """Every output of ``model`` for the input ``x``."""
    return session(model).run(None, {"x": np.asarray(x, dtype=dtype)})


def max_relative_error(found, expected, floor: float = 1e-300) -> float:
    """max |found − expected| / max(|expected|, floor): what the 1e-12 bar is checked on."""
    found, expected = np.asarray(found, float), np.asarray(expected, float)
    return float(np.max(np.abs(found - expected) / np.maximum(np.abs(expected), floor)))
