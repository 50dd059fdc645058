"""The frames of one training pair, and what the inspector may show at each of them.

For a pair: (1) forward, one frame per computed node in topological order; (2) the
loss nodes the same way; (3) backward, one frame per node, layer by layer from the
loss, with the rule, upstream gradient, local derivative and product (an explicit sum
where a node feeds several others); (4) the update ``p ← p − lr·∂L/∂p`` of each
parameter, then a summary. Alongside, each node's facts (value, gradient, new value
and the lines explaining them) are kept with the frame they become known at, so the
page never shows a number before its frame, or one from another pair.
"""

from __future__ import annotations

from dataclasses import replace

from autograd import Value, consumers, no_grad

from . import captions
from .explain import Explainer
from .model import Frame, NodeFacts, Numbers, StepGraph
from .names import backward_order

__all__ = ["FrameRecorder", "MAX_LISTED"]

MAX_LISTED = 4  # parameters listed by name in a caption (two lines at 1024 px)


class FrameRecorder:
    """Appends the frames of each pair to one list, and keeps each pair's node facts."""

    def __init__(self, lang: str, precision: int) -> None:
        self.lang, self.precision = lang, precision
        self.say = Explainer(lang, precision)
        self.frames: list[Frame] = []
        self.facts: dict[int, dict[Value, NodeFacts]] = {}

    def add(self, graph: StepGraph, phase: str, caption: str, numbers: Numbers,
            node: Value | None = None, edges: tuple = (), **state) -> Frame:
        frame = Frame(len(self.frames), graph.step, phase, caption, graph, dict(numbers),
                      node, edges, **state)
        self.frames.append(frame)
        return frame

    def listed(self, graph: StepGraph, values: dict[str, float]) -> str:
        items = list(values.items())
        shown = ", ".join(f"{name} = {self.say.num(v)}" for name, v in items[:MAX_LISTED])
        return shown + (f", … ({len(items)})" if len(items) > MAX_LISTED else "")

    # --- facts -------------------------------------------------------------------

    def _facts_of(self, graph: StepGraph) -> dict[Value, NodeFacts]:
        facts = self.facts.setdefault(graph.step, {})
        if not facts:
            for node in graph.order:
                if node.is_constant:
                    continue
                role = ("loss" if node is graph.root else "param" if node in graph.params
                        else "target" if node in graph.targets else "input"
                        if node.is_leaf else "result")
                facts[node] = NodeFacts(graph.ids[node], graph.names[node],
                                        graph.full_names.get(node, graph.names[node]), role)
        return facts

    def _know(self, graph: StepGraph, node: Value, kind: str, line: str,
              value: tuple | None = None, grad: float | None = None,
              new: float | None = None) -> None:
        fact = self._facts_of(graph)[node]
        index = len(self.frames) - 1
        fact.lines.append((index, kind, line))
        if value is not None:
            fact.value = (index, self.say.num(value[0]))
        if grad is not None:
            fact.grad = (index, self.say.num(grad))
        if new is not None:
            fact.new = (index, self.say.num(new))

    # --- the four phases -------------------------------------------------------------

    def forward(self, graph: StepGraph, model_nodes: set[Value], numbers: Numbers,
                k: int, n: int, pair_text: str, source: str) -> None:
        t = self.say.t
        params = {graph.names[p]: p.data for p in graph.params if p in numbers}
        self.add(graph, "forward", t("start", k=k, n=n, pair=pair_text, source=source,
                                     params=self.listed(graph, params)), numbers)
        for node in graph.order:
            if node.is_constant:
                continue
            if node.is_leaf:
                role = ("leaf_param" if node in graph.params else "leaf_target"
                        if node in graph.targets else "leaf_input")
                self._know(graph, node, "forward",
                           t(role, name=graph.names[node], value=self.say.num(node.data)),
                           value=(node.data,))
        for node in graph.order:
            if node.is_leaf:
                continue
            numbers[node] = (node.data, None)
            phase = "forward" if node in model_nodes else "loss"
            equation = self.say.forward(graph, node)
            edges = tuple((node, i) for i, p in enumerate(node.inputs) if not p.is_constant)
            self.add(graph, phase, t("compute", phase=t(phase), equation=equation),
                     numbers, node, edges)
            self._know(graph, node, phase, equation, value=(node.data,))

    def backward(self, graph: StepGraph, numbers: Numbers, shortcut: str = "") -> tuple:
        """The backward frames; returns every edge the gradient crossed (the trail)."""
        t = self.say.t
        root = graph.root
        readers = consumers(graph.order)
        loss_name = graph.names[root]
        numbers[root] = (root.data, root.grad)
        self.add(graph, "backward", t("backward_start", L=loss_name) + shortcut,
                 numbers, root)
        self._know(graph, root, "backward", f"∂{loss_name}/∂{loss_name} = 1", grad=root.grad)
        trail: list[tuple[Value, int]] = []
        for node in backward_order(graph.order, graph.data_leaves):
            if node is root or node.is_constant:
                continue
            numbers[node] = (node.data, node.grad)
            uses = readers[node]
            said = self.say.chain(graph, node, uses, loss_name)
            caption, whole, answer = said.caption, said.full, said.answer
            if node in graph.data_leaves:
                note = t("not_learned_target" if node in graph.targets else "not_learned",
                         name=graph.names[node])
                caption, whole = caption + note, whole + note
                answer = replace(answer, question=answer.question + note,
                                 line=answer.line + note)
            self.add(graph, "backward", caption, numbers, node, tuple(uses),
                     trail=tuple(trail), answer=answer)
            self._know(graph, node, "backward", whole, grad=node.grad)
            trail.extend(uses)
        return tuple(trail)

    def update(self, graph: StepGraph, numbers: Numbers, lr: float, all_params: dict,
               trail: tuple) -> dict[Value, float]:
        """Move each parameter of this pair; returns {parameter: value before}."""
        loss_name = graph.names[graph.root]
        before: dict[Value, float] = {}
        stale = frozenset(n for n in graph.order if not n.is_leaf)
        for p in all_params:
            old, g = p.data, p.grad
            with no_grad():
                p.data = old - lr * g
            if p not in numbers:
                continue  # a parameter this pair's graph does not use: moves by 0·lr
            before[p] = old
            numbers[p] = (p.data, g)
            said = self.say.update(graph.names[p], old, lr, g, p.data, loss_name)
            self.add(graph, "update", said.caption, numbers, p, trail=trail,
                     before=dict(before), stale=stale, answer=said.answer)
            self._know(graph, p, "update", said.full, new=p.data)
        return before

    def done(self, graph: StepGraph, numbers: Numbers, k: int, after: dict[str, float],
             loss: float, before: dict[Value, float], trail: tuple) -> None:
        stale = frozenset(n for n in graph.order if not n.is_leaf)
        self.add(graph, "update",
                 self.say.t("done", k=k, params=self.listed(graph, after),
                            L=graph.names[graph.root], loss=self.say.num(loss)),
                 numbers, trail=trail, before=dict(before), stale=stale)



def pair_source(lang: str, step: int, article_pairs: int) -> str:
    """Where pair ``step`` comes from: the article, generated, or the user's own."""
    if article_pairs < 0:
        return captions.text(lang, "source_given")
    key = "source_article" if step < article_pairs else "source_generated"
    return captions.text(lang, key)
