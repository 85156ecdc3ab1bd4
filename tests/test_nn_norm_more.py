"""GroupNorm, InstanceNorm1d/2d/3d and RMSNorm (modules and functional forms) against torch
(values, gradients, running statistics), by finite differences, and their errors."""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import nn
from chaingrad.autograd import gradcheck, gradgradcheck
from chaingrad.nn import functional as F

from ._nn_helpers import assert_close, load_from_torch, rand64, to_torch


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(5)


def _check(ours_fn, theirs_fn, xs, rng) -> None:
    tx = [to_torch(x) for x in xs]
    out, tout = ours_fn(*xs), theirs_fn(*tx)
    assert out.dtype == cg.float64 and tuple(out.shape) == tuple(tout.shape)
    assert_close(out, tout, rtol=1e-9, atol=1e-11)
    g = rng.standard_normal(tuple(tout.shape))
    out.backward(cg.tensor(g))
    tout.backward(to_torch(g))
    for a, b in zip(xs, tx):
        assert_close(a.grad, b.grad, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("shape", [(2, 6), (2, 6, 5), (3, 6, 2, 3)])
def test_group_norm_matches_torch(shape, rng) -> None:
    torch = pytest.importorskip("torch")
    x, w, b = rand64(rng, *shape), rand64(rng, 6), rand64(rng, 6)
    _check(lambda x, w, b: F.group_norm(x, 3, w, b, eps=1e-3),
           lambda x, w, b: torch.nn.functional.group_norm(x, 3, w, b, eps=1e-3), [x, w, b], rng)
    y = rand64(rng, *shape)
    _check(lambda y: F.group_norm(y, 2), lambda y: torch.nn.functional.group_norm(y, 2), [y],
           rng)


def test_group_norm_module(rng) -> None:
    torch = pytest.importorskip("torch")
    ours = nn.GroupNorm(2, 4, dtype=cg.float64)
    theirs = torch.nn.GroupNorm(2, 4, dtype=torch.float64)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight", "bias"]
    with torch.no_grad():
        theirs.weight.normal_()
        theirs.bias.normal_()
    load_from_torch(ours, theirs)
    x = rand64(rng, 2, 4, 3)
    assert_close(ours(x), theirs(to_torch(x)), rtol=1e-9)
    assert repr(ours) == "GroupNorm(2, 4, eps=1e-05, affine=True)"
    plain = nn.GroupNorm(2, 4, affine=False)
    assert plain.weight is None and plain.bias is None and not list(plain.parameters())
    assert nn.GroupNorm(2, 4, bias=False).bias is None


def test_group_norm_gradcheck(rng) -> None:
    x, w, b = rand64(rng, 2, 4, 3), rand64(rng, 4), rand64(rng, 4)
    assert gradcheck(lambda x, w, b: F.group_norm(x, 2, w, b), (x, w, b))
    assert gradgradcheck(lambda x, w, b: F.group_norm(x, 2, w, b), (x, w, b))


@pytest.mark.parametrize("shape", [(2, 3, 5), (2, 3, 4, 3), (1, 2, 2, 3, 2)])
def test_instance_norm_matches_torch(shape, rng) -> None:
    torch = pytest.importorskip("torch")
    x, w, b = rand64(rng, *shape), rand64(rng, shape[1]), rand64(rng, shape[1])
    _check(lambda x, w, b: F.instance_norm(x, weight=w, bias=b),
           lambda x, w, b: torch.nn.functional.instance_norm(x, weight=w, bias=b), [x, w, b], rng)


@pytest.mark.parametrize("cls,shape", [("InstanceNorm1d", (2, 3, 5)),
                                       ("InstanceNorm1d", (3, 5)),
                                       ("InstanceNorm2d", (2, 3, 4, 3)),
                                       ("InstanceNorm2d", (3, 4, 3)),
                                       ("InstanceNorm3d", (2, 3, 2, 2, 3))])
@pytest.mark.parametrize("affine", [False, True])
def test_instance_norm_modules_running_stats(cls, shape, affine, rng) -> None:
    torch = pytest.importorskip("torch")
    ours = getattr(nn, cls)(3, momentum=0.3, affine=affine, track_running_stats=True,
                            dtype=cg.float64)
    theirs = getattr(torch.nn, cls)(3, momentum=0.3, affine=affine, track_running_stats=True,
                                    dtype=torch.float64)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for _ in range(2):
        x = rand64(rng, *shape)
        assert_close(ours(x), theirs(to_torch(x)), rtol=1e-9, atol=1e-12)
    assert_close(ours.running_mean, theirs.running_mean, rtol=1e-10)
    assert_close(ours.running_var, theirs.running_var, rtol=1e-10)
    ours.eval()
    theirs.eval()
    x = rand64(rng, *shape)
    out, tout = ours(x), theirs(to_torch(x))
    assert_close(out, tout, rtol=1e-9, atol=1e-12)
    assert gradcheck(lambda a: ours(a), (x,))


def test_instance_norm_without_running_stats_ignores_mode(rng) -> None:
    torch = pytest.importorskip("torch")
    m = nn.InstanceNorm2d(2).double()
    x = rand64(rng, 2, 2, 3, 3)
    m.eval()
    assert_close(m(x), torch.nn.InstanceNorm2d(2).eval()(to_torch(x)), rtol=1e-9, atol=1e-12)
    assert m.running_mean is None and not list(m.parameters())


def test_instance_norm_gradcheck(rng) -> None:
    x, w, b = rand64(rng, 2, 2, 4), rand64(rng, 2), rand64(rng, 2)
    assert gradcheck(lambda x, w, b: F.instance_norm(x, weight=w, bias=b), (x, w, b))
    assert gradgradcheck(lambda x, w, b: F.instance_norm(x, weight=w, bias=b), (x, w, b))


@pytest.mark.parametrize("normalized_shape", [4, (3, 4)])
@pytest.mark.parametrize("eps", [None, 1e-3])
def test_rms_norm_matches_torch(normalized_shape, eps, rng) -> None:
    torch = pytest.importorskip("torch")
    wshape = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
    x, w = rand64(rng, 2, 3, 4), rand64(rng, *wshape)
    ns = list(wshape)
    _check(lambda x, w: F.rms_norm(x, ns, w, eps),
           lambda x, w: torch.nn.functional.rms_norm(x, ns, w, eps), [x, w], rng)
    assert gradcheck(lambda x, w: F.rms_norm(x, ns, w, eps), (x, w))
    assert gradgradcheck(lambda x, w: F.rms_norm(x, ns, w, eps), (x, w))


def test_rms_norm_module(rng) -> None:
    torch = pytest.importorskip("torch")
    ours, theirs = nn.RMSNorm([3, 4], dtype=cg.float64), torch.nn.RMSNorm(
        [3, 4], dtype=torch.float64)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    x = rand64(rng, 2, 3, 4)
    assert_close(ours(x), theirs(to_torch(x)), rtol=1e-9)
    # float32: eps is float32's machine epsilon, as in torch
    x32 = cg.tensor(rng.standard_normal((2, 4)) * 1e-4, dtype=cg.float32)
    assert_close(nn.RMSNorm(4)(x32), torch.nn.RMSNorm(4)(to_torch(x32)), rtol=1e-5)
    assert nn.RMSNorm(4, elementwise_affine=False).weight is None
    assert repr(nn.RMSNorm(4)) == "RMSNorm((4,), eps=None, elementwise_affine=True)"


def test_errors(rng) -> None:
    x = rand64(rng, 2, 6, 3)
    with pytest.raises(RuntimeError, match="divisible by num_groups"):
        F.group_norm(x, 4)
    with pytest.raises(RuntimeError, match="at least 2D"):
        F.group_norm(rand64(rng, 6), 2)
    with pytest.raises(RuntimeError, match="weight of shape"):
        F.group_norm(x, 3, rand64(rng, 3))
    with pytest.raises(ValueError, match="divisible by num_groups"):
        nn.GroupNorm(4, 6)
    with pytest.raises(RuntimeError, match=r"expected input \(N, 4, \*\)"):
        nn.GroupNorm(2, 4).double()(x)
    with pytest.raises(TypeError, match="floating point"):
        F.group_norm(cg.tensor([[1, 2]]), 1)
    with pytest.raises(ValueError, match="more than 1 spatial element"):
        F.instance_norm(rand64(rng, 2, 3, 1))
    with pytest.raises(ValueError, match="at least 3D"):
        F.instance_norm(rand64(rng, 2, 3))
    with pytest.raises(ValueError, match="running_mean and running_var"):
        F.instance_norm(x, use_input_stats=False)
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        nn.InstanceNorm1d(6).double()(rand64(rng, 1, 2, 6, 3))
    with pytest.raises(ValueError, match="match num_features"):
        nn.InstanceNorm1d(5, affine=True).double()(x)
    with pytest.raises(RuntimeError, match="normalized_shape"):
        F.rms_norm(x, [4])
    with pytest.raises(RuntimeError, match="weight of shape"):
        F.rms_norm(x, [3], rand64(rng, 2))
