"""Graduation: the digits network trained here, then run in ONNX Runtime and in PyTorch.

1. Train the article's 64 → 50 → 100 → 10 network (sigmoid, sigmoid, softmax) on
   scikit-learn's 8×8 digits with ``fit(..., compiled=True)``, as ``examples.digits`` does.
2. Save it (``digits.json``) and export it (``nn.export_onnx`` → ``digits.onnx``); run
   the ONNX model in ONNX Runtime on the held-out images.
3. Convert it with ``nn.to_torch`` and run it in PyTorch; then train it there for one
   more epoch (Adam, same learning rate and batch size; Adam's moments start afresh)
   and bring it back with ``nn.from_torch``.

It prints each runtime's test accuracy beside stepgrad's, and how far its
probabilities are from stepgrad's (float64 throughout: ~1e-16). Needs the extras:
``pip install 'stepgrad[examples,export,torch]'`` (without torch, its rows say so).

Run: ``python -m examples.graduate [--seed S] [--epochs N] [--out DIR]``.
"""

from __future__ import annotations

import os

# Before numpy loads (when run as a script): small matrices, few shared cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from collections.abc import Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402

from . import digits  # noqa: E402
from ._report import heading, parser, show  # noqa: E402

STEPGRAD, ONNX, TORCH, TORCH_TRAINED, BACK = (
    "stepgrad (compiled fit)", "ONNX Runtime (digits.onnx)", "PyTorch (nn.to_torch)",
    "PyTorch, one more epoch", "stepgrad again (nn.from_torch)")


@dataclass
class GraduateResult:
    """Test accuracy per runtime (None: not installed) and max |Δ probability| vs stepgrad."""

    accuracy: dict[str, float | None]
    difference: dict[str, float] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)  # runtime → install hint
    files: list[Path] = field(default_factory=list)


def probabilities(model: nn.MLP, X: np.ndarray) -> np.ndarray:
    """stepgrad's softmax probabilities for every row of X (the traced net, replayed)."""
    program = autograd.compile(lambda *xs: model(list(xs)), X[0], model.parameters())
    logits = program(X)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def accuracy(p: np.ndarray, labels: np.ndarray) -> float:
    """The fraction of rows whose most probable class is the label."""
    return float(np.mean(p.argmax(axis=1) == labels))


def train_in_torch(net, X: np.ndarray, labels: np.ndarray, seed: int) -> None:
    """One epoch of Adam on cross-entropy of the logits (``net[:-1]``), mean per batch."""
    import torch

    optimizer = torch.optim.Adam(net.parameters(), lr=digits.LEARNING_RATE)
    X_t, y_t = torch.tensor(X), torch.tensor(labels)
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed))
    for batch in order.split(digits.BATCH_SIZE):
        loss = torch.nn.functional.cross_entropy(net[:-1](X_t[batch]), y_t[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def run(seed: int = 0, epochs: int = digits.EPOCHS, out: str | os.PathLike = "out",
        progress: bool = False) -> GraduateResult:
    """Train here, export, run and train elsewhere; return the accuracies side by side."""
    train, test, name = digits.load(seed=seed)
    model = digits.train_and_test(train, test, name, seed=seed, epochs=epochs,
                                  progress=progress).model
    X = np.array([x for x, _ in test])
    labels = np.array([t for _, t in test])
    mine = probabilities(model, X)
    result = GraduateResult({STEPGRAD: accuracy(mine, labels)})

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    model.save(folder / "digits.json")
    try:  # the model file, as `stepgrad export digits.json digits.onnx` would convert it
        path = nn.export_onnx(nn.load(folder / "digits.json"), folder / "digits.onnx")
        import onnxruntime

        result.files = [folder / "digits.json", path]
        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        theirs = session.run(["y"], {"x": X})[0]
        result.accuracy[ONNX] = accuracy(theirs, labels)
        result.difference[ONNX] = float(np.abs(theirs - mine).max())
    except ImportError as exc:
        result.accuracy[ONNX] = None
        result.missing[ONNX] = str(exc)

    try:
        net = nn.to_torch(model)
    except ImportError as exc:
        for row in (TORCH, TORCH_TRAINED, BACK):
            result.accuracy[row] = None
        result.missing[TORCH] = str(exc)
        return result
    import torch

    # As with OpenBLAS above: on a few shared cores, two threads made this epoch 20× slower.
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    with torch.no_grad():
        theirs = net(torch.tensor(X)).numpy()
    result.accuracy[TORCH] = accuracy(theirs, labels)
    result.difference[TORCH] = float(np.abs(theirs - mine).max())
    train_in_torch(net, np.array([x for x, _ in train]), np.array([t for _, t in train]), seed)
    with torch.no_grad():
        theirs = net(torch.tensor(X)).numpy()
    result.accuracy[TORCH_TRAINED] = accuracy(theirs, labels)
    back = probabilities(nn.from_torch(net), X)
    result.accuracy[BACK] = accuracy(back, labels)
    result.difference[BACK] = float(np.abs(back - theirs).max())  # vs PyTorch's, same weights
    return result


def report(result: GraduateResult, epochs: int) -> list[str]:
    """The printed table: one line per runtime."""
    lines = [heading("Graduation: the digits net (64 → 50 → 100 → 10) beyond stepgrad"),
             f"  trained {epochs} epochs here (Adam, compiled); held-out 20 % of the 8×8 digits",
             f"  {'':<34} {'test accuracy':>14}   {'max |Δ probability|':>20}"]
    for what, acc in result.accuracy.items():
        if acc is None:
            shown, diff = "not installed", ""
        else:
            shown = f"{acc * 100:.2f} %"
            diff = f"{result.difference[what]:.1e}" if what in result.difference else "—"
        lines.append(f"  {what:<34} {shown:>14}   {diff:>20}")
    lines.append("  (Δ: against stepgrad's numbers; the last row against PyTorch's, same weights)")
    lines += [f"  {hint}" for hint in result.missing.values()]
    if result.files:
        lines.append(f"  wrote {', '.join(str(p) for p in result.files)}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Train, export, run elsewhere; print the accuracies side by side; 0."""
    p = parser("graduate", "Train the digits net in stepgrad, then run and train it in "
                           "ONNX Runtime and PyTorch.")
    p.add_argument("--epochs", type=int, default=digits.EPOCHS,
                   help=f"epochs in stepgrad (default {digits.EPOCHS})")
    p.add_argument("--out", default="out", help="folder for digits.json and digits.onnx "
                                                "(default out)")
    args = p.parse_args(argv)
    if args.epochs < 1:
        p.error(f"--epochs must be at least 1, got {args.epochs}")
    result = run(args.seed, args.epochs, args.out, progress=True)
    show(report(result, args.epochs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
