"""Patterns the lowering recognises in a traced graph: dense layers and identities.

A *layer* is a set of ``sum`` nodes (neurons) whose summands include products
``w × x`` of a parameter and an operand, every neuron reading the same operands in the
same order: it becomes one matrix product. An *identity* is a node equal to one of
its operands bit for bit (``x − 0.0``, ``x × 1.0``, ``x ÷ 1.0``): it costs nothing.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from ..ops import OPS
from ..value import _MANY, Value
from .trace import Trace

__all__ = [
    "Layer", "Readers", "add_chains", "product_term", "find_layers", "identity_operand",
    "const_key",
]

_ADD, _MUL = OPS["add"], OPS["mul"]


class Readers:
    """How many times each node is read (``x*x`` reads x twice) and which node reads it
    first: all the patterns need of ``graph.consumers``, counted in one pass over the
    nodes' slots (a 784-input MLP has 91,000 nodes and is lowered once per fit)."""

    __slots__ = ("count", "first")

    def __init__(self, order: list[Value]) -> None:
        count: dict[Value, int] = {}  # keyed by the nodes themselves: identity hashes
        first: dict[Value, Value] = {}
        for node in order:
            a = node._a
            if a is None:
                continue
            b = node._b
            for x in a if b is _MANY else (a,) if b is None else (a, b):
                if x in count:
                    count[x] += 1
                else:
                    count[x] = 1
                    first[x] = node
        self.count = count
        self.first = first

    def only(self, node: Value) -> Value | None:
        """The one node reading ``node`` once, or None."""
        return self.first[node] if self.count.get(node) == 1 else None


@dataclass
class Layer:
    """Neurons sharing operands: one Dense step once split by level."""

    sums: list[Value]
    weights: list[list[Value]]  # weights[j][k] multiplies x[k] in sum j
    rests: list[list[Value]]
    x: tuple[Value, ...]
    products: list[int]  # ids of the w × x nodes the matrix product replaces


def add_chains(order: list[Value], readers: Readers, outputs: set[int]
               ) -> tuple[dict, set[int]]:
    """Left-nested chains of adds, ((a + b) + c) + d, as (summands of each chain's last
    add, ids of the adds inside chains).

    micrograd's ``sum(products, bias)`` builds such chains. Summing the list left to right
    gives the chain's numbers bit for bit, and the chain can then be lowered like an
    n-ary ``sum`` (a neuron, a layer). An add inside a chain must be read only by the
    next add, as its left operand, and not be an output.
    """
    summands: dict[int, list[Value]] = {}
    inside: set[int] = set()
    count = readers.count
    for node in order:
        if node._op is not _ADD or node._a is None:
            continue
        left, right = node._a, node._b
        if id(left) in summands and id(left) not in outputs and count[left] == 1:
            summands[id(node)] = summands.pop(id(left)) + [right]
            inside.add(id(left))
        else:
            summands[id(node)] = [left, right]
    chains = {key: terms for key, terms in summands.items() if len(terms) > 2}
    return chains, inside


def product_term(m: Value, s: Value, readers: Readers, params: set[int], outputs: set[int],
                 chain_of: dict[int, int] | None = None):
    """(parameter, operand) if ``m`` is a product w × x read only by ``s``; else None.

    ``chain_of`` maps adds inside a chain to the chain's last add: a product read by
    one of them counts as read by the chain.
    """
    if m._op is not _MUL or m._a is None or id(m) in outputs:
        return None
    reader = readers.only(m)
    if reader is None:
        return None
    reader = id(reader)
    if (chain_of or {}).get(reader, reader) != id(s):
        return None
    a, b = m._a, m._b
    a_is_param = id(a) in params
    if a_is_param == (id(b) in params):
        return None  # p × p or x × y: not a weight times an operand
    return (a, b) if a_is_param else (b, a)


def find_layers(trace: Trace, readers: Readers, params: set[int], summands: dict[int, list],
                chain_of: dict[int, int]) -> list[Layer]:
    """Neurons grouped by shared operands; groups whose weights repeat are dropped.

    ``summands`` holds the terms of every n-ary ``sum`` node and add chain.
    """
    outputs = {id(out) for out in trace.outputs}
    groups: dict[tuple, Layer] = {}
    for node in trace.order:
        terms = summands.get(id(node))
        if terms is None:
            continue
        weights, xs, rest, products = [], [], [], []
        for inp in terms:
            term = product_term(inp, node, readers, params, outputs, chain_of)
            if term is None:
                rest.append(inp)
            else:
                weights.append(term[0])
                xs.append(term[1])
                products.append(id(inp))
        if not weights:
            continue
        key = tuple(map(id, xs))
        layer = groups.setdefault(key, Layer([], [], [], tuple(xs), []))
        layer.sums.append(node)
        layer.weights.append(weights)
        layer.rests.append(rest)
        layer.products += products
    layers, used = [], set()
    for layer in groups.values():
        ids = [id(w) for row in layer.weights for w in row]
        # A weight must own one place in theta: shared weights stay element-wise.
        if len(set(ids)) == len(ids) and used.isdisjoint(ids):
            used.update(ids)
            layers.append(layer)
    return layers


def identity_operand(node: Value) -> Value | None:
    """The operand that ``node`` equals exactly (x − 0.0, x × 1.0, 1.0 × x, x ÷ 1.0), or None."""
    op, inputs = node.op_entry, node.inputs
    if len(inputs) != 2:
        return None
    a, b = inputs

    def is_constant(x: Value, value: float) -> bool:
        return x.is_constant and const_key(x.data) == const_key(value)

    if op is OPS["sub"] and is_constant(b, 0.0):
        return a
    if op is OPS["mul"] and is_constant(b, 1.0):
        return a
    if op is OPS["mul"] and is_constant(a, 1.0):
        return b
    if op is OPS["div"] and is_constant(b, 1.0):
        return a
    return None


def const_key(x: float) -> bytes:
    """The float's 8 bytes: a key that tells −0.0 from 0.0 and matches nan to itself."""
    return struct.pack("<d", x)
