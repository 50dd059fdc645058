"""Bad input to nn names the bad value and what was expected (messages asserted, not types only)."""

from __future__ import annotations

import gzip
import struct

import pytest

import nn
from autograd import Value
from nn import data, datasets
from nn.datasets import load_idx, load_mnist
from nn.serialize import save


def _two_logits() -> list[Value]:
    return [Value(1.0), Value(2.0)]


@pytest.mark.parametrize("call, error, message", [
    # data and datasets
    (lambda: list(data.batches(5, 2)), TypeError, "batches needs a sequence of items, got 5"),
    (lambda: data.train_test_split([1]), ValueError,
     "train_test_split needs at least 2 items, got 1"),
    (lambda: data.one_hot(1, 0), ValueError, "one_hot needs a positive number of classes, got 0"),
    (lambda: data.as_arrays([]), ValueError, "as_arrays needs at least one (inputs, target) pair"),
    (lambda: datasets.linear_pairs(-1), ValueError, "n must be an int ≥ 0, got -1"),
    # functions and losses
    (lambda: nn.softmax([]), ValueError, "softmax needs a non-empty list of Values or numbers"),
    (lambda: nn.softmax([1.0, "a"]), TypeError,
     "softmax: element 1 must be a Value or a number, got 'a'"),
    (lambda: nn.cross_entropy(_two_logits(), [0, 0]), ValueError,
     "cross_entropy: target probabilities are all zero: [0, 0]"),
    (lambda: nn.cross_entropy(_two_logits(), "a"), ValueError,
     "cross_entropy: target must be a class index (int) or a list of 2 probabilities, got 'a'"),
    (lambda: nn.cross_entropy(_two_logits(), [-0.5, 1.5]), ValueError,
     "cross_entropy: target[0] must be a probability ≥ 0, got -0.5"),
    (lambda: nn.hinge(Value(1.0), 0.5), ValueError,
     "hinge: targets must be -1 or +1 (or a class index), got 0.5"),
    (lambda: nn.mse(Value(1.0), "x"), ValueError,
     "mse: target must be a number or a list of numbers, got 'x'"),
    # modules
    (lambda: nn.MLP(2, [1], seed=0)("ab"), TypeError,
     "inputs must be a sequence of 2 numbers or Values, got 'ab'"),
    (lambda: nn.scalar([Value(1.0), Value(2.0)]), ValueError,
     "scalar expects exactly one output, got 2; index the list"),
    (lambda: nn.Layer(2, 2, weights=[[1.0, 2.0]]), ValueError,
     "Layer with 2 neurons needs 2 weights, got [[1.0, 2.0]]"),
    (lambda: nn.MLP(2, [1], seed=0).load_state_dict([1]), TypeError,
     "load_state_dict takes a dict of name -> number, got [1]"),
    (lambda: nn.MLP(2, [1], seed=0).load_state_dict({"x": 1.0}), ValueError,
     "load_state_dict for MLP: missing keys ['layers.0.neurons.0.w.0'"),
    # optimizers, training, files
    (lambda: nn.SGD(3, lr=0.1), TypeError,
     "params must be a Module or an iterable of Values, got 3"),
    (lambda: nn.Adam([Value(1.0)], betas=(0.9,)), ValueError,
     "betas must be a pair (beta1, beta2), got (0.9,)"),
    (lambda: nn.fit(nn.MLP(1, [1], seed=0), "abc", loss=nn.mse), TypeError,
     "train must be a sequence of (inputs, target) pairs, got 'abc'"),
    (lambda: nn.fit(nn.MLP(1, [1], seed=0), [], loss=nn.mse), ValueError,
     "train is empty: fit needs at least one (inputs, target) pair"),
    (lambda: save(3, "m.json"), TypeError, "save takes an nn Module, got 3 (int)"),
    (lambda: nn.load("m.json", model=3), TypeError, "model must be an nn Module, got 3"),
])
def test_bad_input_message_names_value_and_expectation(tmp_path, monkeypatch, call, error,
                                                       message):
    monkeypatch.chdir(tmp_path)
    nn.MLP(1, [1], seed=0).save(tmp_path / "m.json")
    before = (tmp_path / "m.json").read_bytes()
    with pytest.raises(error) as caught:
        call()
    assert message in str(caught.value)
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]  # nothing else written
    assert (tmp_path / "m.json").read_bytes() == before


def _idx(dims: list[int], payload: bytes) -> bytes:
    return bytes([0, 0, 0x08, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + payload


def test_idx_limit_and_split_are_checked(tmp_path):
    images = tmp_path / "train-images-idx3-ubyte"
    images.write_bytes(_idx([2, 2, 2], bytes(8)))
    labels = tmp_path / "train-labels-idx1-ubyte.gz"
    labels.write_bytes(gzip.compress(_idx([2], bytes([3, 4]))))
    for limit in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match=f"limit must be a positive int or None, got {limit}"):
            load_idx(images, labels, limit=limit)
    with pytest.raises(ValueError, match="split must be 'train' or 'test', got 'validation'"):
        load_mnist(tmp_path, "validation")
    assert [t for _, t in load_mnist(tmp_path, "train", limit=1)] == [3]


def test_save_refuses_a_diverged_model_and_keeps_the_old_file(tmp_path):
    model = nn.MLP(1, [1], seed=0)
    path = tmp_path / "m.json"
    model.save(path)
    before = path.read_bytes()
    model.parameters()[0].data = float("inf")
    with pytest.raises(ValueError, match=r"cannot save: parameter 'layers.0.neurons.0.w.0' is "
                                         r"inf \(training diverged\?\)"):
        model.save(path)
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["m.json"]
