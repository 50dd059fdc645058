"""Gradient mode is per thread (as in PyTorch): one thread's no_grad cannot touch another's.

Real threads, ordered by events rather than by sleeping, so every test is deterministic.
"""

import math
import threading

import pytest

import autograd
from autograd import Value, detect_anomaly, enable_grad, is_grad_enabled, no_grad
from autograd.modes import state


def _run(target, *args):
    """Run ``target`` in a thread; return a join() that re-raises what the thread raised."""
    failures = []

    def body():
        try:
            target(*args)
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread below
            failures.append(exc)

    thread = threading.Thread(target=body)
    thread.start()

    def join():
        thread.join(timeout=60)
        assert not thread.is_alive(), "the thread did not finish"
        if failures:
            raise failures[0]

    return join


def test_backward_in_one_thread_is_unaffected_by_no_grad_in_another():
    # The review's case: 3,000 of 3,000 backward calls gave gradient 0 while another
    # thread sat inside no_grad, because the switch was process-wide.
    entered, release = threading.Event(), threading.Event()

    def inference():
        with no_grad():
            entered.set()
            z = Value(2.0, "z") * 3.0
            assert z.is_leaf and not is_grad_enabled()  # this thread records nothing
            assert release.wait(timeout=60)

    join = _run(inference)
    assert entered.wait(timeout=60)
    wrong = 0
    for i in range(3000):
        x = Value(float(i % 7) + 1.0, "x")
        y = x * x * x  # ∂y/∂x = 3x²
        y.backward()
        wrong += x.grad != 3.0 * x.data ** 2
    release.set()
    join()
    assert wrong == 0
    assert is_grad_enabled()


def test_interleaved_no_grad_blocks_leave_recording_on_in_every_thread():
    # A enters, B enters, A leaves, B leaves. With one process-wide switch B restored
    # the "off" it had seen when it entered, and recording stayed off for good.
    steps = [threading.Event() for _ in range(4)]
    seen = {}

    def a():
        with no_grad():
            steps[0].set()
            assert steps[1].wait(timeout=60)
        steps[2].set()
        seen["a after"] = is_grad_enabled()

    def b():
        assert steps[0].wait(timeout=60)
        with no_grad():
            steps[1].set()
            assert steps[2].wait(timeout=60)
            seen["b inside"] = is_grad_enabled()
        seen["b after"] = is_grad_enabled()

    joins = [_run(a), _run(b)]
    for join in joins:
        join()
    assert seen == {"a after": True, "b inside": False, "b after": True}
    assert is_grad_enabled()
    assert not (Value(1.0) * 2.0).is_leaf
    assert state.changed == 0  # every block that opened has closed


def test_a_new_thread_starts_with_recording_on_even_when_started_inside_no_grad():
    seen = {}

    def child():
        seen["child"] = is_grad_enabled()
        seen["records"] = not (Value(1.0) * 2.0).is_leaf

    with no_grad():
        _run(child)()
        seen["parent"] = is_grad_enabled()
    assert seen == {"child": True, "records": True, "parent": False}


def test_detect_anomaly_is_per_thread_too():
    entered, release = threading.Event(), threading.Event()
    caught = []

    def checked():
        with detect_anomaly():
            entered.set()
            try:
                Value(math.inf) - Value(math.inf)
            except autograd.AnomalyError as exc:
                caught.append(exc)
            assert release.wait(timeout=60)

    join = _run(checked)
    assert entered.wait(timeout=60)
    assert math.isnan((Value(math.inf) - Value(math.inf)).data)  # this thread: nan flows on
    release.set()
    join()
    assert len(caught) == 1


def test_no_grad_and_enable_grad_still_nest_and_decorate():
    @no_grad()
    def infer(x):
        return x * 2.0

    assert infer(Value(1.0)).is_leaf and is_grad_enabled()
    with no_grad():
        with enable_grad():
            assert not (Value(1.0) * 2.0).is_leaf
        assert (Value(1.0) * 2.0).is_leaf
    assert is_grad_enabled() and state.changed == 0


def test_a_block_left_by_an_exception_restores_the_mode():
    with pytest.raises(RuntimeError), no_grad():
        raise RuntimeError("inside")
    assert is_grad_enabled() and state.changed == 0
