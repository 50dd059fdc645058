"""The training loop: forward, loss, backward, step — over batches and epochs."""

from __future__ import annotations

import numbers
import random
import reprlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import autograd
from autograd import Value, no_grad

from .data import batches, make_rng
from .losses import mse
from .optim import SGD, Optimizer
from .progress import progress_bar
from .targets import check_targets

__all__ = ["History", "fit", "evaluate", "is_correct", "check_model"]

Pair = tuple[Sequence[float], object]
Loss = Callable[[object, object], Value]


@dataclass
class History:
    """Per-epoch numbers from ``fit``: mean losses, and accuracies where they apply.

    Accuracy applies when every target is a class index: an ``int`` picked by argmax
    over several outputs, or 0/1 for one output (output ≥ 0.5 counts as 1). Otherwise
    the accuracy lists stay empty. ``steps`` counts optimizer updates and ``samples``
    the per-sample gradients computed (the work gradient descent did).
    """

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    steps: int = 0
    samples: int = 0

    @property
    def epochs(self) -> int:
        """How many epochs have been recorded."""
        return len(self.train_loss)

    def end_epoch(self, total_loss: float, hits: int | None, count: int,
                  validate: Callable[[], tuple[float, float | None]] | None = None,
                  ) -> dict[str, str]:
        """Record one epoch (mean loss over ``count`` pairs, accuracy if ``hits`` is known,
        then ``validate()``'s (loss, accuracy)); returns the progress-bar fields to show.

        One place for the eager and the compiled training loops, so both fill History alike.
        """
        self.train_loss.append(total_loss / count)
        if hits is not None:
            self.train_accuracy.append(hits / count)
        shown = {"loss": f"{self.train_loss[-1]:.4g}"}
        if validate is not None:
            val_loss, val_accuracy = validate()
            self.val_loss.append(val_loss)
            shown["val_loss"] = f"{val_loss:.4g}"
            if val_accuracy is not None:
                self.val_accuracy.append(val_accuracy)
        return shown


def check_schedule(epochs: object, batch_size: object) -> None:
    """Raise ValueError unless epochs is an int ≥ 0 and batch_size a positive int or None."""
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 0:
        raise ValueError(f"epochs must be an int ≥ 0, got {epochs!r}")
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(
            batch_size, numbers.Integral) or batch_size < 1):
        raise ValueError(
            f"batch_size must be a positive int or None (full batch), got {batch_size!r}"
        )


def is_correct(outputs: Value | Sequence[Value], target: object) -> bool | None:
    """Whether ``outputs`` pick class ``target``; None when the target is not a class index."""
    if isinstance(target, bool) or not isinstance(target, numbers.Integral):
        return None
    values = [outputs] if isinstance(outputs, Value) else list(outputs)
    numbers_ = [v.data if isinstance(v, Value) else float(v) for v in values]
    # bool(): a numpy integer target would make these numpy bools, and History's
    # accuracies numpy floats (which json.dumps refuses)
    if len(numbers_) == 1:
        return None if target not in (0, 1) else bool((numbers_[0] >= 0.5) == (target == 1))
    return bool(max(range(len(numbers_)), key=numbers_.__getitem__) == target)


def _check_pairs(items: object, what: str) -> list[Pair]:
    if isinstance(items, (str, bytes)) or not isinstance(items, Sequence):
        raise TypeError(f"{what} must be a sequence of (inputs, target) pairs, got {items!r}")
    pairs = list(items)
    if not pairs:
        raise ValueError(f"{what} is empty: fit needs at least one (inputs, target) pair")
    # Every pair, not only the first: a bad one deep in the data would otherwise stop
    # training mid-epoch with Python's "cannot unpack non-iterable int object".
    for i, pair in enumerate(pairs):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(f"{what}[{i}] must be an (inputs, target) pair, got {pair!r}")
    return pairs


def _width(x: object) -> int | None:
    """How many inputs ``x`` gives a model (a lone number is one), None if not a sequence."""
    if isinstance(x, Value) or (isinstance(x, numbers.Real) and not isinstance(x, bool)):
        return 1
    if isinstance(x, (str, bytes)) or not hasattr(x, "__len__"):
        return None
    return len(x)


def check_model(model: object, pairs: list[Pair], what: str) -> None:
    """Raise before training, not steps into it: ``model`` must be callable, and every
    pair's inputs as wide as ``model.nin`` (when the model says; nn modules do)."""
    if not callable(model):
        raise TypeError(f"model must be callable (an nn Module, or a function of the inputs "
                        f"returning Values), got {model!r} ({type(model).__name__}), which "
                        "is not callable")
    nin = getattr(model, "nin", None)
    if isinstance(nin, bool) or not isinstance(nin, int):
        return
    for i, (x, _) in enumerate(pairs):
        width = _width(x)
        if width != nin:
            got = "inputs that are not a sequence" if width is None else f"{width} inputs"
            shown = " ".join(reprlib.repr(x).split())  # one line, even for a numpy row
            raise ValueError(f"{what}[{i}] has {got} but the model takes {nin}: {shown}")


def _loss_value(loss: Loss, outputs: object, target: object) -> Value:
    value = loss(outputs, target)
    if not isinstance(value, Value):
        name = getattr(loss, "__name__", repr(loss))
        raise TypeError(f"loss {name} must return a Value, got {value!r} ({type(value).__name__})")
    return value


def evaluate(model: Callable, data: Sequence[Pair], loss: Loss = mse) -> tuple[float, float | None]:
    """(mean loss, accuracy or None) of ``model`` on ``data``, without building a graph."""
    pairs = _check_pairs(data, "data")
    total, hits = 0.0, 0
    with no_grad():
        for x, t in pairs:
            outputs = model(x)
            total += _loss_value(loss, outputs, t).data
            correct = is_correct(outputs, t)
            if hits is not None:
                hits = None if correct is None else hits + correct
    return total / len(pairs), None if hits is None else hits / len(pairs)


def fit(
    model: Callable, train: Sequence[Pair], loss: Loss = mse,
    optimizer: Optimizer | None = None, epochs: int = 1, batch_size: int | None = 1,
    shuffle: bool = True, val: Sequence[Pair] | None = None,
    seed: int | random.Random | None = 0, progress: bool = True, compiled: bool = False,
) -> History:
    """Train ``model`` on ``(inputs, target)`` pairs and return the per-epoch History.

    Each step averages ``loss`` over ``batch_size`` pairs (1: stochastic, None or
    len(train): full batch), backpropagates once and calls ``optimizer.step()``
    (default: ``SGD(model, lr=0.01)``). Train loss and accuracy are measured on the
    forward passes of the epoch, before each update; ``val`` is evaluated after each
    epoch. The progress bar is a widget in Jupyter, and on stderr elsewhere only when
    stderr is a terminal (quiet in CI logs and pipes).
    """
    pairs = _check_pairs(train, "train")
    check_model(model, pairs, "train")
    check_targets(pairs, "train")
    if val is not None:
        val_pairs = _check_pairs(val, "val")
        check_model(model, val_pairs, "val")
        check_targets(val_pairs, "val")
    if compiled:
        from .compiled import fit_compiled

        return fit_compiled(model, train, loss=loss, optimizer=optimizer, epochs=epochs,
                            batch_size=batch_size, shuffle=shuffle, val=val, seed=seed,
                            progress=progress)
    check_schedule(epochs, batch_size)
    if optimizer is None:
        optimizer = SGD(model, lr=0.01)
    rng = make_rng(seed)
    size = len(pairs) if batch_size is None else min(batch_size, len(pairs))
    per_epoch = -(-len(pairs) // size)
    history = History()

    with progress_bar(epochs * per_epoch, "fit", progress) as bar:
        for _ in range(epochs):
            total, hits = 0.0, 0
            for batch in batches(pairs, size, shuffle=shuffle, seed=rng):
                optimizer.zero_grad()
                losses = []
                for x, t in batch:
                    outputs = model(x)
                    losses.append(_loss_value(loss, outputs, t))
                    correct = is_correct(outputs, t)
                    if hits is not None:
                        hits = None if correct is None else hits + correct
                batch_loss = losses[0] if len(losses) == 1 else autograd.sum(losses) / len(losses)
                batch_loss.backward()
                optimizer.step()
                total += sum(value.data for value in losses)
                history.steps += 1
                history.samples += len(batch)
                bar.update(1)
            validate = None if val is None else lambda: evaluate(model, val, loss)
            bar.set_postfix(history.end_epoch(total, hits, len(pairs), validate))
    return history
