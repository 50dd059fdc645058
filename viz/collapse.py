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

A graph within ``max_nodes`` is collapsed too when laying it out would be slow: dot
routes an edge spanning k ranks through k - 1 hidden nodes, so one leaf read at every
level of a deep chain (``x*x*…*x``) costs the square of the depth. ``layout_cost``
estimates that work; above ``LAYOUT_BUDGET`` the picture is grouped, with fewer boxes
until it fits.

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
from .escape import MAX_LABEL, html_label, shorten

__all__ = ["draw_collapsed", "module_of", "parent_module", "group_by_module", "group_by_depth",
           "layout_cost", "too_slow_to_lay_out", "LAYOUT_BUDGET"]

EDGES_PER_NODE = 4
MAX_EDGES = 1500  # whatever max_nodes says: dot spends ~45 s on 160 boxes and 9,000 edges
LOOSE_LEAVES = 16
# dot routes an edge that spans k ranks through k - 1 invisible nodes, and places them
# all: x*x*…*x needs ~n² of them (x feeds every level). Measured, dot CPU seconds: 40
# factors (cost 1,482) 0.07 s, 60 (3,422) 0.17 s, 80 (6,162) 1.0 s, 100 (9,702) 1.6 s,
# 150 (22,052) 7 s. Above this the picture is collapsed (benchmarks/bench_viz.py).
LAYOUT_BUDGET = 6000
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


def drawn_edges(order: list[Value], groups: Groups | None = None) -> set[tuple]:
    """The edges of the picture: (box, value or op circle) → (op circle, value or box)."""
    groups = groups or {}
    edges: set[tuple] = set()
    for node in order:
        if node in groups:
            head = groups[node]
        elif node.is_leaf:
            continue
        else:
            head = ("op", node)
            edges.add((head, node))
        for parent in node.inputs:
            tail = groups.get(parent, parent)
            if tail != head:
                edges.add((tail, head))
    return edges


def layout_cost(order: list[Value], groups: Groups | None = None) -> int:
    """About how many invisible nodes dot must place: Σ over edges of the ranks skipped.

    Ranks are longest paths from the sources, with a source pulled up to just before its
    first reader (as dot's ranking does), so a weight read once costs nothing while a
    leaf read at every level of a deep chain costs the square of the depth.
    """
    edges = drawn_edges(order, groups)
    readers: dict[object, list] = {}
    waiting: Counter = Counter()
    for tail, head in edges:
        readers.setdefault(tail, []).append(head)
        waiting[head] += 1
    sources = [node for node in readers if not waiting[node]]
    rank = dict.fromkeys(readers, 0)
    ready = list(sources)
    while ready:  # Kahn's order; nodes on a cycle (merged boxes) keep what they reached
        node = ready.pop()
        for head in readers.get(node, ()):
            rank[head] = max(rank.get(head, 0), rank[node] + 1)
            waiting[head] -= 1
            if not waiting[head]:
                ready.append(head)
    for node in sources:
        rank[node] = min(rank.get(head, 0) for head in readers[node]) - 1
    return sum(max(0, abs(rank.get(head, 0) - rank.get(tail, 0)) - 1) for tail, head in edges)


def too_slow_to_lay_out(order: list[Value]) -> bool:
    """Whether dot would take more than about a second on the full drawing of ``order``."""
    return layout_cost(order) > LAYOUT_BUDGET


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
                    <= min(EDGES_PER_NODE * max_nodes, MAX_EDGES)
                    and layout_cost(order, candidate) <= LAYOUT_BUDGET):
                return candidate, "module"
    # A graph collapsed only for its layout cost gets bands of two depths or more:
    # one-node boxes would show less than the full drawing and lay out no faster.
    bands = min(max_nodes, max(2, len(order) // 2))
    while True:  # fewer, wider bands until dot's work is bounded
        groups = group_by_depth(order, root, bands)
        cost = layout_cost(order, groups)
        if cost <= LAYOUT_BUDGET or bands <= 2:
            return groups, "depth"
        # a leaf read at every depth costs about bands²/2: shrink by the square root
        bands = max(2, min(bands - 1, int(bands * (LAYOUT_BUDGET / cost) ** 0.5)))


def draw_collapsed(order: list[Value], root: Value, params: Mapping[Value, str], *,
                   max_nodes: int, rankdir: str, precision: int, legend: bool,
                   title: str | None, show_data: bool = True,
                   show_grad: bool = True, lang: str = "en") -> graphviz.Digraph:
    """The collapsed Digraph of a graph with more than ``max_nodes`` values."""
    groups, how = choose_groups(order, root, params, max_nodes)
    roles = node_roles(order, root, params)
    names = sorted(set(groups.values()), key=_last_index(order, groups))
    group_ids = {name: f"g{i}" for i, name in enumerate(names)}
    ids = {node: group_ids[groups[node]] if node in groups else f"v{i}"
           for i, node in enumerate(order)}
    hidden = len(groups)
    why = (f"max_nodes={max_nodes}" if len(order) > max_nodes
           else "its long edges would take Graphviz minutes to lay out in full")
    note = (f"{hidden:,} of {len(order):,} nodes hidden in {len(names)} boxes "
            f"(grouped by {how}; {why})")
    # one label holds both: cut the title (and its "… (N characters)") to leave the note room
    room = MAX_LABEL - len(note) - 30
    dot = new_digraph(rankdir, f"{shorten(title, room)}\n{note}" if title else note)
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
                                            precision, False, False, lang=lang),
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
            # xlabel, placed after layout: a plain label doubles every rank for its own
            # node, which made dot 40× slower (20 s against 0.5 s on x*x*…*x, 150 factors)
            dot.edge(tail, head, xlabel=f"×{count}", penwidth=f"{min(4.0, 1 + count / 50):.2f}")
        else:
            dot.edge(tail, head)
    if legend:
        add_legend(dot, roles, show_grad, lang)
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
