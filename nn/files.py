"""Files in and out: reads that refuse devices and cap their size, and the atomic writer.

Reading: ``/dev/zero``, a pipe or a folder is refused by name before a byte is read, and
nothing reads more than its caller's limit (model files, IDX files). The writer lives in
``autograd.files`` (ONNX export of traced programs needs it there, and imports point from
autograd to nn); model files and every drawing use it from here.
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

from autograd.files import write_atomic

__all__ = ["write_atomic", "open_regular", "read_capped"]

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a pipe"),
          (stat.S_ISSOCK, "a socket"))


def open_regular(path: str | os.PathLike, what: str) -> BinaryIO:
    """``path`` opened for binary reading; ValueError naming ``what`` and the path when it is
    a folder, a device (``/dev/zero``), a pipe or a socket rather than a regular file."""
    # O_NONBLOCK: opening a named pipe must not wait for a writer before we can refuse it.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
            raise ValueError(f"{what} {os.fspath(path)!r} is {kind}, not a regular file")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_capped(path: str | os.PathLike, limit: int, what: str, hint: str = "") -> bytes:
    """The bytes of the regular file ``path``; ValueError if it holds more than ``limit``."""
    with open_regular(path, what) as handle:
        too_big = os.fstat(handle.fileno()).st_size > limit
        data = b"" if too_big else handle.read(limit + 1)  # +1: a file that grew meanwhile
    if too_big or len(data) > limit:
        raise ValueError(f"{what} {os.fspath(path)!r} is larger than {limit:,} bytes, the "
                         f"limit{hint}")
    return data
