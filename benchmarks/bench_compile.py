"""autograd.compile against lean numpy, the numpy reference, micrograd and PyTorch.

    .venv/bin/pip install micrograd==0.1.0 scikit-learn    # torch==2.13.0 optional
    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_compile.py [--quick]

Rows: W4 digits 64-50-100-10 per-sample SGD (seconds per 1,437-image epoch), W1
micrograd's demo step (100 moons points, full batch), 784-50-100-10 on 60,000 synthetic
784-pixel samples of MNIST's shape (batches of 32, and per sample), then what a fit pays
once (trace, structure checks, loss programs), compile cost and memory.

Times are CPU seconds of this process (``time.process_time``; every engine runs on one
thread), so time spent waiting for a core another job holds is not counted. The engines
run interleaved, round after round; a row shows each engine's median over the rounds,
and a ratio is the median of the per-round ratios with its spread (lowest–highest
round), because this machine's 2 cores are shared. Prints the report; ``--out
benchmarks/results/compile.md`` also writes it (atomically).
"""

from __future__ import annotations

import os

# Before numpy loads: OpenBLAS threads fighting over 2 shared cores made a 50×784 by
# 784×32 product 40× slower here (3.7 ms vs 97 µs). Every engine runs on one thread.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import builtins  # noqa: E402
import gc  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import lean_numpy as lean  # noqa: E402
import workloads as wl  # noqa: E402
from compile_report import report  # noqa: E402
from compile_timing import clock, timed  # noqa: E402
from compile_w1 import run_w1  # noqa: E402
from numpy_reference import SigmoidSoftmaxMLP  # noqa: E402

import nn  # noqa: E402
import nn.compiled  # noqa: E402
from autograd.compiled.losshead import LossHead  # noqa: E402
from nn.compiled import compile_model, fit_compiled  # noqa: E402
from nn.files import write_atomic  # noqa: E402

try:
    import torch
except (ImportError, OSError):  # optional: the table says "not installed"
    torch = None

LR = 0.1
nn.compiled.clock = clock  # fit's timings in CPU seconds too, like every number here


def digits_model(nin: int = 64, seed: int = 0) -> nn.MLP:
    return nn.MLP(nin, [50, 100, 10], activation="sigmoid", output_activation="softmax",
                  init="xavier", seed=seed)


# --- W4 and the 784 network: per-sample / mini-batch SGD epochs ----------------------------


def compiled_fit(pairs: list, batch_size: int, nin: int, epochs: int = 2) -> dict:
    """fit_compiled's timings: per-fit seconds ("compile", "trace", "check", "loss") and
    one entry per epoch."""
    model = digits_model(nin)
    timings: dict = {}
    gc.collect()
    fit_compiled(model, pairs, loss=nn.cross_entropy, optimizer=nn.SGD(model, lr=LR),
                 epochs=epochs, batch_size=batch_size, shuffle=False, progress=False,
                 timings=timings)
    return timings


def lean_epoch(X: np.ndarray, y: np.ndarray, batch_size: int) -> float:
    Ws, bs = lean.init_mlp([X.shape[1], 50, 100, 10])
    if batch_size == 1:
        return timed(lambda: lean.per_sample_epoch(Ws, bs, X, y, LR))
    return timed(lambda: lean.batch_epoch(Ws, bs, X, y, LR, batch_size))


def numpy_epoch(X: np.ndarray, y: np.ndarray, batch_size: int) -> float:
    ref = SigmoidSoftmaxMLP([X.shape[1], 50, 100, 10])

    def epoch() -> None:
        for i in range(0, len(X), batch_size):
            ref.step(X[i:i + batch_size], y[i:i + batch_size], LR)

    return timed(epoch)


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

    def epoch() -> None:
        for i in range(0, len(X), batch_size):
            opt.zero_grad()
            loss_fn(model(Xt[i:i + batch_size]), yt[i:i + batch_size]).backward()
            opt.step()

    return timed(epoch)


def epoch_rounds(pairs: list, X: np.ndarray, y: np.ndarray, batch_size: int, rounds: int,
                 with_torch: bool = True) -> dict:
    """Per round: a compiled fit's epochs between two lean epochs (their mean is the
    round's lean time), the numpy reference's epoch, PyTorch's."""
    out: dict = {"lean": [], "numpy": [], "compiled": [], "torch": [], "fit": []}
    for _ in range(rounds):  # interleaved, so load spikes hit every engine alike
        before = lean_epoch(X, y, batch_size)
        timings = compiled_fit(pairs, batch_size, X.shape[1])
        out["lean"].append((before + lean_epoch(X, y, batch_size)) / 2)
        out["compiled"].append(float(np.mean(timings["epochs"])))
        out["fit"].append(timings)
        out["numpy"].append(numpy_epoch(X, y, batch_size))
        out["torch"].append(torch_epoch(X, y, batch_size) if with_torch else None)
    return out


def micrograd_w4_epoch(X: list, y: list, samples: int) -> float:
    """micrograd 0.1.0 (with exp/log/sigmoid added in its style): extrapolated epoch."""
    from micrograd.engine import Value

    wl.add_micrograd_ops(Value)
    model = wl.MicroMLP(Value, 64, [50, 100, 10], ["sigmoid", "sigmoid", ""], random.Random(7))
    wl.w4_sample_step(model, X[0], y[0], Value, builtins.sum, LR)  # warm-up

    def run() -> None:
        for i in range(1, samples + 1):
            wl.w4_sample_step(model, X[i], y[i], Value, builtins.sum, LR)

    return timed(run) / samples * len(X)


def run_w4(quick: bool) -> dict:
    X_list, y_list = wl.digits()
    pairs = list(zip(X_list, y_list, strict=True))
    X, y = np.array(X_list), np.array(y_list)
    out = epoch_rounds(pairs, X, y, 1, 2 if quick else 11)
    out["samples"] = len(X)
    out["micrograd_samples"] = 3 if quick else 15
    out["micrograd"] = micrograd_w4_epoch(X_list, y_list, out["micrograd_samples"])
    out["guard"] = guard_cost(X_list[:1])
    return out


def mnist_shaped(n: int) -> tuple[np.ndarray, np.ndarray]:
    """n synthetic 784-pixel images: uniform noise, a bright row that depends on the label."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, n)
    X = rng.uniform(0, 0.2, (n, 784))
    X[np.arange(n)[:, None], (y * 28 * 2)[:, None] + np.arange(28)] = 1.0
    return X, y


def run_mnist_shape(quick: bool) -> dict:
    """784-50-100-10 on 60,000 synthetic images at batch 32, and per sample on a part."""
    n = 6_000 if quick else 60_000
    X, y = mnist_shaped(n)
    pairs = [(row, int(t)) for row, t in zip(X, y, strict=True)]
    out = {"samples": n, "scale": 60_000 / n}
    out["b32"] = epoch_rounds(pairs, X, y, 32, 1 if quick else 5)
    part = 2_000 if quick else 6_000
    out["per_sample_part"] = part
    out["b1"] = epoch_rounds(pairs[:part], X[:part], y[:part], 1, 1 if quick else 3,
                             with_torch=False)
    return out


def guard_cost(rows: list) -> float:
    """CPU seconds of the loss guard's one eager check (cross-entropy and its gradient on
    the 10 outputs), which fit runs once every LossHead.GUARD_EVERY samples."""
    head = LossHead(nn.cross_entropy, False, "cross_entropy")
    model = digits_model()
    outputs = [v.data for v in model(rows[0])]
    times = []
    for _ in range(7):
        start = clock()
        for _ in range(200):
            head.eager(outputs, 3, True)
        times.append((clock() - start) / 200)
    return float(np.median(times))


# --- compile cost and memory ----------------------------------------------------------------


def run_compile_cost() -> dict:
    out = {}
    for nin in (64, 784):
        X = np.random.default_rng(0).uniform(0, 1, (50, nin))
        model = digits_model(nin)
        start = clock()
        program, _ = compile_model(model, X)
        out[f"time_{nin}"] = clock() - start
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


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer rounds and samples")
    p.add_argument("--out", default="",
                   help="also write the table there, atomically (benchmarks/results/compile.md "
                        "is the tracked one)")
    args = p.parse_args(argv)
    if torch is not None:
        torch.set_num_threads(1)  # numpy's loops here are single-threaded too
    w4 = run_w4(args.quick)
    print("W4 done", file=sys.stderr)
    w1 = run_w1(args.quick)
    print("W1 done", file=sys.stderr)
    big = run_mnist_shape(args.quick)
    print("784 done", file=sys.stderr)
    cost = run_compile_cost()
    command = ("OPENBLAS_NUM_THREADS=1 python benchmarks/bench_compile.py"
               + (" --quick" if args.quick else ""))
    text = report(w4, w1, big, cost, command, torch.__version__ if torch else None)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        write_atomic(args.out, text.encode())
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
