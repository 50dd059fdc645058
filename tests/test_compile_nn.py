"""nn.fit(..., compiled=True): the same trained numbers and History as eager training."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

import autograd
import nn
from autograd import Value
from autograd.compiled import StructureError, compile
from autograd.compiled.losshead import LossHead
from autograd.ops import OPS
from nn.compiled import fit_compiled


def close_lists(a, b, rtol=1e-12):
    a, b = np.asarray(a, float), np.asarray(b, float)
    scale = max(np.abs(b).max(initial=0.0), 1e-300)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= rtol * scale))


def digits_subset(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, (n, 8))
    y = (X[:, :3].sum(axis=1) * 2).astype(int) % 3  # three classes from the pixels
    return [(row.tolist(), int(t)) for row, t in zip(X, y, strict=True)]


def twin_models(**kwargs):
    make = dict(nin=8, sizes=[6, 5, 3], activation="sigmoid", output_activation="softmax",
                seed=3) | kwargs
    return nn.MLP(**make), nn.MLP(**make)


OPTIMIZERS = {
    "sgd": lambda m: nn.SGD(m, lr=0.3),
    "sgd-momentum-decay": lambda m: nn.SGD(m, lr=0.2, momentum=0.9, weight_decay=1e-3),
    "adam": lambda m: nn.Adam(m, lr=0.01),
}


@pytest.mark.parametrize("batch_size", [1, 4, None])
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_compiled_fit_trains_the_same_numbers_as_eager_fit(name, batch_size):
    data = digits_subset()
    train, val = data[:30], data[30:]
    eager_model, compiled_model = twin_models()
    opt_e, opt_c = OPTIMIZERS[name](eager_model), OPTIMIZERS[name](compiled_model)
    kwargs = dict(loss=nn.cross_entropy, epochs=2, batch_size=batch_size, val=val, seed=5,
                  progress=False)
    h_e = nn.fit(eager_model, train, optimizer=opt_e, **kwargs)
    h_c = nn.fit(compiled_model, train, optimizer=opt_c, compiled=True, **kwargs)
    params_e = [p.data for p in eager_model.parameters()]
    params_c = [p.data for p in compiled_model.parameters()]
    assert params_e != [p.data for p in twin_models()[0].parameters()]  # it did train
    assert close_lists(params_c, params_e)
    assert close_lists([p.grad for p in compiled_model.parameters()],
                       [p.grad for p in eager_model.parameters()])
    for field in ("train_loss", "val_loss"):
        assert close_lists(getattr(h_c, field), getattr(h_e, field))
    assert h_c.train_accuracy == h_e.train_accuracy
    assert h_c.val_accuracy == h_e.val_accuracy
    assert (h_c.steps, h_c.samples) == (h_e.steps, h_e.samples)


@pytest.mark.parametrize("name", ["sgd", "adam"])
def test_parameters_the_optimizer_does_not_own_accumulate_grad_as_in_eager_fit(name):
    # Eager fit zeroes only the optimizer's parameters, so a frozen one sums every step's
    # gradient; the compiled fit once left it with the last step's gradient alone.
    data = digits_subset()[:12]
    models = twin_models()
    for model in models:
        model.parameters()[1].grad = 0.25  # a frozen leaf's .grad carried in from before
    optimizers = [OPTIMIZERS[name](m.parameters()[::2]) for m in models]
    kwargs = dict(loss=nn.cross_entropy, epochs=2, batch_size=4, seed=5, progress=False)
    nn.fit(models[0], data, optimizer=optimizers[0], **kwargs)
    nn.fit(models[1], data, optimizer=optimizers[1], compiled=True, **kwargs)
    eager, compiled = ([p.grad for p in m.parameters()] for m in models)
    assert abs(eager[1] - 0.25) > 1e-3  # six steps of gradient were added to it
    assert close_lists(compiled, eager)
    assert close_lists([p.data for p in models[1].parameters()],
                       [p.data for p in models[0].parameters()])


def test_an_error_mid_fit_leaves_parameters_and_adam_at_the_last_completed_step():
    # The last pair's target is no class of the 3 outputs: cross_entropy raises there,
    # after two steps. The compiled fit once wrote nothing back (parameters as before
    # the fit) while Adam's step count had moved on.
    data = digits_subset()[:12]
    data[-1] = (data[-1][0], 7)
    models = twin_models()
    optimizers = [nn.Adam(m, lr=0.01) for m in models]
    errors = []
    for model, opt, compiled in zip(models, optimizers, (False, True), strict=True):
        with pytest.raises(ValueError) as info:
            nn.fit(model, data, loss=nn.cross_entropy, optimizer=opt, epochs=1, batch_size=4,
                   shuffle=False, progress=False, compiled=compiled)
        errors.append(str(info.value))
    assert errors[0] == errors[1] and "7" in errors[0]
    assert optimizers[0].t == optimizers[1].t == 2
    untrained = [p.data for p in twin_models()[0].parameters()]
    eager, compiled = ([p.data for p in m.parameters()] for m in models)
    assert eager != untrained and close_lists(compiled, eager)
    assert close_lists(optimizers[1].m, optimizers[0].m)
    assert close_lists(optimizers[1].v, optimizers[0].v)


def test_optimizer_state_is_written_back_so_eager_training_can_continue():
    data = digits_subset(20)
    b, c = twin_models()
    opt_b, opt_c = nn.SGD(b, lr=0.2, momentum=0.5), nn.SGD(c, lr=0.2, momentum=0.5)
    kwargs = dict(loss=nn.cross_entropy, epochs=1, progress=False)
    nn.fit(b, data, optimizer=opt_b, compiled=True, **kwargs)  # compiled, then eager
    nn.fit(b, data, optimizer=opt_b, seed=random.Random(1), **kwargs)
    nn.fit(c, data, optimizer=opt_c, **kwargs)  # eager twice
    nn.fit(c, data, optimizer=opt_c, seed=random.Random(1), **kwargs)
    assert any(opt_c.velocity)
    assert close_lists(opt_b.velocity, opt_c.velocity)
    assert close_lists([p.data for p in b.parameters()], [p.data for p in c.parameters()])


def test_an_optimizer_it_cannot_vectorise_gets_grads_and_steps_itself():
    class HalfSGD(nn.SGD):
        def step(self):
            for p in self.params:
                p.data -= 0.5 * self.lr * p.grad

    data = digits_subset(12)
    a, b = twin_models()
    for model, compiled in ((a, False), (b, True)):
        nn.fit(model, data, loss=nn.cross_entropy, optimizer=HalfSGD(model, lr=0.4),
               batch_size=3, epochs=1, progress=False, compiled=compiled)
    assert close_lists([p.data for p in b.parameters()], [p.data for p in a.parameters()])


def test_regression_with_one_output_and_mse():
    data = [([x / 10], 2 * x / 10 + 1) for x in range(-5, 6)]
    a = nn.MLP(1, [4, 1], activation="tanh", seed=1)
    b = nn.MLP(1, [4, 1], activation="tanh", seed=1)
    h_a = nn.fit(a, data, loss=nn.mse, optimizer=nn.SGD(a, lr=0.1), epochs=3, progress=False)
    h_b = nn.fit(b, data, loss=nn.mse, optimizer=nn.SGD(b, lr=0.1), epochs=3, progress=False,
                 compiled=True)
    assert close_lists(h_b.train_loss, h_a.train_loss)
    assert close_lists([p.data for p in b.parameters()], [p.data for p in a.parameters()])


def _regression(n=150, outputs=1):
    rng = random.Random(4)
    rows = []
    for _ in range(n):
        x = rng.uniform(-1, 1)
        t = [math.sin(3 * x + k) for k in range(outputs)]
        rows.append(([x], t[0] if outputs == 1 else t))
    return rows


def _fit_twice(data, loss, batch_size, outputs=1, val=None):
    made = [nn.MLP(1, [4, outputs], activation="tanh", seed=1) for _ in range(2)]
    kwargs = dict(loss=loss, epochs=3, batch_size=batch_size, val=val, seed=2, progress=False)
    h_e = nn.fit(made[0], data, optimizer=nn.Adam(made[0], lr=0.01), **kwargs)
    heads = []
    keep = LossHead.prepare

    def spy(head, *args):
        heads.append(head)
        return keep(head, *args)

    LossHead.prepare = spy
    try:
        h_c = nn.fit(made[1], data, optimizer=nn.Adam(made[1], lr=0.01), compiled=True,
                     **kwargs)
    finally:
        LossHead.prepare = keep
    assert close_lists(h_c.train_loss, h_e.train_loss)
    assert close_lists([p.data for p in made[1].parameters()],
                       [p.data for p in made[0].parameters()])
    return heads[0], h_c, h_e


@pytest.mark.parametrize("loss", [nn.mse, nn.sum_squared_error, nn.half_squared_error])
@pytest.mark.parametrize("batch_size", [10, None])
def test_a_regression_loss_is_compiled_once_with_the_target_as_an_input(loss, batch_size):
    # 150 distinct targets: past MAX_COMPILED, one program takes t as an input
    head, h_c, h_e = _fit_twice(_regression(), loss, batch_size, val=_regression(30))
    program, width, scalar = head.by_value
    assert (program.n_inputs, width, scalar) == (2, 1, True)
    assert close_lists(h_c.val_loss, h_e.val_loss)


def test_a_regression_with_list_targets_takes_them_as_inputs_too():
    head, _, _ = _fit_twice(_regression(outputs=2), nn.mse, 16, outputs=2)
    assert head.by_value[0].n_inputs == 4 and head.by_value[1:] == (2, False)


def test_a_loss_reading_the_target_as_a_float_stays_eager_with_the_same_numbers():
    def floaty(prediction, target):  # float(): the target becomes a constant of the graph
        return (nn.scalar(prediction) - float(target.data if isinstance(target, Value)
                                               else target)) ** 2

    head, _, _ = _fit_twice(_regression(), floaty, 10)
    assert head.by_value is None  # the numbers at other targets gave it away


def test_one_sample_at_a_time_keeps_the_regression_loss_eager():
    head, _, _ = _fit_twice(_regression(), nn.mse, 1)
    assert head.by_value is None  # cheaper on Values; nothing compiled for it


def test_a_loss_whose_graph_depends_on_the_outputs_runs_eagerly_with_the_same_numbers():
    def kinked(prediction, target):  # Python branch on the output's value
        y = prediction[0]
        return (y - target) ** 2 if y.data > 0.6 else (y - target).abs()

    data = [([x / 4], 0.5 + 0.1 * x) for x in range(-4, 5)]
    a = nn.MLP(1, [3, 1], activation="sigmoid", output_activation="sigmoid", seed=2)
    b = nn.MLP(1, [3, 1], activation="sigmoid", output_activation="sigmoid", seed=2)
    nn.fit(a, data, loss=kinked, optimizer=nn.SGD(a, lr=0.5), epochs=2, progress=False)
    nn.fit(b, data, loss=kinked, optimizer=nn.SGD(b, lr=0.5), epochs=2, progress=False,
           compiled=True)
    assert close_lists([p.data for p in b.parameters()], [p.data for p in a.parameters()])


def test_a_model_with_python_control_flow_is_refused():
    class Branchy(nn.Module):
        def __init__(self):
            self.w = Value(0.5, "w")

        def __call__(self, x):
            x = [v if isinstance(v, Value) else Value(v) for v in x]
            return self.w * x[0] if x[0].data > 0 else self.w * x[0].exp()

    data = [([-1.0 + k / 5], 0.0) for k in range(11)]
    model = Branchy()
    with pytest.raises(StructureError, match="builds a different graph for sample"):
        nn.fit(model, data, loss=nn.mse, optimizer=nn.SGD(model, lr=0.1), compiled=True,
               progress=False)


def test_nn_models_compile_to_matrix_products_and_match_eager_gradients():
    model = nn.MLP(5, [7, 4], activation="relu", seed=0)
    X = np.random.default_rng(1).normal(size=(6, 5))
    program = compile(lambda *xs: model(list(xs)), X[0], params=model.parameters())
    out = program(X)
    grad = np.random.default_rng(2).normal(size=out.shape)
    program.backward(grad)
    got = [p.grad for p in model.parameters()]
    model.zero_grad()
    for row, g, want in zip(X, grad, out, strict=True):
        ys = model(row.tolist())
        assert close_lists(want, [y.data for y in ys])
        nn_sum = sum((y * gk for y, gk in zip(ys, g, strict=True)), Value(0.0))
        nn_sum.backward()
    assert close_lists(got, [p.grad for p in model.parameters()])


def test_bad_arguments_are_reported():
    model = nn.MLP(2, [2], seed=0)
    with pytest.raises(ValueError, match="epochs must be an int"):
        fit_compiled(model, [([0.0, 1.0], 1.0)], epochs=-1)
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        fit_compiled(model, [([0.0, 1.0], 1.0)], batch_size=0)
    with pytest.raises(ValueError, match="same length"):
        fit_compiled(model, [([0.0, 1.0], 1.0), ([0.0], 1.0)], loss=nn.mse)


def test_binary_cross_entropy_on_a_sigmoid_output_matches_eager():
    data = [([a, b], int(a > b)) for a in (0.1, 0.4, 0.9) for b in (0.2, 0.6)]
    a = nn.MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=4)
    b = nn.MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=4)
    h_a = nn.fit(a, data, loss=nn.binary_cross_entropy, optimizer=nn.Adam(a, lr=0.05),
                 epochs=3, batch_size=2, progress=False)
    h_b = nn.fit(b, data, loss=nn.binary_cross_entropy, optimizer=nn.Adam(b, lr=0.05),
                 epochs=3, batch_size=2, progress=False, compiled=True)
    assert close_lists(h_b.train_loss, h_a.train_loss)
    assert h_b.train_accuracy == h_a.train_accuracy
    assert close_lists([p.data for p in b.parameters()], [p.data for p in a.parameters()])


@pytest.mark.parametrize("compiled", [False, True])
@pytest.mark.parametrize("bad, where", [
    (float("nan"), "target nan, which is not a finite number"),
    (float("-inf"), "target -inf, which is not a finite number"),
    ([1.0, float("nan")], r"target \[1.0, nan\] whose entry 1 is nan"),
])
def test_a_target_that_is_not_finite_is_named_by_eager_and_compiled_fit(compiled, bad, where):
    # Compiled fit once said "mse gave nan eagerly but nan compiled" (a StructureError)
    # when its loss guard met the pair; eager fit trained on and returned nan weights.
    n_out = len(bad) if isinstance(bad, list) else 1
    fine = [0.5] * n_out if isinstance(bad, list) else 0.5
    data = [([0.1 * k, 0.2], fine) for k in range(5)]
    data[3] = (data[3][0], bad)
    model = nn.MLP(2, [3, n_out], seed=0)
    before = [p.data for p in model.parameters()]
    with pytest.raises(ValueError, match=rf"train\[3\] has {where}"):
        nn.fit(model, data, loss=nn.mse, progress=False, compiled=compiled)
    with pytest.raises(ValueError, match=rf"val\[3\] has {where}"):
        nn.fit(model, data[:3], loss=nn.mse, val=data, progress=False, compiled=compiled)
    assert [p.data for p in model.parameters()] == before  # refused before any step


def test_nan_inputs_train_to_nan_compiled_as_eagerly_instead_of_a_structure_error():
    # nan outputs give nan losses both ways; the loss guard counted nan ≠ nan as the
    # compiled loss disagreeing with eager and raised StructureError
    data = [([math.nan, 0.2], 1), ([0.3, 0.4], 0), ([0.5, 0.6], 1)]
    histories = []
    for compiled in (False, True):
        model = nn.MLP(2, [3, 2], output_activation="softmax", seed=0)
        histories.append(nn.fit(model, data, loss=nn.cross_entropy, progress=False,
                                compiled=compiled))
        assert all(math.isnan(p.data) for p in model.parameters())
    assert all(math.isnan(h.train_loss[0]) for h in histories)


def test_the_loss_guard_reports_a_graph_change_the_compile_time_rows_missed():
    # The loss's branch sits at an output of 5, beyond every row the loss was re-traced
    # at when compiled; sample 97, one the guard recomputes eagerly, crosses it.
    def bent(prediction, target):
        y = prediction[0]
        return (y - target) ** 2 if y.data < 5.0 else (y - target).abs()

    data = [([0.01 * (k % 7)], 0.1) for k in range(120)]
    data[97] = ([50.0], 0.1)
    model = nn.MLP(1, [1], seed=0)
    model.parameters()[0].data = 0.5  # y = 0.5·x + b: 25 at sample 97, under 1 elsewhere
    with pytest.raises(StructureError, match=r"bent gave .* eagerly but .* compiled for target "
                                             r"0.1: its graph depends on the outputs"):
        nn.fit(model, data, loss=bent, optimizer=nn.SGD(model, lr=0.0), shuffle=False,
               progress=False, compiled=True)


_ROOT = autograd.Op(name="root", symbol="√", arity=1, forward=math.sqrt,
                    local_grads=lambda a, out: (0.5 / out,), rules=("∂√a/∂a = 1/(2√a)",),
                    template="√{0}", domain=(((0.1, 10.0),),), requires="a ≥ 0")


@pytest.mark.parametrize("op, first", [
    (OPS["log"], "log is undefined at a = -0.80552"),  # numpy gives nan: explained
    (_ROOT, "root is undefined at a = -0.64311"),  # no array forward: the scalar raises
])
def test_an_op_failing_inside_a_per_sample_step_is_eager_s_error_after_the_last_step(
        op, first):
    # per-sample compiled fit runs forward, loss and backward as one generated call;
    # an op failing in it must still give eager's error, after the last completed step
    class Net(nn.Module):
        def __init__(self):
            self.w = Value(0.5, "w")
            self.label_parameters()

        def __call__(self, x):
            x = [v if isinstance(v, Value) else Value(v) for v in x]
            z = self.w * x[0]
            return [autograd.apply(op, z), z.exp()]  # one step, on consecutive rows

    # sample 3 fails: not a sample fit re-traces, nor the first of its class (the loss
    # programs are compiled at those), so it fails inside a training step
    data = [([1.0], 0), ([2.0], 1), ([1.5], 0), ([-2.0], 1), ([1.2], 0), ([0.8], 1)]
    errors, weights = [], []
    for compiled in (False, True):
        model = Net()
        with pytest.raises(autograd.DomainError) as info:
            nn.fit(model, data, loss=nn.cross_entropy, optimizer=nn.SGD(model, lr=0.1),
                   shuffle=False, progress=False, compiled=compiled)
        errors.append(str(info.value))
        weights.append(model.w.data)
    assert errors[0].startswith(first)  # w·x after three steps
    assert errors[1].startswith(errors[0].split(" (unlabelled")[0])
    assert "(sample 0 of the batch)" in errors[1]
    assert weights[0] != 0.5 and close_lists([weights[1]], [weights[0]])  # three steps


@pytest.mark.parametrize("batch_size", [1, 3])
def test_an_undefined_derivative_a_zero_gradient_meets_trains_as_eagerly(batch_size):
    # √(relu(w·x)) at w·x < 0: √'s derivative at 0 is undefined, relu's is 0, so eager
    # backward (as PyTorch) gives w a gradient of 0 there; numpy's 0 × inf is nan. The
    # compiled steps (one generated call per sample) must replay eagerly, not train on nan.
    class Root(nn.Module):
        def __init__(self):
            self.w = Value(0.5, "w")
            self.b = Value(0.25, "b")
            self.label_parameters()

        def __call__(self, x):
            x = [v if isinstance(v, Value) else Value(v) for v in x]
            return (self.w * x[0]).relu().sqrt() + self.b

    data = [([2.0], 1.0), ([-1.0], 0.5), ([1.0], 0.8), ([-3.0], 0.2), ([0.5], 0.6)]
    models = [Root(), Root()]
    for model, compiled in zip(models, (False, True), strict=True):
        nn.fit(model, data, loss=nn.mse, optimizer=nn.SGD(model, lr=0.1), epochs=2,
               batch_size=batch_size, shuffle=False, progress=False, compiled=compiled)
    eager, compiled = ([p.data for p in m.parameters()] for m in models)
    assert all(math.isfinite(v) for v in compiled) and close_lists(compiled, eager)
