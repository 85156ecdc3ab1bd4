"""The nn layer kinds (LINEAR; issue 9): one native node each, whose C++ kernel, NumPy reference
kernel and differentiable formula agree -- both engines bit for bit, torch to rounding --
with gradcheck/gradgradcheck in float64 and torch's node names."""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg
import chaingrad.nn.functional as F
from chaingrad import _kinds as K
from chaingrad import engine as _engine
from chaingrad.autograd import gradcheck, gradgradcheck

from ._helpers import bits_equal

LINEAR_SHAPES = [((5, 4), True), ((5, 4), False), ((4,), True), ((2, 3, 4), True),
                 ((2, 3, 4), False), ((1, 4), True)]


def _linear_run(engine, x, w, b, need=(True, True, True), dtype=np.float32):
    with _engine.use(engine):
        tx = cg.tensor(x.astype(dtype), requires_grad=need[0])
        tw = cg.tensor(w.astype(dtype), requires_grad=need[1])
        tb = None if b is None else cg.tensor(b.astype(dtype), requires_grad=need[2])
        y = F.linear(tx, tw, tb)
        g = np.linspace(-1.0, 1.5, y._data.size).reshape(y.shape).astype(dtype)
        y.backward(cg.tensor(g))
        grads = [None if t is None or t.grad is None else t.grad._data for t in (tx, tw, tb)]
        return y, grads, g


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("xs,bias", LINEAR_SHAPES)
def test_linear_engines_agree_bitwise(both, xs, bias, dtype):
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal(xs), rng.standard_normal((3, 4)), rng.standard_normal(3)
    for need in [(True, True, True), (False, True, True), (True, False, False)]:
        y1, g1, _ = _linear_run("cpp", x, w, b if bias else None, need, dtype)
        y2, g2, _ = _linear_run("python", x, w, b if bias else None, need, dtype)
        assert bits_equal(y1._data, y2._data)
        assert y1.grad_fn.name() == y2.grad_fn.name()
        for a, c in zip(g1, g2):
            assert (a is None) == (c is None)
            if a is not None:
                assert bits_equal(a, c)


@pytest.mark.parametrize("xs,bias", LINEAR_SHAPES)
def test_linear_matches_torch(engine, xs, bias):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal(xs), rng.standard_normal((3, 4)), rng.standard_normal(3)
    y, grads, g = _linear_run(engine, x, w, b if bias else None)
    tx, tw, tb = (torch.tensor(a.astype(np.float32), requires_grad=True) for a in (x, w, b))
    ty = torch.nn.functional.linear(tx, tw, tb if bias else None)
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(y._data, ty.detach().numpy(), rtol=1e-5, atol=1e-5)
    for ours, theirs in zip(grads, (tx, tw, tb if bias else None)):
        if theirs is not None:
            np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=1e-5, atol=1e-5)
    if len(xs) == 2:  # torch's names for 2-D input
        assert y.grad_fn.name() == ty.grad_fn.name()
    assert y.grad_fn.kind == K.LINEAR


def test_linear_gradcheck_and_double_backward(engine):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    x, w, b = rng.standard_normal((3, 4)), rng.standard_normal((2, 4)), rng.standard_normal(2)
    args = tuple(cg.tensor(a, requires_grad=True) for a in (x, w, b))
    assert gradcheck(F.linear, args) and gradgradcheck(F.linear, args)
    assert gradgradcheck(lambda x, w: F.linear(x, w), args[:2])
    # create_graph through the formula: d/dw of sum(dL/dx ** 2), against torch
    y = F.linear(*args)
    (gx,) = cg.autograd.grad((y * y).sum(), (args[0],), create_graph=True)
    (gx * gx).sum().backward()
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    ty = torch.nn.functional.linear(tx, tw, tb)
    (tgx,) = torch.autograd.grad((ty * ty).sum(), (tx,), create_graph=True)
    (tgx * tgx).sum().backward()
    for ours, theirs in zip(args, (tx, tw, tb)):
        np.testing.assert_allclose(ours.grad._data, theirs.grad.numpy(), rtol=1e-10)


def test_linear_module_one_node(engine):
    lin = cg.nn.Linear(4, 3)
    y = lin(cg.randn(2, 4))
    assert y.grad_fn.name() == "AddmmBackward0" and y.grad_fn.kind == K.LINEAR
    assert len(y.grad_fn.next_functions) == 3
    with cg.no_grad():
        assert lin(cg.randn(2, 4)).grad_fn is None


# ------------------------------------------------------------------------- cross_entropy

def _ce_run(engine, x, t, dtype=np.float32, **kw):
    with _engine.use(engine):
        tx = cg.tensor(x.astype(dtype), requires_grad=True)
        loss = F.cross_entropy(tx, cg.from_numpy(t), **kw)
        g = np.linspace(0.5, 1.5, loss._data.size).reshape(loss.shape).astype(dtype)
        loss.backward(cg.tensor(g))
        return loss, tx.grad._data, g


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_engines_agree_bitwise(both, reduction, dtype):
    rng = np.random.default_rng(3)
    x, t = rng.standard_normal((7, 5)) * 4, rng.integers(0, 5, 7)
    l1, g1, _ = _ce_run("cpp", x, t, dtype, reduction=reduction)
    l2, g2, _ = _ce_run("python", x, t, dtype, reduction=reduction)
    assert l1.grad_fn.kind == l2.grad_fn.kind == K.CROSS_ENTROPY
    assert bits_equal(l1._data, l2._data) and bits_equal(g1, g2)


CE_CASES = [dict(reduction="mean"), dict(reduction="sum"), dict(reduction="none"),
            dict(ignore_index=2), dict(ignore_index=9), dict(label_smoothing=0.1),
            dict(reduction="sum", ignore_index=0)]


@pytest.mark.parametrize("kw", CE_CASES, ids=str)
def test_cross_entropy_matches_torch(engine, kw):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x, t = rng.standard_normal((8, 4)) * 3, rng.integers(0, 4, 8)
    t[:2] = [2, 0]  # the ignored targets are present
    loss, grad, g = _ce_run(engine, x, t, **kw)
    tx = torch.tensor(x.astype(np.float32), requires_grad=True)
    tl = torch.nn.functional.cross_entropy(tx, torch.from_numpy(t), **kw)
    tl.backward(torch.tensor(g))
    np.testing.assert_allclose(loss._data, tl.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grad, tx.grad.numpy(), rtol=1e-5, atol=1e-6)
    native = "ignore_index" not in kw or kw["ignore_index"] == 9
    native = native and "label_smoothing" not in kw
    assert (loss.grad_fn.kind == K.CROSS_ENTROPY) == native
    if native:
        assert loss.grad_fn.name() == tl.grad_fn.name() == "NllLossBackward0"


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_gradcheck(engine, reduction):
    rng = np.random.default_rng(5)
    x = cg.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    t = cg.tensor(np.array([0, 2, 1, 2]))

    def fn(a):
        return F.cross_entropy(a, t, reduction=reduction)

    assert fn(x).grad_fn.kind == K.CROSS_ENTROPY
    assert gradcheck(fn, (x,)) and gradgradcheck(fn, (x,))


def test_cross_entropy_double_backward_matches_torch(engine):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    x, t = rng.standard_normal((5, 3)), np.array([0, 2, 1, 1, 0])
    a = cg.tensor(x, requires_grad=True)
    (gx,) = cg.autograd.grad(F.cross_entropy(a, cg.from_numpy(t)), (a,), create_graph=True)
    (gx * gx).sum().backward()
    ta = torch.tensor(x, requires_grad=True)
    (tgx,) = torch.autograd.grad(torch.nn.functional.cross_entropy(ta, torch.from_numpy(t)),
                                 (ta,), create_graph=True)
    (tgx * tgx).sum().backward()
    np.testing.assert_allclose(gx._data, tgx.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(a.grad._data, ta.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_cross_entropy_errors_unchanged(engine):
    x = cg.randn(3, 4, requires_grad=True)
    with pytest.raises(IndexError, match="out of bounds"):
        F.cross_entropy(x, cg.tensor([0, 4, 1]))
    with pytest.raises(IndexError, match="out of bounds"):
        F.cross_entropy(x, cg.tensor([0, -1, 1]))
    with pytest.raises(ValueError, match="expected target of shape"):
        F.cross_entropy(x, cg.tensor([0, 1]))
    with pytest.raises(ValueError, match="class-probability target"):
        F.cross_entropy(x, cg.tensor([0.0, 1.0, 2.0]))
    loss = F.cross_entropy(cg.randn(0, 4, requires_grad=True), cg.tensor(np.zeros(0, np.int64)))
    assert np.isnan(loss.item())  # torch: 0/0 for an empty batch (general path)
