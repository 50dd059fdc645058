"""Batches, splits, the articles' datasets and IDX (MNIST) files built in the test."""

import gzip
import random
import struct
import sys

import numpy as np
import pytest

import nn
from nn.datasets import load_idx, load_mnist


def test_batches_cover_every_item_once_in_a_seeded_order():
    items = list(range(10))
    got = list(nn.batches(items, 4, seed=3))
    assert [len(b) for b in got] == [4, 4, 2]
    assert sorted(sum(got, [])) == items
    assert got == list(nn.batches(items, 4, seed=3))
    order = list(range(10))
    random.Random(3).shuffle(order)
    assert sum(got, []) == order
    assert list(nn.batches(items, 4, shuffle=False)) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    (whole,) = nn.batches(items, None, seed=3)
    assert whole == order  # full batch: one batch of everything


def test_one_generator_gives_a_new_order_each_epoch():
    rng = random.Random(0)
    first = list(nn.batches(range(20), 20, seed=rng))
    second = list(nn.batches(range(20), 20, seed=rng))
    assert first != second and sorted(first[0]) == sorted(second[0])


@pytest.mark.parametrize("size", [0, -1, 2.5, True])
def test_bad_batch_size(size):
    with pytest.raises(ValueError, match="batch_size must be a positive int or None"):
        list(nn.batches([1, 2], size))


def test_train_test_split():
    items = list(range(50))
    train, test = nn.train_test_split(items, 0.2, seed=1)
    assert len(test) == 10 and len(train) == 40
    assert sorted(train + test) == items
    assert (train, test) == nn.train_test_split(items, 0.2, seed=1)
    assert nn.train_test_split(items, 0.2, seed=2) != (train, test)
    assert [len(p) for p in nn.train_test_split([1, 2], 0.01)] == [1, 1]
    with pytest.raises(ValueError, match="test_fraction must be between 0 and 1"):
        nn.train_test_split(items, 1.0)
    with pytest.raises(ValueError, match="at least 2 items, got 1"):
        nn.train_test_split([1], 0.5)


def test_as_arrays():
    X, y = nn.data.as_arrays(nn.datasets.logic_gate("or"))
    assert X.shape == (4, 2) and y.tolist() == [0, 1, 1, 1]


def test_linear_pairs_start_with_the_articles_two():
    pairs = nn.datasets.linear_pairs(200, seed=0)
    assert pairs[:2] == [([0.0], 1.0), ([1.0], 2.9)]
    rest = pairs[2:]
    assert all(-5 <= x[0] <= 5 for x, _ in rest)
    residuals = [t - (2 * x[0] + 1) for x, t in rest]
    assert abs(sum(residuals) / len(residuals)) < 0.03
    assert 0.08 < (sum(r * r for r in residuals) / len(residuals)) ** 0.5 < 0.12
    assert nn.datasets.linear_pairs(1) == [([0.0], 1.0)]
    assert pairs == nn.datasets.linear_pairs(200, seed=0)


def test_logic_gates_and_ice_cream():
    assert [t for _, t in nn.datasets.logic_gate("XOR")] == [0, 1, 1, 0]
    assert [x for x, _ in nn.datasets.logic_gate("and")][3] == [1.0, 1.0]
    with pytest.raises(ValueError, match="unknown gate 'xand'"):
        nn.datasets.logic_gate("xand")
    rows = nn.datasets.ice_cream()
    assert len(rows) == 10 and all(len(x) == 2 for x, _ in rows)
    assert all(0 <= v <= 1 for x, t in rows for v in (*x, t))
    raw = nn.datasets.ice_cream(scaled=False)
    assert raw[0] == ([18.0, 0.0], 120.0) and rows[0] == ([18 / 40, 0.0], 120 / 400)


def test_digits_are_scaled_pairs():
    pytest.importorskip("sklearn")  # the test extra installs it; CI always runs this
    pairs = nn.datasets.digits()
    assert len(pairs) == 1797 and len(pairs[0][0]) == 64
    assert {t for _, t in pairs} == set(range(10))
    assert max(max(x) for x, _ in pairs) == 1.0 and min(min(x) for x, _ in pairs) == 0.0


def test_digits_without_scikit_learn_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)  # makes the import fail
    with pytest.raises(ImportError, match="pip install scikit-learn"):
        nn.datasets.digits()


# --- IDX files ------------------------------------------------------------------


def _idx(dims, payload, type_code=0x08):
    head = bytes([0, 0, type_code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims)
    return head + bytes(payload)


@pytest.fixture
def mnist_pair(tmp_path):
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(3, 4, 5), dtype=np.uint8)
    labels = [7, 0, 9]
    images = tmp_path / "train-images-idx3-ubyte"
    images.write_bytes(_idx([3, 4, 5], pixels.tobytes()))
    label_file = tmp_path / "train-labels-idx1-ubyte.gz"
    label_file.write_bytes(gzip.compress(_idx([3], labels)))
    return images, label_file, pixels, labels


def test_load_idx_raw_and_gzip(mnist_pair):
    images, labels_path, pixels, labels = mnist_pair
    pairs = load_idx(images, labels_path)
    assert [t for _, t in pairs] == labels
    assert pairs[1][0].shape == (20,)
    assert pairs[1][0].tolist() == pytest.approx((pixels[1].reshape(-1) / 255).tolist())
    assert len(load_idx(images, labels_path, limit=2)) == 2
    assert [t for _, t in load_mnist(images.parent, "train")] == labels
    with pytest.raises(FileNotFoundError, match="no t10k-images file"):
        load_mnist(images.parent, "test")


@pytest.mark.parametrize("content, message", [
    (_idx([3, 4, 5], b"\0" * 59),
     r"truncated: header promises 60 bytes \(3 × 4 × 5\), file has 59"),
    (_idx([3, 4, 5], b"\0" * 61), "longer than its header says"),
    (_idx([3, 4], b"\0" * 12), "has 2 dimensions .* expected 3"),
    (_idx([3, 4, 5], b"\0" * 240, type_code=0x0D), r"data type 0x0D \(float\)"),
    (b"\x12\x34\x08\x03" + b"\0" * 12, "magic number 0x12340803, expected 0x00000803"),
    (b"\0\0\x08", "too short for an IDX header"),
    (b"\0\0\x08\x03\0\0\0\x03\0\0", "truncated inside its header"),
    (_idx([3, 0, 5], b""), "empty dimension: 3 × 0 × 5"),
    (gzip.compress(_idx([3, 4, 5], b"\0" * 60))[:-10], "corrupt or truncated gzip"),
    # header sizes whose product overflows 64 bits: exact in the message, never "0 bytes"
    (_idx([2 ** 21, 2 ** 21, 2 ** 22], b""),
     r"truncated: header promises 18446744073709551616 bytes \(2097152 × 2097152 × 4194304\)"),
    (_idx([2 ** 32 - 1] * 3, b"xx"), "header promises 79228162458924105385300197375 bytes"),
])
def test_corrupt_images_file_says_what_is_wrong(mnist_pair, tmp_path, content, message):
    _, labels_path, _, _ = mnist_pair
    bad = tmp_path / "bad-images"
    bad.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        load_idx(bad, labels_path)


def test_count_mismatch_and_bad_labels_file(mnist_pair, tmp_path):
    images, _, _, _ = mnist_pair
    two = tmp_path / "two-labels"
    two.write_bytes(_idx([2], [1, 2]))
    with pytest.raises(ValueError, match="holds 3 images but labels file .* holds 2 labels"):
        load_idx(images, two)
    with pytest.raises(ValueError, match=r"labels file .* has 3 dimensions \(magic 0x00000803\), "
                                         r"expected 1 \(magic 0x00000801\)"):
        load_idx(images, images)
