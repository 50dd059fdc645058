"""The article's digit-recognition network, trained compiled (seed 001, worked example 3).

The article's network is 784 → 50 → 100 → 10 (sigmoid, sigmoid, softmax) on MNIST
and recognises 92.53 % of the 10,000 test images. MNIST cannot be downloaded here,
so by default the same hidden structure runs on scikit-learn's 8×8 digits:
64 → 50 → 100 → 10 (9,360 parameters), 80 % of the 1,797 images to train on and the
held-out 20 % to test on. With ``--idx DIR`` it runs 784 → 50 → 100 → 10 (45,360
parameters) on real MNIST IDX files in DIR (train-images-idx3-ubyte, …).

Training is ``nn.fit(..., compiled=True)``: the scalar-Value network is traced once
and replayed with numpy, with the same numbers as eager training (minutes) in
seconds. Cross-entropy on the softmax, Adam, mini-batches of 32, a fixed seed.

Run: ``python -m examples.digits [--seed S] [--epochs N] [--idx DIR]``.
"""

from __future__ import annotations

import os

# Before numpy loads (when run as a script): these matrices are small, and OpenBLAS
# threads contending for a few shared cores can make each product many times slower.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from collections.abc import Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

import nn  # noqa: E402
from nn.compiled import fit_compiled  # noqa: E402

from ._report import heading, parser, row, show  # noqa: E402

ARTICLE_ACCURACY = 0.9253  # 9,253 of MNIST's 10,000 test images
HIDDEN = [50, 100]
EPOCHS = 20
BATCH_SIZE = 32
LEARNING_RATE = 0.01  # Adam
TEST_FRACTION = 0.2


@dataclass
class DigitsResult:
    """What one training run gives: data sizes, accuracy, time and the per-epoch history."""

    dataset: str
    sizes: list[int]
    parameters: int
    n_train: int
    n_test: int
    test_accuracy: float
    train_seconds: float  # the epochs (each with its test-set pass), compile excluded
    compile_seconds: float
    epochs: int
    history: nn.History = field(repr=False)
    model: nn.MLP | None = field(default=None, repr=False)  # the trained network


def load(idx: str | None = None, seed: int = 0, limit: int | None = None) -> tuple[list, list, str]:
    """(train pairs, test pairs, dataset name): sklearn digits split 80/20, or MNIST IDX files."""
    if idx is not None:
        train = nn.datasets.load_mnist(idx, "train", limit)
        test = nn.datasets.load_mnist(idx, "test", limit)
        return train, test, f"MNIST IDX files in {idx}"
    train, test = nn.train_test_split(nn.datasets.digits(), TEST_FRACTION, seed=seed)
    return train, test, "scikit-learn digits (8×8)"


def run(seed: int = 0, epochs: int = EPOCHS, idx: str | None = None,
        limit: int | None = None, batch_size: int = BATCH_SIZE,
        lr: float = LEARNING_RATE, progress: bool = False) -> DigitsResult:
    """Train the article's sigmoid/sigmoid/softmax network compiled; return the results."""
    return train_and_test(*load(idx, seed, limit), seed=seed, epochs=epochs,
                          batch_size=batch_size, lr=lr, progress=progress)


def train_and_test(train: list, test: list, name: str, seed: int = 0, epochs: int = EPOCHS,
                   batch_size: int = BATCH_SIZE, lr: float = LEARNING_RATE,
                   progress: bool = False) -> DigitsResult:
    """Train the network on ``train`` pairs, test on ``test``; ``name`` names the data set."""
    n_in = len(train[0][0])
    model = nn.MLP(n_in, HIDDEN + [10], activation="sigmoid", output_activation="softmax",
                   init="xavier", seed=seed)
    optimizer = nn.Adam(model, lr=lr)
    timings: dict = {}
    # nn.fit(..., compiled=True) runs the same function; called directly for its timings
    history = fit_compiled(model, train, loss=nn.cross_entropy, optimizer=optimizer,
                           epochs=epochs, batch_size=batch_size, val=test, seed=seed,
                           progress=progress, timings=timings)
    return DigitsResult(name, [n_in, *HIDDEN, 10], model.num_parameters(), len(train),
                        len(test), history.val_accuracy[-1] if history.val_accuracy else 0.0,
                        sum(timings["epochs"]), timings["compile"], epochs, history, model)


def main(argv: Sequence[str] | None = None) -> int:
    """Train, print test accuracy next to the article's 92.53 % and the training time; 0."""
    p = parser("digits", "The article's 3-layer digit network, trained with autograd.compile.")
    p.add_argument("--epochs", type=int, default=EPOCHS, help=f"default {EPOCHS}")
    p.add_argument("--idx", metavar="DIR", help="train on real MNIST IDX files in DIR")
    p.add_argument("--limit", type=int, help="use only the first N images of each IDX file")
    args = p.parse_args(argv)
    if args.epochs < 1:  # 0 epochs would print an untrained 10 % next to the article's figure
        p.error(f"--epochs must be at least 1, got {args.epochs}")
    if args.limit is not None and args.limit < 1:
        p.error(f"--limit must be at least 1, got {args.limit}")
    if args.idx is not None and not os.path.isdir(args.idx):
        p.error(f"--idx {args.idx!r} is not a folder; give the folder holding the IDX files")
    try:
        data = load(args.idx, args.seed, args.limit)
    except (FileNotFoundError, ValueError) as exc:  # a missing or malformed IDX file
        p.error(str(exc))
    result = train_and_test(*data, seed=args.seed, epochs=args.epochs, progress=True)
    shape = " → ".join(str(n) for n in result.sizes)
    correct = round(result.test_accuracy * result.n_test)
    show([
        heading(f"Digits: {shape} (sigmoid, sigmoid, softmax) on {result.dataset}"),
        row("parameters", 45_360 if args.idx else None, result.parameters),
        row("training / test images", "60,000 / 10,000", f"{result.n_train:,} / "
            f"{result.n_test:,}"),
        f"  {result.epochs} epochs, Adam lr {LEARNING_RATE}, batches of {BATCH_SIZE}, "
        f"seed {args.seed}, compiled",
        row("test accuracy (%)", ARTICLE_ACCURACY * 100, round(result.test_accuracy * 100, 2)),
        row("test images recognised", "9,253 of 10,000", f"{correct:,} of {result.n_test:,}"),
        row("training time (s)", None, round(result.train_seconds, 2)),
        row("compile time, once (s)", None, round(result.compile_seconds, 2)),
        "  (the article's figure is for MNIST; the 8×8 digits are a different, smaller set)"
        if not args.idx else "",
    ])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
