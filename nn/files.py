"""Writing files atomically: a reader never sees half a file, a failed write keeps the old one.

The writer lives in ``autograd.files`` (ONNX export of traced programs needs it there,
and imports point from autograd to nn); model files and every drawing use it from here.
"""

from autograd.files import write_atomic

__all__ = ["write_atomic"]
