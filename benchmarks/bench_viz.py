"""How long viz takes on a big graph: a 64-50-100-10 MLP's per-sample graph (~20,000 nodes).

Run: .venv/bin/python benchmarks/bench_viz.py [--out DIR]
Prints the node count, the time to build the graph, to draw (collapse) and to render SVG;
then ``x*x*…*x`` with 50 to 500 factors (a leaf read at every level: the shape whose
layout work grows with the square of the depth, issue 9), drawn and rendered.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import autograd  # noqa: E402
import viz  # noqa: E402
from autograd import Value  # noqa: E402


def mlp_graph(sizes: list[int], seed: int = 0) -> tuple[Value, dict[str, Value]]:
    """One sample through a sigmoid MLP with a squared-error loss, built from autograd only.

    Parameters are named like nn's ``named_parameters()``: ``layers.0.neurons.3.w.2``.
    """
    rng = random.Random(seed)
    params: dict[str, Value] = {}
    xs = [Value(rng.random(), f"x{i}") for i in range(sizes[0])]
    for layer, (n_in, n_out) in enumerate(zip(sizes, sizes[1:], strict=False)):
        outs = []
        for j in range(n_out):
            prefix = f"layers.{layer}.neurons.{j}"
            ws = [Value(rng.uniform(-1, 1), f"{prefix}.w.{i}") for i in range(n_in)]
            b = Value(0.0, f"{prefix}.b")
            params.update({w.label: w for w in ws})
            params[b.label] = b
            act = autograd.sum([w * x for w, x in zip(ws, xs, strict=True)] + [b])
            outs.append(act.sigmoid() if layer < len(sizes) - 2 else act)
        xs = outs
    targets = [Value(1.0 if k == 3 else 0.0, f"t{k}") for k in range(sizes[-1])]
    loss = autograd.sum([(y - t) ** 2 for y, t in zip(xs, targets, strict=True)]) / len(xs)
    return loss, params


def product_chains(factors: tuple[int, ...] = (50, 100, 150, 201, 500)) -> None:
    """Draw and render ``x*x*…*x``: the estimated layout cost and the seconds each takes."""
    from viz.collapse import layout_cost
    from viz.expr import parse
    from viz.render import run_dot

    print("x*x*…*x: factors, layout cost of the full drawing, drawn as, draw + dot seconds")
    for n in factors:
        built = parse("*".join(["x"] * n)).build({"x": 1.0})
        built.root.backward()
        start = time.perf_counter()
        digraph = viz.draw(built.root, title=f"{n} factors")
        run_dot(digraph.source, "svg")
        took = time.perf_counter() - start
        boxes = len(re.findall(r"^\tg\d+ \[", digraph.source, re.M))
        shape = f"{boxes} boxes" if boxes else "in full"
        print(f"  {n:4d}  cost {layout_cost(autograd.topo_order(built.root)):7,}  {shape:10s}"
              f"  {took:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="folder for graph.svg")
    parser.add_argument("--max-nodes", type=int, default=300)
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="bench_viz_"))
    out.mkdir(parents=True, exist_ok=True)

    start = time.perf_counter()
    loss, params = mlp_graph([64, 50, 100, 10])
    loss.backward()
    built = time.perf_counter()
    digraph = viz.draw(loss, params=params, max_nodes=args.max_nodes)
    drawn = time.perf_counter()
    path = viz.render(digraph, out / "mlp.svg")
    rendered = time.perf_counter()

    n_nodes = len(autograd.topo_order(loss))
    print(f"graph: {n_nodes:,} nodes, {len(params):,} parameters")
    print(f"build + backward: {built - start:.2f} s")
    print(f"draw (collapse, max_nodes={args.max_nodes}): {drawn - built:.2f} s")
    print(f"render SVG with dot: {rendered - drawn:.2f} s -> {path} "
          f"({path.stat().st_size:,} bytes)")
    print(f"total draw + render: {rendered - built:.2f} s")

    start = time.perf_counter()
    wt = viz.walkthrough()
    recorded = time.perf_counter()
    page = wt.write_html(out / "walkthrough.html")
    written = time.perf_counter()
    print(f"walkthrough (default, {len(wt.records)} pairs, {len(wt.frames)} frames): record "
          f"{recorded - start:.2f} s, write_html {written - recorded:.2f} s -> {page} "
          f"({page.stat().st_size:,} bytes)")
    product_chains()


if __name__ == "__main__":
    main()
