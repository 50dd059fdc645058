"""Large graphs drawn small: a neuron or layer becomes one box, or depth bands do.

Graphviz ``dot`` needs ~1 s for 2,000 record nodes and minutes for 10,000, and a picture
that big is unreadable anyway. Above ``max_nodes`` we group nodes:

1. by module: a parameter's dotted name (``layers.0.neurons.3.w.2``) names its neuron
   (``layers.0.neurons.3``) and layer (``layers.0``). A computed node joins the module of
   the parameters it reads, or of its inputs when they all come from one module, so a
   neuron's products, sum and activation fold into the neuron's box. The finest level
   (neurons, then layers, …) that fits ``max_nodes`` is drawn.
2. by depth (no parameter names, or still too many): nodes at the same distance from the
   leaves share a box, consecutive depths merged until the boxes fit.

Edges between boxes are merged and labelled with how many they stand for. The graph's
title says how many nodes are hidden.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import graphviz

from autograd import Value

from . import style
from .draw import add_legend, new_digraph, node_caption, node_roles, value_label
from .escape import html_label

__all__ = ["draw_collapsed", "module_of", "parent_module", "group_by_module", "group_by_depth"]

EDGES_PER_NODE = 4
MAX_EDGES = 1500  # whatever max_nodes says: dot spends ~45 s on 160 boxes and 9,000 edges
LOOSE_LEAVES = 16
Groups = dict[Value, str]  # node -> group name (nodes absent are drawn individually)


def parent_module(path: str) -> str:
    """The module one level up: ``layers.0.neurons.3`` → ``layers.0`` → ``""``.

    Trailing index parts (``3``) are dropped, then one name part (``neurons``).
    """
    parts = path.split(".") if path else []
    while parts and parts[-1].isdigit():
        parts.pop()
    return ".".join(parts[:-1])


def module_of(param_name: str) -> str:
    """The module a parameter belongs to: ``layers.0.neurons.3.w.2`` → ``layers.0.neurons.3``."""
    return parent_module(param_name)


def _truncate(module: str, level: int) -> str:
    for _ in range(level):
        module = parent_module(module)
    return module


def group_by_module(order: list[Value], params: Mapping[Value, str], level: int) -> Groups:
    """Each node's module at ``level`` (0 = the parameters' own module, 1 = its parent, …)."""
    owner: dict[Value, str] = {}
    for node, name in params.items():
        module = _truncate(module_of(name), level)
        if module:
            owner[node] = module
    for node in order:
        if node.is_leaf or node in owner:
            continue
        from_params = {owner[p] for p in node.inputs if p in params and p in owner}
        if len(from_params) == 1:
            owner[node] = from_params.pop()
            continue
        if from_params:
            continue
        # Inherit only when every non-constant input comes from the same module, so the
        # loss (which also reads the target) stays outside the last neuron.
        sources = {owner.get(p) for p in node.inputs if not p.is_constant}
        if len(sources) == 1 and None not in sources:
            owner[node] = sources.pop()
    for node in order:  # constants fold into the module of the node that reads them
        if node.is_leaf or node not in owner:
            continue
        for p in node.inputs:
            if p.is_constant and p not in owner:
                owner[p] = owner[node]
    return owner


def _depths(order: list[Value]) -> dict[Value, int]:
    depth: dict[Value, int] = {}
    for node in order:
        depth[node] = 1 + max((depth[p] for p in node.inputs), default=-1)
    return depth


def group_by_depth(order: list[Value], root: Value, max_groups: int) -> Groups:
    """Depth bands (distance from the leaves), merged so at most ``max_groups`` remain."""
    depth = _depths(order)
    deepest = depth[root]
    band = max(1, -(-(deepest + 1) // max(1, max_groups - 1)))
    groups: Groups = {}
    for node in order:
        if node is root:
            continue
        low = depth[node] // band * band
        high = min(low + band - 1, deepest)
        groups[node] = f"depth {low}" if low == high else f"depths {low}–{high}"
    return groups


def _visible(order: list[Value], groups: Groups) -> int:
    return len(set(groups.values())) + sum(1 for n in order if n not in groups)


def _merged_edges(order: list[Value], groups: Groups) -> int:
    """How many edges remain once edges between the same two boxes are merged."""
    def box(node: Value) -> object:
        return groups.get(node, node)

    return len({(box(p), box(n)) for n in order for p in n.inputs if box(p) != box(n)})


def _fold_leaves(order: list[Value], groups: Groups, params: Mapping[Value, str]) -> Groups:
    """Loose input leaves (784 pixels) and constants into one box each."""
    folded = dict(groups)
    for node in order:
        if node.is_leaf and node not in folded and node not in params:
            folded[node] = "constants" if node.is_constant else "inputs"
    return folded


def choose_groups(order: list[Value], root: Value, params: Mapping[Value, str],
                  max_nodes: int) -> tuple[Groups, str]:
    """The finest grouping that fits ``max_nodes`` boxes, and how it was made."""
    deepest_level = max((name.count(".") for name in params.values()), default=0)
    for level in range(deepest_level + 1):
        groups = group_by_module(order, params, level)
        if not groups:
            break
        candidates = [groups, _fold_leaves(order, groups, params)]
        loose_leaves = sum(1 for n in order if n.is_leaf and n not in groups)
        if loose_leaves > LOOSE_LEAVES:  # 64 pixel inputs read better as one box
            candidates.reverse()
        for candidate in candidates:
            candidate.pop(root, None)  # the loss always stays visible
            # dot slows with edges as well as nodes: 160 neurons fully connected layer to
            # layer are ~9,000 edges (a hairball that takes seconds), the layers a few dozen.
            if (_visible(order, candidate) <= max_nodes
                    and _merged_edges(order, candidate)
                    <= min(EDGES_PER_NODE * max_nodes, MAX_EDGES)):
                return candidate, "module"
    return group_by_depth(order, root, max_nodes), "depth"


def draw_collapsed(order: list[Value], root: Value, params: Mapping[Value, str], *,
                   max_nodes: int, rankdir: str, precision: int, legend: bool,
                   title: str | None, show_data: bool = True,
                   show_grad: bool = True) -> graphviz.Digraph:
    """The collapsed Digraph of a graph with more than ``max_nodes`` values."""
    groups, how = choose_groups(order, root, params, max_nodes)
    roles = node_roles(order, root, params)
    names = sorted(set(groups.values()), key=_last_index(order, groups))
    group_ids = {name: f"g{i}" for i, name in enumerate(names)}
    ids = {node: group_ids[groups[node]] if node in groups else f"v{i}"
           for i, node in enumerate(order)}
    hidden = len(groups)
    note = (f"{hidden:,} of {len(order):,} nodes hidden in {len(names)} boxes "
            f"(grouped by {how}; max_nodes={max_nodes})")
    dot = new_digraph(rankdir, f"{title}\n{note}" if title else note)
    # Neurons of one layer all feed all of the next: merged edge bundles keep the picture
    # a quarter of the height and lay out three times faster.
    dot.attr(concentrate="true")
    members: dict[str, list[Value]] = {name: [] for name in names}
    for node in order:
        if node in groups:
            members[groups[node]].append(node)
    for name in names:
        dot.node(group_ids[name], _group_label(name, members[name], roles), shape="plain")
    edges: Counter[tuple[str, str]] = Counter()
    for node in order:
        if node not in groups:
            caption = node_caption(node, params, None, precision)
            dot.node(ids[node], value_label(caption, node.data, node.grad, roles[node],
                                            show_data, show_grad and not node.is_constant,
                                            precision, False, False),
                     shape="plain")
            if node.is_leaf:
                continue
            op_id = ids[node] + "_op"
            dot.node(op_id, f"<{html_label(node.op_entry.symbol)}>", shape="circle",
                     width="0.3", height="0.3", margin="0.02")
            dot.edge(op_id, ids[node])
            target = op_id
        else:
            target = ids[node]
        for parent in node.inputs:
            if ids[parent] != target:
                edges[ids[parent], target] += 1
    for (tail, head), count in edges.items():
        if count > 1:
            dot.edge(tail, head, label=f"×{count}", penwidth=f"{min(4.0, 1 + count / 50):.2f}")
        else:
            dot.edge(tail, head)
    if legend:
        add_legend(dot, roles, show_grad)
    return dot


def _last_index(order: list[Value], groups: Groups):
    """Sort key: where a box's last node (a neuron's output) sits in topological order."""
    last: dict[str, int] = {}
    for i, node in enumerate(order):
        if node in groups:
            last[groups[node]] = i
    return last.__getitem__


def _group_label(name: str, nodes: list[Value], roles: Mapping[Value, str]) -> str:
    ops = Counter(n.op_entry.symbol for n in nodes if not n.is_leaf)
    n_params = sum(1 for n in nodes if roles[n] == "param")
    fill, border = style.ROLES["param" if n_params else "input"]
    op_text = ", ".join(f"{count} {symbol}" for symbol, count in ops.most_common(4))
    rows = [f"<B>{html_label(name)}</B>", f"{len(nodes):,} nodes"]
    if n_params:
        rows.append(f"{n_params:,} parameters")
    if op_text:
        rows.append(html_label(op_text))
    cells = "".join(f"<TR><TD>{row}</TD></TR>" for row in rows)
    return (f'<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2" '
            f'STYLE="rounded" COLOR="{border}" BGCOLOR="{fill}">{cells}</TABLE>>')
