"""The computations the gallery's figures are drawn from, each run once and only if needed.

A figure asks ``Sources`` for an example's results (``sources.function_fit``,
``sources.ice_cream``, …); the first request runs the example with the gallery's seed,
later ones reuse it, and a computation no chosen figure needs never runs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cached_property

import numpy as np

import autograd

from . import digits, function_fit, guess_number, ice_cream, init_and_overfit, linear, logic_gates

LINEAR_PAIRS = 300  # examples.linear's default: w is close after 43 pairs, b after 181
DIGIT_SAMPLES, DIGIT_MISTAKES = 20, 10  # test images shown: the first ones, then mistakes


@dataclass(frozen=True)
class DigitPredictions:
    """The digit network's answers on the held-out images, and how often it was right."""

    images: tuple[np.ndarray, ...]  # 8 × 8
    labels: tuple[int, ...]
    predicted: tuple[int, ...]
    accuracy: float
    sizes: tuple[int, ...]

    @property
    def confusion(self) -> list[list[int]]:
        """``confusion[t][p]``: how many images of digit t the network read as p."""
        table = [[0] * 10 for _ in range(10)]
        for t, p in zip(self.labels, self.predicted, strict=True):
            table[t][p] += 1
        return table


def digit_predictions(seed: int = 0, epochs: int = digits.EPOCHS,
                      data: tuple[list, list] | None = None) -> DigitPredictions:
    """Train ``examples.digits``' network (its own ``train_and_test``), then read every
    held-out image.

    ``data`` = (train, test) pairs; by default ``digits.load``'s 80/20 split of the 8×8
    digits.
    """
    train, test = data if data is not None else digits.load(None, seed)[:2]
    result = digits.train_and_test(train, test, "digits", seed=seed, epochs=epochs)
    model = result.model
    program = autograd.compile(lambda *xs: model(list(xs)), train[0][0])
    scores = program(np.array([x for x, _ in test], float))
    predicted = tuple(int(k) for k in np.argmax(scores, axis=1))
    labels = tuple(int(t) for _, t in test)
    right = sum(p == t for p, t in zip(predicted, labels, strict=True))
    images = tuple(np.array(x, float).reshape(8, 8) for x, _ in test)
    return DigitPredictions(images, labels, predicted, right / len(test), tuple(result.sizes))


@dataclass(frozen=True)
class Bisection:
    """One bisection game: each guess and the interval [low, high] still possible before it."""

    target: int
    guesses: tuple[int, ...]
    lows: tuple[int, ...]
    highs: tuple[int, ...]


def bisection(target: int) -> Bisection:
    """``guess_number.play(target, "bisection")`` with the interval before each guess."""
    game = guess_number.play(target, "bisection")
    low, high = guess_number.LOW, guess_number.HIGH
    lows, highs = [], []
    for guess, told in zip(game.guesses, game.losses, strict=True):
        lows.append(low)
        highs.append(high)
        if told > 0:  # too high
            high = guess - 1
        elif told < 0:
            low = guess + 1
    return Bisection(target, game.guesses, tuple(lows), tuple(highs))


class Sources:
    """Every example's results for one seed, computed on first use."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    @cached_property
    def function_fit(self) -> function_fit.FunctionFitResults:
        """The first article: sin(πx) learned by 1-4-4-1."""
        return function_fit.run(self.seed)

    @cached_property
    def ice_cream(self) -> ice_cream.IceCreamResults:
        """The ice-cream article's five steps."""
        return ice_cream.run(self.seed)

    @cached_property
    def linear(self) -> linear.LinearResults:
        """y = 2x + 1, one SGD step per pair of ``nn.datasets.linear_pairs``."""
        return linear.run(LINEAR_PAIRS, self.seed)

    @cached_property
    def xor(self) -> logic_gates.XorResults:
        """The 2-2-1 network trained on XOR."""
        return logic_gates.train_xor(self.seed)

    @cached_property
    def gate_search(self) -> logic_gates.GridSearch:
        """Every threshold neuron of the grid, grouped by the gate it computes."""
        return logic_gates.grid_search()

    @cached_property
    def digits(self) -> DigitPredictions:
        """The digit network's predictions on the held-out images."""
        return digit_predictions(self.seed)

    @cached_property
    def bisection(self) -> Bisection:
        """Bisection on the hidden number ``guess_number`` draws for this seed."""
        return bisection(random.Random(self.seed).randint(guess_number.LOW, guess_number.HIGH))

    @cached_property
    def symmetry(self) -> tuple[init_and_overfit.Symmetry, init_and_overfit.Symmetry]:
        """(all-zero start, random start) of the 1-4-1 sigmoid network."""
        return (init_and_overfit.symmetry("zeros", "sigmoid", self.seed),
                init_and_overfit.symmetry("uniform", "sigmoid", self.seed))

    @cached_property
    def overfit(self) -> tuple[init_and_overfit.Overfit, init_and_overfit.Overfit]:
        """(too big, right size) trained on the same 8 noisy points."""
        return init_and_overfit.overfit(self.seed)
