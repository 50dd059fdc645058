"""Recording a walkthrough: train pair by pair and keep a frame for every small event.

For each pair: (1) forward, one frame per computed node in topological order; (2) the
loss nodes the same way; (3) backward, one frame per node in reverse order with the
op-table rule, upstream gradient, local derivative and product (an explicit sum where a
node feeds several others); (4) the update ``p ← p − lr·∂L/∂p`` of each parameter.
The numbers are the engine's own: ``L.backward()`` runs for real, captions read
``.grad`` and ``local_grads()``, so nothing here can disagree with autograd.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence

import autograd
from autograd import Value, consumers, no_grad, topo_order
from nn.data import is_sequence

from ..draw import parameter_names
from ..escape import printable
from ..numbers import format_factor, format_number
from . import captions
from .model import Frame, Numbers, StepGraph, StepRecord
from .names import expression, name_nodes, number_operands, wrap

__all__ = ["record", "article_model", "default_pairs"]

MAX_LISTED = 6  # parameters listed by name in a caption
# Every frame draws the whole graph and there is a frame per node: beyond a few hundred
# nodes the page would take hours to render and no learner could follow it.
MAX_NODES = 400


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


def distinct_names(names: dict[Value, str]) -> dict[Value, str]:
    """Each parameter's name, printable and unique: ``w``, ``w#2``; an empty one ``p<i>``.

    The per-step records and the table are keyed by name, so two parameters both
    labelled ``w`` (or both unlabelled) would otherwise show as one.
    """
    out: dict[Value, str] = {}
    used: set[str] = set()
    for i, (p, name) in enumerate(names.items()):
        # printable: parameter names reach the terminal transcript raw
        base = printable(name) or f"p{i}"
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
    if len(values) == 1:
        return [Value(values[0], name)]
    return [Value(v, f"{name}.{i}") for i, v in enumerate(values)]


def _half_squared_error(y: Value | list[Value], t: list[Value]) -> Value:
    ys = y if isinstance(y, list | tuple) else [y]
    if len(ys) != len(t):
        raise ValueError(f"the model gives {len(ys)} outputs but the target has {len(t)}")
    terms = [(yi - ti) ** 2 for yi, ti in zip(ys, t, strict=True)]
    return (terms[0] if len(terms) == 1 else autograd.sum(terms)) / 2


class _Recorder:
    def __init__(self, lang: str, precision: int) -> None:
        self.lang, self.precision = lang, precision
        self.frames: list[Frame] = []

    def num(self, x: float | None) -> str:
        return format_number(x, self.precision)

    def factor(self, x: float) -> str:
        return format_factor(x, self.precision)

    def add(self, graph: StepGraph, phase: str, caption: str, numbers: Numbers,
            node: Value | None = None, edges: tuple = ()) -> None:
        self.frames.append(Frame(len(self.frames), graph.step, phase, caption, graph,
                                 dict(numbers), node, edges))

    def forward_frames(self, graph: StepGraph, model_nodes: set[Value], numbers: Numbers,
                       k: int, n: int, pair_text: str) -> None:
        t = captions.text
        known = [p for p in graph.params if p in numbers]
        shown = ", ".join(f"{graph.names[p]} = {self.num(p.data)}" for p in known[:MAX_LISTED])
        if len(known) > MAX_LISTED:
            shown += f", … ({len(known)})"
        self.add(graph, "forward", t(self.lang, "start", k=k, n=n, pair=pair_text,
                                     params=shown), numbers)
        for node in graph.order:
            if node.is_leaf:
                continue
            numbers[node] = (node.data, None)
            phase = "forward" if node in model_nodes else "loss"
            self.add(graph, phase, t(self.lang, "compute", phase=t(self.lang, phase),
                                     equation=self.forward_equation(graph, node)),
                     numbers, node)

    def forward_equation(self, graph: StepGraph, node: Value) -> str:
        symbolic = expression(node, [wrap(graph.names[p]) for p in node.inputs])
        numeric = expression(node, number_operands(node, self.precision))
        name = graph.names[node]
        head = symbolic if name == symbolic else f"{name} = {symbolic}"
        return f"{head} = {numeric} = {self.num(node.data)}"

    def backward_frames(self, graph: StepGraph, numbers: Numbers) -> None:
        t = captions.text
        root = graph.root
        readers = consumers(graph.order)
        loss_name = graph.names[root]
        numbers[root] = (root.data, root.grad)
        self.add(graph, "backward", t(self.lang, "backward_start", L=loss_name), numbers, root)
        for node in reversed(graph.order):
            if node is root or node.is_constant:
                continue
            numbers[node] = (node.data, node.grad)
            uses = readers[node]
            caption = self.chain_rule(graph, node, uses, loss_name)
            if node in graph.data_leaves:
                caption += t(self.lang, "not_learned", name=graph.names[node])
            self.add(graph, "backward", caption, numbers, node, tuple(uses))

    def chain_rule(self, graph: StepGraph, node: Value, uses: list[tuple[Value, int]],
                   loss_name: str) -> str:
        """∂L/∂a = Σ ∂L/∂c · ∂c/∂a over the consumers c, with the numbers and the rules."""
        def d(of: str, by: str) -> str:
            return f"∂{wrap(of)}/∂{wrap(by)}"

        name = graph.names[node]
        symbols, products, rules = [], [], []
        for consumer, position in uses:
            local = consumer.local_grads()[position]
            symbols.append(f"{d(loss_name, graph.names[consumer])} · "
                           f"{d(graph.names[consumer], name)}")
            products.append((consumer.grad, local))
            rule = consumer.op_entry.rule(position)
            if rule not in rules:
                rules.append(rule)
        if len(products) == 1:
            (upstream, local), = products
            numeric = f"{self.num(upstream)} × {self.factor(local)}"
        else:
            numeric = " + ".join(f"({self.num(g)} × {self.factor(x)})" for g, x in products)
        equation = (f"{d(loss_name, name)} = {' + '.join(symbols)} = {numeric} = "
                    f"{self.num(node.grad)}")
        key = "backward_one" if len(uses) == 1 else "backward_sum"
        return captions.text(self.lang, key, chain=captions.text(self.lang, "chain_rule"),
                             equation=equation, rule="; ".join(rules), count=len(uses),
                             name=name)

    def update_frames(self, graph: StepGraph, numbers: Numbers, lr: float,
                      loss_name: str) -> None:
        t = captions.text
        for p, name in graph.params.items():
            old, g = p.data, p.grad
            with no_grad():
                p.data = old - lr * g
            if p in numbers:
                numbers[p] = (p.data, g)
            equation = (f"{name} ← {name} − lr · ∂{loss_name}/∂{name} = {self.num(old)} − "
                        f"{self.num(lr)} × {self.factor(g)} = {self.num(p.data)}")
            self.add(graph, "update", t(self.lang, "update_one",
                                        lr_name=t(self.lang, "learning_rate"),
                                        lr=self.num(lr), equation=equation),
                     numbers, p if p in numbers else None)


def record(model: Callable | None, pairs: Sequence, *, w: float, b: float, lr: float,
           loss: Callable | None, lang: str, precision: int,
           params: object = None) -> tuple[list[Frame], list[StepRecord], dict[Value, str]]:
    """Train on ``pairs`` one at a time and return (frames, per-step records, parameters)."""
    if model is None:
        model = article_model(w, b)
    given = parameter_names(params if params is not None else
                            (model if hasattr(model, "named_parameters") else None))
    param_names = distinct_names(given)
    recorder = _Recorder(lang, precision)
    records: list[StepRecord] = []
    for step, pair in enumerate(pairs):
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
                out.label = "y" if len(outputs) == 1 else f"y{i}"
        if loss is None:
            t_leaves = _leaves(ts, "t")
            L = _half_squared_error(y, t_leaves)
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
        names_of_params = dict(param_names)
        if not names_of_params:  # a plain function: its own leaves are the parameters
            data = set(x_leaves) | set(t_leaves)
            names_of_params = distinct_names({
                n: n.label or f"p{i}" for i, n in enumerate(order)
                if n.is_leaf and not n.is_constant and n not in data})
            param_names.update(names_of_params)
        step_params = {p: name for p, name in names_of_params.items() if p in set(order)}
        graph = StepGraph(step, L, order, {n: f"v{i}" for i, n in enumerate(order)},
                          {}, step_params, set(x_leaves) | set(t_leaves))
        graph.names.update(name_nodes(order, step_params, precision))
        model_nodes: set[Value] = set()
        for out in outputs:
            model_nodes.update(topo_order(out))

        numbers: Numbers = {n: ((n.data, None) if n.is_leaf else (None, None)) for n in order}
        # .get: a model may ignore its input, leaving x out of the graph
        pair_text = ", ".join(f"{graph.names.get(v, v.label)} = {recorder.num(v.data)}"
                              for v in x_leaves + t_leaves)
        if not t_leaves:  # a user loss got plain numbers as its target
            pair_text += ", t = " + ", ".join(recorder.num(v) for v in ts)
        recorder.forward_frames(graph, model_nodes, numbers, step + 1, len(pairs), pair_text)
        # Every leaf, not only the parameters: a leaf the user holds outside params
        # would otherwise show this pair's gradient plus the last one's in its caption.
        autograd.zero_grad([n for n in order if n.is_leaf])
        L.backward()
        recorder.backward_frames(graph, numbers)
        before = {name: p.data for p, name in param_names.items()}
        grads = {name: p.grad for p, name in param_names.items()}
        recorder.update_frames(graph, numbers, lr, graph.names[L])
        after = {name: p.data for p, name in param_names.items()}
        records.append(StepRecord(step, xs, ts, L.data, before, grads, after))
        shown = ", ".join(f"{name} = {recorder.num(value)}" for name, value in
                          list(after.items())[:MAX_LISTED])
        if len(after) > MAX_LISTED:
            shown += f", … ({len(after)})"
        recorder.add(graph, "update", captions.text(lang, "done", k=step + 1, params=shown,
                                                     L=graph.names[L],
                                                     loss=recorder.num(L.data)), numbers)
        autograd.zero_grad(param_names)
    return recorder.frames, records, param_names
