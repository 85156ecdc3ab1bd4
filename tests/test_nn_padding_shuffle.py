"""The padding layers, PixelShuffle/PixelUnshuffle and ChannelShuffle against torch (values,
gradients, repr), by finite differences, and their errors."""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import nn
from chaingrad.autograd import gradcheck, gradgradcheck
from chaingrad.nn import functional as F

from ._nn_helpers import assert_close, rand64, to_torch

KINDS = ["Zero", "Constant", "Reflection", "Replication", "Circular"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("batched", [True, False])
def test_padding_layers_match_torch(kind, d, batched) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(d)
    pads = (2, 1, 0, 2, 1, 1)[: 2 * d]
    args = (pads, 1.5) if kind == "Constant" else (pads,)
    ours, theirs = getattr(nn, f"{kind}Pad{d}d")(*args), getattr(torch.nn, f"{kind}Pad{d}d")(
        *args)
    assert repr(ours) == repr(theirs)
    shape = ((2,) if batched else ()) + (3,) + (4,) * d
    x = rand64(rng, *shape)
    xt = to_torch(x)
    out, tout = ours(x), theirs(xt)
    assert_close(out, tout, rtol=0, atol=0)
    g = rng.standard_normal(tuple(tout.shape))
    out.backward(cg.tensor(g))
    tout.backward(to_torch(g))
    assert_close(x.grad, xt.grad, rtol=1e-12, atol=1e-14)
    # an int pads every side
    one = (1.0,) if kind == "Constant" else ()
    assert getattr(nn, f"{kind}Pad{d}d")(1, *one).padding == (1,) * (2 * d)


def test_padding_gradcheck_and_errors() -> None:
    rng = np.random.default_rng(0)
    x = rand64(rng, 1, 2, 3, 3)
    assert gradcheck(nn.ReflectionPad2d((1, 2, 2, 0)), (x,))
    assert gradgradcheck(nn.CircularPad2d(1), (x,))
    with pytest.raises(ValueError, match="tuple of 4 ints"):
        nn.ReflectionPad2d((1, 2))
    with pytest.raises(RuntimeError, match="expected 3D or 4D input"):
        nn.ReplicationPad2d(1)(rand64(rng, 3))
    with pytest.raises(RuntimeError, match="at least 3D"):
        nn.ZeroPad3d(1)(rand64(rng, 3, 3))
    with pytest.raises(ValueError, match="padding size should be less"):
        nn.ReflectionPad1d(3)(rand64(rng, 1, 3))


@pytest.mark.parametrize("shape,r", [((2, 8, 3, 2), 2), ((9, 2, 3), 3), ((2, 1, 4, 2, 2), 2)])
def test_pixel_shuffle_matches_torch(shape, r) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x = rand64(rng, *shape)
    xt = to_torch(x)
    out, tout = nn.PixelShuffle(r)(x), torch.nn.PixelShuffle(r)(xt)
    assert_close(out, tout, rtol=0, atol=0)
    back, tback = nn.PixelUnshuffle(r)(out), torch.nn.PixelUnshuffle(r)(tout)
    assert_close(back, tback, rtol=0, atol=0)
    assert_close(back, x, rtol=0, atol=0)
    g = rng.standard_normal(tuple(tout.shape))
    out.backward(cg.tensor(g))
    tout.backward(to_torch(g))
    assert_close(x.grad, xt.grad, rtol=0, atol=0)
    assert repr(nn.PixelShuffle(r)) == repr(torch.nn.PixelShuffle(r))
    assert repr(nn.PixelUnshuffle(r)) == repr(torch.nn.PixelUnshuffle(r))
    assert gradcheck(lambda a: F.pixel_shuffle(a, r), (x,))


def test_channel_shuffle_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    for shape in ((2, 6, 3), (1, 6, 2, 2)):
        x = rand64(rng, *shape)
        assert_close(nn.ChannelShuffle(3)(x), torch.nn.ChannelShuffle(3)(to_torch(x)), rtol=0,
                     atol=0)
        assert_close(F.channel_shuffle(x, 2), torch.nn.functional.channel_shuffle(
            to_torch(x), 2), rtol=0, atol=0)
    assert gradcheck(lambda a: F.channel_shuffle(a, 3), (x,))


def test_shuffle_errors() -> None:
    rng = np.random.default_rng(3)
    with pytest.raises(RuntimeError, match="at least 3 dimensions"):
        F.pixel_shuffle(rand64(rng, 4, 4), 2)
    with pytest.raises(RuntimeError, match="divisible by the square of upscale_factor"):
        F.pixel_shuffle(rand64(rng, 1, 6, 2, 2), 2)
    with pytest.raises(RuntimeError, match="positive upscale_factor"):
        F.pixel_shuffle(rand64(rng, 1, 4, 2, 2), 0)
    with pytest.raises(RuntimeError, match="height to be divisible"):
        F.pixel_unshuffle(rand64(rng, 1, 1, 3, 4), 2)
    with pytest.raises(RuntimeError, match="width to be divisible"):
        F.pixel_unshuffle(rand64(rng, 1, 1, 4, 3), 2)
    with pytest.raises(ValueError, match="divisible by groups"):
        F.channel_shuffle(rand64(rng, 1, 5, 2), 2)
    with pytest.raises(ValueError, match="must be positive"):
        F.channel_shuffle(rand64(rng, 1, 4, 2), 0)
