"""conv_transpose1d/2d and ConvTranspose1d/2d against torch (values, gradients for input,
weight and bias, same initialisation after the same seed, output_size), by finite differences,
and their errors."""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import nn
from chaingrad.autograd import gradcheck, gradgradcheck
from chaingrad.nn import functional as F

from ._nn_helpers import assert_close, load_from_torch, rand64, to_torch

CASES2D = [
    {}, {"stride": 2}, {"stride": (2, 3), "padding": (1, 0), "output_padding": (1, 2),
                        "dilation": (1, 2)},
    {"groups": 2, "stride": 2, "padding": 1}, {"padding": 2, "dilation": 2},
]


@pytest.mark.parametrize("kw", CASES2D)
@pytest.mark.parametrize("batched", [True, False])
def test_conv_transpose2d_matches_torch(kw, batched) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    g = kw.get("groups", 1)
    x = rand64(rng, *(((2,) if batched else ()) + (4, 5, 6)))
    w, b = rand64(rng, 4, 3, 3, 2), rand64(rng, 3 * g)
    ts = [to_torch(t) for t in (x, w, b)]
    out = F.conv_transpose2d(x, w, b, **kw)
    tout = torch.nn.functional.conv_transpose2d(*ts, **kw)
    assert tuple(out.shape) == tuple(tout.shape)
    assert_close(out, tout, rtol=1e-12, atol=1e-12)
    go = rng.standard_normal(tuple(tout.shape))
    out.backward(cg.tensor(go))
    tout.backward(to_torch(go))
    for a, t in zip((x, w, b), ts):
        assert_close(a.grad, t.grad, rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("kw", [{}, {"stride": 3, "padding": 1, "output_padding": 2},
                                {"groups": 2, "dilation": 3}])
def test_conv_transpose1d_matches_torch(kw) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x, w = rand64(rng, 2, 4, 7), rand64(rng, 4, 2, 3)
    xt, wt = to_torch(x), to_torch(w)
    out = F.conv_transpose1d(x, w, None, **kw)
    tout = torch.nn.functional.conv_transpose1d(xt, wt, None, **kw)
    assert_close(out, tout, rtol=1e-12, atol=1e-12)
    out.sum().backward()
    tout.sum().backward()
    assert_close(x.grad, xt.grad, rtol=1e-11, atol=1e-11)
    assert_close(w.grad, wt.grad, rtol=1e-11, atol=1e-11)
    assert_close(F.conv_transpose1d(x[0], w, None, **kw), tout[0], rtol=1e-12, atol=1e-12)


def test_modules_match_torch() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    for cls, args, shape in (("ConvTranspose2d", (4, 6, 3), (2, 4, 5, 5)),
                             ("ConvTranspose1d", (4, 2, 4), (3, 4, 6))):
        kw = {"stride": 2, "padding": 1, "groups": 2}
        cg.manual_seed(7)
        torch.manual_seed(7)
        ours = getattr(nn, cls)(*args, **kw, dtype=cg.float64)
        theirs = getattr(torch.nn, cls)(*args, **kw, dtype=torch.float64)
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        # the same default initialisation from the same seed
        assert_close(ours.weight, theirs.weight, rtol=1e-6, atol=1e-7)
        assert_close(ours.bias, theirs.bias, rtol=1e-6, atol=1e-7)
        load_from_torch(ours, theirs)
        x = rand64(rng, *shape)
        assert_close(ours(x), theirs(to_torch(x)), rtol=1e-12, atol=1e-12)
        n = len(shape) - 2
        big = [shape[-1] * 2] * n  # the upper end of the valid sizes
        assert_close(ours(x, output_size=big), theirs(to_torch(x), output_size=big),
                     rtol=1e-12, atol=1e-12)
        with pytest.raises(ValueError, match="valid sizes range"):
            ours(x, output_size=[shape[-1] * 3] * n)


def test_gradcheck() -> None:
    rng = np.random.default_rng(3)
    x, w, b = rand64(rng, 1, 2, 3, 3), rand64(rng, 2, 2, 2, 2), rand64(rng, 2)

    def fn(x: cg.Tensor, w: cg.Tensor, b: cg.Tensor) -> cg.Tensor:
        return F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1)

    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))


def test_errors() -> None:
    rng = np.random.default_rng(4)
    x, w = rand64(rng, 1, 4, 3, 3), rand64(rng, 4, 2, 2, 2)
    with pytest.raises(RuntimeError, match="output padding must be smaller"):
        F.conv_transpose2d(x, w, output_padding=1)
    with pytest.raises(RuntimeError, match="to have 3 channels, but got 4"):
        F.conv_transpose2d(x, rand64(rng, 3, 2, 2, 2))
    with pytest.raises(RuntimeError, match="expected 3D"):
        F.conv_transpose2d(rand64(rng, 3, 3), w)
    with pytest.raises(RuntimeError, match="padding .* too large"):
        F.conv_transpose2d(x, w, padding=3)
    with pytest.raises(ValueError, match='Only "zeros" padding mode'):
        nn.ConvTranspose2d(4, 2, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.ConvTranspose1d(3, 2, 3, groups=2)
    with pytest.raises(RuntimeError, match=r"expected input of shape \(N, 4, H, W\)"):
        nn.ConvTranspose2d(4, 2, 3).double()(rand64(rng, 1, 3, 4, 4))
