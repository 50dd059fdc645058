"""The guess-the-number loop (seed 004): bisection within 7, signed loss in one step."""

from __future__ import annotations

import random

import pytest

from examples import guess_number as gn


@pytest.mark.parametrize("target", range(0, 101))
def test_bisection_finds_every_target_within_seven_guesses(target):
    game = gn.play(target, "bisection")
    assert game.found
    assert len(game.guesses) <= 7
    # each guess is consistent with all earlier feedback
    for earlier, told in zip(game.guesses, game.losses, strict=True):
        assert told == gn.feedback(earlier, target)


def test_bisection_worst_case_is_exactly_seven():
    assert gn.results(seed=0)["bisection"].worst == 7
    # 2**5 - 1 numbers are reachable within the article's five guesses
    assert gn.results(seed=0)["bisection"].found_within_tries == 31


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_signed_loss_solves_in_one_adjust_step(seed):
    rng = random.Random(seed)
    for target in range(0, 101):
        game = gn.play(target, "signed", seed=rng)
        assert game.found
        assert len(game.guesses) <= 2
        assert game.losses[0] == target - game.guesses[0]


def test_signed_step_is_a_gradient_step_with_rate_one():
    loss, adjusted = gn.signed_step(17, 49)
    assert loss == 32
    assert adjusted == 49
    # a smaller rate moves only part of the way: 17 + 0.5 * 32
    assert gn.signed_step(17, 49, lr=0.5)[1] == 33


def test_random_feedback_guessing_always_ends_and_is_seeded():
    a = gn.results(seed=5)["random"]
    b = gn.results(seed=5)["random"]
    assert a == b
    assert a.worst <= 101
    for target in (0, 50, 100):
        game = gn.play(target, "random", seed=3)
        assert game.found
        assert len(set(game.guesses)) == len(game.guesses)  # feedback is never ignored


def test_max_guesses_stops_the_game():
    game = gn.play(0, "bisection", max_guesses=5)
    assert len(game.guesses) == 5 and not game.found


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"target": 101}, "target must be an integer in 0..100, got 101"),
        ({"target": 4.0}, "target must be an integer in 0..100, got 4.0"),
        ({"target": True}, "target must be an integer in 0..100, got True"),
        ({"target": 5, "strategy": "guess"}, "unknown strategy 'guess'"),
        ({"target": 5, "max_guesses": 0}, "max_guesses must be a positive int or None, got 0"),
    ],
)
def test_bad_input_is_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        gn.play(**kwargs)


def test_main_exits_zero_and_prints_the_article_numbers(capsys):
    assert gn.main(["--target", "42"]) == 0
    out = capsys.readouterr().out
    assert "hidden number 42" in out
    assert "bisection: most guesses needed" in out and "computed: 7" in out


def test_main_rejects_an_out_of_range_target():
    with pytest.raises(SystemExit) as exc:
        gn.main(["--target", "200"])
    assert exc.value.code == 2
