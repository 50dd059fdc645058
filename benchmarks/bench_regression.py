"""Compiled training on a regression (every target different): nn.fit with compiled=True.

Run: .venv/bin/python benchmarks/bench_regression.py [--repeat N] [--out FILE.md]
Prints a table (CPU seconds of a whole fit, tracing and checks included, best of
--repeat); --out also writes it to FILE.md. The workload is the
first article's: a 1-4-4-1 tanh net fitting sin(πx) on 100 points in [−1, 1] with the
squared-error loss, in mini-batches of 10 and full batch (one sample at a time the loss
stays eager: that is cheaper). A regression has as many distinct targets as examples,
so a loss compiled per target would not pay; the loss is compiled once with the target
as one more input instead. Column "eager loss" forces the loss onto Values, as before
(the model itself still compiled), for the ratio.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import nn  # noqa: E402
from autograd.compiled import losshead  # noqa: E402

N_POINTS = 100
RUNS = {  # label: (batch size, epochs)
    "mini-batch of 10, 20 epochs": (10, 20),
    "full batch, 20 epochs": (None, 20),
    "full batch, 1,500 epochs (examples.function_fit's training)": (None, 1500),
}


def workload() -> tuple[nn.MLP, list]:
    xs = [-1 + 2 * i / (N_POINTS - 1) for i in range(N_POINTS)]
    pairs = [([x], math.sin(math.pi * x)) for x in xs]
    return nn.MLP(1, [4, 4, 1], activation="tanh", seed=0), pairs


def fit_seconds(batch_size: int | None, epochs: int, repeat: int) -> float:
    """Least CPU seconds of a compiled fit, from a fresh model."""
    best = float("inf")
    for _ in range(repeat):
        model, pairs = workload()
        start = time.process_time()
        nn.fit(model, pairs, loss=nn.sum_squared_error, epochs=epochs, batch_size=batch_size,
               compiled=True, progress=False)
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="rounds; the best is kept")
    parser.add_argument("--out", type=Path, help="also write the table to this .md file")
    args = parser.parse_args()
    rows = ["| nn.fit(compiled=True), 1-4-4-1 tanh, 100 points, s per fit | loss compiled "
            "once, target as input | eager loss | ratio |", "|---|---|---|---|"]
    for label, (batch_size, epochs) in RUNS.items():
        repeat = args.repeat if epochs < 100 else min(args.repeat, 2)
        fast = fit_seconds(batch_size, epochs, repeat)
        keep = losshead.compile_by_value
        losshead.compile_by_value = lambda *a, **k: None  # the loss on Values, as before
        try:
            slow = fit_seconds(batch_size, epochs, repeat)
        finally:
            losshead.compile_by_value = keep
        rows.append(f"| {label} | {fast:.3f} | {slow:.3f} | {slow / fast:.1f}× |")
    table = "\n".join(rows)
    print(table)
    if args.out:
        args.out.write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
