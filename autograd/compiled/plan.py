"""Lowering: from a traced graph to a list of steps over rows of one value matrix.

Three decisions, in this order:

1. *Dense layers.* A ``sum`` node whose summands include products ``w × x`` (``w`` a
   parameter, the product read by nothing else) is a neuron. Neurons reading the same
   operands ``x`` in the same order form a layer, computed as one matrix product with
   its weights laid out as a contiguous block of the parameter vector.
2. *Levels.* A node's level is one more than its deepest input's (leaves: 0). Every
   node of a level can be computed at once.
3. *Groups.* Nodes of one level and one op become one step; ``sum`` nodes become one
   segmented reduction. Each group's outputs get consecutive rows, in topological
   order, so the next group usually reads them as a slice (no copy).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..value import Value
from .analysis import GraphAnalysis
from .patterns import const_key
from .steps import Dense, Elementwise, Rows, SegmentSum
from .trace import Trace

__all__ = ["Plan", "lower"]


@dataclass
class Plan:
    """Everything a Program needs to run: steps, row layout and parameter layout."""

    steps: list
    n_rows: int
    n_inputs: int
    constants: list[tuple[int, float]]  # (row, value), written once per buffer
    loose_rows: np.ndarray  # rows holding parameters that element-wise steps read
    loose_params: np.ndarray  # their positions in theta
    output_rows: np.ndarray
    params: list[Value]  # in theta order
    nodes: list[Value]  # traced node of each row (None for the zero row), for errors
    # The first ``shared_steps`` steps read no input (an L2 term, say): they run on
    # column 0 only, then ``shared_rows`` (what later steps or outputs read) are copied
    # to every sample's column.
    shared_steps: int = 0
    shared_rows: np.ndarray | None = None
    # Rows from ``split`` on are only written and read by the shared steps (and, for
    # shared_rows, copied to every column): the rest of their columns needs no work.
    split: int | None = None


def lower(trace: Trace, wrt_inputs: bool = False) -> Plan:
    """The steps that replay ``trace`` on a batch, with row and parameter layouts."""
    b = GraphAnalysis(trace, wrt_inputs)
    level, needs, shared = b.levels(), b.needs_grad(), b.shared()
    groups = b.groups(level, shared)
    theta_order, in_theta, dense_blocks = _theta_layout(b, groups)

    # Parameters that some step reads as a row (not as a weight or bias block), and
    # those a per-sample step (or an output) reads: the others fill sample 0's column only.
    read_as_rows = {id(b.resolve(o)) for o in trace.outputs}
    read_per_sample = set(read_as_rows)
    for group in groups:
        ids: set[int] = set()
        if id(group[0]) in b.layer_of:
            layer = b.layer_of[id(group[0])][0]
            ids.update(id(b.resolve(x)) for x in layer.x)  # read by every sum of the layer
            if dense_blocks[id(group[0])][1] is None:
                for node in group:
                    ids.update(id(b.resolve(x)) for x in layer.rests[b.layer_of[id(node)][1]])
        else:
            for node in group:
                ids.update(id(b.resolve(x)) for x in b.operands(node))
        read_as_rows |= ids
        if id(group[0]) not in shared:  # a group is all shared or all per-sample
            read_per_sample |= ids

    # Rows: inputs, one row of zeros, constants, parameters per-sample steps read, the
    # per-sample groups; then, from ``split``, the rows only shared steps (which read no
    # input) write or read: their columns past the first are unused or copies.
    row: dict[int, int] = {id(x): i for i, x in enumerate(trace.inputs)}
    nodes: list = list(trace.inputs)
    zero_row = len(nodes)
    nodes.append(None)
    constants: list[tuple[int, float]] = [(zero_row, 0.0)]
    const_rows: dict[bytes, int] = {}
    for node in b.live:
        if node.is_constant and id(node) in read_as_rows:
            key = const_key(node.data)
            if key not in const_rows:
                const_rows[key] = len(nodes)
                constants.append((len(nodes), node.data))
                nodes.append(node)
            row[id(node)] = const_rows[key]
    # loose parameters in params order, as an L2 term's p × p reads them
    loose = [p for p in trace.params if id(p) in read_per_sample]
    loose_shared = [p for p in trace.params
                    if id(p) in read_as_rows and id(p) not in read_per_sample]
    shared_count = sum(1 for group in groups if id(group[0]) in shared)

    def place(nodes_: list[Value]) -> None:
        for node in nodes_:
            row[id(node)] = len(nodes)
            nodes.append(node)

    place(loose)
    for group in groups[shared_count:]:
        place(group)
    split = len(nodes)
    place(loose_shared)
    for group in groups[:shared_count]:
        place(group)
    loose += loose_shared
    for key, kept in b.same_as.items():
        row[key] = row[id(kept)]

    steps = []
    for group in groups:
        out = slice(row[id(group[0])], row[id(group[-1])] + 1)
        first = group[0]
        if id(first) in b.layer_of:
            steps.append(_dense_step(b, group, out, row, zero_row, needs, dense_blocks[id(first)]))
        elif id(first) in b.summands:
            segments = [[row[id(x)] for x in b.operands(s)] for s in group]
            grad = any(needs[id(x)] for s in group for x in b.operands(s))
            steps.append(SegmentSum(out, segments, grad, group, zero_row))
        else:
            steps.append(_elementwise_step(group, out, row, needs))

    loose_rows = np.array([row[id(p)] for p in loose], dtype=np.intp)
    loose_params = np.array([in_theta[id(p)] for p in loose], dtype=np.intp)
    output_rows = np.array([row[id(o)] for o in trace.outputs], dtype=np.intp)
    shared_steps = shared_count
    # Shared rows that per-sample steps or outputs read need every column filled.
    crossing = {id(b.resolve(o)) for o in trace.outputs}
    for group in groups[shared_steps:]:
        for node in group:
            crossing.update(id(b.resolve(x)) for x in b.operands(node))
    shared_rows = np.array(sorted({row[key] for key in crossing & shared}), dtype=np.intp)
    return Plan(steps, len(nodes), len(trace.inputs), constants, loose_rows, loose_params,
                output_rows, theta_order, nodes, shared_steps, shared_rows, split)


def _theta_layout(b: GraphAnalysis, groups: list[list[Value]]) -> tuple[list[Value], dict, dict]:
    """theta order: each dense step's weights as a row-major block, its biases, the rest."""
    in_theta: dict[int, int] = {}
    theta_order: list[Value] = []

    def place(ps: list[Value]) -> None:
        for p in ps:
            if id(p) not in in_theta:
                in_theta[id(p)] = len(theta_order)
                theta_order.append(p)

    weight_ids = {id(w) for layer in b.layers for r in layer.weights for w in r}
    dense_blocks: dict[int, tuple[slice, slice | None]] = {}
    for group in groups:
        if id(group[0]) not in b.layer_of:
            continue
        layer = b.layer_of[id(group[0])][0]
        start = len(theta_order)
        for s in group:
            place(layer.weights[b.layer_of[id(s)][1]])
        w_block = slice(start, len(theta_order))
        rests = [layer.rests[b.layer_of[id(s)][1]] for s in group]
        bias_block = None
        if all(len(r) == 1 and id(r[0]) in b.param_ids for r in rests):
            ids = [id(r[0]) for r in rests]
            if len(set(ids)) == len(ids) and not set(ids) & (weight_ids | set(in_theta)):
                start = len(theta_order)
                place([r[0] for r in rests])
                bias_block = slice(start, len(theta_order))
        dense_blocks[id(group[0])] = (w_block, bias_block)
    place(b.trace.params)
    return theta_order, in_theta, dense_blocks


def _elementwise_step(group: list[Value], out: slice, row: dict, needs: dict) -> Elementwise:
    op = group[0].op_entry
    args: list = []
    grad_positions = []
    for k in range(len(group[0].inputs)):
        column = [s.inputs[k] for s in group]
        values = {const_key(x.data) for x in column if x.is_constant}
        if all(x.is_constant for x in column) and len(values) == 1:
            args.append(column[0].data)  # one constant for all: broadcast a float
        else:
            args.append(Rows([row[id(x)] for x in column]))
            if any(needs[id(x)] for x in column):
                grad_positions.append(k)
    return Elementwise(op, out, args, grad_positions, group)


def _dense_step(b: GraphAnalysis, group: list[Value], out: slice, row: dict, zero_row: int,
                needs: dict, blocks: tuple[slice, slice | None]) -> Dense:
    layer = b.layer_of[id(group[0])][0]
    w_block, bias_block = blocks
    rests = [] if bias_block is not None else [layer.rests[b.layer_of[id(s)][1]] for s in group]
    width = max((len(r) for r in rests), default=0)
    rest_rows = None
    rest_grad = False
    if width:
        padded = [[row[id(x)] for x in r] + [zero_row] * (width - len(r)) for r in rests]
        rest_rows = Rows([k for r in padded for k in r])
        rest_grad = any(needs[id(x)] for r in rests for x in r)
    return Dense(
        out, Rows([row[id(x)] for x in layer.x]), w_block, (len(group), len(layer.x)),
        bias_block, rest_rows, width, any(needs[id(x)] for x in layer.x), rest_grad, group,
    )
