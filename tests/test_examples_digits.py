"""examples.digits: the article's network beats its 92.53 % on held-out digits, compiled."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from examples import digits


def test_fixed_seed_beats_the_articles_accuracy_on_held_out_digits():
    result = digits.run(seed=0)
    assert result.sizes == [64, 50, 100, 10]
    assert result.parameters == 9_360
    assert (result.n_train, result.n_test) == (1_438, 359)
    assert result.test_accuracy >= digits.ARTICLE_ACCURACY
    assert result.test_accuracy >= 0.96  # the aim; 0.9749 with seed 0
    assert len(result.history.val_accuracy) == digits.EPOCHS
    assert result.history.train_loss[-1] < result.history.train_loss[0]


def test_main_prints_the_article_figure_next_to_the_computed_one(capsys):
    assert digits.main(["--epochs", "1"]) == 0
    out = capsys.readouterr().out
    assert "64 → 50 → 100 → 10" in out
    assert "92.53" in out
    assert "training time (s)" in out
    line = next(x for x in out.splitlines() if "test accuracy" in x)
    assert 10.0 < float(line.split("computed:")[1]) <= 100.0


def write_idx(path, array: np.ndarray) -> None:
    """An IDX file: magic (0, 0, type 0x08 = ubyte, ndim), big-endian sizes, then bytes."""
    header = struct.pack(">BBBB", 0, 0, 8, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    path.write_bytes(header + array.astype(np.uint8).tobytes())


def test_idx_files_train_the_full_784_50_100_10_network(tmp_path, capsys):
    rng = np.random.default_rng(0)
    for split, n in (("train", 30), ("t10k", 10)):
        labels = rng.integers(0, 10, n)
        images = rng.integers(0, 40, (n, 28, 28))
        images[np.arange(n), labels * 2, :] = 255  # a bright row that says the label
        write_idx(tmp_path / f"{split}-images-idx3-ubyte", images)
        write_idx(tmp_path / f"{split}-labels-idx1-ubyte", labels)
    assert digits.main(["--idx", str(tmp_path), "--epochs", "1"]) == 0
    out = capsys.readouterr().out
    assert "784 → 50 → 100 → 10" in out
    assert "45,360" in out
    assert "30 / 10" in out


@pytest.mark.parametrize("argv, message", [
    (["--epochs", "0"], "--epochs must be at least 1, got 0"),  # was: an untrained 0 %
    (["--limit", "0"], "--limit must be at least 1, got 0"),
    (["--idx", "/nonexistent/mnist"], "--idx '/nonexistent/mnist' is not a folder"),
])
def test_bad_options_are_usage_errors_before_any_work(argv, message, capsys):
    with pytest.raises(SystemExit) as info:
        digits.main(argv)
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_a_folder_without_idx_files_is_a_usage_error_not_a_traceback(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:  # was: a FileNotFoundError traceback
        digits.main(["--idx", str(tmp_path)])
    assert info.value.code == 2
    assert f"no train-images file in '{tmp_path}'" in capsys.readouterr().err
