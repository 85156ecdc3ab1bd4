"""Adaptive max pooling (1-D/2-D, functional and modules) against torch (values, indices,
gradients incl. ties), by finite differences, and its errors."""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import nn
from chaingrad.autograd import gradcheck
from chaingrad.nn import functional as F

from ._nn_helpers import assert_close, rand64, to_torch


@pytest.mark.parametrize("size", [(3, 2), (4, None), 2, (7, 5), (10, 3), 1])
@pytest.mark.parametrize("batched", [True, False])
def test_adaptive_max_pool2d_matches_torch(size, batched) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rand64(rng, *(((2,) if batched else ()) + (3, 7, 5)))
    xt = to_torch(x)
    out, idx = F.adaptive_max_pool2d(x, size, return_indices=True)
    tout, tidx = torch.nn.functional.adaptive_max_pool2d(xt, size, return_indices=True)
    assert_close(out, tout, rtol=0, atol=0)
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())
    assert idx.dtype == cg.int64
    g = rng.standard_normal(tuple(tout.shape))
    out.backward(cg.tensor(g))
    tout.backward(to_torch(g))
    assert_close(x.grad, xt.grad, rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("size", [3, 1, 9, 4])
def test_adaptive_max_pool1d_matches_torch(size) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x = rand64(rng, 2, 3, 9)
    xt = to_torch(x)
    m, tm = nn.AdaptiveMaxPool1d(size, return_indices=True), torch.nn.AdaptiveMaxPool1d(
        size, return_indices=True)
    assert repr(m) == repr(tm)
    (out, idx), (tout, tidx) = m(x), tm(xt)
    assert_close(out, tout, rtol=0, atol=0)
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())
    out.sum().backward()
    tout.sum().backward()
    assert_close(x.grad, xt.grad, rtol=0, atol=0)
    assert_close(F.adaptive_max_pool1d(x[0], size), tout[0], rtol=0, atol=0)


def test_ties_and_nan_follow_torch() -> None:
    torch = pytest.importorskip("torch")
    x = cg.tensor([[[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [0.0, float("nan"), 5.0, 1.0]]],
                  dtype=cg.float64, requires_grad=True)
    xt = to_torch(x)
    out, idx = F.adaptive_max_pool1d(x, 2, return_indices=True)
    tout, tidx = torch.nn.functional.adaptive_max_pool1d(xt, 2, return_indices=True)
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())
    np.testing.assert_array_equal(out.detach().numpy(), tout.detach().numpy())
    out.sum().backward()
    tout.sum().backward()
    assert_close(x.grad, xt.grad, rtol=0, atol=0)


def test_module_2d_and_gradcheck() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    x = rand64(rng, 1, 2, 5, 6)
    m, tm = nn.AdaptiveMaxPool2d((3, None)), torch.nn.AdaptiveMaxPool2d((3, None))
    assert repr(m) == repr(tm)
    assert_close(m(x), tm(to_torch(x)), rtol=0, atol=0)
    assert gradcheck(lambda a: F.adaptive_max_pool2d(a, (2, 4)), (x,))
    out, idx = F.adaptive_max_pool2d_with_indices(x, 2)
    assert tuple(idx.shape) == (1, 2, 2, 2)


def test_errors() -> None:
    rng = np.random.default_rng(3)
    with pytest.raises(RuntimeError, match="expected 3D or 4D"):
        F.adaptive_max_pool2d(rand64(rng, 4, 4), 2)
    with pytest.raises(RuntimeError, match="greater than 0"):
        F.adaptive_max_pool2d(rand64(rng, 1, 4, 4), (0, 2))
    with pytest.raises(RuntimeError, match="expected 2D or 3D"):
        F.adaptive_max_pool1d(rand64(rng, 4), 2)
    with pytest.raises(ValueError, match="tuple of 2"):
        F.adaptive_max_pool2d(rand64(rng, 1, 4, 4), (1, 2, 3))
    with pytest.raises(TypeError, match="floating point"):
        F.adaptive_max_pool1d(cg.tensor([[1, 2]]), 1)
