"""Writing files atomically: a reader never sees half a file, a failed write keeps the old
one, and the file keeps its permissions (a symlink is written through).

Shared by model files (``nn.serialize``), ONNX exports and every drawing, page and plot
``viz`` writes.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

__all__ = ["write_atomic"]


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` survive a power cut (the folder's entry is data too)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # a platform (Windows) or file system that cannot open folders
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems refuse fsync on a folder: nothing more to do
        pass
    finally:
        os.close(fd)


def _create_temp(folder: Path, name: str) -> tuple[int, Path]:
    """A new empty file beside the target, created 0o666 minus the umask like any file."""
    while True:
        tmp = folder / f".{name}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue


def write_atomic(path: str | os.PathLike, data: bytes, *, durable: bool = False) -> Path:
    """Write ``data`` to ``path`` via a temp file in the same folder and ``os.replace``;
    returns the path.

    A symlink is written through (its target is replaced, the link stays); an existing
    file keeps its permission bits, a new one gets the umask's. ``durable`` also fsyncs
    the file and then its folder, so the new contents survive a power cut (model files).
    Any failure removes the temp file and names ``path``, not the temp file.
    """
    path = Path(path)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    if target.is_dir():  # os.replace would fail naming our temp file, not the user's path
        raise IsADirectoryError(f"cannot write {str(path)!r}: it is a folder; give a file name")
    folder = target.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"cannot write {str(path)!r}: folder {str(folder)!r} "
                                "does not exist")
    try:
        existing = os.stat(target).st_mode
    except FileNotFoundError:
        existing = None
    # Same folder: os.replace is atomic only within one file system.
    try:
        fd, tmp = _create_temp(folder, target.name)
    except OSError as exc:  # a read-only folder, /proc: name the user's path
        raise type(exc)(exc.errno, exc.strerror, str(path)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if existing is not None:
                os.fchmod(handle.fileno(), stat.S_IMODE(existing))
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.strerror is not None:
            raise type(exc)(exc.errno, exc.strerror, str(path)) from None
        raise
    if durable:
        _fsync_folder(folder)
    return path
