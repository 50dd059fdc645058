"""fit and History: per-sample, mini-batch and full-batch descent, accuracy, XOR."""

import sys
import types

import pytest

import nn


def test_fit_per_sample_reproduces_the_deepin_steps():
    model = nn.Neuron(1, weights=[0.5], bias=0.6)
    history = nn.fit(model, nn.datasets.linear_pairs(2), loss=nn.half_squared_error,
                     optimizer=nn.SGD(model, lr=0.01), shuffle=False, progress=False)
    assert (round(model.w[0].data, 5), round(model.b.data, 5)) == (0.51796, 0.62196)
    assert history.train_loss == pytest.approx([(0.08 + 1.796 ** 2 / 2) / 2])
    assert (history.steps, history.samples, history.epochs) == (2, 2, 1)
    assert history.train_accuracy == [] and history.val_loss == []


def test_full_batch_step_is_the_mean_gradient():
    model = nn.Neuron(1, weights=[0.5], bias=0.6)
    pairs = [([0.0], 1.0), ([1.0], 2.9)]
    nn.fit(model, pairs, loss=nn.half_squared_error, optimizer=nn.SGD(model, lr=0.1),
           batch_size=None, progress=False)
    # residuals y − t: −0.4 at x=0, −1.8 at x=1; mean dL/dw = −0.9, dL/db = −1.1
    assert model.w[0].data == pytest.approx(0.5 + 0.1 * 0.9)
    assert model.b.data == pytest.approx(0.6 + 0.1 * 1.1)


def test_mini_batches_count_steps_and_loss_falls():
    pairs = nn.datasets.linear_pairs(40, seed=1)
    model = nn.Neuron(1, seed=0)
    history = nn.fit(model, pairs, optimizer=nn.SGD(model, lr=0.01), epochs=15,
                     batch_size=8, seed=3, progress=False)
    assert history.steps == 15 * 5 and history.samples == 15 * 40 and history.epochs == 15
    assert history.train_loss[-1] < history.train_loss[0] / 20
    assert model.w[0].data == pytest.approx(2.0, abs=0.1)


def test_same_seed_same_history_different_seed_different_order():
    def run(seed):
        model = nn.MLP(1, [3, 1], seed=0)
        return nn.fit(model, nn.datasets.linear_pairs(12), optimizer=nn.SGD(model, lr=0.005),
                      epochs=3, seed=seed, progress=False).train_loss

    assert run(5) == run(5) and run(5) != run(6)


def test_xor_learned_by_a_2_2_1_tanh_network():
    data = nn.datasets.logic_gate("xor")
    model = nn.MLP(2, [2, 1], activation="tanh", seed=2)
    history = nn.fit(model, data, loss=nn.mse, optimizer=nn.SGD(model, lr=0.1), epochs=500,
                     seed=2, progress=False)
    assert history.train_loss[-1] < 1e-3
    assert nn.train.evaluate(model, data) == (pytest.approx(0.0, abs=1e-3), 1.0)
    assert history.train_accuracy[-1] == 1.0


def test_classification_accuracy_and_validation():
    data = [([x / 10, 1 - x / 10], int(x >= 5)) for x in range(10)]
    model = nn.MLP(2, [4, 2], activation="tanh", output_activation="softmax", seed=0)
    history = nn.fit(model, data, loss=nn.cross_entropy, optimizer=nn.Adam(model, lr=0.05),
                     epochs=30, val=data[::3], progress=False)
    assert len(history.train_accuracy) == len(history.val_accuracy) == 30
    assert history.val_accuracy[-1] == 1.0 and history.val_loss[-1] < history.val_loss[0]
    loss, accuracy = nn.train.evaluate(model, data[::3], nn.cross_entropy)
    assert (loss, accuracy) == (history.val_loss[-1], history.val_accuracy[-1])


def test_is_correct_rules():
    from nn.train import is_correct

    assert is_correct([0.1, 0.7, 0.2], 1) is True and is_correct([0.9, 0.7], 1) is False
    assert is_correct([0.6], 1) is True and is_correct([0.4], 1) is False
    assert is_correct([0.4], 2.0) is None and is_correct([0.4], 5) is None


def test_numpy_class_targets_give_plain_python_accuracies():
    import json

    import numpy as np

    from nn.train import is_correct

    assert is_correct([0.1, 0.7], np.int64(1)) is True
    assert is_correct([0.7], np.int64(1)) is True and is_correct([0.7], np.int64(0)) is False
    data = [([0.0, 1.0], np.int64(1)), ([1.0, 0.0], np.int64(0))]
    model = nn.MLP(2, [2], seed=0)
    history = nn.fit(model, data, loss=nn.cross_entropy, val=data, progress=False)
    accuracies = history.train_accuracy + history.val_accuracy
    assert [type(a) for a in accuracies] == [float, float]
    json.dumps(accuracies)  # numpy floats here made a saved History fail


def test_progress_bar_is_quiet_when_stderr_is_not_a_terminal(capsys):
    model = nn.Neuron(1, seed=0)
    nn.fit(model, nn.datasets.linear_pairs(5), epochs=2, progress=True)
    assert capsys.readouterr().err == ""


def test_compiled_delegates_with_every_argument(monkeypatch):
    seen = {}
    fake = types.ModuleType("nn.compiled")

    def fit_compiled(model, train, **kwargs):
        seen.update(kwargs, model=model, train=train)
        return nn.History(train_loss=[1.0])

    fake.fit_compiled = fit_compiled
    monkeypatch.setitem(sys.modules, "nn.compiled", fake)
    model, data = nn.Neuron(1, seed=0), nn.datasets.linear_pairs(3)
    history = nn.fit(model, data, epochs=4, batch_size=2, seed=9, progress=False, compiled=True)
    assert history.epochs == 1 and seen["model"] is model and seen["train"] is data
    assert {k: seen[k] for k in ("epochs", "batch_size", "seed", "shuffle", "val")} == \
        {"epochs": 4, "batch_size": 2, "seed": 9, "shuffle": True, "val": None}


@pytest.mark.parametrize("kwargs, error, message", [
    ({"train": []}, ValueError, "train is empty"),
    ({"train": "abc"}, TypeError, "sequence of \\(inputs, target\\) pairs"),
    ({"train": [1, 2]}, ValueError, "train\\[0\\] must be an \\(inputs, target\\) pair"),
    # a bad pair after good ones is named too, before any training (was "cannot unpack")
    ({"train": [([0.0], 1.0), ([1.0], 2.9), 7]}, ValueError,
     "train\\[2\\] must be an \\(inputs, target\\) pair, got 7"),
    ({"val": [([0.0], 1.0), ([1.0],)]}, ValueError,
     "val\\[1\\] must be an \\(inputs, target\\) pair, got \\(\\[1.0\\],\\)"),
    ({"epochs": -1}, ValueError, "epochs must be an int ≥ 0, got -1"),
    ({"batch_size": 0}, ValueError, "batch_size must be a positive int or None"),
    ({"loss": lambda y, t: 0.5}, TypeError, "must return a Value, got 0.5"),
    ({"val": []}, ValueError, "val is empty"),
])
def test_fit_errors(kwargs, error, message):
    args = {"train": nn.datasets.linear_pairs(3), "progress": False, **kwargs}
    with pytest.raises(error, match=message):
        nn.fit(nn.Neuron(1, seed=0), **args)


def test_history_end_epoch_records_means_and_validation():
    history = nn.History()
    assert history.end_epoch(3.0, None, 4) == {"loss": "0.75"}
    shown = history.end_epoch(2.0, 3, 4, validate=lambda: (0.5, 0.25))
    assert shown == {"loss": "0.5", "val_loss": "0.5"}
    assert history.train_loss == [0.75, 0.5] and history.train_accuracy == [0.75]
    assert history.val_loss == [0.5] and history.val_accuracy == [0.25]
    assert history.epochs == 2
