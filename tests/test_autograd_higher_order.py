"""Higher-order gradients: Hessian-vector products, gradient penalties, third derivatives."""

from __future__ import annotations

import numpy as np

import chaingrad as cg
from chaingrad.autograd import gradcheck

from .conftest import t64


def _f(x, a):
    return (x.sin() * x ** 3).sum() + (a @ x).logsumexp(0) + x.norm() * x.prod()


def _grad_np(x_np, a):
    x = t64(x_np)
    (g,) = cg.autograd.grad(_f(x, a), x)
    return g.numpy()


def test_hessian_vector_product_matches_finite_differences_of_the_gradient():
    rng = np.random.default_rng(0)
    x0 = rng.uniform(0.5, 1.5, 4)
    a = cg.tensor(rng.standard_normal((3, 4)))
    v = rng.standard_normal(4)
    x = t64(x0)
    (g,) = cg.autograd.grad(_f(x, a), x, create_graph=True)
    (hv,) = cg.autograd.grad(g, x, cg.tensor(v))
    eps = 1e-6
    fd = (_grad_np(x0 + eps * v, a) - _grad_np(x0 - eps * v, a)) / (2 * eps)
    np.testing.assert_allclose(hv.numpy(), fd, rtol=1e-6, atol=1e-8)


def test_full_hessian_is_symmetric():
    x = t64([0.3, -0.7, 1.1])
    y = (x.exp() * x.roll(1, 0)).sum() + (x.unsqueeze(0) * x.unsqueeze(1)).tanh().sum()
    (g,) = cg.autograd.grad(y, x, create_graph=True)
    rows = [cg.autograd.grad(g[i], x, retain_graph=True)[0].numpy() for i in range(3)]
    h = np.stack(rows)
    np.testing.assert_allclose(h, h.T, rtol=1e-12, atol=1e-12)


def _critic(x, w1, w2):
    return (x @ w1).tanh() @ w2


def _penalty(x, w1, w2):
    d = _critic(x, w1, w2).sum()
    (gx,) = cg.autograd.grad(d, x, create_graph=True)
    return ((gx.norm(dim=1) - 1) ** 2).mean()


def test_gradient_penalty_backpropagates_into_the_parameters():
    rng = np.random.default_rng(1)
    x = t64(rng.standard_normal((3, 2)))
    w1 = t64(rng.standard_normal((2, 4)))
    w2 = t64(rng.standard_normal(4))
    gp = _penalty(x, w1, w2)
    gp.backward()
    assert w1.grad is not None and w2.grad is not None
    assert gradcheck(lambda a, b: _penalty(x, a, b), (w1, w2))


def test_third_derivatives():
    x = t64([0.4, 1.3])
    y = (x.sin() + x.exp() * 2 + x ** 4).sum()
    (g1,) = cg.autograd.grad(y, x, create_graph=True)
    (g2,) = cg.autograd.grad(g1.sum(), x, create_graph=True)
    (g3,) = cg.autograd.grad(g2.sum(), x)
    xv = x.detach().numpy()
    np.testing.assert_allclose(g3.numpy(), -np.cos(xv) + 2 * np.exp(xv) + 24 * xv, rtol=1e-12)


def test_double_backward_through_shape_and_indexing_ops():
    x = t64(np.arange(1.0, 7.0).reshape(2, 3))
    y = (x[:, [0, 0, 2]].T.reshape(-1) ** 2).sum() + cg.einsum("ij,ij->", x, x.flip(1))
    (g,) = cg.autograd.grad(y, x, create_graph=True)
    (gg,) = cg.autograd.grad(g.sum(), x)
    # Row sums of the Hessian. Picks: 2 per pick of x^2 (column 0 is picked twice). The einsum
    # term is 2*x0*x2 + x1^2 per row: 2 for each of x0, x1, x2.
    np.testing.assert_allclose(gg.numpy(), [[4 + 2, 0 + 2, 2 + 2]] * 2)
