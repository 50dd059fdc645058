"""Process-wide switches: whether ops record the graph, whether to hunt for NaN/inf."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class _State:
    __slots__ = ("grad_enabled", "anomaly")

    def __init__(self) -> None:
        self.grad_enabled = True
        self.anomaly = False


state = _State()


class AnomalyError(FloatingPointError):
    """A forward result or a gradient became NaN or infinite under ``detect_anomaly``."""


@contextmanager
def no_grad() -> Iterator[None]:
    """Inside, op results record no inputs: they are leaves (optimizer steps, inference).

    The switch is process-wide, not per thread.
    """
    previous = state.grad_enabled
    state.grad_enabled = False
    try:
        yield
    finally:
        state.grad_enabled = previous


@contextmanager
def enable_grad() -> Iterator[None]:
    """Inside, ops record the graph again, even within ``no_grad``."""
    previous = state.grad_enabled
    state.grad_enabled = True
    try:
        yield
    finally:
        state.grad_enabled = previous


def is_grad_enabled() -> bool:
    """True when op results record their inputs."""
    return state.grad_enabled


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Inside, raise ``AnomalyError`` as soon as a forward result or gradient is NaN or inf.

    The error names the op and its inputs. Off by default because it checks every number.
    """
    previous = state.anomaly
    state.anomaly = True
    try:
        yield
    finally:
        state.anomaly = previous
