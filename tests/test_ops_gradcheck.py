"""gradcheck and gradgradcheck (float64) of every op in ``op_db``, on both engines.

gradgradcheck differentiates the recorded backward, so it checks each native kind's
differentiable formula and each Function's backward (higher-order gradients).
"""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg
from chaingrad.autograd import gradcheck, gradgradcheck

from ._helpers import cg_inputs, first
from .op_db import ALL_CASES

_DIFF = [c for c in ALL_CASES if c.diff and c.fd]


def _fn(case):
    return lambda *ts: first(case.f(cg, *ts))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("case", _DIFF, ids=lambda c: c.name)
def test_gradcheck(case):
    assert gradcheck(_fn(case), cg_inputs(case))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("case", [c for c in _DIFF if c.gradgrad], ids=lambda c: c.name)
def test_gradgradcheck(case):
    assert gradgradcheck(_fn(case), cg_inputs(case))


@pytest.mark.parametrize("case", [c for c in ALL_CASES if not c.diff], ids=lambda c: c.name)
def test_non_differentiable_outputs_record_nothing(case):
    with np.errstate(divide="ignore", invalid="ignore"):  # the cases make NaN/inf on purpose
        out = first(case.f(cg, *cg_inputs(case)))
    assert not out.requires_grad and out.grad_fn is None
    assert out.dtype.kind in "biu"


@pytest.mark.parametrize("case", [c for c in ALL_CASES if c.diff and not c.fd],
                         ids=lambda c: c.name)
def test_casts_pass_gradients_through(case):
    """float32 <-> float64 casts: finite differences would see float32 rounding; the
    gradient is the incoming one, cast back (checked exactly, with create_graph too)."""
    (x,) = cg_inputs(case)
    out = first(case.f(cg, x))
    g = cg.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)), dtype=out.dtype)
    (gx,) = cg.autograd.grad(out, x, g, create_graph=True)
    assert gx.dtype == x.dtype
    np.testing.assert_array_equal(gx.detach().numpy(), g.numpy().astype(x.dtype))
