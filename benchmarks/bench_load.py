"""How long model files take: save and nn.load of 784-50-100-10 and of 1,000,000 parameters.

Run: .venv/bin/python benchmarks/bench_load.py [--repeat N] [--out FILE.md]
Prints a table (CPU seconds, best of --repeat); --out also writes it to FILE.md.
Loading was quadratic before issue 9 (45,360 parameters: about 117 s): the ratio
"load s per 100,000 parameters" staying flat between the two sizes is what linear means.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import nn  # noqa: E402
from nn.files import write_atomic  # noqa: E402

MODELS = {
    "784-50-100-10 (the article's MNIST net)": (784, [50, 100, 10]),
    "999-1000 (1,000,000 parameters)": (999, [1000]),
}


def best_cpu_seconds(run, repeat: int) -> float:
    """The least CPU time of ``repeat`` calls of ``run`` (waiting for a shared core excluded)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def measure(nin: int, sizes: list[int], folder: Path, repeat: int) -> dict[str, float]:
    """Save and load times of an MLP(nin, sizes), with its parameter count and file size."""
    model = nn.MLP(nin, sizes, seed=0)
    path = folder / "model.json"
    save = best_cpu_seconds(lambda: model.save(path), repeat)
    loaded = []
    load = best_cpu_seconds(lambda: loaded.append(nn.load(path)), repeat)
    assert loaded[-1].state_dict() == model.state_dict()  # a benchmark of a wrong load is moot
    return {"parameters": model.num_parameters(), "megabytes": path.stat().st_size / 1e6,
            "save": save, "load": load}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the best is kept")
    parser.add_argument("--out", type=Path, help="also write the table to this .md file")
    args = parser.parse_args()
    rows = ["| model | parameters | file | save | nn.load | load s per 100,000 parameters |",
            "|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory(prefix="bench_load_") as folder:
        for name, (nin, sizes) in MODELS.items():
            r = measure(nin, sizes, Path(folder), args.repeat)
            rows.append(f"| {name} | {r['parameters']:,} | {r['megabytes']:.1f} MB | "
                        f"{r['save']:.2f} s | **{r['load']:.2f} s** | "
                        f"{r['load'] / r['parameters'] * 1e5:.3f} s |")
    text = (f"CPU seconds, best of {args.repeat}; Python {sys.version.split()[0]}; "
            f"`python benchmarks/bench_load.py --repeat {args.repeat}`\n\n"
            + "\n".join(rows) + "\n")
    print(text)
    if args.out:
        write_atomic(args.out, text.encode())


if __name__ == "__main__":
    main()
