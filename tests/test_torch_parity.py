"""Values and gradients of every op against torch, in float32 and float64, on both engines.

Ops whose formula is the same as torch's, element by element, must agree within a few ulp
(``exact`` cases); the others (different summation orders, libm vs SLEEF) within rtol 1e-6 in
float64 and 1e-5 in float32.
"""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg

from ._helpers import assert_close, case_arrays, first, requires_grad
from .op_db import ALL_CASES, KINK_CASES

torch = pytest.importorskip("torch")

_DTYPES = {"float32": (np.float32, torch.float32), "float64": (np.float64, torch.float64)}


def _torch_tensor(a: np.ndarray, grad: bool) -> object:
    return torch.tensor(a, requires_grad=grad)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("dtype", sorted(_DTYPES))
@pytest.mark.parametrize("case", [c for c in ALL_CASES + KINK_CASES if c.parity],
                         ids=lambda c: c.name)
def test_parity(case, dtype):
    np_dt, _ = _DTYPES[dtype]
    arrays = case_arrays(case, np_dt)
    grads = requires_grad(case, arrays)
    ct = [cg.tensor(a, requires_grad=g) for a, g in zip(arrays, grads)]
    tt = [_torch_tensor(a, g) for a, g in zip(arrays, grads)]
    out_c = first(case.f(cg, *ct))
    out_t = first(case.f(torch, *tt))
    assert_close(out_c.detach().numpy(), out_t.detach().numpy(), exact=case.exact,
                 what=f"{case.name} value", rtol64=case.rtol64)
    assert out_c.requires_grad == out_t.requires_grad
    if not (case.diff and out_t.requires_grad):
        return
    gout = np.random.default_rng(5).standard_normal(out_t.shape).astype(out_c.dtype)
    leaves_c = [t for t, g in zip(ct, grads) if g]
    leaves_t = [t for t, g in zip(tt, grads) if g]
    gc = cg.autograd.grad(out_c, leaves_c, cg.tensor(gout), allow_unused=True)
    gt = torch.autograd.grad(out_t, leaves_t, torch.tensor(gout), allow_unused=True)
    for k, (a, b) in enumerate(zip(gc, gt)):
        if b is None:
            assert a is None or not np.any(a.numpy()), f"{case.name}: grad {k} should be None"
            continue
        assert a is not None, f"{case.name}: grad {k} is None, torch has one"
        assert_close(a.numpy(), b.numpy(), exact=case.exact, what=f"{case.name} grad {k}",
                     rtol64=case.rtol64)


_TORCH_DT = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64,
             np.dtype(np.int64): torch.int64, np.dtype(np.int32): torch.int32,
             np.dtype(np.bool_): torch.bool}

_OPERANDS = {
    "f32": (np.float32, (2,)), "f64": (np.float64, (2,)), "i64": (np.int64, (2,)),
    "i32": (np.int32, (2,)), "bool": (np.bool_, (2,)), "f64_0d": (np.float64, ()),
    "i64_0d": (np.int64, ()), "f32_0d": (np.float32, ()),
}
_SCALARS = {"int": 2, "float": 2.5, "bool": True}

_PROMOTE_OPS = {
    "add": lambda M, a, b: a + b,
    "mul": lambda M, a, b: M.mul(a, b),
    "div": lambda M, a, b: a / b,
    "maximum": lambda M, a, b: M.maximum(a, b),
    "where": lambda M, a, b: M.where(M.ones(2, dtype=M.bool), a, b),
    "pow": lambda M, a, b: a ** b,
    "eq": lambda M, a, b: a == b,
}


def _make(M, spec):
    dt, shape = _OPERANDS[spec]
    arr = np.ones(shape, dtype=dt)
    return M.tensor(arr) if M is cg else torch.tensor(arr)


@pytest.mark.parametrize("op", sorted(_PROMOTE_OPS))
@pytest.mark.parametrize("a", sorted(_OPERANDS))
@pytest.mark.parametrize("b", sorted(_OPERANDS) + sorted(_SCALARS))
def test_result_dtypes_match_torch(op, a, b):
    def run(M):
        x = _make(M, a)
        y = _SCALARS[b] if b in _SCALARS else _make(M, b)
        if op == "maximum" and b in _SCALARS:
            y = M.tensor(y)
        return _PROMOTE_OPS[op](M, x, y)

    try:
        expected = run(torch)
    except RuntimeError:
        pytest.skip("torch rejects this combination")
    assert _TORCH_DT[run(cg).dtype] == expected.dtype


def test_hessian_vector_product_matches_torch():
    rng = np.random.default_rng(3)
    x_np, v_np, a_np = rng.standard_normal(4), rng.standard_normal(4), rng.standard_normal((3, 4))

    def hvp(M, x, v, a):
        y = (x.sin() * x ** 3).sum() + (a @ x).logsumexp(0) + M.norm(x) * x.abs().amax()
        (g,) = M.autograd.grad(y, x, create_graph=True)
        (h,) = M.autograd.grad(g, x, v)
        return h

    ours = hvp(cg, cg.tensor(x_np, requires_grad=True), cg.tensor(v_np), cg.tensor(a_np))
    ref = hvp(torch, torch.tensor(x_np, requires_grad=True), torch.tensor(v_np),
              torch.tensor(a_np))
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-12, atol=1e-14)
