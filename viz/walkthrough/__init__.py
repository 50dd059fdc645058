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

from .about import About, describe
from .captions import LANGS
from .examples import EXAMPLES, build_example
from .frames import frame_digraph, write_frame_files
from .model import Frame, NodeFacts, StepGraph, StepRecord
from .record import ARTICLE_PAIRS, DivergedError, default_pairs, record
from .text import transcript

__all__ = ["walkthrough", "Walkthrough", "Frame", "StepGraph", "StepRecord", "DivergedError",
           "MAX_STEPS", "MAX_FRAMES", "DEFAULT_DETAIL"]

DEFAULT_STEPS = 6  # the article's two pairs, then four more near y = 2x + 1
DEFAULT_DETAIL = 6  # pairs recorded frame by frame; later ones keep their numbers only
# Bounds that keep a walkthrough within memory and a page a browser opens: every pair
# keeps a row of numbers (about 1 KB), every detailed frame a picture (~15 KB of SVG).
MAX_STEPS = 10_000
MAX_FRAMES = 2_000


class Walkthrough:
    """Recorded frames of training steps, and the ways to show them.

    ``frames``: every frame (phase, caption, highlighted node, graph state);
    ``records``: one row per training pair (loss, parameters before/after, gradients);
    ``facts``: per detailed pair, what each node's inspector shows and from which frame;
    ``about``: what the header says (model, loss, lr, start, goal, where the pairs come from).
    """

    def __init__(self, frames: list[Frame], records: list[StepRecord],
                 params: dict[Value, str], lang: str, precision: int,
                 facts: dict[int, list[NodeFacts]] | None = None,
                 about: About | None = None,
                 full_names: dict[Value, str] | None = None) -> None:
        self.frames = frames
        self.records = records
        self.params = params
        self.lang = lang
        self.precision = precision
        self.facts = facts or {}
        self.about = about or About(lines=())
        self.full_names = full_names or {}

    def __len__(self) -> int:
        return len(self.frames)

    def size_text(self) -> str:
        """``6 steps, 108 frames`` (``1 step``): for the repr and the notebook frame's title."""
        steps = len(self.records)
        return f"{steps} step{'s' * (steps != 1)}, {len(self.frames)} frames"

    def __repr__(self) -> str:
        return f"Walkthrough({self.size_text()}, lang={self.lang!r})"

    def _repr_html_(self) -> str:
        """Jupyter shows the interactive page itself, in a sandboxed frame (see .notebook)."""
        from .notebook import notebook_html

        return notebook_html(self)

    def transcript(self) -> str:
        """Plain text: one numbered line per frame, then the parameters after each pair."""
        return transcript(self.frames, self.records, self.lang, self.precision,
                          self.about.lines)

    def digraph(self, index: int):
        """Frame ``index`` (0-based) as a ``graphviz.Digraph`` (Jupyter shows it inline)."""
        return frame_digraph(self.frames, self._index(index), lang=self.lang,
                             precision=self.precision)

    def write_frames(self, directory: str | os.PathLike) -> list[Path]:
        """Numbered SVG files, one per frame with its caption; returns their paths."""
        return write_frame_files(self.frames, directory, lang=self.lang,
                                 precision=self.precision)

    def write_html(self, path: str | os.PathLike, *, quiz: bool = False) -> Path:
        """ONE self-contained HTML page (inline SVG, CSS, JS; no network); returns its path.

        ``quiz=True`` opens it in predict-then-reveal mode (a toggle on the page too).
        """
        from .page import write_page

        return write_page(self, Path(path), quiz=quiz)

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


def _count(value: object, name: str, most: int) -> int:
    if type(value) is not int or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    if value > most:
        raise ValueError(
            f"{name}={value:,} is more than a walkthrough keeps (at most {most:,}: every "
            "pair keeps its numbers for the trajectory, and the page must still open in a "
            "browser); train with nn.fit for longer runs")
    return value


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
    detail: int | None = None,
    example: str = "article",
    weight_decay: float = 0.1,
) -> Walkthrough:
    """Train one pair at a time and record every forward, loss, backward and update frame.

    Default: the deepin article's ``y = w·x + b`` with w = 0.5, b = 0.6, lr = 0.01 on the
    pairs (0, 1), (1, 2.9), then noisy pairs near y = 2x + 1 (``nn.datasets.linear_pairs``,
    seed 0); ``L = (y − t)²/2``. After two steps w = 0.51796, b = 0.62196.
    ``example="l2"`` adds weight decay, ``L = (y − t)²/2 + λ·(w² + b²)/2`` with
    λ = ``weight_decay``, so w and b each feed two nodes and their gradient is a sum.

    ``model``: any callable from x (a Value, or a list of Values for several inputs) to a
    Value or list of Values: an ``nn`` MLP, or a function of your own Values (its leaves
    that are not x, t or constants are taken as the parameters, or pass ``params``).
    ``loss(y, t)`` gets the model output and the target as numbers (``nn.losses`` fit);
    by default ``(y − t)²/2`` with t drawn as a node. ``steps`` caps the pairs used
    (default: all given pairs, or 6 of the article's stream; at most ``MAX_STEPS``).
    The first ``detail`` pairs (default 6) are recorded frame by frame, the others keep
    their numbers only (the trajectory). ``lang``: "en" or "zh".
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
    if example not in EXAMPLES:
        raise ValueError(f"example must be one of {', '.join(EXAMPLES)}, got {example!r}")
    if steps is not None:
        _count(steps, "steps", MAX_STEPS)
    detail = DEFAULT_DETAIL if detail is None else _count(detail, "detail", MAX_STEPS)
    if type(precision) is not int or not 1 <= precision <= 17:
        raise ValueError(f"precision is a number of significant digits 1..17, got {precision!r}")
    builtin = model is None
    if builtin:
        model, node_loss = build_example(example, w, b, _real(weight_decay, "weight_decay"))
    elif example != "article":
        raise ValueError(f"example={example!r} is a built-in model: leave model out to use it")
    else:
        node_loss = None
    article_pairs = -1
    if pairs is None:
        if not builtin:
            raise ValueError("a custom model needs its training pairs: pairs=[(x, t), …]")
        pairs = default_pairs(steps or DEFAULT_STEPS)
        article_pairs = ARTICLE_PAIRS
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
        _count(len(pairs), "the number of pairs", MAX_STEPS)
    rec = record(model, pairs, lr=lr, loss=loss, node_loss=node_loss, lang=lang,
                 precision=precision, params=params, detail=detail,
                 article_pairs=article_pairs, max_frames=MAX_FRAMES,
                 shortcut=builtin and example == "article")
    about = describe(lang, model=None if builtin else model, example=example, loss=loss,
                     lr=lr, pairs=pairs, article_pairs=article_pairs, records=rec.records,
                     detail=detail, weight_decay=weight_decay, precision=precision)
    return Walkthrough(rec.frames, rec.records, rec.params, lang, precision, rec.facts,
                       about, rec.full_names)
