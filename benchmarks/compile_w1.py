"""W1 for ``bench_compile.py``: micrograd's demo step, compiled, by hand and in PyTorch."""

from __future__ import annotations

import builtins
import random

import lean_numpy as lean
import numpy as np
import workloads as wl
from compile_timing import clock, timed
from numpy_reference import MoonsMLP

import autograd
import nn

try:
    import torch
except (ImportError, OSError):  # optional: the table says "not installed"
    torch = None

__all__ = ["run_w1"]


def w1_program():
    """(program, data, micrograd's model): per-point SVM loss + the L2 term."""
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


def w1_micrograd_graph_program(data: np.ndarray):
    """The W1 program with the graph built node for node as micrograd builds it (stepgrad
    Values, neurons as chains of binary adds, L2 as one more chain)."""
    model = wl.MicroMLP(autograd.Value, 2, [16, 16, 1], ["relu", "relu", ""],
                        random.Random(1337))
    params = model.parameters()

    def loss(x1, x2, t):
        score = model([x1, x2])[0]
        return (1 + -t * score).relu() + 1e-4 * builtins.sum([p * p for p in params])

    return autograd.compiled.compile(loss, data[0], params=params)


def compiled_steps(program, data: np.ndarray, steps: int):
    """``steps`` demo steps of a W1 program: forward, mean gradient, the demo's schedule."""
    def run() -> None:
        for k in range(steps):
            program.forward(data)
            program.theta -= (1.0 - 0.9 * k / 100 % 1.0) * program.gradient(reduction="mean")

    return run


def run_w1(quick: bool) -> dict:
    from micrograd.engine import Value as MicroValue

    start = clock()
    program, data, reference = w1_program()
    compile_s = clock() - start
    graph_program = w1_micrograd_graph_program(data)
    first_loss = float(program.forward(data).mean())
    X, y = wl.moons()
    micro_first = wl.w1_step(reference, X, y, MicroValue, builtins.sum, 1.0)
    micro = timed(lambda: wl.w1_step(reference, X, y, MicroValue, builtins.sum, 0.5))
    ref = MoonsMLP()
    Xn, yn = data[:, :2].copy(), data[:, 2].copy()
    Ws, bs = lean.moons_init()
    steps = 50
    engines = {
        "lean": lambda: [lean.moons_step(Ws, bs, Xn, yn, 0.5) for _ in range(steps)],
        "compiled": compiled_steps(program, data, steps),
        "micro_graph": compiled_steps(graph_program, data, steps),
        "numpy": lambda: [ref.step(Xn, yn, 0.5) for _ in range(steps)],
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

        engines["torch"] = torch_steps
    out: dict = {name: [] for name in engines}
    for _ in range(3 if quick else 15):
        for name, run in engines.items():
            out[name].append(timed(run) / steps)
    if torch is None:
        out["torch"] = [None]
    out.update(compile=compile_s, first_loss=first_loss, micro_first_loss=micro_first,
               micrograd=micro)
    return out
