"""The guess-the-number game (seed 004): guess, measure the loss, adjust, repeat.

A number in 0..100 is hidden. Three players run the same loop and differ only in the
loss they are told and in how they adjust:

- ``random``: feedback only ("too high" / "too low"), next guess drawn at random from
  the numbers the feedback still allows: the article's five-try game.
- ``bisection``: the same feedback, a better strategy: guess the middle of what is left.
  At most ⌈log2(102)⌉ = 7 guesses for any number in 0..100.
- ``signed``: a better loss. With L = (guess − t)²/2 the gradient dL/dguess = guess − t
  is the signed difference the article proposes; one gradient step with learning rate 1
  (computed by ``autograd``) lands exactly on the number.

Run: ``python -m examples.guess_number [--target N] [--seed S]``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from autograd import Value

from ._report import heading, parser, row, show

LOW, HIGH = 0, 100
TRIES = 5  # the article's game gives five guesses
STRATEGIES = ("random", "bisection", "signed")


@dataclass(frozen=True)
class Game:
    """One game: the hidden target, every guess in order, and the loss told after each."""

    strategy: str
    target: int
    guesses: tuple[int, ...]
    losses: tuple[float, ...]  # feedback: +1 too high, −1 too low, 0 right; signed: t − guess

    @property
    def found(self) -> bool:
        """True when the last guess is the target."""
        return bool(self.guesses) and self.guesses[-1] == self.target


@dataclass(frozen=True)
class Summary:
    """How a strategy does over every target of the range."""

    strategy: str
    worst: int  # most guesses needed for any target
    mean: float  # mean guesses over all targets
    found_within_tries: int  # targets found within the article's five guesses


def feedback(guess: int, target: int) -> int:
    """The game's only feedback as a number: +1 "too high", −1 "too low", 0 "right"."""
    return (guess > target) - (guess < target)


def signed_step(guess: float, target: float, lr: float = 1.0) -> tuple[float, float]:
    """(signed loss t − guess, guess after one gradient step on L = (guess − t)²/2).

    dL/dguess = guess − t, so guess − lr · dL/dguess with lr = 1 is exactly t.
    """
    g = Value(float(guess), "guess")
    loss = (g - target) ** 2 / 2
    loss.backward()
    return target - guess, g.data - lr * g.grad


def play(
    target: int,
    strategy: str = "bisection",
    *,
    low: int = LOW,
    high: int = HIGH,
    seed: int | random.Random = 0,
    max_guesses: int | None = None,
) -> Game:
    """The game of ``strategy`` on ``target``: guesses until right (or ``max_guesses``)."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; expected one of {', '.join(STRATEGIES)}")
    if isinstance(target, bool) or not (isinstance(target, int) and low <= target <= high):
        raise ValueError(f"target must be an integer in {low}..{high}, got {target!r}")
    if max_guesses is not None and (isinstance(max_guesses, bool)
                                    or not isinstance(max_guesses, int) or max_guesses < 1):
        # 0 or less used to give a game with no guess, which summarize() cannot read
        raise ValueError(f"max_guesses must be a positive int or None, got {max_guesses!r}")
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    limit = max_guesses if max_guesses is not None else high - low + 1
    guesses: list[int] = []
    losses: list[float] = []
    lo, hi = low, high  # the numbers the feedback so far still allows
    guess = (lo + hi) // 2 if strategy == "bisection" else rng.randint(lo, hi)
    while len(guesses) < limit:
        guesses.append(guess)
        if strategy == "signed":
            loss, adjusted = signed_step(guess, target)
            losses.append(loss)
            if loss == 0:
                break
            guess = round(adjusted)
            continue
        told = feedback(guess, target)
        losses.append(float(told))
        if told == 0:
            break
        if told > 0:
            hi = guess - 1
        else:
            lo = guess + 1
        guess = (lo + hi) // 2 if strategy == "bisection" else rng.randint(lo, hi)
    return Game(strategy, target, tuple(guesses), tuple(losses))


def summarize(games: Sequence[Game], tries: int = TRIES) -> Summary:
    """Worst and mean number of guesses, and how many targets were found within ``tries``."""
    counts = [len(g.guesses) for g in games]
    within = sum(1 for g in games if g.found and len(g.guesses) <= tries)
    return Summary(games[0].strategy, max(counts), sum(counts) / len(counts), within)


def results(seed: int = 0, low: int = LOW, high: int = HIGH) -> dict[str, Summary]:
    """Each strategy played on every target low..high (random ones seeded by ``seed``)."""
    rng = random.Random(seed)
    return {
        strategy: summarize([
            play(t, strategy, low=low, high=high, seed=rng) for t in range(low, high + 1)
        ])
        for strategy in STRATEGIES
    }


def _transcript(game: Game) -> list[str]:
    lines = []
    for i, (guess, loss) in enumerate(zip(game.guesses, game.losses, strict=True), start=1):
        if game.strategy == "signed":
            said = f"signed loss t − guess = {loss:+g}" if loss else "signed loss 0: right"
        else:
            said = {1: "too high", -1: "too low", 0: "right"}[int(loss)]
        lines.append(f"    guess {i:>2}: {guess:>3}  → {said}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Print one game per strategy and the summary over all 101 targets; return 0."""
    p = parser("guess_number", "The guess-the-number loop: feedback only, bisection, signed loss.")
    p.add_argument("--target", type=int, default=None, help="the hidden number (default: random)")
    args = p.parse_args(argv)
    rng = random.Random(args.seed)
    target = args.target if args.target is not None else rng.randint(LOW, HIGH)
    if not LOW <= target <= HIGH:
        p.error(f"--target must be in {LOW}..{HIGH}, got {target}")
    lines = [heading(f"One game each, hidden number {target}")]
    for strategy in STRATEGIES:
        lines.append(f"  {strategy}:")
        lines += _transcript(play(target, strategy, seed=rng))
    summary = results(args.seed)
    bound = math.ceil(math.log2(HIGH - LOW + 2))
    lines += [
        heading(f"Over every target {LOW}..{HIGH}"),
        row("bisection: most guesses needed", 7, summary["bisection"].worst),
        row(f"bisection: worst case ⌈log2({HIGH - LOW + 2})⌉", 7, bound),
        row("signed loss: adjust steps to the answer", 1, summary["signed"].worst - 1),
    ]
    for s in summary.values():
        lines.append(
            f"  {s.strategy:<10} worst {s.worst:>3}  mean {s.mean:5.2f}  "
            f"found within {TRIES} guesses: {s.found_within_tries}/{HIGH - LOW + 1}"
        )
    lines.append(
        "  The article gives five guesses: even bisection needs up to 7, so five only "
        f"suffice for {summary['bisection'].found_within_tries} of the 101 numbers."
    )
    show(lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
