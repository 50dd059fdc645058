"""Writing files atomically: a reader never sees half a file, a failed write keeps the old one.

Shared by model files (``nn.serialize``), ONNX exports and every drawing, page and plot
``viz`` writes.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_atomic"]


def write_atomic(path: str | os.PathLike, data: bytes, *, durable: bool = False) -> Path:
    """Write ``data`` to ``path`` via a temp file in the same folder and ``os.replace``;
    returns the path. ``durable`` also fsyncs, so the file survives a power cut (model files).
    """
    path = Path(path)
    if path.is_dir():  # os.replace would fail naming our temp file, not the user's path
        raise IsADirectoryError(f"cannot write {str(path)!r}: it is a folder; give a file name")
    folder = path.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"cannot write {str(path)!r}: folder {str(folder)!r} "
                                "does not exist")
    # Same folder: os.replace is atomic only within one file system.
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0o600; a saved file should read like any other
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
