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
from ..value import Value
from .trace import Trace

__all__ = ["Layer", "product_term", "find_layers", "identity_operand", "const_key"]


@dataclass
class Layer:
    """Neurons sharing operands: one Dense step once split by level."""

    sums: list[Value]
    weights: list[list[Value]]  # weights[j][k] multiplies x[k] in sum j
    rests: list[list[Value]]
    x: tuple[Value, ...]


def product_term(m: Value, s: Value, readers: dict, params: set[int], outputs: set[int]):
    """(parameter, operand) if ``m`` is a product w × x read only by ``s``; else None."""
    if m.op_entry is not OPS["mul"] or id(m) in outputs or len(readers[m]) != 1:
        return None
    a, b = m.inputs
    if (id(a) in params) == (id(b) in params):
        return None  # p × p or x × y: not a weight times an operand
    return (a, b) if id(a) in params else (b, a)


def find_layers(trace: Trace, readers: dict, params: set[int]) -> list[Layer]:
    """Neurons grouped by shared operands; groups whose weights repeat are dropped."""
    outputs = {id(out) for out in trace.outputs}
    groups: dict[tuple, Layer] = {}
    for node in trace.order:
        if node.op_entry is not OPS["sum"]:
            continue
        weights, xs, rest = [], [], []
        for inp in node.inputs:
            term = product_term(inp, node, readers, params, outputs)
            if term is None:
                rest.append(inp)
            else:
                weights.append(term[0])
                xs.append(term[1])
        if not weights:
            continue
        key = tuple(id(x) for x in xs)
        layer = groups.setdefault(key, Layer([], [], [], tuple(xs)))
        layer.sums.append(node)
        layer.weights.append(weights)
        layer.rests.append(rest)
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
