"""Reading MNIST's IDX files (raw or gzip), checking every header field.

IDX layout: two zero bytes, a type byte (0x08 = unsigned byte), the number of
dimensions, then each dimension as a big-endian uint32, then the data row-major.
Images files have magic 0x00000803 (count × rows × cols), labels 0x00000801 (count).
"""

from __future__ import annotations

import gzip
import math
import os
import zlib
from pathlib import Path

import numpy as np

__all__ = ["read_idx", "load_idx", "load_mnist", "IMAGES_MAGIC", "LABELS_MAGIC"]

IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801
_TYPE_NAMES = {0x08: "unsigned byte", 0x09: "signed byte", 0x0B: "short", 0x0C: "int",
               0x0D: "float", 0x0E: "double"}


def _read_bytes(path: str | os.PathLike) -> bytes:
    raw = Path(path).read_bytes()
    if raw[:2] != b"\x1f\x8b":  # gzip's own magic: decide by content, not by file name
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"IDX file {os.fspath(path)!r} is a corrupt or truncated gzip: "
                         f"{exc}") from None


def read_idx(path: str | os.PathLike, ndim: int, what: str = "IDX") -> np.ndarray:
    """The unsigned-byte array stored in an IDX file with ``ndim`` dimensions.

    ValueError, saying what is wrong, for a bad magic number, type, dimension count,
    an empty dimension, or data shorter or longer than the header promises.
    """
    name = f"{what} file {os.fspath(path)!r}"
    data = _read_bytes(path)
    if len(data) < 4:
        raise ValueError(f"{name} is {len(data)} bytes long, too short for an IDX header (4 bytes)")
    magic = int.from_bytes(data[:4], "big")
    expected = 0x0800 | ndim
    if data[:2] != b"\0\0":
        raise ValueError(f"{name} has magic number 0x{magic:08X}, expected 0x{expected:08X} "
                         "(not an IDX file?)")
    if data[2] != 0x08:
        kind = _TYPE_NAMES.get(data[2], "unknown")
        raise ValueError(f"{name} stores data type 0x{data[2]:02X} ({kind}); only 0x08 "
                         f"(unsigned byte, as MNIST) is supported (magic 0x{magic:08X}, "
                         f"expected 0x{expected:08X})")
    if data[3] != ndim:
        raise ValueError(f"{name} has {data[3]} dimensions (magic 0x{magic:08X}), expected "
                         f"{ndim} (magic 0x{expected:08X})")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{name} is truncated inside its header: {len(data)} bytes, the "
                         f"header of a {ndim}-dimensional IDX file takes {header}")
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    if 0 in dims:
        raise ValueError(f"{name} declares an empty dimension: {' × '.join(map(str, dims))}")
    promised = math.prod(dims)  # exact: np.prod wraps at 2⁶⁴ (2²¹ × 2²¹ × 2²² "is" 0)
    body = len(data) - header
    if body != promised:
        problem = "truncated" if body < promised else "longer than its header says"
        raise ValueError(f"{name} is {problem}: header promises {promised} bytes "
                         f"({' × '.join(map(str, dims))}), file has {body}")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


def load_idx(
    images_path: str | os.PathLike, labels_path: str | os.PathLike, limit: int | None = None,
) -> list[tuple[np.ndarray, int]]:
    """(pixels, label) pairs from an MNIST images/labels IDX pair, pixels scaled to [0, 1].

    Each pixels entry is a flat float32 numpy row (28·28 = 784 values for MNIST): a
    sequence of numbers like any other input, but a 60,000-image file would need
    ~1.5 GB as Python floats. ``limit`` keeps the first ``limit`` images.
    """
    images = read_idx(images_path, 3, "images")
    labels = read_idx(labels_path, 1, "labels")
    if len(images) != len(labels):
        raise ValueError(f"images file {os.fspath(images_path)!r} holds {len(images)} images "
                         f"but labels file {os.fspath(labels_path)!r} holds {len(labels)} labels")
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"limit must be a positive int or None, got {limit!r}")
        images, labels = images[:limit], labels[:limit]
    pixels = images.reshape(len(images), -1).astype(np.float32) / np.float32(255.0)
    return [(row, int(label)) for row, label in zip(pixels, labels, strict=True)]


_NAMES = {"train": ("train-images", "train-labels"), "test": ("t10k-images", "t10k-labels")}


def _find(directory: Path, stem: str, kind: str) -> Path:
    candidates = [directory / f"{stem}{sep}{kind}-ubyte{gz}"
                  for sep in ("-", ".") for gz in ("", ".gz")]
    for path in candidates:
        if path.is_file():
            return path
    raise FileNotFoundError(f"no {stem} file in {os.fspath(directory)!r}; looked for "
                            f"{', '.join(p.name for p in candidates)}")


def load_mnist(
    directory: str | os.PathLike, split: str = "train", limit: int | None = None,
) -> list[tuple[np.ndarray, int]]:
    """``load_idx`` on the standard MNIST file names in ``directory`` (split train or test)."""
    if split not in _NAMES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    folder = Path(directory)
    images, labels = _NAMES[split]
    return load_idx(_find(folder, images, "idx3"), _find(folder, labels, "idx1"), limit)
