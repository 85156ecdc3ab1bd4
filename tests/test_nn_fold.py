"""F.unfold/F.fold and the Unfold/Fold layers against torch (values, gradients, repr), by
finite differences, and their errors."""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import nn
from chaingrad.autograd import gradcheck, gradgradcheck
from chaingrad.nn import functional as F

from ._nn_helpers import assert_close, rand64, to_torch

CONFIGS = [
    {"kernel_size": 2},
    {"kernel_size": (2, 3), "dilation": (2, 1), "padding": 1, "stride": (2, 1)},
    {"kernel_size": 3, "padding": (0, 2), "stride": 2},
]


@pytest.mark.parametrize("kw", CONFIGS)
@pytest.mark.parametrize("batched", [True, False])
def test_unfold_fold_match_torch(kw, batched) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    shape = ((2,) if batched else ()) + (3, 6, 5)
    x = rand64(rng, *shape)
    xt = to_torch(x)
    cols, tcols = F.unfold(x, **kw), torch.nn.functional.unfold(xt, **kw)
    assert tuple(cols.shape) == tuple(tcols.shape)
    assert_close(cols, tcols, rtol=0, atol=0)
    img, timg = F.fold(cols, (6, 5), **kw), torch.nn.functional.fold(tcols, (6, 5), **kw)
    assert_close(img, timg, rtol=1e-14, atol=1e-14)
    g = rng.standard_normal(tuple(timg.shape))
    img.backward(cg.tensor(g))
    timg.backward(to_torch(g))
    assert_close(x.grad, xt.grad, rtol=1e-12, atol=1e-13)


def test_modules_and_gradcheck() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    u, tu = nn.Unfold((2, 2), stride=2), torch.nn.Unfold((2, 2), stride=2)
    f, tf = nn.Fold(4, 2, stride=2), torch.nn.Fold(4, 2, stride=2)
    assert repr(u) == repr(tu) and repr(f) == repr(tf)
    x = rand64(rng, 1, 2, 4, 4)
    assert_close(f(u(x)), x, rtol=0, atol=0)  # non-overlapping blocks: fold inverts unfold
    assert_close(u(x), tu(to_torch(x)), rtol=0, atol=0)
    assert gradcheck(lambda a: F.unfold(a, 2, padding=1), (x,))
    cols = rand64(rng, 1, 8, 9)
    assert gradcheck(lambda a: F.fold(a, (4, 4), 2, stride=1), (cols,))
    assert gradgradcheck(lambda a: F.fold(a, (4, 4), 2, stride=1), (cols,))


def test_errors() -> None:
    rng = np.random.default_rng(2)
    with pytest.raises(RuntimeError, match="Only 3D or 4D"):
        F.unfold(rand64(rng, 4, 4), 2)
    with pytest.raises(RuntimeError, match="smaller than the dilated kernel"):
        F.unfold(rand64(rng, 1, 1, 2, 2), 3)
    with pytest.raises(RuntimeError, match="must be positive"):
        F.unfold(rand64(rng, 1, 1, 4, 4), 2, stride=0)
    with pytest.raises(ValueError, match="pair of ints"):
        F.unfold(rand64(rng, 1, 1, 4, 4), (2, 2, 2))
    with pytest.raises(RuntimeError, match="divisible by the product of kernel_size"):
        F.fold(rand64(rng, 1, 5, 9), (4, 4), 2)
    with pytest.raises(RuntimeError, match="number of sliding blocks"):
        F.fold(rand64(rng, 1, 4, 8), (4, 4), 2)
    with pytest.raises(RuntimeError, match="Only unbatched"):
        F.fold(rand64(rng, 4), (4, 4), 2)
