"""The clock every number of ``bench_compile.py`` is read from: CPU seconds."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

__all__ = ["clock", "timed"]

# CPU seconds of this process: time spent waiting for a core another job holds on this
# shared machine is not counted (every engine runs on one thread)
clock = time.process_time


def timed(fn: Callable[[], object]) -> float:
    """CPU seconds of one call of ``fn`` (after a garbage collection)."""
    gc.collect()
    start = clock()
    fn()
    return clock() - start
