"""chaingrad.linalg norms: second derivatives through the SVD against torch, and the nuclear
norm's gradient U V^T (the per-op parity and gradchecks are in op_db)."""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("shape", [(3, 3), (3, 5), (5, 3), (2, 3, 4)])
@pytest.mark.parametrize("ord", ["nuc", 2, -2])
def test_hessian_vector_product_matches_torch(shape, ord):
    rng = np.random.default_rng(7)
    a, v = rng.standard_normal(shape), rng.standard_normal(shape)

    def hvp(M):
        x = M.tensor(a, requires_grad=True)
        y = (M.linalg.matrix_norm(x, ord) ** 2).sum()
        (g,) = M.autograd.grad(y, x, create_graph=True)
        (h,) = M.autograd.grad(g, x, M.tensor(v))
        return h.detach().numpy()

    np.testing.assert_allclose(hvp(cg), hvp(torch), rtol=1e-9, atol=1e-11)


def test_nuclear_norm_gradient_is_u_vt():
    a = np.random.default_rng(3).standard_normal((4, 3))
    x = cg.tensor(a, requires_grad=True)
    cg.norm(x, p="nuc").backward()
    u, _, vh = np.linalg.svd(a, full_matrices=False)
    np.testing.assert_allclose(x.grad.numpy(), u @ vh, rtol=1e-12, atol=1e-14)


def test_svd_outputs_not_needed_are_not_materialized():
    # Only S is used: the singular-vector terms (1/(s_j^2 - s_i^2)) must not run, or the
    # repeated singular values of the identity would give NaN.
    x = cg.tensor(np.eye(3), requires_grad=True)
    cg.linalg.svdvals(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.eye(3))


def test_module_exports():
    for name in ("vector_norm", "matrix_norm", "norm", "svdvals"):
        assert callable(getattr(cg.linalg, name))
