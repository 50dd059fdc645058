"""The markdown report of ``bench_compile.py``: speed against each baseline, per-fit cost."""

from __future__ import annotations

import datetime
import os
import platform
import statistics

import numpy as np


def s(x: float | None) -> str:
    """Seconds as ms below one second."""
    if x is None:
        return "not installed"
    return f"{x * 1e3:.3g} ms" if x < 1 else f"{x:.3g} s"


def median(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def ratio(a: list, b: list, spread: bool = True) -> str:
    """The median over rounds of a/b, with the lowest and highest round's."""
    pairs = [x / y for x, y in zip(a, b, strict=False) if x is not None and y is not None]
    if not pairs:
        return "—"
    text = f"{statistics.median(pairs):.3g}×"
    if spread and len(pairs) > 1:
        text += f" ({min(pairs):.3g}–{max(pairs):.3g})"
    return text


def _row(name: str, cells: dict, scale: float = 1.0, micrograd: float | None = None) -> str:
    def m(key: str) -> float | None:
        value = median(cells.get(key, []))
        return None if value is None else value * scale

    lean, compiled = cells["lean"], cells["compiled"]
    return (
        f"| {name} | {s(micrograd) if micrograd else '—'} | {s(m('lean'))} | {s(m('numpy'))} | "
        f"{s(m('torch'))} | **{s(m('compiled'))}** | {ratio(compiled, lean)} | "
        f"{ratio(compiled, cells['numpy'])} | "
        f"{ratio([micrograd] * len(compiled), compiled, False) if micrograd else '—'} | "
        f"{ratio(compiled, cells.get('torch', []))} |"
    )


def report(w4: dict, w1: dict, big: dict, cost: dict, command: str,
           torch_version: str | None) -> str:
    """The results as markdown: the speed table, the per-fit table, compile cost."""
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    scale = big["scale"]
    extrapolated = "" if scale == 1 else f" (extrapolated from {big['samples']:,})"
    part = big["per_sample_part"]
    graph = {"lean": w1["lean"], "compiled": w1["micro_graph"], "numpy": w1["numpy"],
             "torch": w1["torch"]}
    lines = [
        "# autograd.compile benchmarks",
        "",
        f"Python {platform.python_version()}, numpy {np.__version__}, PyTorch "
        f"{torch_version or 'not installed'}, {os.cpu_count()} CPUs shared with other jobs, "
        f"{when}. Command: `{command}`. CPU seconds of the process, every engine on one "
        "thread; engines interleaved round after round (a compiled fit between two lean "
        "epochs). Times are medians over rounds; a ratio is the median of the per-round "
        "ratios, (lowest–highest round) after it: the spread is this shared machine's noise.",
        "",
        "| workload | micrograd 0.1.0 | lean numpy | numpy reference | PyTorch (batched) | "
        "compiled | compiled / lean | compiled / numpy reference | micrograd / compiled | "
        "compiled / PyTorch |",
        "|---|---|---|---|---|---|---|---|---|---|",
        _row(f"W4 digits 64-50-100-10, per-sample SGD, s per {w4['samples']:,}-image epoch "
             f"({len(w4['compiled'])} rounds; micrograd extrapolated from "
             f"{w4['micrograd_samples']} samples)", w4, micrograd=w4["micrograd"]),
        _row(f"W1 micrograd demo step (MLP(2,[16,16,1]), 100 points, full batch; "
             f"{len(w1['compiled'])} rounds of 50 steps)", w1, micrograd=w1["micrograd"]),
        _row("W1 with the graph built node for node as micrograd builds it (neurons as "
             "chains of binary adds)", graph, micrograd=w1["micrograd"]),
        _row(f"784-50-100-10, 60,000 synthetic images of MNIST's shape, batches of 32, s per "
             f"epoch{extrapolated} ({len(big['b32']['compiled'])} rounds)", big["b32"], scale),
        _row(f"784-50-100-10, per-sample SGD, s per 60,000-image epoch (extrapolated from "
             f"{part:,}; {len(big['b1']['compiled'])} rounds)", big["b1"], 60_000 / part),
        "",
        "Lean numpy is `benchmarks/lean_numpy.py` (1-D vectors at batch 1, `1/(1+exp(−z))`, "
        "derivatives by hand, no loss computed per sample); the numpy reference is "
        "`benchmarks/numpy_reference.py` (batch-shaped arrays, an overflow-safe sigmoid, "
        "the loss every step). The compiled epoch is `nn.fit(..., compiled=True)` itself: "
        "besides the step it computes each sample's loss and accuracy for History and "
        "re-checks one sample in 97 eagerly.",
        "",
        f"W1 first loss: compiled {w1['first_loss']!r}, micrograd {w1['micro_first_loss']!r} "
        "(same starting weights).",
        "",
    ]
    lines += _per_fit(w4, big)
    guard = w4["guard"]
    per_sample = median(w4["compiled"]) / w4["samples"]
    lines += [
        f"The loss guard (one sample in 97 recomputed eagerly, loss and gradient, and "
        f"compared) costs {guard * 1e6:.0f} µs per check: {guard / 97 * 1e6:.2f} µs per "
        f"sample, {guard / 97 / per_sample:.1%} of a compiled per-sample step "
        f"({per_sample * 1e6:.0f} µs); at batch 32, one batch in about three pays one check.",
        "",
        "Compile cost of `compile_model` alone (trace, lowering, 3 eager re-traces):",
        "",
        "| network | graph nodes | steps | rows per sample | compile time | peak Python memory "
        "while compiling | program memory for a batch of 32 |",
        "|---|---|---|---|---|---|---|",
    ]
    for nin in (64, 784):
        lines.append(
            f"| {nin}-50-100-10 | {cost[f'nodes_{nin}']:,} | {cost[f'steps_{nin}']} | "
            f"{cost[f'rows_{nin}']:,} | {s(cost[f'time_{nin}'])} | "
            f"{cost[f'peak_{nin}'] / 2**20:.1f} MB | {cost[f'buffers_{nin}'] / 2**20:.2f} MB |")
    lines += [
        "",
        f"W1 program compile: {s(w1['compile'])}. Peak RSS of the whole benchmark process: "
        f"{cost['maxrss'] / 2**20:.0f} MB.",
        "",
    ]
    return "\n".join(lines)


def _per_fit(w4: dict, big: dict) -> list[str]:
    """The table of what one fit pays before its first step, per part."""
    lines = [
        "Paid once per fit, before the first step (medians over the rounds' fits): inputs "
        "to one array, trace and lowering; the eager re-traces that check the model's "
        "graph does not depend on the data; the loss programs (per class, checked on "
        "variant rows, and one for every class at once).",
        "",
        "| fit | trace + lowering | structure checks | loss programs | total | one epoch |",
        "|---|---|---|---|---|---|",
    ]
    for name, cells in (("W4 digits, 1,437 samples", w4),
                        (f"784-50-100-10, {big['samples']:,} samples, batch 32", big["b32"])):
        fits = cells["fit"]
        lines.append(
            f"| {name} | {s(median([f['trace'] for f in fits]))} | "
            f"{s(median([f['check'] for f in fits]))} | {s(median([f['loss'] for f in fits]))} "
            f"| {s(median([f['compile'] for f in fits]))} | {s(median(cells['compiled']))} |")
    lines.append("")
    return lines
