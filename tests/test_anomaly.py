"""Anomaly mode: the first backward node producing NaN/inf is named with its forward stack."""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import _bridge, engine
from chaingrad.autograd import anomaly_mode

# log(0), 1/0: the point of these tests.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def _forward_that_breaks(x):
    h = x.sqrt()  # the line the error must point at
    return h.log().sum()


def test_names_the_first_bad_node_and_its_forward_line():
    x = cg.tensor([0.0, 4.0], requires_grad=True)
    with cg.autograd.detect_anomaly():
        y = _forward_that_breaks(x)
        with pytest.raises(RuntimeError) as e:
            y.backward()
    msg = str(e.value)
    # log'(h) = 1/h is inf at h = 0: LogBackward0 is the first, before SqrtBackward0.
    assert msg.startswith("Function 'LogBackward0' returned inf values in its 0th output.")
    assert "in _forward_that_breaks" in msg and "return h.log().sum()" in msg
    assert "_common.py" not in msg  # stops at the chaingrad function the user called
    assert not cg.autograd.is_anomaly_enabled()


def test_nan_and_custom_function_node():
    class Bad(cg.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 1.0

        @staticmethod
        def backward(ctx, g):
            return g * float("nan")

    x = cg.tensor([1.0, 2.0], requires_grad=True)
    cg.autograd.set_detect_anomaly(True)
    try:
        y = (Bad.apply(x) * 3.0).sum()
        with pytest.raises(RuntimeError, match="Function 'BadBackward' returned nan values"):
            y.backward()
    finally:
        cg.autograd.set_detect_anomaly(False)


def test_off_costs_nothing_and_restores_everything():
    before = engine.current()
    x = cg.tensor([0.0, 4.0], requires_grad=True)
    y = _forward_that_breaks(x)
    y.backward()  # off: no error, the inf just propagates
    assert np.isinf(x.grad.numpy()[0])
    assert anomaly_mode.creation_stack(y.grad_fn) is None
    with cg.autograd.detect_anomaly():
        assert _bridge.anomaly[0] is True
        assert engine.current() is not before  # wrapped: records stacks
        with cg.autograd.set_detect_anomaly(False):
            assert not cg.autograd.is_anomaly_enabled()
        assert cg.autograd.is_anomaly_enabled()
    assert engine.current() is before and _bridge.anomaly[0] is False


def test_nodes_from_before_anomaly_mode_say_so():
    x = cg.tensor([0.0], requires_grad=True)
    y = _forward_that_breaks(x)
    with cg.autograd.detect_anomaly(), pytest.raises(RuntimeError,
                                                     match="no forward stack recorded"):
        y.backward()


def test_check_nan_false_and_good_graphs_pass():
    x = cg.tensor([0.0, 4.0], requires_grad=True)
    with cg.autograd.detect_anomaly(check_nan=False):
        _forward_that_breaks(x).backward()
    x.grad = None
    w = cg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    with cg.autograd.detect_anomaly():
        ((w @ w).tanh().sum() + w[0].sum()).backward()
    ref = cg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    ((ref @ ref).tanh().sum() + ref[0].sum()).backward()
    assert np.array_equal(w.grad.numpy(), ref.grad.numpy())


def test_bad_argument():
    with pytest.raises(TypeError, match="mode must be a bool"):
        cg.autograd.set_detect_anomaly("on")
