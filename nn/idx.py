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
from typing import BinaryIO

import numpy as np

from .files import open_regular

__all__ = ["read_idx", "load_idx", "load_mnist", "IMAGES_MAGIC", "LABELS_MAGIC"]

IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801
_TYPE_NAMES = {0x08: "unsigned byte", 0x09: "signed byte", 0x0B: "short", 0x0C: "int",
               0x0D: "float", 0x0E: "double"}


# Deflate never expands more than 1032:1, so a gzip file can hold at most this many
# bytes per byte of file: a header promising more is refused before inflating anything.
_DEFLATE_RATIO = 1032
_CHUNK = 1 << 20


def _read_up_to(stream: BinaryIO, size: int) -> bytearray:
    """Up to ``size`` bytes (fewer only where the data ends), in bounded chunks: memory
    grows with the data actually there, not with what a header claims."""
    data = bytearray()
    while len(data) < size:
        part = stream.read(min(size - len(data), _CHUNK))
        if not part:
            break
        data += part
    return data


def _header(stream: BinaryIO, name: str, ndim: int) -> list[int]:
    """The dimensions an IDX header declares, every field checked."""
    head = _read_up_to(stream, 4)
    if len(head) < 4:
        raise ValueError(f"{name} is {len(head)} bytes long, too short for an IDX header "
                         "(4 bytes)")
    magic = int.from_bytes(head, "big")
    expected = 0x0800 | ndim
    if head[:2] != b"\0\0":
        raise ValueError(f"{name} has magic number 0x{magic:08X}, expected 0x{expected:08X} "
                         "(not an IDX file?)")
    if head[2] != 0x08:
        kind = _TYPE_NAMES.get(head[2], "unknown")
        raise ValueError(f"{name} stores data type 0x{head[2]:02X} ({kind}); only 0x08 "
                         f"(unsigned byte, as MNIST) is supported (magic 0x{magic:08X}, "
                         f"expected 0x{expected:08X})")
    if head[3] != ndim:
        raise ValueError(f"{name} has {head[3]} dimensions (magic 0x{magic:08X}), expected "
                         f"{ndim} (magic 0x{expected:08X})")
    sizes = _read_up_to(stream, 4 * ndim)
    if len(sizes) < 4 * ndim:
        raise ValueError(f"{name} is truncated inside its header: {4 + len(sizes)} bytes, the "
                         f"header of a {ndim}-dimensional IDX file takes {4 + 4 * ndim}")
    dims = [int.from_bytes(sizes[4 * i: 4 * i + 4], "big") for i in range(ndim)]
    if 0 in dims:
        raise ValueError(f"{name} declares an empty dimension: {' × '.join(map(str, dims))}")
    return dims


def read_idx(path: str | os.PathLike, ndim: int, what: str = "IDX") -> np.ndarray:
    """The unsigned-byte array stored in an IDX file (raw or gzip) with ``ndim`` dimensions.

    ValueError, saying what is wrong, for a bad magic number, type, dimension count,
    an empty dimension, data shorter or longer than the header promises, a device or
    pipe instead of a file. The header is read first and bounds everything after it:
    no more than the promised bytes (plus one, to notice extra data) are ever read or
    inflated, so a gzip bomb costs what its header says, not gigabytes.
    """
    name = f"{what} file {os.fspath(path)!r}"
    with open_regular(path, f"{what} file") as raw:
        size = os.fstat(raw.fileno()).st_size
        gzipped = raw.read(2) == b"\x1f\x8b"  # gzip's own magic: by content, not by name
        raw.seek(0)
        if not gzipped:
            return _read_body(raw, name, ndim, size)
        try:
            with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                return _read_body(stream, name, ndim, size, gzipped=True)
        except (OSError, EOFError, zlib.error) as exc:
            raise ValueError(f"{name} is a corrupt or truncated gzip: {exc}") from None


def _read_body(stream: BinaryIO, name: str, ndim: int, file_size: int,
               gzipped: bool = False) -> np.ndarray:
    """The header, then exactly the data it promises, as an array of its shape."""
    dims = _header(stream, name, ndim)
    header = 4 + 4 * ndim
    promised = math.prod(dims)  # exact: np.prod wraps at 2⁶⁴ (2²¹ × 2²¹ × 2²² "is" 0)
    shape = " × ".join(map(str, dims))

    def wrong(problem: str, has: str) -> ValueError:
        return ValueError(f"{name} is {problem}: header promises {promised} bytes ({shape}), "
                          f"{has}")

    if not gzipped:  # the file's size says it all before a byte of data is read
        body = file_size - header
        if body != promised:
            raise wrong("truncated" if body < promised else "longer than its header says",
                        f"file has {body}")
    elif promised > _DEFLATE_RATIO * file_size:
        raise wrong("truncated", f"a {file_size:,}-byte gzip file holds at most "
                                 f"{_DEFLATE_RATIO * file_size:,}")
    data = _read_up_to(stream, promised + 1)  # the extra byte: data past the promise
    if len(data) < promised:
        raise wrong("truncated", f"file has {len(data)}")
    if len(data) > promised:
        raise wrong("longer than its header says", "the data goes on past them")
    return np.frombuffer(data, dtype=np.uint8).reshape(dims)


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
