"""What a walkthrough is made of: one graph per training pair, frames that show its state."""

from __future__ import annotations

from dataclasses import dataclass, field

from autograd import Value

__all__ = ["StepGraph", "Frame", "StepRecord", "Numbers"]

Numbers = dict[Value, tuple[float | None, float | None]]


@dataclass(eq=False)
class StepGraph:
    """The graph of one training pair: its nodes in topological order and their names."""

    step: int
    root: Value
    order: list[Value]
    ids: dict[Value, str]  # "v0", "v1", … as viz.draw numbers them
    names: dict[Value, str]  # what captions call each node: "w", "y", "w × x"
    params: dict[Value, str]  # the model's parameters (their nodes are shared by all steps)
    data_leaves: set[Value] = field(default_factory=set)  # x and t: data, not learned


@dataclass(eq=False)
class Frame:
    """One picture of the walkthrough: a phase, a caption and the graph's state at that moment.

    ``numbers`` maps every node to the (data, grad) shown now; ``None`` means not computed
    yet (drawn faded). ``node`` is the highlighted node, ``edges`` the highlighted
    (consumer, input position) edges.
    """

    index: int
    step: int
    phase: str  # "forward" | "loss" | "backward" | "update"
    caption: str
    graph: StepGraph
    numbers: Numbers
    node: Value | None = None
    edges: tuple[tuple[Value, int], ...] = ()

    @property
    def node_id(self) -> str | None:
        """The highlighted node's id in the drawing (``v3``), or None."""
        return None if self.node is None else self.graph.ids[self.node]


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
