"""Eager nn training speed: milliseconds per training sample for the article's networks.

Run: .venv/bin/python -m benchmarks.bench_nn_eager [--samples 200]
(or PYTHONPATH=. .venv/bin/python benchmarks/bench_nn_eager.py). Timings on a shared
machine are noisy; compare numbers from the same run.
"""

from __future__ import annotations

import argparse
import time

import nn


def _time_fit(model: nn.Module, pairs: list, loss, batch_size: int | None) -> float:
    """Seconds per sample of one epoch of SGD over ``pairs``."""
    optimizer = nn.SGD(model, lr=0.05)
    start = time.perf_counter()
    nn.fit(model, pairs, loss=loss, optimizer=optimizer, batch_size=batch_size, progress=False)
    return (time.perf_counter() - start) / len(pairs)


def main() -> None:
    """Print ms/sample for XOR 2-2-1 and digits 64-50-100-10, per-sample and mini-batch."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200, help="digits samples to time")
    args = parser.parse_args()
    xor = nn.datasets.logic_gate("xor") * 250
    digits = nn.datasets.digits()[: args.samples]
    rows = [
        ("xor 2-2-1 tanh, mse, batch 1", nn.MLP(2, [2, 1], "tanh", seed=0), xor, nn.mse, 1),
        ("digits 64-50-100-10, CE, batch 1",
         nn.MLP(64, [50, 100, 10], "sigmoid", "softmax", seed=0), digits, nn.cross_entropy, 1),
        ("digits 64-50-100-10, CE, batch 32",
         nn.MLP(64, [50, 100, 10], "sigmoid", "softmax", seed=0), digits, nn.cross_entropy, 32),
    ]
    for name, model, pairs, loss, batch in rows:
        seconds = _time_fit(model, pairs, loss, batch)
        print(f"{name:36s} {model.num_parameters():6d} params  {seconds * 1e3:8.3f} ms/sample")


if __name__ == "__main__":
    main()
