"""y = 2x + 1 (seed 001): the deepin article's two SGD steps to the exact digits."""

from __future__ import annotations

import pytest

from autograd import numerical_grad
from examples import linear

EXACT = 1e-12  # the article's digits, up to float rounding


@pytest.fixture(scope="module")
def results():
    return linear.run(pairs=300, seed=0)


def test_pair_one_matches_the_article(results):
    s = results.steps[0]
    assert (s.x, s.t) == (0.0, 1.0)
    assert s.y == pytest.approx(0.6, abs=EXACT)
    assert s.dL_dy == pytest.approx(-0.4, abs=EXACT)
    assert s.dL_dw == 0.0
    assert s.dL_db == pytest.approx(-0.4, abs=EXACT)
    assert s.w == 0.5
    assert s.b == pytest.approx(0.604, abs=EXACT)


def test_pair_two_matches_the_article(results):
    s = results.steps[1]
    assert (s.x, s.t) == (1.0, 2.9)
    assert s.y == pytest.approx(1.104, abs=EXACT)
    assert s.dL_dy == pytest.approx(-1.796, abs=EXACT)
    assert s.dL_dw == pytest.approx(-1.796, abs=EXACT)
    assert s.dL_db == pytest.approx(-1.796, abs=EXACT)
    assert s.w == pytest.approx(0.51796, abs=EXACT)
    assert s.b == pytest.approx(0.62196, abs=EXACT)


def test_every_step_gradient_matches_central_differences(results):
    w, b = linear.W0, linear.B0
    for s in results.steps[:25]:
        def loss(w_, b_, x=s.x, t=s.t):
            return (w_ * x + b_ - t) ** 2 / 2
        dw, db = numerical_grad(loss, [w, b])
        assert s.dL_dw == pytest.approx(dw, abs=1e-6)
        assert s.dL_db == pytest.approx(db, abs=1e-6)
        # the update is w − lr·dL/dw exactly
        assert s.w == pytest.approx(w - linear.LR * s.dL_dw, abs=EXACT)
        assert s.b == pytest.approx(b - linear.LR * s.dL_db, abs=EXACT)
        w, b = s.w, s.b


def test_honest_trajectory_b_is_slower_than_w(results):
    # the worked examples' check: w ≈ 1.29, b ≈ 0.67 after 12 pairs; b ≈ 0.96 after 202
    after_12 = results.steps[11]
    assert after_12.w == pytest.approx(1.29, abs=0.01)
    assert after_12.b == pytest.approx(0.67, abs=0.01)
    assert results.steps[201].b == pytest.approx(0.96, abs=0.01)
    assert results.w_close_after is not None and results.b_close_after is not None
    assert 12 < results.w_close_after < results.b_close_after
    assert abs(results.steps[results.w_close_after - 1].w - 2) < linear.TOLERANCE
    assert abs(results.steps[results.w_close_after - 2].w - 2) >= linear.TOLERANCE
    assert abs(results.steps[results.b_close_after - 1].b - 1) < linear.TOLERANCE
    assert all(abs(s.b - 1) >= linear.TOLERANCE for s in results.steps[:results.b_close_after - 1])


def test_too_few_pairs_reports_not_reached():
    short = linear.run(pairs=12, seed=0)
    assert short.b_close_after is None
    assert short.trajectory[0] == (0.5, 0.6) and len(short.trajectory) == 13


def test_main_exits_zero_and_prints_both_numbers(capsys):
    assert linear.main(["--pairs", "60"]) == 0
    out = capsys.readouterr().out
    assert "article: 0.51796" in out and "computed: 0.51796" in out
    assert "article: 0.62196" in out and "computed: 0.62196" in out
    assert "not within 60" in out  # b is not close after 60 pairs, and we say so


def test_main_rejects_fewer_than_two_pairs():
    with pytest.raises(SystemExit) as exc:
        linear.main(["--pairs", "1"])
    assert exc.value.code == 2
