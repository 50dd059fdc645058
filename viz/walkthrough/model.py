"""What a walkthrough is made of: one graph per training pair, frames that show its state."""

from __future__ import annotations

from dataclasses import dataclass, field

from autograd import Value

__all__ = ["StepGraph", "Frame", "StepRecord", "Numbers", "Answer", "NodeFacts"]

Numbers = dict[Value, tuple[float | None, float | None]]
Edge = tuple[Value, int]  # (consumer, input position): the edge from consumer.inputs[position]


@dataclass(eq=False)
class StepGraph:
    """The graph of one training pair: its nodes in topological order and their names."""

    step: int
    root: Value
    order: list[Value]
    ids: dict[Value, str]  # "v0", "v1", … in topological order
    names: dict[Value, str]  # what captions call each node: "w", "y", "w × x", "h1.2"
    params: dict[Value, str]  # the model's parameters (their nodes are shared by all steps)
    data_leaves: set[Value] = field(default_factory=set)  # x and t: data, not learned
    targets: set[Value] = field(default_factory=set)  # t alone, when the loss draws it
    full_names: dict[Value, str] = field(default_factory=dict)  # "layers.0.neurons.1.w.0"
    # ∂node/∂input at this pair's numbers, kept before the update moves the parameters
    # (None where undefined: √ at 0). Edge labels read these, never the live Values.
    locals: dict[Edge, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    """The number a frame computes, for predict-then-reveal: the caption without it, and
    the texts that show it (so the page can hide them until the learner has guessed)."""

    value: float
    text: str  # as the page prints it: "−1.796"
    question: str  # the caption with the answer replaced by "?"
    cells: tuple[str, ...]  # graph cell texts that show it: ("grad −1.796",)
    line: str = ""  # the inspector's line (no phase in front) with "?" for the answer
    # numbers a rounded guess must not also match (an update's old value, and the
    # value a wrong sign gives): 0.60 is not accepted for 0.604 when w was 0.6
    near: tuple[float, ...] = ()


@dataclass(eq=False)
class Frame:
    """One picture of the walkthrough: a phase, a caption and the graph's state at that moment.

    ``numbers`` maps every node to the (data, grad) shown now; ``None`` means not computed
    yet (drawn faded). ``node`` is the highlighted node, ``edges`` the highlighted
    (consumer, input position) edges, ``trail`` the backward edges already traversed in
    this pair (drawn as gradient edges), ``before`` each parameter's value before this
    pair's update (shown as old → new), ``stale`` the nodes computed with those old values.
    """

    index: int
    step: int
    phase: str  # "forward" | "loss" | "backward" | "update"
    caption: str
    graph: StepGraph
    numbers: Numbers
    node: Value | None = None
    edges: tuple[Edge, ...] = ()
    trail: tuple[Edge, ...] = ()
    before: dict[Value, float] = field(default_factory=dict)
    stale: frozenset[Value] = frozenset()
    answer: Answer | None = None

    @property
    def node_id(self) -> str | None:
        """The highlighted node's id in the drawing (``v3``), or None."""
        return None if self.node is None else self.graph.ids[self.node]


@dataclass
class NodeFacts:
    """What the inspector and the node table know of one node in one pair, and from which
    frame on: its value, gradient and (parameters) new value, and the lines that explain
    each. The page shows a fact only from its frame on, so nothing comes from the future."""

    id: str
    name: str
    full: str
    role: str  # "param" | "input" | "target" | "result" | "loss"
    lines: list[tuple[int, str, str]] = field(default_factory=list)  # (frame, kind, text)
    value: tuple[int, str] | None = None  # (frame, text)
    grad: tuple[int, str] | None = None
    new: tuple[int, str] | None = None


@dataclass
class StepRecord:
    """One row of the per-step table: the pair, the loss, the parameters after the update."""

    step: int
    x: tuple[float, ...]
    t: tuple[float, ...]
    loss: float
    before: dict[str, float]
    grads: dict[str, float]
    after: dict[str, float]
    detailed: bool = True  # False: numbers only, no frames (the long tail of --steps 181)
