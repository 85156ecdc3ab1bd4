"""LayerNorm and BatchNorm: gradients (first and second order), torch parity in training and
eval mode including the running statistics, momentum=None, and bad input."""

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


def test_layer_norm_gradcheck(rng: np.random.Generator) -> None:
    x, w, b = rand64(rng, 2, 3, 4), rand64(rng, 3, 4), rand64(rng, 3, 4)
    fn = lambda x, w, b: F.layer_norm(x, (3, 4), w, b)  # noqa: E731
    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))
    assert gradcheck(lambda x: F.layer_norm(x, 4), (x,))


def test_batch_norm_gradcheck(rng: np.random.Generator) -> None:
    x, w, b = rand64(rng, 4, 3, 2, 2), rand64(rng, 3), rand64(rng, 3)
    fn = lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True)  # noqa: E731
    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))
    rm, rv = cg.zeros(3, dtype=cg.float64), cg.ones(3, dtype=cg.float64) * 2
    assert gradcheck(lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=False), (x, w, b))


@pytest.mark.parametrize("affine", [True, False])
def test_layer_norm_matches_torch(affine: bool, rng: np.random.Generator) -> None:
    torch = pytest.importorskip("torch")
    tln = torch.nn.LayerNorm((3, 4), eps=1e-3, elementwise_affine=affine).double()
    ln = nn.LayerNorm((3, 4), eps=1e-3, elementwise_affine=affine).double()
    if affine:
        with torch.no_grad():
            tln.weight.uniform_(0.5, 1.5)
            tln.bias.uniform_(-1, 1)
        load_from_torch(ln, tln)
    x = rand64(rng, 2, 3, 4, scale=3)
    xt = to_torch(x)
    y, yt = ln(x), tln(xt)
    assert_close(y, yt, rtol=1e-10)
    g = rng.standard_normal((2, 3, 4))
    y.backward(cg.tensor(g))
    yt.backward(torch.tensor(g))
    assert_close(x.grad, xt.grad, rtol=1e-9)
    if affine:
        assert_close(ln.weight.grad, tln.weight.grad, rtol=1e-9)
        assert_close(ln.bias.grad, tln.bias.grad, rtol=1e-9)


@pytest.mark.parametrize("cls,shape", [("BatchNorm1d", (6, 3)), ("BatchNorm1d", (4, 3, 5)),
                                       ("BatchNorm2d", (4, 3, 2, 3))])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_batch_norm_train_eval_match_torch(cls: str, shape: tuple, momentum: float | None,
                                           rng: np.random.Generator) -> None:
    torch = pytest.importorskip("torch")
    tbn = getattr(torch.nn, cls)(3, momentum=momentum).double()
    bn = getattr(nn, cls)(3, momentum=momentum).double()
    with torch.no_grad():
        tbn.weight.uniform_(0.5, 1.5)
        tbn.bias.uniform_(-1, 1)
    load_from_torch(bn, tbn)
    for _ in range(3):  # running statistics accumulate over several batches
        x = rand64(rng, *shape, scale=2)
        xt = to_torch(x)
        y, yt = bn(x), tbn(xt)
        assert_close(y, yt, rtol=1e-10)
        g = rng.standard_normal(shape)
        y.backward(cg.tensor(g))
        yt.backward(torch.tensor(g))
        assert_close(x.grad, xt.grad, rtol=1e-9)
    assert_close(bn.weight.grad, tbn.weight.grad, rtol=1e-9)
    assert_close(bn.bias.grad, tbn.bias.grad, rtol=1e-9)
    for name in ("running_mean", "running_var"):
        assert_close(getattr(bn, name), getattr(tbn, name), rtol=1e-12)
    assert bn.num_batches_tracked.item() == 3
    bn.eval()
    tbn.eval()
    x = rand64(rng, *shape)
    xt = to_torch(x)
    y, yt = bn(x), tbn(xt)
    assert_close(y, yt, rtol=1e-10)
    y.sum().backward()
    yt.sum().backward()
    assert_close(x.grad, xt.grad, rtol=1e-10)
    assert bn.num_batches_tracked.item() == 3  # eval leaves the statistics alone


def test_batch_norm_without_running_stats(rng: np.random.Generator) -> None:
    torch = pytest.importorskip("torch")
    tbn = torch.nn.BatchNorm1d(3, affine=False, track_running_stats=False).double().eval()
    bn = nn.BatchNorm1d(3, affine=False, track_running_stats=False).double().eval()
    assert bn.running_mean is None and list(bn.state_dict()) == []
    x = rand64(rng, 5, 3)
    assert_close(bn(x), tbn(to_torch(x)), rtol=1e-10)  # batch statistics even in eval


def test_batch_norm_float32_running_stats() -> None:
    bn = nn.BatchNorm2d(2)
    bn(cg.randn(4, 2, 3, 3))
    assert bn.running_mean.dtype == np.float32 and bn.running_var.dtype == np.float32
    assert bn.num_batches_tracked.dtype == np.int64


def test_normalization_bad_input() -> None:
    bn = nn.BatchNorm2d(3)
    with pytest.raises(RuntimeError, match=r"BatchNorm2d\(3, .*\): expected 4D \(N, C, H, W\) "
                       r"input with 3 channels \(dim 1\), got shape \(2, 4, 5, 5\)"):
        bn(cg.zeros(2, 4, 5, 5))
    with pytest.raises(RuntimeError, match="expected 4D"):
        bn(cg.zeros(2, 3, 5))
    before = bn.num_batches_tracked.item()
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        nn.BatchNorm1d(3)(cg.zeros(1, 3))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        bn(cg.zeros(1, 3, 1, 1))
    assert bn.num_batches_tracked.item() == before  # a rejected batch changes nothing
    ln = nn.LayerNorm(4)
    with pytest.raises(RuntimeError, match=r"LayerNorm\(\(4,\), .*expected input with shape "
                       r"\[\*, 4\], got shape \(2, 5\)"):
        ln(cg.zeros(2, 5))
    with pytest.raises(RuntimeError, match="normalized_shape"):
        F.layer_norm(cg.zeros(2, 5), (4,))


def test_normalize(rng: np.random.Generator) -> None:
    torch = pytest.importorskip("torch")
    x = rand64(rng, 3, 4)
    assert_close(F.normalize(x), torch.nn.functional.normalize(to_torch(x)), rtol=1e-12)
    assert gradcheck(lambda x: F.normalize(x, dim=0), (x,))
    z = cg.zeros(2, 3, dtype=cg.float64, requires_grad=True)
    out = F.normalize(z)
    out.sum().backward()
    assert np.all(np.isfinite(z.grad.numpy()))
