"""autograd.functional (jacobian, hessian, vjp, jvp, hvp, vhp) equals torch's for Tensor and
tuple inputs/outputs, with create_graph and strict; inference_mode and Variable behave like
torch's."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import chaingrad as cg
from chaingrad.autograd import functional as AF

RNG = np.random.default_rng(3)
X = RNG.standard_normal((2, 3))
Y = RNG.standard_normal(3)
V_OUT = RNG.standard_normal(3)
V_X = RNG.standard_normal((2, 3))
V_Y = RNG.standard_normal(3)


def f_single(x: Any) -> Any:
    return (x.sin() * x).sum(0) + x[0] ** 3


def f_pair(x: Any, y: Any) -> tuple:
    return (x * y).tanh().sum(0), (x.exp() @ y).sum() * y


def f_scalar(x: Any, y: Any) -> Any:
    return (x.sin() * y).sum() + (x ** 2).sum() * (y ** 3).sum()


def f_scalar1(x: Any) -> Any:
    return (x.sin() * x.cos()).sum() + (x ** 4).sum()


def _np(x: Any) -> Any:
    if isinstance(x, tuple):
        return tuple(_np(t) for t in x)
    return x.detach().numpy()


def _close(a: Any, b: Any) -> None:
    if isinstance(b, tuple):
        assert isinstance(a, tuple) and len(a) == len(b)
        for x, y in zip(a, b):
            _close(x, y)
        return
    assert tuple(a.shape) == tuple(b.shape)
    np.testing.assert_allclose(_np(a), _np(b), rtol=1e-10, atol=1e-12)


def _both(lib: Any, call: Any) -> Any:
    def t(a: np.ndarray) -> Any:
        return lib.tensor(a, dtype=lib.float64)
    return call(lib.autograd.functional, t)


CALLS = {
    "jacobian-single": lambda F, t: F.jacobian(f_single, t(X)),
    "jacobian-tuple": lambda F, t: F.jacobian(f_pair, (t(X), t(Y))),
    "jacobian-tuple-in": lambda F, t: F.jacobian(lambda x, y: (x * y).sum(0), (t(X), t(Y))),
    "jacobian-tuple-out": lambda F, t: F.jacobian(lambda x: (x.sum(), x * 2), t(X)),
    "jacobian-vectorize": lambda F, t: F.jacobian(f_single, t(X), vectorize=True),
    "hessian-single": lambda F, t: F.hessian(f_scalar1, t(Y)),
    "hessian-tuple": lambda F, t: F.hessian(f_scalar, (t(X), t(Y))),
    "vjp": lambda F, t: F.vjp(f_single, t(X), t(V_OUT)),
    "vjp-tuple": lambda F, t: F.vjp(f_pair, (t(X), t(Y)), (t(V_OUT), t(V_Y))),
    "vjp-scalar": lambda F, t: F.vjp(f_scalar1, t(Y)),
    "jvp": lambda F, t: F.jvp(f_single, t(X), t(V_X)),
    "jvp-tuple": lambda F, t: F.jvp(f_pair, (t(X), t(Y)), (t(V_X), t(V_Y))),
    "hvp": lambda F, t: F.hvp(f_scalar, (t(X), t(Y)), (t(V_X), t(V_Y))),
    "vhp": lambda F, t: F.vhp(f_scalar1, t(Y), t(V_Y)),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_matches_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    ours = _both(cg, CALLS[name])
    theirs = _both(torch, CALLS[name])
    _close(ours, theirs)


def test_create_graph_allows_higher_derivatives() -> None:
    torch = pytest.importorskip("torch")
    res = []
    for lib in (cg, torch):
        x = lib.tensor(Y, dtype=lib.float64, requires_grad=True)
        _, h = lib.autograd.functional.hvp(f_scalar1, x, lib.tensor(V_Y), create_graph=True)
        assert h.requires_grad
        h.sum().backward()
        jac = lib.autograd.functional.jacobian(f_single, x.reshape(1, 3).expand(2, 3),
                                               create_graph=True)
        assert jac.requires_grad
        res.append((x.grad.numpy().copy(), jac.detach().numpy()))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-10)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-10)
    # without create_graph the results are detached
    _, g = AF.vjp(f_single, cg.tensor(X, requires_grad=True), cg.tensor(V_OUT))
    assert not g.requires_grad


def test_strict_and_argument_errors() -> None:
    x = cg.tensor(X)
    with pytest.raises(RuntimeError, match="independent of input 1"):
        AF.vjp(lambda a, b: a.sum(), (x, cg.tensor(Y)), strict=True)
    g = AF.vjp(lambda a, b: a.sum(), (x, cg.tensor(Y)))[1]
    assert np.all(g[1].numpy() == 0)
    with pytest.raises(RuntimeError, match="does not require gradients"):
        AF.jacobian(lambda a: cg.ones(2), x, strict=True)
    assert np.all(AF.jacobian(lambda a: cg.ones(2), x).numpy() == 0)
    with pytest.raises(RuntimeError, match="v can only be None"):
        AF.vjp(f_single, x)
    with pytest.raises(RuntimeError, match="v can only be None"):
        AF.jvp(f_single, x)
    with pytest.raises(RuntimeError, match="invalid size"):
        AF.vjp(f_single, x, cg.ones(4))
    with pytest.raises(TypeError, match="must be either a Tensor or a tuple of Tensors"):
        AF.jacobian(f_single, [X])
    with pytest.raises(TypeError, match="outputs of the user-provided function"):
        AF.jacobian(lambda a: 3.0, x)
    with pytest.raises(RuntimeError, match="single Tensor with a single element"):
        AF.hessian(f_single, x)
    with pytest.raises(ValueError, match="strategy"):
        AF.jacobian(f_single, x, strategy="sideways")
    with pytest.raises(NotImplementedError, match="vectorize=True"):
        AF.jacobian(f_single, x, strategy="forward-mode")


def test_inference_mode() -> None:
    x = cg.ones(2, requires_grad=True)
    assert not cg.is_inference_mode_enabled()
    with cg.inference_mode():
        assert cg.is_inference_mode_enabled() and not cg.is_grad_enabled()
        y = x * 2
        with cg.inference_mode(False):
            assert not cg.is_inference_mode_enabled()
    assert not y.requires_grad and cg.is_grad_enabled()
    assert not cg.is_inference_mode_enabled()

    @cg.inference_mode()
    def f(t: Any) -> Any:
        return t * 3

    @cg.autograd.inference_mode
    def g(t: Any) -> Any:
        assert cg.is_inference_mode_enabled()
        return t * 3

    assert not f(x).requires_grad and not g(x).requires_grad
    with pytest.raises(TypeError, match="mode must be a bool"):
        cg.inference_mode("yes")  # type: ignore[arg-type]


def test_variable_is_a_tensor() -> None:
    x = cg.ones(3)
    v = cg.autograd.Variable(x, requires_grad=True)
    assert isinstance(v, cg.Tensor) and v.requires_grad and not x.requires_grad
    assert isinstance(x, cg.autograd.Variable)
    assert not isinstance([1.0], cg.autograd.Variable)
    v.data[0] = 5.0  # shares x's data, like torch
    assert x[0].item() == 5.0
    with pytest.raises(TypeError, match="Variable data has to be a tensor"):
        cg.autograd.Variable([1.0, 2.0])
    with pytest.warns(UserWarning, match="volatile"):
        cg.autograd.Variable(x, volatile=True)
