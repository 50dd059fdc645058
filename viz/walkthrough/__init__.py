"""The step-by-step backprop walkthrough: frames, transcript, HTML page, SVG frames.

>>> import viz
>>> wt = viz.walkthrough(steps=2)              # the article's y = w·x + b example
>>> print(wt.transcript().splitlines()[-1])    # step 2: L, then w and b after the update
2     1.61281  0.51796  0.62196
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from autograd import Value

from .captions import LANGS
from .frames import frame_digraph, write_frame_files
from .model import Frame, StepGraph, StepRecord
from .record import default_pairs, record
from .text import transcript

__all__ = ["walkthrough", "Walkthrough", "Frame", "StepGraph", "StepRecord"]

DEFAULT_STEPS = 6  # the article's two pairs, then four more near y = 2x + 1


class Walkthrough:
    """Recorded frames of training steps, and the ways to show them.

    ``frames``: every frame (phase, caption, highlighted node, graph state);
    ``records``: one row per training pair (loss, parameters before/after, gradients).
    """

    def __init__(self, frames: list[Frame], records: list[StepRecord],
                 params: dict[Value, str], lang: str, precision: int) -> None:
        self.frames = frames
        self.records = records
        self.params = params
        self.lang = lang
        self.precision = precision

    def __len__(self) -> int:
        return len(self.frames)

    def __repr__(self) -> str:
        return (f"Walkthrough({len(self.records)} steps, {len(self.frames)} frames, "
                f"lang={self.lang!r})")

    def transcript(self) -> str:
        """Plain text: one numbered line per frame, then the parameters after each step."""
        return transcript(self.frames, self.records, self.lang, self.precision)

    def digraph(self, index: int):
        """Frame ``index`` (0-based) as a ``graphviz.Digraph`` (Jupyter shows it inline)."""
        return frame_digraph(self.frames[self._index(index)], precision=self.precision)

    def write_frames(self, directory: str | os.PathLike) -> list[Path]:
        """Numbered SVG files, one per frame with its caption; returns their paths."""
        return write_frame_files(self.frames, directory, precision=self.precision)

    def write_html(self, path: str | os.PathLike) -> Path:
        """ONE self-contained HTML page (inline SVG, CSS, JS; no network); returns its path."""
        from .page import write_page

        return write_page(self, Path(path))

    def _index(self, index: int) -> int:
        if type(index) is not int or not -len(self.frames) <= index < len(self.frames):
            raise IndexError(f"frame index must be an int below {len(self.frames)}, "
                             f"got {index!r}")
        return index % len(self.frames)


def _real(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) \
            or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def walkthrough(
    model: Callable | None = None,
    *,
    pairs: Sequence | None = None,
    w: float = 0.5,
    b: float = 0.6,
    lr: float = 0.01,
    steps: int | None = None,
    loss: Callable | None = None,
    lang: str = "en",
    params: object = None,
    precision: int = 6,
) -> Walkthrough:
    """Train one pair at a time and record every forward, loss, backward and update frame.

    Default: the deepin article's ``y = w·x + b`` with w = 0.5, b = 0.6, lr = 0.01 on the
    pairs (0, 1), (1, 2.9), then noisy pairs near y = 2x + 1 (``nn.datasets.linear_pairs``,
    seed 0); ``L = (y − t)²/2``. After two steps w = 0.51796, b = 0.62196.

    ``model``: any callable from x (a Value, or a list of Values for several inputs) to a
    Value or list of Values: an ``nn`` MLP, or a function of your own Values (its leaves
    that are not x, t or constants are taken as the parameters, or pass ``params``).
    ``loss(y, t)`` gets the model output and the target as numbers (``nn.losses`` fit);
    by default ``(y − t)²/2`` with t drawn as a node. ``steps`` caps the pairs used
    (default: all given pairs, or 6 of the article's stream). ``lang``: "en" or "zh".
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
    lr = _real(lr, "lr")
    if lr < 0:  # a negative rate climbs the loss: never what a walkthrough should teach
        raise ValueError(f"lr must be ≥ 0, got {lr!r}")
    w, b = _real(w, "w"), _real(b, "b")
    if model is not None and not callable(model):
        raise TypeError(f"model must be callable (x -> Value), got {model!r}")
    if loss is not None and not callable(loss):
        raise TypeError(f"loss must be callable (y, t) -> Value, got {loss!r}")
    if steps is not None and (type(steps) is not int or steps < 1):
        raise ValueError(f"steps must be a positive int, got {steps!r}")
    if type(precision) is not int or not 1 <= precision <= 17:
        raise ValueError(f"precision is a number of significant digits 1..17, got {precision!r}")
    if pairs is None:
        if model is not None:
            raise ValueError("a custom model needs its training pairs: pairs=[(x, t), …]")
        pairs = default_pairs(steps or DEFAULT_STEPS)
    else:
        if isinstance(pairs, str | bytes) or not hasattr(pairs, "__iter__"):
            raise TypeError(f"pairs must be a list of (x, t) pairs, got {pairs!r}")
        pairs = list(pairs)  # a generator is fine: it is read once, here
        if not pairs:
            raise ValueError("pairs is empty: give at least one (x, t) pair")
        if steps is not None:
            if steps > len(pairs):
                raise ValueError(f"steps={steps} but only {len(pairs)} pairs were given")
            pairs = pairs[:steps]
    frames, records, param_names = record(model, pairs, w=w, b=b, lr=lr, loss=loss,
                                          lang=lang, precision=precision, params=params)
    return Walkthrough(frames, records, param_names, lang, precision)
