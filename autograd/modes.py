"""Per-thread switches: whether ops record the graph, whether to hunt for NaN/inf.

Each thread has its own switches (as in PyTorch): one thread inside ``no_grad()``
cannot stop another thread's ops from recording. The op fast path must stay cheap, so
it does not read the per-thread switches at all: it reads ``state.changed``, the number
of mode blocks open in any thread. While that is 0 every thread has the defaults
(recording on, anomaly detection off); otherwise ops take the slow path, which reads
this thread's own switches.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

__all__ = ["AnomalyError", "no_grad", "enable_grad", "is_grad_enabled", "detect_anomaly",
           "is_anomaly_enabled", "state", "local"]


class _Shared:
    __slots__ = ("changed",)

    def __init__(self) -> None:
        self.changed = 0  # mode blocks open in all threads together


class _PerThread(threading.local):
    def __init__(self) -> None:  # runs once in every thread that reads it: the defaults
        self.grad_enabled = True
        self.anomaly = False


state = _Shared()
local = _PerThread()
_count_lock = threading.Lock()  # += on an attribute is not atomic across threads


class AnomalyError(FloatingPointError):
    """A forward result or a gradient became NaN or infinite under ``detect_anomaly``."""


@contextmanager
def _switched(name: str, value: bool) -> Iterator[None]:
    """Set this thread's switch ``name`` to ``value`` inside the block, then restore it."""
    with _count_lock:  # counted first: from here on this thread's ops take the slow path
        state.changed += 1
    previous = getattr(local, name)
    setattr(local, name, value)
    try:
        yield
    finally:
        setattr(local, name, previous)
        with _count_lock:
            state.changed -= 1


def no_grad() -> AbstractContextManager[None]:
    """Inside, op results record no inputs: they are leaves (optimizer steps, inference).

    Affects the calling thread only.
    """
    return _switched("grad_enabled", False)


def enable_grad() -> AbstractContextManager[None]:
    """Inside, ops record the graph again, even within ``no_grad`` (this thread only)."""
    return _switched("grad_enabled", True)


def is_grad_enabled() -> bool:
    """True when op results record their inputs in the calling thread."""
    return local.grad_enabled


def detect_anomaly() -> AbstractContextManager[None]:
    """Inside, raise ``AnomalyError`` as soon as a forward result or gradient is NaN or inf.

    The error names the op and its inputs. Off by default because it checks every
    number. Affects the calling thread only.
    """
    return _switched("anomaly", True)


def is_anomaly_enabled() -> bool:
    """True inside ``detect_anomaly()`` in the calling thread."""
    return local.anomaly
