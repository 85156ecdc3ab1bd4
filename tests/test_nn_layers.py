"""Linear, convolution, pooling, flatten, embedding, dropout and padding: gradients by finite
differences (float64), values and gradients against torch with copied weights, and the
errors bad input gets."""

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
    return np.random.default_rng(7)


# ---------------------------------------------------------------------------- linear
def test_linear_gradcheck(rng: np.random.Generator) -> None:
    x, w, b = rand64(rng, 2, 3, 4), rand64(rng, 5, 4), rand64(rng, 5)
    assert gradcheck(F.linear, (x, w, b))
    assert gradgradcheck(F.linear, (x, w, b))
    assert gradcheck(lambda x, w: F.linear(x, w, None), (rand64(rng, 4), w))
    x1, x2, wb = rand64(rng, 3, 2), rand64(rng, 3, 4), rand64(rng, 2, 2, 4)
    assert gradcheck(F.bilinear, (x1, x2, wb, rand64(rng, 2)))


def test_linear_default_init_bounds() -> None:
    cg.manual_seed(0)
    lin = nn.Linear(100, 50)
    bound = 1 / np.sqrt(100)
    w, b = lin.weight.detach().numpy(), lin.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(b).max() <= bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.01  # U(-a, a) has std a/sqrt(3)


def test_linear_matches_torch(rng: np.random.Generator) -> None:
    torch = pytest.importorskip("torch")
    tl = torch.nn.Linear(4, 3).double()
    lin = nn.Linear(4, 3).double()
    load_from_torch(lin, tl)
    x = rand64(rng, 2, 5, 4)
    xt = to_torch(x)
    y, yt = lin(x), tl(xt)
    assert_close(y, yt)
    g = rng.standard_normal((2, 5, 3))
    y.backward(cg.tensor(g))
    yt.backward(torch.tensor(g))
    assert_close(x.grad, xt.grad)
    assert_close(lin.weight.grad, tl.weight.grad)
    assert_close(lin.bias.grad, tl.bias.grad)


def test_linear_bad_input() -> None:
    lin = nn.Linear(64, 10)
    with pytest.raises(RuntimeError, match=r"Linear\(in_features=64, out_features=10\): "
                       r"expected input with last dimension 64, got shape \(32, 63\)"):
        lin(cg.zeros(32, 63))
    with pytest.raises(RuntimeError, match="dtype float64 does not match"):
        lin(cg.zeros(2, 64, dtype=cg.float64))
    with pytest.raises(RuntimeError, match="floating point input"):
        lin(cg.zeros(2, 64, dtype=cg.int64))
    with pytest.raises(TypeError, match="expected a chaingrad Tensor"):
        lin(np.zeros((2, 64)))


# ---------------------------------------------------------------------------- conv
CONV_CASES = [
    # (N, C, H, W, O, kernel, stride, padding, dilation, groups)
    (2, 4, 6, 7, 6, 3, 1, 1, 1, 2),
    (1, 2, 7, 5, 4, (2, 3), (2, 1), (1, 2), (2, 1), 1),
    (2, 3, 5, 5, 3, 3, 2, 0, 1, 3),
    (1, 2, 5, 6, 4, (3, 2), 1, "same", (1, 2), 1),
    (2, 2, 4, 4, 2, 1, 1, "valid", 1, 1),
]


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_gradcheck(case: tuple, rng: np.random.Generator) -> None:
    n, c, h, w, o, k, s, p, d, g = case
    ks = k if isinstance(k, tuple) else (k, k)
    x, wt, b = rand64(rng, n, c, h, w), rand64(rng, o, c // g, *ks), rand64(rng, o)
    assert gradcheck(lambda x, wt, b: F.conv2d(x, wt, b, s, p, d, g), (x, wt, b))


def test_conv2d_double_backward(rng: np.random.Generator) -> None:
    x, wt = rand64(rng, 1, 2, 4, 4), rand64(rng, 4, 1, 2, 2)
    assert gradgradcheck(lambda x, wt: F.conv2d(x, wt, None, 2, 1, 1, 2), (x, wt))


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_matches_torch(case: tuple, rng: np.random.Generator) -> None:
    torch = pytest.importorskip("torch")
    n, c, h, w, o, k, s, p, d, g = case
    tc = torch.nn.Conv2d(c, o, k, s, p, d, g).double()
    conv = nn.Conv2d(c, o, k, s, p, d, g).double()
    load_from_torch(conv, tc)
    x = rand64(rng, n, c, h, w)
    xt = to_torch(x)
    y, yt = conv(x), tc(xt)
    assert_close(y, yt)
    gy = rng.standard_normal(tuple(yt.shape))
    y.backward(cg.tensor(gy))
    yt.backward(torch.tensor(gy))
    for a, b in ((x.grad, xt.grad), (conv.weight.grad, tc.weight.grad),
                 (conv.bias.grad, tc.bias.grad)):
        assert_close(a, b)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_conv_padding_modes_match_torch(mode: str, rng: np.random.Generator) -> None:
    torch = pytest.importorskip("torch")
    tc = torch.nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode=mode).double()
    conv = nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode=mode).double()
    load_from_torch(conv, tc)
    x = rand64(rng, 1, 2, 5, 5)
    assert_close(conv(x), tc(to_torch(x)))
    assert gradcheck(conv, (x,))


def test_conv1d_matches_torch(rng: np.random.Generator) -> None:
    torch = pytest.importorskip("torch")
    for args in [(4, 6, 3, 2, 1, 1, 2), (2, 2, 4, 1, "same", 2, 1)]:
        tc = torch.nn.Conv1d(*args).double()
        conv = nn.Conv1d(*args).double()
        load_from_torch(conv, tc)
        x = rand64(rng, 2, args[0], 9)
        xt = to_torch(x)
        y, yt = conv(x), tc(xt)
        assert_close(y, yt)
        y.sum().backward()
        yt.sum().backward()
        assert_close(x.grad, xt.grad)
        assert_close(conv.weight.grad, tc.weight.grad)
    x = rand64(rng, 2, 9)  # unbatched
    assert conv(x).shape == (2, 9)
    assert gradcheck(lambda x: F.conv1d(x, conv.weight.detach(), None, 1, "same", 2), (x,))


def test_conv_default_init_and_unbatched() -> None:
    cg.manual_seed(1)
    conv = nn.Conv2d(3, 8, 3)
    bound = 1 / np.sqrt(3 * 9)
    assert np.abs(conv.weight.detach().numpy()).max() <= bound
    assert np.abs(conv.bias.detach().numpy()).max() <= bound
    assert conv(cg.zeros(3, 5, 5)).shape == (8, 3, 3)


def test_conv_bad_input_and_config() -> None:
    conv = nn.Conv2d(1, 8, 3)
    with pytest.raises(RuntimeError, match=r"Conv2d\(1, 8, kernel_size=\(3, 3\), stride=\(1, 1\)"
                       r"\): expected input of shape \(N, 1, H, W\) or \(1, H, W\), got shape "
                       r"\(2, 3, 8, 8\)"):
        conv(cg.zeros(2, 3, 8, 8))
    with pytest.raises(RuntimeError, match="expected input of shape"):
        conv(cg.zeros(8, 8))
    with pytest.raises(RuntimeError, match="larger than the padded input"):
        conv(cg.zeros(1, 1, 2, 2))
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.Conv2d(3, 6, 3, groups=2)
    with pytest.raises(ValueError, match="out_channels must be divisible by groups"):
        nn.Conv2d(4, 6, 3, groups=4)
    with pytest.raises(ValueError, match="strided"):
        nn.Conv2d(1, 1, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="padding_mode"):
        nn.Conv2d(1, 1, 3, padding_mode="mirror")
    with pytest.raises(RuntimeError, match="to have 4 channels, but got 3"):
        F.conv2d(cg.zeros(1, 3, 4, 4), cg.zeros(2, 2, 3, 3), groups=2)


# ---------------------------------------------------------------------------- pooling
POOL_CASES = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 0)),
    dict(kernel_size=3, stride=2, ceil_mode=True),
    dict(kernel_size=2, stride=2, padding=1, ceil_mode=True),
]


@pytest.mark.parametrize("kw", POOL_CASES)
def test_pool2d_matches_torch_and_gradcheck(kw: dict, rng: np.random.Generator) -> None:
    torch = pytest.importorskip("torch")
    x = rand64(rng, 2, 2, 7, 6)
    xt = to_torch(x)
    for dil in (1, 2) if kw.get("padding", 0) in (0, 1) else (1,):
        y, idx = F.max_pool2d(x, dilation=dil, return_indices=True, **kw)
        yt, it = torch.nn.functional.max_pool2d(xt, dilation=dil, return_indices=True, **kw)
        assert_close(y, yt)
        np.testing.assert_array_equal(idx.numpy(), it.numpy())
    for cip in (True, False):
        assert_close(F.avg_pool2d(x, count_include_pad=cip, **kw),
                     torch.nn.functional.avg_pool2d(xt, count_include_pad=cip, **kw))
    assert gradcheck(lambda x: F.max_pool2d(x, **kw), (x,))
    assert gradcheck(lambda x: F.avg_pool2d(x, count_include_pad=False, **kw), (x,))


def test_pool_double_backward_and_divisor(rng: np.random.Generator) -> None:
    torch = pytest.importorskip("torch")
    x = rand64(rng, 1, 2, 5, 5)
    assert gradgradcheck(lambda x: F.max_pool2d(x, 2, 1), (x,))
    assert gradgradcheck(lambda x: F.avg_pool2d(x, 3, 2, 1), (x,))
    assert_close(F.avg_pool2d(x, 3, 2, 1, divisor_override=4),
                 torch.nn.functional.avg_pool2d(to_torch(x), 3, 2, 1, divisor_override=4))


def test_pool1d_and_adaptive_match_torch(rng: np.random.Generator) -> None:
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    x = rand64(rng, 2, 3, 9)
    xt = to_torch(x)
    assert_close(F.max_pool1d(x, 3, 2, 1), tf.max_pool1d(xt, 3, 2, 1))
    assert_close(F.avg_pool1d(x, 3, 2, 1), tf.avg_pool1d(xt, 3, 2, 1))
    assert_close(F.adaptive_avg_pool1d(x, 4), tf.adaptive_avg_pool1d(xt, 4))
    x2 = rand64(rng, 2, 3, 7, 5)
    x2t = to_torch(x2)
    for size in [(3, 4), 2, (None, 2), (7, 5), 1]:
        assert_close(nn.AdaptiveAvgPool2d(size)(x2), torch.nn.AdaptiveAvgPool2d(size)(x2t))
    assert gradcheck(lambda x: F.adaptive_avg_pool2d(x, (3, 2)), (x2,))
    assert nn.MaxPool2d(2)(cg.zeros(3, 4, 4)).shape == (3, 2, 2)  # unbatched


def test_pool_bad_input() -> None:
    with pytest.raises(RuntimeError, match=r"MaxPool2d\(kernel_size=2.*expected 3D \(C, H, W\) "
                       r"or 4D \(N, C, H, W\) input, got shape \(4, 4\)"):
        nn.MaxPool2d(2)(cg.zeros(4, 4))
    with pytest.raises(ValueError, match="pad should be at most half"):
        F.max_pool2d(cg.zeros(1, 1, 4, 4), 2, padding=2)
    with pytest.raises(RuntimeError, match="too small"):
        F.avg_pool2d(cg.zeros(1, 1, 2, 2), 3)


# ---------------------------------------------------------------------------- misc layers
def test_flatten_unflatten() -> None:
    x = cg.zeros(2, 3, 4, 5)
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 2)(x).shape == (24, 5)
    assert nn.Unflatten(1, (3, 4))(cg.zeros(2, 12)).shape == (2, 3, 4)
    assert F.unflatten(cg.zeros(2, 12), -1, (-1, 4)).shape == (2, 3, 4)
    with pytest.raises(RuntimeError, match="don't multiply up"):
        F.unflatten(cg.zeros(2, 12), 1, (5, 2))


def test_embedding(rng: np.random.Generator) -> None:
    torch = pytest.importorskip("torch")
    te = torch.nn.Embedding(6, 3, padding_idx=1).double()
    emb = nn.Embedding(6, 3, padding_idx=1).double()
    load_from_torch(emb, te)
    idx = np.array([[0, 1, 5], [5, 5, 2]])
    y, yt = emb(cg.tensor(idx)), te(torch.tensor(idx))
    assert_close(y, yt)
    g = rng.standard_normal((2, 3, 3))
    y.backward(cg.tensor(g))
    yt.backward(torch.tensor(g))
    assert_close(emb.weight.grad, te.weight.grad)  # repeated index 5 sums, padding row 0
    w = rand64(rng, 6, 3)
    # (padding_idx deliberately withholds a gradient, so finite differences check without it)
    assert gradcheck(lambda w: F.embedding(cg.tensor(idx), w), (w,))
    assert gradgradcheck(lambda w: F.embedding(cg.tensor(idx), w) * 2, (w,))
    cg.manual_seed(0)
    assert np.all(nn.Embedding(4, 2, padding_idx=0).weight.detach().numpy()[0] == 0)
    with pytest.raises(IndexError, match=r"index 6 is out of range \(expected indices in "
                       r"\[0, 5\]\)"):
        emb(cg.tensor([1, 6]))
    with pytest.raises(RuntimeError, match="integer indices"):
        emb(cg.tensor([1.0]))
    pre = nn.Embedding.from_pretrained(cg.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert not pre.weight.requires_grad
    np.testing.assert_array_equal(pre(cg.tensor([1])).numpy(), [[3.0, 4.0]])


def test_embedding_max_norm(rng: np.random.Generator) -> None:
    torch = pytest.importorskip("torch")
    w = rng.standard_normal((5, 3)) * 3
    te = torch.nn.Embedding(5, 3, max_norm=1.0).double()
    te.weight.data = torch.tensor(w)
    emb = nn.Embedding(5, 3, max_norm=1.0).double()
    emb.load_state_dict({"weight": cg.tensor(w)})
    idx = [0, 2, 2]
    assert_close(emb(cg.tensor(idx)), te(torch.tensor(idx)), rtol=1e-6)
    assert_close(emb.weight, te.weight, rtol=1e-6)


def test_one_hot() -> None:
    np.testing.assert_array_equal(F.one_hot(cg.tensor([0, 2]), 3).numpy(),
                                  [[1, 0, 0], [0, 0, 1]])
    with pytest.raises(RuntimeError, match="smaller than num_classes"):
        F.one_hot(cg.tensor([3]), 3)


def test_dropout_train_eval_and_scale() -> None:
    cg.manual_seed(0)
    drop = nn.Dropout(0.25)
    x = cg.ones(200, 100, requires_grad=True)
    y = drop(x)
    vals = np.unique(y.detach().numpy())
    np.testing.assert_allclose(vals, [0.0, 1 / 0.75], rtol=1e-6)
    kept = (y.detach().numpy() != 0).mean()
    assert abs(kept - 0.75) < 0.01
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy() != 0, y.detach().numpy() != 0)
    drop.eval()
    assert drop(x) is x
    assert np.all(F.dropout(x, 1.0).detach().numpy() == 0)
    with pytest.raises(ValueError, match="between 0 and 1, but got 1.5"):
        nn.Dropout(1.5)
    y2 = F.dropout2d(cg.ones(4, 6, 3, 3), 0.5)
    per_channel = y2.numpy().reshape(4, 6, 9)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2).all(-1))


def test_dropout_reproducible_with_seed() -> None:
    cg.manual_seed(3)
    a = F.dropout(cg.ones(50), 0.5).numpy()
    cg.manual_seed(3)
    b = F.dropout(cg.ones(50), 0.5).numpy()
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad_matches_torch(mode: str, rng: np.random.Generator) -> None:
    torch = pytest.importorskip("torch")
    x = rand64(rng, 1, 2, 4, 5)
    pads = (2, 1, 1, 3) if mode != "reflect" else (2, 1, 1, 2)
    kwargs = {"value": 1.5} if mode == "constant" else {}
    assert_close(F.pad(x, pads, mode, **kwargs),
                 torch.nn.functional.pad(to_torch(x), pads, mode, **kwargs))
    assert gradcheck(lambda x: F.pad(x, pads, mode), (x,))
    if mode == "constant":
        assert_close(F.pad(x, (-1, 2)), torch.nn.functional.pad(to_torch(x), (-1, 2)))
