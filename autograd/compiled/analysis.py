"""Analysing a traced graph before lowering: layers, chains, identities, levels, flags.

A big graph (a 784-input MLP has 91,000 nodes) is mostly products ``w × x`` that a
matrix product replaces; the passes here visit those once, then only the nodes that get
rows of their own and the leaves they read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from ..ops import OPS
from ..value import Value
from .patterns import (
    Layer,
    Readers,
    add_chains,
    const_key,
    find_layers,
    identity_operand,
)
from .trace import Trace

__all__ = ["GraphAnalysis"]


class GraphAnalysis:
    """What lowering needs to know about a traced graph, found in a few passes.

    Chains of adds and n-ary sums (``summands``), dense layers (``layers``, ``layer_of``),
    nodes folded away (``elided``), nodes sharing another's row (``same_as``: identities
    and repeats), and per node its level, whether it needs a gradient, and whether it
    reads no input (``shared``).
    """

    def __init__(self, trace: Trace, wrt_inputs: bool) -> None:
        self.trace = trace
        self.wrt_inputs = wrt_inputs
        order = trace.order
        readers = Readers(order)
        self.param_ids = {id(p): k for k, p in enumerate(trace.params)}
        params, outputs = set(self.param_ids), {id(o) for o in trace.outputs}
        # n-ary sums and chains of adds, both summed as one segment (or a matrix product)
        self.summands, inside = add_chains(order, readers, outputs)
        sum_op = OPS["sum"]
        self.summands.update((id(n), list(n.inputs)) for n in order if n._op is sum_op)
        chain_of: dict[int, int] = {}
        for node in order:
            if id(node) in inside:  # the next add reads it: follow to the chain's end
                chain_of[id(node)] = id(readers.first[node])
        for key in reversed(list(chain_of)):
            chain_of[key] = chain_of.get(chain_of[key], chain_of[key])
        self.layers = find_layers(trace, readers, params, self.summands, chain_of)
        self.layer_of: dict[int, tuple[Layer, int]] = {}
        self.elided: set[int] = set(inside)  # folded into a chain or a matrix product
        for layer in self.layers:
            self.elided.update(layer.products)
            for j, s in enumerate(layer.sums):
                self.layer_of[id(s)] = (layer, j)
        # The op nodes that get rows (not folded away), in topological order: a big
        # graph is mostly products folded into matrix products.
        self.ops = [n for n in order if n._a is not None and id(n) not in self.elided]
        # x − 0, x × 1, x ÷ 1 give x bit for bit (the softmax shift on rows already
        # shifted): such a node shares its operand's row instead of costing a step. So
        # does a node repeating an earlier one (same op, same operands: a loss written
        # once per class recomputes the same exponentials), its gradient summed there.
        self.same_as: dict[int, Value] = {}
        first: dict[tuple, Value] = {}
        for node in self.ops:
            if id(node) not in self.layer_of:
                kept = identity_operand(node)
                if kept is not None:
                    self.same_as[id(node)] = self.same_as.get(id(kept), kept)
                    continue
                key = (id(node.op_entry), *map(self._canonical, self.operands(node)))
                kept = first.setdefault(key, node)
                if kept is not node:
                    self.same_as[id(node)] = kept
        # what the passes below visit: those op nodes, and the leaves they read
        read = {id(x) for node in self.ops for x in self.operands(node)}
        read.update(id(o) for o in trace.outputs)
        self.live = [n for n in order if (n._a is None and id(n) in read)
                     or (n._a is not None and id(n) not in self.elided)]

    def _canonical(self, node: Value) -> object:
        """What identifies an operand's value: its row holder, or a constant's bits."""
        if node.is_constant:
            return const_key(node.data)
        return id(self.resolve(node))

    def resolve(self, node: Value) -> Value:
        """The node whose row holds ``node``'s value (itself unless it is an identity)."""
        return self.same_as.get(id(node), node)

    def operands(self, node: Value) -> list[Value]:
        """What a node reads once products are folded: a layer's x and rest, else inputs."""
        if id(node) in self.layer_of:
            layer, j = self.layer_of[id(node)]
            return list(layer.x) + layer.rests[j]
        if id(node) in self.summands:
            return self.summands[id(node)]
        return list(node.inputs)

    def levels(self) -> dict[int, int]:
        level: dict[int, int] = {}
        for node in self.live:
            if node.is_leaf:
                level[id(node)] = 0
            elif id(node) in self.same_as:
                level[id(node)] = level[id(self.resolve(node))]
            else:
                level[id(node)] = 1 + max(level[id(x)] for x in self.operands(node))
        return level

    def _flows(self, at_leaf: Callable[[Value], bool],
               at_op: Callable[[Value], bool] = lambda node: False) -> dict[int, bool]:
        """A flag per node: ``at_leaf`` at leaves, else ``at_op`` or any operand's flag."""
        flag: dict[int, bool] = {}
        for node in self.live:
            if id(node) in self.same_as:
                flag[id(node)] = flag[id(self.resolve(node))]
            elif node.is_leaf:
                flag[id(node)] = at_leaf(node)
            else:
                flag[id(node)] = at_op(node) or any(flag[id(x)] for x in self.operands(node))
        return flag

    def needs_grad(self) -> dict[int, bool]:
        inputs = {id(x) for x in self.trace.inputs}
        return self._flows(
            lambda leaf: id(leaf) in self.param_ids or (self.wrt_inputs and id(leaf) in inputs),
            lambda node: id(node) in self.layer_of,
        )

    def shared(self) -> set[int]:
        """Op nodes that read no input, directly or not: the same for every sample."""
        inputs = {id(x) for x in self.trace.inputs}
        varies = self._flows(lambda leaf: id(leaf) in inputs)
        return {
            id(node) for node in self.ops  # op nodes with rows of their own
            if id(node) not in self.same_as and not varies[id(node)]
        }

    def groups(self, level: dict[int, int], shared: set[int]) -> list[list[Value]]:
        """Op nodes grouped by (level, op, arity) or (level, layer), in execution order.

        Groups of shared nodes come first: they depend on nothing else.
        """
        grouped: dict[tuple, list[Value]] = defaultdict(list)
        for node in self.ops:
            if id(node) in self.same_as:
                continue
            if id(node) in self.layer_of:
                kind = ("dense", id(self.layer_of[id(node)][0]))
            elif id(node) in self.summands:
                kind = ("sum",)
            else:
                kind = ("op", node.op_entry.name, len(node.inputs))
            grouped[(id(node) not in shared, level[id(node)], *kind)].append(node)
        # dicts keep insertion order, so ties in level keep topological order
        return [grouped[key] for key in sorted(grouped, key=lambda k: k[:2])]
