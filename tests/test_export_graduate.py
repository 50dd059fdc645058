"""examples.graduate: the digits net gives the same test accuracy in ONNX Runtime and PyTorch."""

from __future__ import annotations

import re
import sys
from types import SimpleNamespace

import pytest

import nn
from examples import digits, graduate
from tests.torch_helpers import import_torch


@pytest.fixture
def torch():
    return import_torch()


def test_accuracies_side_by_side(capsys, tmp_path, torch):
    assert graduate.main(["--epochs", "2", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    rows = {}
    for line in out.splitlines():
        found = re.match(r"\s+(.+?)\s{2,}(\d+\.\d\d) %\s+(\S+)$", line)
        if found:
            rows[found[1]] = (float(found[2]), found[3])
    assert list(rows) == [graduate.STEPGRAD, graduate.ONNX, graduate.TORCH,
                          graduate.TORCH_TRAINED, graduate.BACK]
    accuracy = rows[graduate.STEPGRAD][0]
    assert 50.0 < accuracy <= 100.0
    assert rows[graduate.ONNX][0] == accuracy == rows[graduate.TORCH][0]
    assert rows[graduate.BACK][0] == rows[graduate.TORCH_TRAINED][0]
    for what in (graduate.ONNX, graduate.TORCH, graduate.BACK):
        assert float(rows[what][1]) < 1e-12  # max |Δ probability|
    assert (tmp_path / "digits.onnx").stat().st_size > 0
    assert nn.load(tmp_path / "digits.json").config()["sizes"] == [50, 100, 10]


def test_without_torch_its_rows_say_how_to_install(monkeypatch, tmp_path):
    untrained = nn.MLP(64, digits.HIDDEN + [10], "sigmoid", "softmax", seed=0)
    monkeypatch.setattr(digits, "train_and_test", lambda *a, **k: SimpleNamespace(model=untrained))
    monkeypatch.setitem(sys.modules, "torch", None)
    result = graduate.run(epochs=1, out=tmp_path)
    assert result.accuracy[graduate.ONNX] == result.accuracy[graduate.STEPGRAD]
    assert result.accuracy[graduate.TORCH] is None
    lines = "\n".join(graduate.report(result, 1))
    assert "not installed" in lines
    assert "pip install 'stepgrad[torch]'" in lines
