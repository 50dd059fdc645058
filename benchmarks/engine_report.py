"""The markdown report of ``bench_engine.py``: speed, memory and bytes-per-node tables."""

from __future__ import annotations

ENGINES = ("micrograd", "stepgrad-a", "stepgrad-b")

TITLES = {
    "micrograd": "micrograd 0.1.0",
    "stepgrad-a": "stepgrad (a) micrograd's graph",
    "stepgrad-b": "stepgrad (b) nn's graph",
}


def _seconds(cell: dict | None) -> str:
    if not cell:
        return "not run"
    if "error" in cell:
        return cell["error"]
    return f"{cell['seconds']:.3g} s"


def _ratio(base: dict | None, cell: dict | None) -> str:
    if not base or not cell or "seconds" not in base or "seconds" not in cell:
        return "—"
    return f"{base['seconds'] / cell['seconds']:.1f}×"


def report(results: dict[str, dict[str, dict]], header: dict, sizes: dict, depth: int,
           epoch: int) -> str:
    """The results as markdown: a speed table, a memory table, bytes per node."""
    quick = header["quick"]
    w1 = {e: sizes["W1"][e][quick] for e in ENGINES}
    w4 = {e: sizes["W4"][e][quick] for e in ENGINES}
    rows = {
        "W1": f"W1 micrograd demo step (s per step, mean of {w1['micrograd']} / "
              f"{w1['stepgrad-a']} steps)",
        "W2": f"W2 {depth:,}-deep chain x·1.0001 + 0.0001, build + backward",
        "W3": f"W3 Σ of {depth:,} products, build + backward",
        "W4": f"W4 digits 64-50-100-10 per-sample SGD (s per {epoch:,}-image epoch, "
              f"extrapolated from {w4['micrograd']} / {w4['stepgrad-a']} samples)",
    }
    collector = (f"cyclic GC on with default thresholds {tuple(header['thresholds'])}"
                 if header["gc"] else "cyclic GC switched OFF (--gc-off: not default settings)")
    lines = [
        "# stepgrad engine vs micrograd 0.1.0",
        "",
        f"Python {header['python']} on {header['machine']} ({header['cpus']} CPUs), "
        f"{collector}, {header['date']}. Command: `{header['command']}`. "
        "Times are CPU seconds (`time.process_time`, garbage collection included), each "
        f"cell in its own fresh process, best of {header['repeat']} interleaved round(s); "
        "speed-up = micrograd time / stepgrad time from this one run.",
        "",
        "| workload | micrograd 0.1.0 | stepgrad (a) micrograd's graph | speed-up "
        "| stepgrad (b) nn's graph | speed-up |",
        "|---|---|---|---|---|---|",
    ]
    for key, title in rows.items():
        if key not in results:
            continue
        cells = results[key]
        base, a, b = (cells.get(e) for e in ENGINES)
        lines.append(f"| {title} | {_seconds(base)} | {_seconds(a)} | {_ratio(base, a)} "
                     f"| {_seconds(b)} | {_ratio(base, b)} |")
    lines += [
        "",
        "(a) builds exactly micrograd's nodes: `b + w0·x0 + w1·x1 + …` as binary adds, "
        "`1 + -y·s`, division as `a·b⁻¹`. (b) uses `nn.MLP` (one n-ary `autograd.sum` node "
        "per neuron), `autograd.sum` for the W1 loss sums and, in W4, `nn.cross_entropy` "
        "(log-sum-exp with a max shift) and `nn.SGD`. W2 has no sums, so (a) and (b) build "
        "the same chain. micrograd 0.1.0 has no exp, log or sigmoid: W4 adds them to its "
        "Value in micrograd's own closure style. micrograd's backward recurses once per "
        "node of depth, so it stops with RecursionError on W2 and on W3's 100,000-add chain "
        "(the recursion limit is left at its default).",
    ]
    if "W1" in results:
        losses = ", ".join(f"{TITLES[e]} {c['loss']!r}" for e, c in results["W1"].items()
                           if "loss" in c)
        lines += ["", f"W1 first-step loss (same weights on every engine): {losses}."]
    if "MEM" in results:
        lines += ["", "Memory across W1 steps (after `gc.collect()`; RSS from /proc, live "
                  "pymalloc blocks from `sys.getallocatedblocks()`):", "",
                  "| engine | RSS at step 10 | RSS at last step | blocks at step 10 "
                  "| blocks at last step |", "|---|---|---|---|---|"]
        for engine, cell in results["MEM"].items():
            if "error" in cell:
                lines.append(f"| {TITLES[engine]} | {cell['error']} | | | |")
                continue
            first, last = cell["marks"]["10"], cell["marks"][str(cell["steps"])]
            lines.append(f"| {TITLES[engine]} ({cell['steps']:,} steps) "
                         f"| {first['rss_mb']:.1f} MB | {last['rss_mb']:.1f} MB "
                         f"| {first['blocks']:,} | {last['blocks']:,} |")
    if "BYTES" in results:
        lines += ["", "Bytes per node while a graph is alive (tracemalloc, "
                  f"{depth // 10:,}-step graphs, leaves and constants counted as nodes):", "",
                  "| engine | W2 chain graph | W3 sum-of-products graph |", "|---|---|---|"]
        for engine, cell in results["BYTES"].items():
            if "error" in cell:
                lines.append(f"| {TITLES[engine]} | {cell['error']} | |")
            else:
                lines.append(f"| {TITLES[engine]} | {cell['W2']:.0f} B | {cell['W3']:.0f} B |")
    return "\n".join(lines) + "\n"
