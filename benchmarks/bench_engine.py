"""stepgrad's eager engine against micrograd 0.1.0 on the four workloads of issue 2.

    .venv/bin/pip install -e '.[bench]'                   # micrograd 0.1.0, the baseline
    .venv/bin/python benchmarks/bench_engine.py            # full run, several minutes
    .venv/bin/python benchmarks/bench_engine.py --quick    # fewer steps, about a minute
    .venv/bin/python benchmarks/bench_engine.py --out benchmarks/results/engine.md

Three engines: micrograd; stepgrad (a) building micrograd's graph node for node
(binary adds, ``sum(w·x, b)`` per neuron); stepgrad (b) building the graph the way
this project's ``nn`` does (one n-ary ``autograd.sum`` node per neuron). Every
measurement runs in its own fresh Python process with default settings (cyclic GC on),
so one engine's leftover garbage cannot slow the next. Prints a markdown table; only
``--out FILE`` writes it (the tracked ``benchmarks/results/engine.md`` is replaced only
when asked for by name).
"""

from __future__ import annotations

import argparse
import builtins
import gc
import json
import os
import platform
import random
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]  # our autograd (not PyPI's HIPS one), workloads

import workloads as wl  # noqa: E402
from engine_report import ENGINES, report  # noqa: E402

DIGITS_EPOCH = 1437  # training images of sklearn digits with a 20 % test split
# (steps or samples timed) for a full run and for --quick
SIZES = {
    "W1": {"micrograd": (5, 2), "stepgrad-a": (20, 5), "stepgrad-b": (20, 5)},
    "W4": {"micrograd": (100, 15), "stepgrad-a": (200, 30), "stepgrad-b": (200, 30)},
    "MEM": {"stepgrad-a": (1000, 100), "stepgrad-b": (1000, 100)},
}
DEPTH = 100_000  # W2 chain length and W3 number of products
TIMED = ("W1", "W2", "W3", "W4")  # repeated (best kept); MEM and BYTES run once
# CPU seconds of this process, not wall time: the machines this runs on are shared, and
# waiting for a core is not the engine's cost. The garbage collector's work is included.
clock = time.process_time


def _engine(name: str) -> tuple[type, object]:
    """(Value class, total) for an engine: total builds Σ as that engine's graph does."""
    if name == "micrograd":
        from micrograd.engine import Value

        wl.add_micrograd_ops(Value)
        return Value, builtins.sum
    import autograd

    return autograd.Value, (builtins.sum if name == "stepgrad-a" else autograd.sum)


def _w1_model(name: str, value: type):
    """The demo's MLP(2, [16, 16, 1]) with weights drawn from Random(1337), for ``name``."""
    if name != "stepgrad-b":
        return wl.MicroMLP(value, 2, [16, 16, 1], ["relu", "relu", ""], random.Random(1337))
    import nn

    model = nn.MLP(2, [16, 16, 1], activation="relu")
    reference = wl.MicroMLP(value, 2, [16, 16, 1], ["relu", "relu", ""], random.Random(1337))
    for p, q in zip(model.parameters(), reference.parameters(), strict=True):
        p.data = q.data  # the same starting point on every engine: the losses must agree
    return model


def run_w1(name: str, steps: int) -> dict:
    """Seconds per step of micrograd's demo (after one warm-up step); the first loss."""
    value, total = _engine(name)
    X, y = wl.moons()
    model = _w1_model(name, value)
    first = _w1_step(model, X, y, value, total, 0)
    start = clock()
    for k in range(1, steps + 1):
        _w1_step(model, X, y, value, total, k)
    return {"seconds": (clock() - start) / steps, "loss": first}


def _w1_step(model, X, y, value, total, k: int) -> float:
    lr = 1.0 - 0.9 * (k % 100) / 100  # the demo's learning-rate schedule, restarted per 100
    return wl.w1_step(model, X, y, value, total, lr)


def run_w2(name: str) -> dict:
    """Seconds to build the 100,000-deep chain and backpropagate it."""
    value, _ = _engine(name)
    start = clock()
    try:
        grad = wl.w2_chain(value, DEPTH)
    except RecursionError:
        return {"error": "RecursionError"}
    return {"seconds": clock() - start, "grad": grad}


def run_w3(name: str) -> dict:
    """Seconds to build Σ of 100,000 products and backpropagate it."""
    value, total = _engine(name)
    start = clock()
    try:
        grad = wl.w3_sum_of_products(value, total, DEPTH)
    except RecursionError:
        return {"error": "RecursionError"}
    return {"seconds": clock() - start, "grad": grad}


def run_w4(name: str, samples: int) -> dict:
    """Seconds per 1,437-image digits epoch, extrapolated from ``samples`` SGD steps."""
    value, total = _engine(name)
    X, y = wl.digits()
    rng = random.Random(7)
    if name == "stepgrad-b":
        import nn

        model = nn.MLP(64, [50, 100, 10], activation="sigmoid", output_activation="softmax",
                       seed=rng)
        opt = nn.SGD(model, lr=0.1)

        def step(i: int) -> float:
            loss = nn.cross_entropy(model(X[i]), y[i])
            loss.backward()
            opt.step()
            opt.zero_grad()
            return loss.data
    else:
        model = wl.MicroMLP(value, 64, [50, 100, 10], ["sigmoid", "sigmoid", ""], rng)

        def step(i: int) -> float:
            return wl.w4_sample_step(model, X[i], y[i], value, total, 0.1)

    step(0)  # warm-up
    start = clock()
    losses = [step(i % len(X)) for i in range(1, samples + 1)]
    per_sample = (clock() - start) / samples
    return {"seconds": per_sample * DIGITS_EPOCH, "mean_loss": sum(losses) / samples}


def run_mem(name: str, steps: int) -> dict:
    """Memory after 10 W1 steps and after ``steps``: RSS and live pymalloc blocks."""
    value, total = _engine(name)
    X, y = wl.moons()
    model = _w1_model(name, value)
    marks = {}
    for k in range(steps):
        _w1_step(model, X, y, value, total, k)
        if k + 1 in (10, steps):
            gc.collect()
            marks[k + 1] = {"rss_mb": _rss_mb(), "blocks": sys.getallocatedblocks()}
    return {"steps": steps, "marks": marks}


def run_bytes(name: str) -> dict:
    """tracemalloc bytes per node of a W2 chain and a W3 sum graph, held until measured."""
    value, total = _engine(name)
    out = {}
    builders = {
        "W2": (lambda: _chain(value, DEPTH // 10), 4),  # x·c + c: 4 new nodes a step
        # a, b, a·b per term, plus one add per term (and the 0 it starts from) or one Σ
        "W3": (lambda: total(value(1.0) * value(2.0) for _ in range(DEPTH // 10)),
               3 if total is not builtins.sum else 4),
    }
    for key, (build, per_step) in builders.items():
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        graph = build()
        used = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        out[key] = used / (per_step * (DEPTH // 10))
        del graph
    return out


def _chain(value: type, depth: int):
    x = value(1.0)
    for _ in range(depth):
        x = x * 1.0001 + 0.0001
    return x


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


RUNNERS = {"W1": run_w1, "W2": run_w2, "W3": run_w3, "W4": run_w4, "MEM": run_mem,
           "BYTES": run_bytes}


def measure(workload: str, engine: str, quick: bool, gc_off: bool = False) -> dict:
    """One cell, measured in a fresh interpreter; its result as a dict."""
    cmd = [sys.executable, __file__, "--cell", workload, engine]
    cmd += (["--quick"] if quick else []) + (["--gc-off"] if gc_off else [])
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        hint = " (the bench extra: pip install -e '.[bench]')" if "micrograd" in last else ""
        return {"error": f"failed: {last}{hint}".replace("|", "/")}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _run_cell(workload: str, engine: str, quick: bool) -> dict:
    runner = RUNNERS[workload]
    if workload in SIZES:
        return runner(engine, SIZES[workload][engine][1 if quick else 0])
    return runner(engine)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps (rougher numbers)")
    parser.add_argument("--only", default="W1,W2,W3,W4,MEM,BYTES",
                        help="comma-separated workloads to run (default: all)")
    parser.add_argument("--gc-off", action="store_true",
                        help="switch the cyclic garbage collector off in every cell (not the "
                             "default-settings comparison: shows what the collector costs)")
    parser.add_argument("--repeat", type=int, default=None,
                        help="timed rounds, best kept (default 2, or 1 with --quick)")
    parser.add_argument("--out", default="",
                        help="also write the markdown table here (the tracked one: "
                             "benchmarks/results/engine.md); default: print only")
    parser.add_argument("--cell", nargs=2, metavar=("WORKLOAD", "ENGINE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.repeat is None:
        args.repeat = 1 if args.quick else 2
    if args.gc_off:
        gc.disable()
    if args.cell:
        print(json.dumps(_run_cell(*args.cell, args.quick)))
        sys.exit(0)
    wanted = [w.strip().upper() for w in args.only.split(",") if w.strip()]
    unknown = [w for w in wanted if w not in RUNNERS]
    if unknown:
        parser.error(f"unknown workload(s) {unknown}; choose from {', '.join(RUNNERS)}")
    results: dict[str, dict[str, dict]] = {}
    for round_ in range(args.repeat):  # interleaved rounds: a busy spell hits every engine
        for workload in wanted:
            if round_ and workload not in TIMED:
                continue
            for engine in SIZES.get(workload, dict.fromkeys(ENGINES)):
                print(f"  round {round_ + 1}: {workload} {engine} …", file=sys.stderr, flush=True)
                cell = measure(workload, engine, args.quick, args.gc_off)
                best = results.setdefault(workload, {}).get(engine)
                if best is None or cell.get("seconds", 0) < best.get("seconds", float("inf")):
                    results[workload][engine] = cell
    header = {
        "python": platform.python_version(), "machine": platform.machine(),
        "cpus": os.cpu_count(), "gc": not args.gc_off, "thresholds": gc.get_threshold(),
        "quick": args.quick, "repeat": args.repeat,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "command": " ".join(["python", "benchmarks/bench_engine.py", *sys.argv[1:]]),
    }
    text = report(results, header, SIZES, DEPTH, DIGITS_EPOCH)
    print(text)
    if args.out:
        from nn.files import write_atomic  # here: the measured cells need not import nn

        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        write_atomic(args.out, text.encode())
