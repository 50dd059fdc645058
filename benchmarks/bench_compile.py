"""autograd.compile on the workloads of issue 5, against micrograd, numpy by hand and PyTorch.

    .venv/bin/pip install micrograd==0.1.0 scikit-learn    # torch==2.13.0 optional
    .venv/bin/python benchmarks/bench_compile.py [--quick]

Rows: W4 digits 64-50-100-10 per-sample SGD (seconds per 1,437-image epoch), W1
micrograd's demo step (100 moons points, full batch), 784-50-100-10 on 60,000
synthetic 784-pixel samples (seconds per epoch), then compile time and memory. Every
ratio compares numbers measured in this one run; each timing is the best of a few
repeats, interleaved between engines, because this machine's 2 cores are shared.
Writes benchmarks/results/compile.md (atomically) and prints it.
"""

from __future__ import annotations

import os

# Before numpy loads: OpenBLAS threads fighting over 2 shared cores made a 50×784 by
# 784×32 product 40× slower here (3.7 ms vs 97 µs). Every engine runs on one thread.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import builtins  # noqa: E402
import datetime  # noqa: E402
import gc  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import workloads as wl  # noqa: E402
from numpy_reference import MoonsMLP, SigmoidSoftmaxMLP  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
from nn.compiled import compile_model, fit_compiled  # noqa: E402
from nn.files import write_atomic  # noqa: E402

try:
    import torch
except (ImportError, OSError):  # optional: the table says "not installed"
    torch = None

LR = 0.1


def best(fn, repeats: int) -> float:
    """The fastest of ``repeats`` timed calls of ``fn`` (seconds)."""
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def digits_model(nin: int = 64, seed: int = 0) -> nn.MLP:
    return nn.MLP(nin, [50, 100, 10], activation="sigmoid", output_activation="softmax",
                  init="xavier", seed=seed)


# --- W4 and the 784 network: per-sample / mini-batch SGD epochs ----------------------------


def compiled_epoch(pairs: list, batch_size: int, nin: int, epochs: int = 3) -> tuple[float, float]:
    """(seconds of the fastest epoch after the first, seconds fit spent compiling).

    The first epoch also compiles the per-target loss programs, so it is left out.
    """
    model = digits_model(nin)
    timings: dict = {}
    fit_compiled(model, pairs, loss=nn.cross_entropy, optimizer=nn.SGD(model, lr=LR),
                 epochs=epochs, batch_size=batch_size, shuffle=False, progress=False,
                 timings=timings)
    return min(timings["epochs"][1:]), timings["compile"]


def numpy_epoch(X: np.ndarray, y: np.ndarray, batch_size: int) -> float:
    ref = SigmoidSoftmaxMLP([X.shape[1], 50, 100, 10])
    start = time.perf_counter()
    for i in range(0, len(X), batch_size):
        ref.step(X[i:i + batch_size], y[i:i + batch_size], LR)
    return time.perf_counter() - start


def torch_epoch(X: np.ndarray, y: np.ndarray, batch_size: int) -> float | None:
    if torch is None:
        return None
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(X.shape[1], 50), torch.nn.Sigmoid(), torch.nn.Linear(50, 100),
        torch.nn.Sigmoid(), torch.nn.Linear(100, 10)).double()
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    start = time.perf_counter()
    for i in range(0, len(X), batch_size):
        opt.zero_grad()
        loss_fn(model(Xt[i:i + batch_size]), yt[i:i + batch_size]).backward()
        opt.step()
    return time.perf_counter() - start


def micrograd_w4_epoch(X: list, y: list, samples: int) -> float:
    """micrograd 0.1.0 (with exp/log/sigmoid added in its style): extrapolated epoch."""
    from micrograd.engine import Value

    wl.add_micrograd_ops(Value)
    model = wl.MicroMLP(Value, 64, [50, 100, 10], ["sigmoid", "sigmoid", ""], random.Random(7))
    wl.w4_sample_step(model, X[0], y[0], Value, builtins.sum, LR)  # warm-up
    start = time.perf_counter()
    for i in range(1, samples + 1):
        wl.w4_sample_step(model, X[i], y[i], Value, builtins.sum, LR)
    return (time.perf_counter() - start) / samples * len(X)


def run_w4(quick: bool) -> dict:
    X_list, y_list = wl.digits()
    pairs = list(zip(X_list, y_list, strict=True))
    X, y = np.array(X_list), np.array(y_list)
    repeats = 1 if quick else 3
    out: dict = {"samples": len(X)}
    compiled, numpy_, torch_ = [], [], []
    for _ in range(repeats):  # interleaved, so load spikes hit every engine alike
        numpy_.append(numpy_epoch(X, y, 1))
        compiled.append(compiled_epoch(pairs, 1, 64))
        torch_.append(torch_epoch(X, y, 1))
    out["compiled"] = min(c[0] for c in compiled)
    out["compile"] = min(c[1] for c in compiled)
    out["numpy"] = min(numpy_)
    out["torch"] = None if torch is None else min(torch_)
    out["micrograd_samples"] = 3 if quick else 15
    out["micrograd"] = micrograd_w4_epoch(X_list, y_list, out["micrograd_samples"])
    return out


def run_mnist_shape(quick: bool) -> dict:
    """784-50-100-10 on 60,000 synthetic images (uniform pixels, a bright row per label)."""
    n = 6_000 if quick else 60_000
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, n)
    X = rng.uniform(0, 0.2, (n, 784))
    X[np.arange(n)[:, None], (y * 28 * 2)[:, None] + np.arange(28)] = 1.0
    pairs = [(row, int(t)) for row, t in zip(X, y, strict=True)]
    out: dict = {"samples": n, "scale": 60_000 / n}
    epoch, compile_s = compiled_epoch(pairs, 32, 784, epochs=2)
    out["compiled_b32"] = epoch * out["scale"]
    out["numpy_b32"] = numpy_epoch(X, y, 32) * out["scale"]
    out["torch_b32"] = None if torch is None else torch_epoch(X, y, 32) * out["scale"]
    part = 2_000 if quick else 6_000
    epoch1, _ = compiled_epoch(pairs[:part], 1, 784, epochs=2)
    out["per_sample_part"] = part
    out["compiled_b1"] = epoch1 * 60_000 / part
    out["numpy_b1"] = numpy_epoch(X[:part], y[:part], 1) * 60_000 / part
    out["compile"] = compile_s
    return out


# --- W1: micrograd's demo step ---------------------------------------------------------------


def w1_program():
    """(program, theta-aligned nothing): per-point SVM loss + the L2 term, averaged."""
    from micrograd.engine import Value as MicroValue

    model = nn.MLP(2, [16, 16, 1], activation="relu")
    reference = wl.MicroMLP(MicroValue, 2, [16, 16, 1], ["relu", "relu", ""],
                            random.Random(1337))
    for p, q in zip(model.parameters(), reference.parameters(), strict=True):
        p.data = q.data  # micrograd's starting weights: the first losses must agree
    params = model.parameters()

    def loss(x1, x2, t):
        score = model([x1, x2])[0]
        # mean over points of (hinge_i + reg) = mean hinge + reg: the demo's total loss
        return (1 - t * score).relu() + 1e-4 * autograd.sum([p * p for p in params])

    X, y = wl.moons()
    data = np.column_stack([np.array(X), np.array(y)])
    program = autograd.compiled.compile(loss, data[0], params=params)
    return program, data, reference


def w1_micrograd_graph_step(data: np.ndarray, steps: int) -> float:
    """Seconds per compiled step when the graph is built node for node as micrograd builds
    it (stepgrad Values, neurons as chains of binary adds, L2 as one more chain)."""
    model = wl.MicroMLP(autograd.Value, 2, [16, 16, 1], ["relu", "relu", ""],
                        random.Random(1337))
    params = model.parameters()

    def loss(x1, x2, t):
        score = model([x1, x2])[0]
        return (1 + -t * score).relu() + 1e-4 * builtins.sum([p * p for p in params])

    program = autograd.compiled.compile(loss, data[0], params=params)

    def run() -> None:
        for k in range(steps):
            program.forward(data)
            program.theta -= (1.0 - 0.9 * k / 100 % 1.0) * program.gradient(reduction="mean")

    return best(run, 3) / steps


def run_w1(quick: bool) -> dict:
    from micrograd.engine import Value as MicroValue

    start = time.perf_counter()
    program, data, reference = w1_program()
    compile_s = time.perf_counter() - start
    steps = 50 if quick else 300
    first_loss = float(program.forward(data).mean())

    def compiled_steps() -> None:
        for k in range(steps):
            program.forward(data)
            program.theta -= (1.0 - 0.9 * k / 100 % 1.0) * program.gradient(reduction="mean")

    X, y = wl.moons()
    micro_first = wl.w1_step(reference, X, y, MicroValue, builtins.sum, 1.0)
    micro_steps = 1 if quick else 2
    micro = best(lambda: wl.w1_step(reference, X, y, MicroValue, builtins.sum, 0.5),
                 micro_steps) if not quick else None
    if micro is None:
        start = time.perf_counter()
        wl.w1_step(reference, X, y, MicroValue, builtins.sum, 0.5)
        micro = time.perf_counter() - start
    ref = MoonsMLP()
    Xn, yn = data[:, :2], data[:, 2]
    micro_graph = w1_micrograd_graph_step(data, steps)
    out = {
        "compile": compile_s, "first_loss": first_loss, "micro_first_loss": micro_first,
        "micrograd": micro,
        "compiled": best(compiled_steps, 3) / steps,
        "numpy": best(lambda: [ref.step(Xn, yn, 0.5) for _ in range(steps)], 3) / steps,
        "torch": None, "micro_graph": micro_graph,
    }
    if torch is not None:
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(),
                                    torch.nn.Linear(16, 16), torch.nn.ReLU(),
                                    torch.nn.Linear(16, 1)).double()
        Xt, yt = torch.from_numpy(Xn), torch.from_numpy(yn)

        def torch_steps() -> None:
            for _ in range(steps):
                model.zero_grad()
                scores = model(Xt)[:, 0]
                loss = torch.relu(1 - yt * scores).mean() + 1e-4 * sum(
                    (p * p).sum() for p in model.parameters())
                loss.backward()
                with torch.no_grad():
                    for p in model.parameters():
                        p -= 0.5 * p.grad

        out["torch"] = best(torch_steps, 3) / steps
    return out


# --- compile cost and memory ----------------------------------------------------------------


def run_compile_cost() -> dict:
    out = {}
    for nin in (64, 784):
        X = np.random.default_rng(0).uniform(0, 1, (50, nin))
        model = digits_model(nin)
        start = time.perf_counter()
        program, _ = compile_model(model, X)
        out[f"time_{nin}"] = time.perf_counter() - start
        out[f"nodes_{nin}"] = len(program.trace.order)
        out[f"steps_{nin}"] = len(program.plan.steps)
        out[f"rows_{nin}"] = program.plan.n_rows
        del program
        gc.collect()
        tracemalloc.start()
        program, _ = compile_model(model, X)
        trace_peak = tracemalloc.get_traced_memory()[1]
        del program
        gc.collect()
        program, _ = compile_model(model, X)  # the program alone, graphs dropped
        program.trace = None
        gc.collect()
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        program.forward(X[:32])
        program.gradient(np.ones((32, 10)))
        kept = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        out[f"peak_{nin}"] = trace_peak
        out[f"buffers_{nin}"] = kept
    out["maxrss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return out


# --- report ------------------------------------------------------------------------------------


def s(x: float | None) -> str:
    if x is None:
        return "not installed"
    return f"{x * 1e3:.3g} ms" if x < 1 else f"{x:.3g} s"


def ratio(a: float | None, b: float | None) -> str:
    return "—" if a is None or b is None else f"{a / b:.3g}×"


def report(w4: dict, w1: dict, big: dict, cost: dict, command: str) -> str:
    torch_version = torch.__version__ if torch is not None else "not installed"
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# autograd.compile benchmarks",
        "",
        f"Python {platform.python_version()}, numpy {np.__version__}, PyTorch "
        f"{torch_version}, {os.cpu_count()} CPUs shared with other jobs, {when}. Command: "
        f"`{command}`. Best of interleaved repeats; ratios are from this one run.",
        "",
        "| workload | micrograd 0.1.0 | numpy by hand | PyTorch (batched) | compiled | "
        "micrograd / compiled | compiled / numpy | compiled / PyTorch |",
        "|---|---|---|---|---|---|---|---|",
        f"| W4 digits 64-50-100-10, per-sample SGD, s per {w4['samples']:,}-image epoch "
        f"(micrograd extrapolated from {w4['micrograd_samples']} samples) | "
        f"{s(w4['micrograd'])} | {s(w4['numpy'])} | {s(w4['torch'])} | {s(w4['compiled'])} | "
        f"{ratio(w4['micrograd'], w4['compiled'])} | {ratio(w4['compiled'], w4['numpy'])} | "
        f"{ratio(w4['compiled'], w4['torch'])} |",
        f"| W1 micrograd demo step (MLP(2,[16,16,1]), 100 points, full batch) | "
        f"{s(w1['micrograd'])} | {s(w1['numpy'])} | {s(w1['torch'])} | {s(w1['compiled'])} | "
        f"{ratio(w1['micrograd'], w1['compiled'])} | {ratio(w1['compiled'], w1['numpy'])} | "
        f"{ratio(w1['compiled'], w1['torch'])} |",
        f"| W1 with the graph built node for node as micrograd builds it (neurons as chains "
        f"of binary adds) | {s(w1['micrograd'])} | {s(w1['numpy'])} | {s(w1['torch'])} | "
        f"{s(w1['micro_graph'])} | {ratio(w1['micrograd'], w1['micro_graph'])} | "
        f"{ratio(w1['micro_graph'], w1['numpy'])} | {ratio(w1['micro_graph'], w1['torch'])} |",
        f"| 784-50-100-10, 60,000 synthetic images, batches of 32, s per epoch"
        f"{'' if big['scale'] == 1 else ' (extrapolated from ' + format(big['samples'], ',') + ')'}"
        f" | — | {s(big['numpy_b32'])} | {s(big['torch_b32'])} | {s(big['compiled_b32'])} | — | "
        f"{ratio(big['compiled_b32'], big['numpy_b32'])} | "
        f"{ratio(big['compiled_b32'], big['torch_b32'])} |",
        f"| 784-50-100-10, per-sample SGD, s per 60,000-image epoch (extrapolated from "
        f"{big['per_sample_part']:,}) | — | {s(big['numpy_b1'])} | — | {s(big['compiled_b1'])} "
        f"| — | {ratio(big['compiled_b1'], big['numpy_b1'])} | — |",
        "",
        f"W1 first loss: compiled {w1['first_loss']!r}, micrograd {w1['micro_first_loss']!r} "
        "(same starting weights).",
        "",
        "Compile cost (paid once per `fit`; includes 3 eager re-traces that check the "
        "graph does not depend on the data):",
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
        "Epoch rows time the fastest epoch after the first (the first also compiles the "
        "10 per-class loss programs). "
        "Time `fit` spent before its first step (inputs to one array, model compile with "
        f"its checks, per-class loss programs): W4 {s(w4['compile'])}, "
        f"784 network {s(big['compile'])}, W1 program {s(w1['compile'])}. Peak RSS of "
        f"the whole benchmark process: {cost['maxrss'] / 2**20:.0f} MB.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer repeats and samples")
    p.add_argument("--out", default=str(HERE / "results" / "compile.md"),
                   help="where to write the table ('' to print it only)")
    args = p.parse_args(argv)
    if torch is not None:
        torch.set_num_threads(1)  # numpy's loops here are single-threaded too
    w4 = run_w4(args.quick)
    print("W4 done", w4, file=sys.stderr)
    w1 = run_w1(args.quick)
    print("W1 done", w1, file=sys.stderr)
    big = run_mnist_shape(args.quick)
    print("784 done", big, file=sys.stderr)
    cost = run_compile_cost()
    command = "python benchmarks/bench_compile.py" + (" --quick" if args.quick else "")
    text = report(w4, w1, big, cost, command)
    if args.out:  # --out '' prints the table only
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        write_atomic(args.out, text.encode())
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
