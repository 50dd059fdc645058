"""Recording a walkthrough: train pair by pair, keep frames for the first pairs and the
numbers of every pair.

The numbers are the engine's own: ``L.backward()`` runs for real, captions read
``.grad`` and ``local_grads()``, so nothing here can disagree with autograd. The
first ``detail`` pairs are recorded frame by frame (see ``recorder``); later pairs
keep only their numbers (loss, parameters, gradients) for the trajectory, so a
walkthrough of hundreds of pairs stays light.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import autograd
from autograd import Value, no_grad, topo_order
from nn.data import is_sequence

from ..draw import parameter_names
from ..escape import printable
from ..numbers import format_number
from . import captions
from .model import Frame, NodeFacts, Numbers, StepGraph, StepRecord
from .names import name_nodes, short_parameter_names
from .recorder import FrameRecorder, pair_source

__all__ = ["record", "Recording", "article_model", "default_pairs", "DivergedError",
           "MAX_NODES", "ARTICLE_PAIRS"]

# Every frame draws the whole graph and there is a frame per node: beyond a few hundred
# nodes the page would take hours to render and no learner could follow it.
MAX_NODES = 400
ARTICLE_PAIRS = 2  # (0, 1) and (1, 2.9) are the article's; the rest are generated


class DivergedError(ValueError):
    """Training blew up (a value overflowed or became nan): the learning rate or the
    starting values are too large for the data."""


def default_pairs(n: int) -> list[tuple[list[float], float]]:
    """The article's pairs (0, 1), (1, 2.9), then noisy pairs near y = 2x + 1 (seeded)."""
    from nn.datasets import linear_pairs

    return linear_pairs(n, seed=0)


class article_model:  # noqa: N801 - used like a function: article_model(w, b)(x)
    """y = w·x + b with w and b as Values labelled ``w`` and ``b`` (the deepin example)."""

    def __init__(self, w: float, b: float) -> None:
        self.w, self.b = Value(w, "w"), Value(b, "b")

    def named_parameters(self) -> list[tuple[str, Value]]:
        """[("w", w), ("b", b)]."""
        return [("w", self.w), ("b", self.b)]

    def __call__(self, x: Value | list[Value]) -> Value:
        if isinstance(x, list):
            if len(x) != 1:
                raise ValueError(f"y = w·x + b takes one input, got {len(x)}")
            x = x[0]
        return self.w * x + self.b


@dataclass
class Recording:
    """What ``record`` returns: the frames, one record per pair, the parameters by name,
    and per detailed pair the facts of each node (for the inspector and node table)."""

    frames: list[Frame]
    records: list[StepRecord]
    params: dict[Value, str]
    facts: dict[int, list[NodeFacts]]
    full_names: dict[Value, str]


def distinct_names(names: dict[Value, str]) -> dict[Value, str]:
    """Each parameter's name, printable and unique: ``w``, ``w#2``; an empty one ``p<i>``.

    The per-step records and the table are keyed by name, so two parameters both
    labelled ``w`` (or both unlabelled) would otherwise show as one.
    """
    out: dict[Value, str] = {}
    used: set[str] = set()
    for i, (p, name) in enumerate(names.items()):
        # printable, one line: parameter names reach the one-line-per-frame transcript
        base = " ".join(printable(name).split()) or f"p{i}"
        unique, k = base, 2
        while unique in used:
            unique, k = f"{base}#{k}", k + 1
        used.add(unique)
        out[p] = unique
    return out


def _is_number(item: object) -> bool:
    return isinstance(item, numbers.Real) and not isinstance(item, bool)


def _numbers_of(item: object, what: str) -> tuple[float, ...]:
    if _is_number(item):
        values = (float(item),)
    elif is_sequence(item) and len(item) > 0:
        values = tuple(item)
    else:
        raise ValueError(f"{what} must be a number or a non-empty list of numbers, got {item!r}")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
            raise ValueError(f"{what} must hold finite numbers, got {item!r}")
    return tuple(float(v) for v in values)


def _leaves(values: tuple[float, ...], name: str) -> list[Value]:
    """x (one input) or x1, x2, … counted from 1, as the layers and neurons are."""
    if len(values) == 1:
        return [Value(values[0], name)]
    return [Value(v, f"{name}{i + 1}") for i, v in enumerate(values)]


def half_squared_error(y: Value | list[Value], t: list[Value]) -> Value:
    """L = (y − t)²/2, summed over the outputs: the article's loss, t drawn as a node."""
    ys = y if isinstance(y, list | tuple) else [y]
    if len(ys) != len(t):
        raise ValueError(f"the model gives {len(ys)} outputs but the target has {len(t)}")
    terms = [(yi - ti) ** 2 for yi, ti in zip(ys, t, strict=True)]
    return (terms[0] if len(terms) == 1 else autograd.sum(terms)) / 2


def _diverged(step: int, n: int, lr: float, values: dict[str, float], what: str) -> DivergedError:
    shown = ", ".join(f"{name} = {v:.3g}" for name, v in list(values.items())[:4])
    return DivergedError(
        f"training diverged at pair {step + 1} of {n} ({what}; {shown}): the learning rate "
        f"lr = {lr:g} or the starting values are too large for this data (the article uses "
        "lr = 0.01, w = 0.5, b = 0.6)")


def record(model: Callable, pairs: Sequence, *, lr: float, loss: Callable | None,
           node_loss: Callable | None, lang: str, precision: int, params: object = None,
           detail: int, article_pairs: int = -1, max_frames: int,
           shortcut: bool = False) -> Recording:
    """Train ``model`` on ``pairs`` one at a time; frames for the first ``detail`` pairs.

    ``loss(y, t)`` gets the target as numbers; ``node_loss(y, t)`` (built-in examples)
    as Value nodes, drawn; neither: the article's (y − t)²/2.
    """
    given = parameter_names(params if params is not None else
                            (model if hasattr(model, "named_parameters") else None))
    full_names = {p: printable(name) for p, name in given.items()}
    param_names = distinct_names(short_parameter_names(given))
    recorder = FrameRecorder(lang, precision)
    records: list[StepRecord] = []
    for step, pair in enumerate(pairs):
        try:
            records.append(_train_pair(
                model, loss, node_loss or half_squared_error, step, pair, len(pairs), lr,
                precision, lang, recorder, param_names, full_names,
                detailed=step < detail, article_pairs=article_pairs, shortcut=shortcut))
        except (OverflowError, FloatingPointError):
            values = {name: p.data for p, name in param_names.items()}
            raise _diverged(step, len(pairs), lr, values, "a value overflowed") from None
        values = {name: p.data for p, name in param_names.items()}
        if not math.isfinite(records[-1].loss) or not all(map(math.isfinite, values.values())):
            raise _diverged(step, len(pairs), lr, values, "a value is no longer finite")
        if len(recorder.frames) > max_frames:
            raise ValueError(
                f"the walkthrough would draw more than {max_frames:,} frames "
                f"({len(recorder.frames):,} after {step + 1} pairs of {len(pairs)}): every "
                "frame is a picture, and a page "
                "of more cannot be rendered in reasonable time or opened smoothly; use "
                "detail=N (--detail N) for fewer pairs frame by frame, or a smaller model")
    facts = {step: list(by_node.values()) for step, by_node in recorder.facts.items()}
    return Recording(recorder.frames, records, param_names, facts, full_names)


def _train_pair(model: Callable, loss: Callable | None, node_loss: Callable, step: int,
                pair: object, n: int, lr: float, precision: int, lang: str,
                recorder: FrameRecorder, param_names: dict[Value, str],
                full_names: dict[Value, str], *, detailed: bool, article_pairs: int,
                shortcut: bool) -> StepRecord:
    if not isinstance(pair, Sequence) or len(pair) != 2:
        raise ValueError(f"pair {step} must be (x, t), got {pair!r}")
    xs = _numbers_of(pair[0], f"pair {step}: x")
    ts = _numbers_of(pair[1], f"pair {step}: t")
    x_leaves = _leaves(xs, "x")
    # A number gives the model a Value, a list gives it a list (nn modules want lists).
    y = model(x_leaves[0] if _is_number(pair[0]) else x_leaves)
    outputs = list(y) if isinstance(y, list | tuple) else [y]
    for i, out in enumerate(outputs):
        if not isinstance(out, Value):
            raise TypeError(f"the model must return a Value or a list of Values, "
                            f"got {out!r} ({type(out).__name__})")
        if not out.label and not out.is_leaf:
            out.label = "y" if len(outputs) == 1 else f"y{i + 1}"
    if loss is None:
        t_leaves = _leaves(ts, "t")
        L = node_loss(y, t_leaves)
    else:
        t_leaves = []
        L = loss(y, ts[0] if _is_number(pair[1]) else list(ts))
        if not isinstance(L, Value):
            raise TypeError(f"loss must return a Value, got {L!r} ({type(L).__name__})")
    if not L.label:
        L.label = "L"
    order = topo_order(L)
    if len(order) > MAX_NODES:
        raise ValueError(
            f"the walkthrough draws every node of every frame, and pair {step}'s graph "
            f"has {len(order):,} nodes (at most {MAX_NODES}): use a smaller model, or "
            "viz.draw(loss, params=model) for one collapsed picture of the big one"
        )
    if not param_names:  # a plain function: its own leaves are the parameters
        data = set(x_leaves) | set(t_leaves)
        found = distinct_names({n: n.label or f"p{i}" for i, n in enumerate(order)
                                if n.is_leaf and not n.is_constant and n not in data})
        param_names.update(found)
    in_graph = set(order)
    step_params = {p: name for p, name in param_names.items() if p in in_graph}
    autograd.zero_grad([n for n in order if n.is_leaf])
    # Every leaf, not only the parameters: a leaf the user holds outside params
    # would otherwise show this pair's gradient plus the last one's in its caption.
    if not detailed:
        L.backward()
        return _update_only(step, xs, ts, L, param_names, lr)
    graph = StepGraph(step, L, order, {node: f"v{i}" for i, node in enumerate(order)},
                      {}, step_params, set(x_leaves) | set(t_leaves), set(t_leaves),
                      {p: full_names.get(p, name) for p, name in step_params.items()})
    graph.names.update(name_nodes(order, step_params, precision))
    model_nodes: set[Value] = set()
    for out in outputs:
        model_nodes.update(topo_order(out))
    numbers: Numbers = {node: ((node.data, None) if node.is_leaf else (None, None))
                        for node in order}
    # .get: a model may ignore its input, leaving x out of the graph
    pair_text = ", ".join(f"{graph.names.get(v, v.label)} = {recorder.say.num(v.data)}"
                          for v in x_leaves + t_leaves)
    if not t_leaves:  # a user loss got plain numbers as its target
        pair_text += ", t = " + ", ".join(recorder.say.num(v) for v in ts)
    recorder.forward(graph, model_nodes, numbers, step + 1, n, pair_text,
                     pair_source(lang, step, article_pairs))
    L.backward()
    graph.locals.update(local_derivatives(order))
    note = _shortcut(lang, precision, L, outputs, t_leaves, graph) if shortcut else ""
    trail = recorder.backward(graph, numbers, note)
    before_values = {name: p.data for p, name in param_names.items()}
    grads = {name: p.grad for p, name in param_names.items()}
    before = recorder.update(graph, numbers, lr, param_names, trail)
    after = {name: p.data for p, name in param_names.items()}
    recorder.done(graph, numbers, step + 1, after, L.data, before, trail)
    autograd.zero_grad(param_names)
    return StepRecord(step, xs, ts, L.data, before_values, grads, after)


def local_derivatives(order: list[Value]) -> dict[tuple[Value, int], float | None]:
    """∂node/∂input for every edge at the current numbers; None where undefined."""
    out: dict[tuple[Value, int], float | None] = {}
    for node in order:
        if node.is_leaf:
            continue
        try:
            grads = node.local_grads()
        except (ArithmeticError, ValueError):  # √ at 0: the drawing says "?" instead
            grads = [None] * len(node.inputs)
        for position, local in enumerate(grads):
            out[(node, position)] = local
    return out


def _update_only(step: int, xs: tuple, ts: tuple, L: Value, param_names: dict[Value, str],
                 lr: float) -> StepRecord:
    """A pair with numbers and no frames: backward has run; move the parameters."""
    before = {name: p.data for p, name in param_names.items()}
    grads = {name: p.grad for p, name in param_names.items()}
    with no_grad():
        for p in param_names:
            p.data -= lr * p.grad
    autograd.zero_grad(param_names)
    after = {name: p.data for p, name in param_names.items()}
    return StepRecord(step, xs, ts, L.data, before, grads, after, detailed=False)


def _shortcut(lang: str, precision: int, L: Value, outputs: list[Value],
              t_leaves: list[Value], graph: StepGraph) -> str:
    """The article's note at the loss: for L = (y − t)²/2, ∂L/∂y = y − t."""
    (y,), (t,) = outputs, t_leaves
    names = graph.names
    return captions.text(lang, "shortcut", L=names[L], y=names[y], t=names[t],
                         value=format_number(y.data - t.data, precision))
