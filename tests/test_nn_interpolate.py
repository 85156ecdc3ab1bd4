"""F.interpolate and the Upsample layers against torch (nearest, nearest-exact, linear,
bilinear, trilinear with and without align_corners, area; size and scale_factor, with and
without recompute_scale_factor), by finite differences, and their errors."""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import nn
from chaingrad.autograd import gradcheck, gradgradcheck
from chaingrad.nn import functional as F

from ._nn_helpers import assert_close, rand64, to_torch

SHAPES = {1: (2, 3, 7), 2: (2, 2, 5, 6), 3: (1, 2, 3, 4, 5)}
LINEAR = {1: "linear", 2: "bilinear", 3: "trilinear"}
SIZES = [{"size": 11}, {"size": 3}, {"scale_factor": 2}, {"scale_factor": 1.7},
         {"scale_factor": 0.6}, {"scale_factor": 2.5, "recompute_scale_factor": True}]


def _modes(nd):
    out = [("nearest", None), ("nearest-exact", None), (LINEAR[nd], False), (LINEAR[nd], True)]
    if nd < 3:
        out.append(("area", None))
    return out


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("kw", SIZES)
def test_interpolate_matches_torch(nd, kw) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(nd)
    for mode, align in _modes(nd):
        if mode == "area" and "scale_factor" in kw:
            continue  # torch's area with a scale_factor is adaptive pooling to floor(in * s)
        x = rand64(rng, *SHAPES[nd])
        xt = to_torch(x)
        out = F.interpolate(x, mode=mode, align_corners=align, **kw)
        tout = torch.nn.functional.interpolate(xt, mode=mode, align_corners=align, **kw)
        assert tuple(out.shape) == tuple(tout.shape), (mode, align)
        assert_close(out, tout, rtol=1e-12, atol=1e-14, what=f"{mode} {align}")
        g = rng.standard_normal(tuple(tout.shape))
        out.backward(cg.tensor(g))
        tout.backward(to_torch(g))
        assert_close(x.grad, xt.grad, rtol=1e-11, atol=1e-13, what=f"{mode} {align} grad")


def test_float32_nearest_indices_match_torch() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = cg.tensor(rng.standard_normal((1, 1, 37, 29)), dtype=cg.float32)
    for kw in ({"size": (53, 11)}, {"scale_factor": 1.37}, {"scale_factor": (0.31, 3.3)}):
        for mode in ("nearest", "nearest-exact", "bilinear"):
            out = F.interpolate(x, mode=mode, **kw)
            tout = torch.nn.functional.interpolate(to_torch(x), mode=mode, **kw)
            assert out.dtype == cg.float32
            assert_close(out, tout, rtol=1e-6, atol=1e-6)


def test_gradcheck() -> None:
    rng = np.random.default_rng(1)
    x = rand64(rng, 1, 2, 3, 4)
    for mode, align in (("bilinear", False), ("bilinear", True), ("nearest", None)):
        def fn(a: cg.Tensor, mode: str = mode, align: bool | None = align) -> cg.Tensor:
            return F.interpolate(a, scale_factor=1.5, mode=mode, align_corners=align)

        assert gradcheck(fn, (x,))
        assert gradgradcheck(fn, (x,))


def test_upsample_modules() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    x = rand64(rng, 2, 3, 4, 5, requires_grad=False)
    xt = to_torch(x)
    pairs = [
        (nn.Upsample(scale_factor=2), torch.nn.Upsample(scale_factor=2)),
        (nn.Upsample(size=(7, 3), mode="bilinear", align_corners=True),
         torch.nn.Upsample(size=(7, 3), mode="bilinear", align_corners=True)),
        (nn.UpsamplingNearest2d(scale_factor=3), torch.nn.UpsamplingNearest2d(scale_factor=3)),
        (nn.UpsamplingBilinear2d(size=6), torch.nn.UpsamplingBilinear2d(size=6)),
    ]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)
        assert_close(ours(x), theirs(xt), rtol=1e-12, atol=1e-14)
    with pytest.warns(UserWarning, match="deprecated"):
        assert_close(F.upsample_bilinear(x, size=6), torch.nn.UpsamplingBilinear2d(size=6)(xt),
                     rtol=1e-12)
    with pytest.warns(UserWarning, match="deprecated"):
        assert_close(F.upsample_nearest(x, scale_factor=2), torch.nn.Upsample(
            scale_factor=2)(xt), rtol=0)
    with pytest.warns(UserWarning, match="deprecated"):
        assert_close(F.upsample(x, size=3), torch.nn.Upsample(size=3)(xt), rtol=0)


def test_errors() -> None:
    rng = np.random.default_rng(3)
    x = rand64(rng, 1, 2, 4, 4)
    with pytest.raises(ValueError, match="only one of size or scale_factor"):
        F.interpolate(x, size=2, scale_factor=2)
    with pytest.raises(ValueError, match="either size or scale_factor"):
        F.interpolate(x)
    with pytest.raises(ValueError, match="same number of spatial dimensions"):
        F.interpolate(x, size=(2, 3, 4))
    with pytest.raises(ValueError, match="align_corners option can only be set"):
        F.interpolate(x, size=2, align_corners=True)
    with pytest.raises(NotImplementedError, match="linear mode needs 3D input"):
        F.interpolate(x, size=2, mode="linear")
    with pytest.raises(NotImplementedError, match="Only 3D, 4D and 5D"):
        F.interpolate(rand64(rng, 4, 4), size=2)
    with pytest.raises(NotImplementedError, match="bicubic"):
        F.interpolate(x, size=2, mode="bicubic")
    with pytest.raises(NotImplementedError, match="not one of"):
        F.interpolate(x, size=2, mode="cubic")
    with pytest.raises(NotImplementedError, match="antialias"):
        F.interpolate(x, size=2, mode="bilinear", antialias=True)
    with pytest.raises(ValueError, match="must be positive"):
        F.interpolate(x, scale_factor=0.1)
    with pytest.raises(TypeError, match="floating point"):
        F.interpolate(cg.ones(1, 1, 2, 2, dtype=cg.int64), size=3, mode="bilinear")
    # nearest works on integer tensors too, as in torch
    ints = cg.tensor(np.arange(4).reshape(1, 1, 2, 2))
    np.testing.assert_array_equal(F.interpolate(ints, scale_factor=2).numpy()[0, 0, :, 0],
                                  [0, 0, 2, 2])
