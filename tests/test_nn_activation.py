"""Activation functions: first and second derivatives by finite differences, values and
gradients against torch, numerical stability at extreme inputs, and the module wrappers."""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import nn
from chaingrad.autograd import gradcheck, gradgradcheck
from chaingrad.nn import functional as F

from ._nn_helpers import assert_close, rand64, to_torch

# name -> (our functional call, torch functional call); inputs avoid the kinks by construction
ACTIVATIONS = {
    "relu": (F.relu, "relu", {}),
    "relu6": (F.relu6, "relu6", {}),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.2), "leaky_relu", {"negative_slope": 0.2}),
    "elu": (lambda x: F.elu(x, 0.7), "elu", {"alpha": 0.7}),
    "selu": (F.selu, "selu", {}),
    "celu": (lambda x: F.celu(x, 1.3), "celu", {"alpha": 1.3}),
    "gelu": (F.gelu, "gelu", {}),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), "gelu", {"approximate": "tanh"}),
    "silu": (F.silu, "silu", {}),
    "mish": (F.mish, "mish", {}),
    "softplus": (F.softplus, "softplus", {}),
    "softplus_beta": (lambda x: F.softplus(x, 2.0, 3.0), "softplus",
                      {"beta": 2.0, "threshold": 3.0}),
    "sigmoid": (F.sigmoid, "sigmoid", {}),
    "tanh": (F.tanh, "tanh", {}),
    "hardtanh": (lambda x: F.hardtanh(x, -0.5, 1.5), "hardtanh",
                 {"min_val": -0.5, "max_val": 1.5}),
    "logsigmoid": (F.logsigmoid, "logsigmoid", {}),
    "softmax0": (lambda x: F.softmax(x, 0), "softmax", {"dim": 0}),
    "softmax1": (lambda x: F.softmax(x, 1), "softmax", {"dim": 1}),
    "log_softmax": (lambda x: F.log_softmax(x, -1), "log_softmax", {"dim": -1}),
    "softmin": (lambda x: F.softmin(x, 1), "softmin", {"dim": 1}),
}


def _input(rng: np.random.Generator) -> cg.Tensor:
    # Values away from 0, ±0.5, 1.5 and 6 (the kinks) by more than the finite-difference step.
    a = rng.uniform(-4, 7, (3, 5))
    for kink in (0.0, -0.5, 1.5, 6.0, 1.5):
        a = np.where(np.abs(a - kink) < 1e-3, a + 0.01, a)
    return cg.tensor(a, dtype=cg.float64, requires_grad=True)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_grad_and_gradgrad(name: str) -> None:
    fn = ACTIVATIONS[name][0]
    x = _input(np.random.default_rng(0))
    assert gradcheck(fn, (x,))
    if name not in ("relu", "relu6", "hardtanh"):  # piecewise linear: second derivative 0
        assert gradgradcheck(fn, (x,))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_matches_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    fn, tname, kwargs = ACTIVATIONS[name]
    x = _input(np.random.default_rng(1))
    xt = to_torch(x)
    y, yt = fn(x), getattr(torch.nn.functional, tname)(xt, **kwargs)
    assert_close(y, yt, rtol=1e-12, atol=1e-14)
    g = np.random.default_rng(2).standard_normal(y.shape)
    y.backward(cg.tensor(g))
    yt.backward(torch.tensor(g))
    # torch's celu backward rounds 1/alpha to float32 (derivatives.yaml: 1.0/alpha.toFloat())
    rtol = 1e-6 if name == "celu" else 1e-10
    assert_close(x.grad, xt.grad, rtol=rtol, atol=1e-12)


def test_extreme_inputs_stay_finite() -> None:
    x = cg.tensor([-1000.0, -50.0, 0.0, 50.0, 1000.0], requires_grad=True)
    for fn in (F.softplus, F.logsigmoid, F.silu, F.mish, F.elu, F.selu, F.gelu,
               lambda t: F.log_softmax(t, 0), lambda t: F.softmax(t, 0)):
        y = fn(x)
        y.sum().backward()
        assert np.all(np.isfinite(y.detach().numpy())), fn
        assert np.all(np.isfinite(x.grad.numpy())), fn
        x.grad = None
    np.testing.assert_allclose(F.log_softmax(x, 0).detach().numpy()[-1], 0.0, atol=1e-6)
    np.testing.assert_allclose(F.softplus(x).detach().numpy()[[0, 4]], [0.0, 1000.0])


def test_softmax_float32_and_dims() -> None:
    x = cg.randn(4, 3, 2)
    for d in (0, 1, 2, -1):
        s = F.softmax(x, d).numpy().sum(axis=d)
        np.testing.assert_allclose(s, 1.0, rtol=1e-6)
    assert F.softmax(x, 1).dtype == np.float32
    assert F.softmax(cg.tensor([1, 2]), 0).dtype == np.float32  # ints are promoted
    assert F.log_softmax(x, 1, dtype=cg.float64).dtype == np.float64
    with pytest.raises(IndexError, match="Dimension out of range"):
        F.softmax(x, 3)


def test_prelu() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x = rand64(rng, 2, 3, 4)
    w = cg.tensor([0.1, 0.2, 0.3], dtype=cg.float64, requires_grad=True)
    assert gradcheck(F.prelu, (x, w))
    xt, wt = to_torch(x), to_torch(w)
    assert_close(F.prelu(x, w), torch.nn.functional.prelu(xt, wt))
    m = nn.PReLU(3)
    assert np.all(m.weight.detach().numpy() == 0.25)
    with pytest.raises(ValueError, match="channel dimension"):
        F.prelu(x, cg.tensor([0.1, 0.2], dtype=cg.float64))


def test_modules_forward_like_functional() -> None:
    x = cg.tensor(np.linspace(-3, 3, 12).reshape(3, 4))
    pairs = [
        (nn.ReLU(), F.relu), (nn.LeakyReLU(0.1), lambda t: F.leaky_relu(t, 0.1)),
        (nn.ELU(), F.elu), (nn.SELU(), F.selu), (nn.CELU(0.5), lambda t: F.celu(t, 0.5)),
        (nn.GELU(), F.gelu), (nn.SiLU(), F.silu), (nn.Mish(), F.mish),
        (nn.Softplus(2.0), lambda t: F.softplus(t, 2.0)), (nn.Sigmoid(), F.sigmoid),
        (nn.Tanh(), F.tanh), (nn.Hardtanh(), F.hardtanh), (nn.ReLU6(), F.relu6),
        (nn.LogSigmoid(), F.logsigmoid), (nn.Softmax(1), lambda t: F.softmax(t, 1)),
        (nn.LogSoftmax(0), lambda t: F.log_softmax(t, 0)),
        (nn.Softmin(1), lambda t: F.softmin(t, 1)),
    ]
    for mod, fn in pairs:
        np.testing.assert_array_equal(mod(x).numpy(), fn(x).numpy(), err_msg=repr(mod))


def test_inplace_flag() -> None:
    x = cg.tensor([-1.0, 2.0])
    y = nn.ReLU(inplace=True)(x)
    assert y is x and x.tolist() == [0.0, 2.0]
    leaf = cg.tensor([-1.0, 2.0], requires_grad=True)
    out = F.leaky_relu(leaf, 0.5, inplace=True)  # needs the input for backward: not in place
    assert out is not leaf and leaf.tolist() == [-1.0, 2.0]


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="approximate"):
        F.gelu(cg.zeros(2), approximate="fast")
    with pytest.raises(ValueError, match="min_val cannot be greater"):
        nn.Hardtanh(1.0, -1.0)
    with pytest.raises(TypeError, match="floating point"):
        F.elu(cg.tensor([1, 2]))
    with pytest.raises(TypeError, match="must be a chaingrad Tensor"):
        F.softmax([1.0, 2.0], 0)  # type: ignore[arg-type]
