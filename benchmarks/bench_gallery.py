"""How long ``python -m examples.gallery`` takes: every figure, wall-clock and CPU seconds.

Run: .venv/bin/python benchmarks/bench_gallery.py [--out FILE]
Writes the whole gallery into a temporary folder (seed 0, as the command does) and prints
a table: per figure the seconds of its drawing, its two files and any example run it was
the first to need (the first fit_* figure trains every network of the first article).
CPU seconds are this process's (``time.process_time``): on a shared machine, time spent
waiting for a core is not the gallery's cost, so compare CPU with CPU.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as ./run test and examples.digits do
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from examples import gallery  # noqa: E402
from nn.files import write_atomic  # noqa: E402


def table(timings: dict[str, tuple[float, float]], wall: float, cpu: float) -> str:
    """The timings as a Markdown table, the total last."""
    lines = ["| figure | wall s | CPU s |", "|---|---|---|"]
    lines += [f"| {name} | {w:.1f} | {c:.1f} |" for name, (w, c) in timings.items()]
    lines.append(f"| **all {len(timings)} figures + index.html** | **{wall:.1f}** | "
                 f"**{cpu:.1f}** |")
    return "\n".join(lines)


def main() -> int:
    """Time one full gallery run; print (and with --out, write) the table."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=None, help="also write the Markdown table to this file")
    args = p.parse_args()
    timings: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        wall, cpu = time.perf_counter(), time.process_time()
        gallery.write_gallery(folder, timings=timings)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    head = (f"# `python -m examples.gallery` timing\n\nPython {platform.python_version()}, "
            f"{os.cpu_count()} CPUs shared with other jobs (load average {load:.1f} at the "
            f"end), {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Command: "
            "`python benchmarks/bench_gallery.py`. One run.\n\n")
    text = head + table(timings, wall, cpu) + "\n"
    print(text)
    if args.out:
        write_atomic(args.out, text.encode("utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
