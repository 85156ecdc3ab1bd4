"""Hardswish, Hardsigmoid, Hardshrink, Softshrink, Softsign, Tanhshrink, Threshold, GLU, RReLU,
Softmax2d and the in-place F.*_ forms against torch (values, gradients at and between the
kinks, torch's random slopes), by finite differences, and their errors."""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import nn
from chaingrad.autograd import gradcheck, gradgradcheck
from chaingrad.nn import functional as F

from ._nn_helpers import assert_close, rand64, to_torch

# the kinks of every piecewise function below, plus generic points
KINKS = np.array([-4.0, -3.0, -2.5, -1.0, -0.5, -0.3, 0.0, 0.3, 0.5, 1.0, 2.0, 3.0, 3.5])

CASES = [
    ("hardswish", {}), ("hardsigmoid", {}), ("hardshrink", {}), ("hardshrink", {"lambd": 1.0}),
    ("softshrink", {}), ("softshrink", {"lambd": 1.0}), ("softsign", {}), ("tanhshrink", {}),
    ("threshold", {"threshold": 0.5, "value": -2.0}), ("glu", {}), ("glu", {"dim": 0}),
    ("rrelu", {}), ("rrelu", {"lower": 0.2, "upper": 0.4}),
]


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(3)


@pytest.mark.parametrize("name,kw", CASES)
def test_matches_torch_including_kinks(name, kw, rng) -> None:
    torch = pytest.importorskip("torch")
    vals = np.concatenate([KINKS, rng.standard_normal(15) * 3]).reshape(2, 14)
    x = cg.tensor(vals, dtype=cg.float64, requires_grad=True)
    xt = to_torch(x)
    out = getattr(F, name)(x, **kw)
    tout = getattr(torch.nn.functional, name)(xt, **kw)
    assert out.dtype == cg.float64 and tuple(out.shape) == tuple(tout.shape)
    assert_close(out, tout, rtol=1e-12, atol=1e-15)
    g = rng.standard_normal(tuple(tout.shape))
    out.backward(cg.tensor(g))
    tout.backward(to_torch(g))
    assert_close(x.grad, xt.grad, rtol=1e-12, atol=1e-15)
    # float32 keeps its dtype
    x32 = cg.tensor(vals, dtype=cg.float32)
    assert getattr(F, name)(x32, **kw).dtype == cg.float32


@pytest.mark.parametrize("name,kw", CASES)
def test_gradcheck(name, kw, rng) -> None:
    # away from the kinks, where the finite differences are valid
    x = cg.tensor(rng.uniform(0.05, 0.2, (2, 4)) * rng.choice([-1, 1], (2, 4))
                  + rng.choice([-1.5, 0.0, 1.5, 4.0], (2, 4)), dtype=cg.float64,
                  requires_grad=True)

    def fn(a: cg.Tensor) -> cg.Tensor:
        return getattr(F, name)(a, **kw)

    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


@pytest.mark.parametrize("cls,args,fname,fkw", [
    ("Hardswish", (), "hardswish", {}), ("Hardsigmoid", (), "hardsigmoid", {}),
    ("Hardshrink", (0.7,), "hardshrink", {"lambd": 0.7}),
    ("Softshrink", (0.7,), "softshrink", {"lambd": 0.7}), ("Softsign", (), "softsign", {}),
    ("Tanhshrink", (), "tanhshrink", {}),
    ("Threshold", (0.1, 20.0), "threshold", {"threshold": 0.1, "value": 20.0}),
    ("GLU", (1,), "glu", {"dim": 1}),
])
def test_modules(cls, args, fname, fkw, rng) -> None:
    torch = pytest.importorskip("torch")
    x = rand64(rng, 3, 4)
    m, tm = getattr(nn, cls)(*args), getattr(torch.nn, cls)(*args)
    assert_close(m(x), tm(to_torch(x)), rtol=1e-12)
    assert_close(m(x), getattr(F, fname)(x, **fkw), rtol=0)
    assert repr(m) == repr(tm)


def test_softmax2d(rng) -> None:
    torch = pytest.importorskip("torch")
    for shape in ((2, 3, 4, 5), (3, 4, 5)):
        x = rand64(rng, *shape)
        assert_close(nn.Softmax2d()(x), torch.nn.Softmax2d()(to_torch(x)), rtol=1e-12)
    with pytest.raises(ValueError, match="expected input to be 3D or 4D, got 2D"):
        nn.Softmax2d()(rand64(rng, 3, 4))


def test_rrelu_training_uses_torchs_stream(rng) -> None:
    torch = pytest.importorskip("torch")
    for dtype, tdtype, tol in ((cg.float64, torch.float64, 1e-15), (cg.float32, torch.float32,
                                                                   1e-6)):
        vals = rng.standard_normal((4, 7))
        x = cg.tensor(vals, dtype=dtype, requires_grad=True)
        xt = torch.tensor(vals, dtype=tdtype, requires_grad=True)
        cg.manual_seed(123)
        torch.manual_seed(123)
        out = F.rrelu(x, 0.1, 0.3, training=True)
        tout = torch.nn.functional.rrelu(xt, 0.1, 0.3, training=True)
        assert_close(out, tout, rtol=tol, atol=tol)
        out.sum().backward()
        tout.sum().backward()
        assert_close(x.grad, xt.grad, rtol=tol, atol=tol)
        # the stream advanced the same way
        assert_close(cg.rand(3), torch.rand(3), rtol=1e-6)
    m = nn.RReLU(0.1, 0.3)
    cg.manual_seed(5)
    torch.manual_seed(5)
    x = rand64(rng, 10, requires_grad=False)
    assert_close(m(x), torch.nn.RReLU(0.1, 0.3)(to_torch(x)), rtol=1e-15)
    m.eval()
    assert_close(m(x), F.leaky_relu(x, 0.2), rtol=1e-15)
    assert repr(m) == "RReLU(lower=0.1, upper=0.3)"


@pytest.mark.parametrize("name,kw", [
    ("relu_", {}), ("elu_", {"alpha": 0.7}), ("leaky_relu_", {"negative_slope": 0.2}),
    ("hardtanh_", {"min_val": -0.5, "max_val": 0.8}), ("celu_", {"alpha": 1.3}), ("selu_", {}),
    ("threshold_", {"threshold": 0.1, "value": 3.0}), ("rrelu_", {}),
])
def test_inplace_forms(name, kw, rng) -> None:
    torch = pytest.importorskip("torch")
    vals = rng.standard_normal((3, 4))
    # no grad: the tensor itself is overwritten and its version moves
    x = cg.tensor(vals)
    v0 = x._version
    r = getattr(F, name)(x, **kw)
    assert r is x and x._version > v0
    assert_close(x, getattr(torch.nn.functional, name)(torch.tensor(vals), **kw), rtol=1e-6)
    # with grad: recorded in the graph like torch's in-place ops
    leaf = cg.tensor(vals, dtype=cg.float64, requires_grad=True)
    tleaf = to_torch(leaf)
    y, ty = leaf * 2, tleaf * 2
    out, tout = getattr(F, name)(y, **kw), getattr(torch.nn.functional, name)(ty, **kw)
    assert out is y and tout is ty
    assert_close(y, ty, rtol=1e-12)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    # rtol: torch's celu backward uses a float32 1/alpha even for float64 (F.celu does not)
    assert_close(leaf.grad, tleaf.grad, rtol=1e-7)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        getattr(F, name)(cg.tensor(vals, requires_grad=True), **kw)


def test_inplace_flag_writes_into_the_input(rng) -> None:
    x = cg.tensor(rng.standard_normal(5))
    assert F.hardswish(x, inplace=True) is x
    assert nn.Hardsigmoid(inplace=True)(x) is x
    y = cg.tensor([-1.0, 2.0])
    assert nn.Threshold(0.0, 5.0, inplace=True)(y) is y
    np.testing.assert_array_equal(y.numpy(), [5.0, 2.0])


def test_errors(rng) -> None:
    with pytest.raises(RuntimeError, match="Halving dimension must be even"):
        F.glu(rand64(rng, 3, 5))
    with pytest.raises(RuntimeError, match="scalars"):
        F.glu(cg.tensor(1.0))
    with pytest.raises(IndexError):
        F.glu(rand64(rng, 4), dim=2)
    with pytest.raises(RuntimeError, match="lambda must be greater or equal to 0"):
        F.softshrink(rand64(rng, 3), -1.0)
    with pytest.raises(ValueError, match="Lower bound"):
        F.rrelu(rand64(rng, 3), 0.5, 0.1)
    with pytest.raises(ValueError, match="min_val cannot be greater"):
        F.hardtanh_(cg.zeros(2), 1.0, 0.0)
    for fn in (F.hardswish, F.softsign, F.tanhshrink, F.hardshrink):
        with pytest.raises(TypeError, match="floating point"):
            fn(cg.tensor([1, 2]))
    with pytest.raises(TypeError, match="must be a chaingrad Tensor"):
        F.hardsigmoid([1.0])
