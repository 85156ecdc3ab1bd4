"""torch.linalg decompositions and solvers: values and gradients equal torch's (float64),
gradcheck and gradgradcheck pass, batched inputs work, and singular / non-square /
non-positive-definite inputs raise torch's errors."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import chaingrad as cg
from chaingrad.autograd import gradcheck, gradgradcheck

RNG = np.random.default_rng(7)


def _well(shape: tuple[int, ...]) -> np.ndarray:
    """Well-conditioned square matrices (batch allowed)."""
    n = shape[-1]
    return RNG.standard_normal(shape) + 3 * np.eye(n)


def _spd(shape: tuple[int, ...]) -> np.ndarray:
    a = RNG.standard_normal(shape)
    return a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])


def _sym(x: Any) -> Any:
    return x + x.transpose(-2, -1)


def _pos(x: Any) -> Any:
    n = x.shape[-1]
    lib = cg if isinstance(x, cg.Tensor) else __import__("torch")
    return x @ x.transpose(-2, -1) + n * lib.eye(n, dtype=x.dtype)


def _sum_outputs(r: Any) -> Any:
    if isinstance(r, tuple):
        return tuple(t for t in r if t.dtype.is_floating_point)
    return r


# name -> (function of (lib, *tensors), inputs)
CASES: dict[str, tuple[Callable[..., Any], list[np.ndarray]]] = {
    "inv": (lambda L, a: L.linalg.inv(a), [_well((3, 3))]),
    "inv-batch": (lambda L, a: L.linalg.inv(a), [_well((2, 3, 3))]),
    "inverse": (lambda L, a: L.inverse(a), [_well((3, 3))]),
    "det": (lambda L, a: L.linalg.det(a), [_well((2, 3, 3))]),
    "det-method": (lambda L, a: a.det(), [_well((4, 4))]),
    "slogdet": (lambda L, a: L.linalg.slogdet(a)[1], [_well((2, 3, 3))]),
    "logdet": (lambda L, a: L.logdet(a), [_spd((3, 3))]),
    "solve": (lambda L, a, b: L.linalg.solve(a, b), [_well((3, 3)), RNG.standard_normal((3, 2))]),
    "solve-vec": (lambda L, a, b: L.linalg.solve(a, b), [_well((2, 3, 3)),
                                                         RNG.standard_normal((2, 3))]),
    "solve-bcast": (lambda L, a, b: L.linalg.solve(a, b), [_well((3, 3)),
                                                           RNG.standard_normal((2, 3, 2))]),
    "solve-right": (lambda L, a, b: L.linalg.solve(a, b, left=False),
                    [_well((3, 3)), RNG.standard_normal((2, 3))]),
    "solve_triangular-lower": (
        lambda L, a, b: L.linalg.solve_triangular(a, b, upper=False),
        [_well((3, 3)), RNG.standard_normal((3, 2))]),
    "solve_triangular-upper-right-unit": (
        lambda L, a, b: L.linalg.solve_triangular(a, b, upper=True, left=False,
                                                  unitriangular=True),
        [_well((2, 3, 3)), RNG.standard_normal((2, 4, 3))]),
    "cholesky": (lambda L, a: L.linalg.cholesky(_pos(a)), [RNG.standard_normal((3, 3))]),
    "cholesky-upper-batch": (lambda L, a: L.linalg.cholesky(_pos(a), upper=True),
                             [RNG.standard_normal((2, 3, 3))]),
    "cholesky-top": (lambda L, a: L.cholesky(_pos(a)), [RNG.standard_normal((3, 3))]),
    "eigh-values": (lambda L, a: L.linalg.eigh(_sym(a))[0], [RNG.standard_normal((2, 3, 3))]),
    "eigh-vectors": (lambda L, a: L.linalg.eigh(_sym(a))[1].abs(),
                     [RNG.standard_normal((3, 3))]),
    "eigh-upper": (lambda L, a: L.linalg.eigh(_sym(a), UPLO="U")[0],
                   [RNG.standard_normal((3, 3))]),
    "eigvalsh": (lambda L, a: L.linalg.eigvalsh(_sym(a)), [RNG.standard_normal((4, 4))]),
    "svd-reduced": (lambda L, a: [t.abs() if i != 1 else t for i, t in enumerate(
        L.linalg.svd(a, full_matrices=False))][0], [RNG.standard_normal((4, 3))]),
    "svd-S": (lambda L, a: L.linalg.svd(a)[1], [RNG.standard_normal((2, 3, 5))]),
    "svd-full-uv": (lambda L, a: (lambda u, s, vh: (u[..., :3] @ vh[..., :3, :]))(
        *L.linalg.svd(a)), [RNG.standard_normal((3, 5))]),
    "qr-Q": (lambda L, a: L.linalg.qr(a)[0], [RNG.standard_normal((2, 4, 3))]),
    "qr-R": (lambda L, a: L.linalg.qr(a)[1], [RNG.standard_normal((4, 3))]),
    "qr-QR-sum": (lambda L, a: (lambda q, r: q.sum(-1, keepdim=True) * r.sum(-2, keepdim=True))(
        *L.linalg.qr(a)), [RNG.standard_normal((3, 3))]),
    "qr-wide": (lambda L, a: (lambda q, r: q @ r.tanh())(*L.linalg.qr(a)),
                [RNG.standard_normal((2, 3, 5))]),
    "qr-wide-R": (lambda L, a: L.linalg.qr(a)[1], [RNG.standard_normal((3, 5))]),
    "qr-complete-wide": (lambda L, a: L.linalg.qr(a, mode="complete")[0],
                         [RNG.standard_normal((3, 4))]),
    "lstsq": (lambda L, a, b: L.linalg.lstsq(a, b).solution,
              [RNG.standard_normal((5, 3)), RNG.standard_normal((5, 2))]),
    "lstsq-wide-batch": (lambda L, a, b: L.linalg.lstsq(a, b).solution,
                         [RNG.standard_normal((2, 3, 4)), RNG.standard_normal((2, 3, 2))]),
    "lstsq-residuals": (lambda L, a, b: L.linalg.lstsq(a, b, driver="gelsd").residuals,
                        [RNG.standard_normal((5, 3)), RNG.standard_normal((5, 2))]),
    "pinv": (lambda L, a: L.linalg.pinv(a), [RNG.standard_normal((3, 5))]),
    "pinv-tall-batch": (lambda L, a: L.linalg.pinv(a), [RNG.standard_normal((2, 5, 3))]),
    "pinv-hermitian": (lambda L, a: L.linalg.pinv(_sym(a), hermitian=True),
                       [RNG.standard_normal((3, 3))]),
    "pinverse": (lambda L, a: L.pinverse(a), [RNG.standard_normal((4, 2))]),
    "matrix_power-3": (lambda L, a: L.linalg.matrix_power(a, 3), [RNG.standard_normal((3, 3))]),
    "matrix_power-neg": (lambda L, a: L.matrix_power(a, -2), [_well((2, 3, 3))]),
    "matrix_power-0": (lambda L, a: L.linalg.matrix_power(a, 0), [RNG.standard_normal((3, 3))]),
    "matrix_exp": (lambda L, a: L.linalg.matrix_exp(a), [RNG.standard_normal((2, 3, 3))]),
    "matrix_exp-big": (lambda L, a: L.matrix_exp(a), [4 * RNG.standard_normal((3, 3))]),
    "multi_dot": (lambda L, a, b, c, d: L.linalg.multi_dot([a, b, c, d]),
                  [RNG.standard_normal(3), RNG.standard_normal((3, 5)),
                   RNG.standard_normal((5, 2)), RNG.standard_normal((2, 4))]),
    "vecdot": (lambda L, a, b: L.linalg.vecdot(a, b, dim=0), [RNG.standard_normal((3, 2)),
                                                              RNG.standard_normal((3, 1))]),
    "cross": (lambda L, a, b: L.linalg.cross(a, b), [RNG.standard_normal((2, 3)),
                                                     RNG.standard_normal((1, 3))]),
    "diagonal": (lambda L, a: L.linalg.diagonal(a, offset=1), [RNG.standard_normal((2, 3, 4))]),
    "matmul": (lambda L, a, b: L.linalg.matmul(a, b), [RNG.standard_normal((2, 3)),
                                                       RNG.standard_normal((3, 2))]),
    "vander": (lambda L, a: L.linalg.vander(a, N=4), [RNG.standard_normal((2, 3))]),
    # torch.vander's own backward fails (an in-place cumprod), so torch's side is linalg.vander
    "torch-vander": (lambda L, a: L.vander(a) if L is cg else L.linalg.vander(a).flip(-1),
                     [RNG.standard_normal(4)]),
    "cond": (lambda L, a: L.linalg.cond(a), [RNG.standard_normal((2, 4, 3))]),
    # torch.linalg.cond's own backward fails for these p (an in-place op), so torch's side is
    # its definition
    "cond-1": (lambda L, a: L.linalg.cond(a, 1) if L is cg else
               L.linalg.matrix_norm(a, 1) * L.linalg.matrix_norm(L.linalg.inv(a), 1),
               [_well((3, 3))]),
    "cond-fro": (lambda L, a: L.linalg.cond(a, "fro") if L is cg else
                 L.linalg.matrix_norm(a) * L.linalg.matrix_norm(L.linalg.inv(a)),
                 [_well((3, 3))]),
}


def _run(lib: Any, name: str, requires_grad: bool = True) -> tuple[Any, list]:
    fn, arrays = CASES[name]
    ts = [lib.tensor(a, dtype=lib.float64, requires_grad=requires_grad) for a in arrays]
    return fn(lib, *ts), ts


@pytest.mark.parametrize("name", list(CASES))
def test_values_and_gradients_match_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    out, ts = _run(cg, name)
    tout, tts = _run(torch, name)
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-9,
                               atol=1e-10)
    w = RNG.standard_normal(tuple(tout.shape))
    (out * cg.tensor(w)).sum().backward()
    (tout * torch.tensor(w)).sum().backward()
    for t, tt in zip(ts, tts):
        np.testing.assert_allclose(t.grad.numpy(), tt.grad.numpy(), rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("name", list(CASES))
def test_gradcheck_and_gradgradcheck(name: str) -> None:
    fn, arrays = CASES[name]
    ts = tuple(cg.tensor(a, dtype=cg.float64, requires_grad=True) for a in arrays)

    def f(*xs: Any) -> Any:
        return fn(cg, *xs)

    assert gradcheck(f, ts)
    assert gradgradcheck(f, ts)


def test_decompositions_reconstruct() -> None:
    a = RNG.standard_normal((2, 4, 3))
    u, s, vh = cg.linalg.svd(cg.tensor(a))
    assert u.shape == (2, 4, 4) and s.shape == (2, 3) and vh.shape == (2, 3, 3)
    np.testing.assert_allclose((u[..., :3] * s.unsqueeze(-2) @ vh).numpy(), a, atol=1e-12)
    sym = _spd((3, 3))
    w, v = cg.linalg.eigh(cg.tensor(sym))
    np.testing.assert_allclose((v * w.unsqueeze(-2) @ v.mT).numpy(), sym, atol=1e-12)
    low = cg.linalg.cholesky(cg.tensor(sym))
    np.testing.assert_allclose((low @ low.mT).numpy(), sym, atol=1e-12)
    assert np.allclose(np.triu(low.numpy(), 1), 0)
    sign, la = cg.linalg.slogdet(cg.tensor(-sym))
    assert sign.item() == -1 and np.isnan(cg.logdet(cg.tensor(-sym)).item())


def test_rank_and_ex_variants_match_torch() -> None:
    torch = pytest.importorskip("torch")
    sing = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 1.0, 1.0]])
    batch = np.stack([_well((3, 3)), sing])
    for kw in ({}, dict(atol=0.5), dict(rtol=0.2), dict(hermitian=True)):
        x = batch if not kw.get("hermitian") else batch + np.swapaxes(batch, -1, -2)
        assert cg.linalg.matrix_rank(cg.tensor(x), **kw).tolist() == \
            torch.linalg.matrix_rank(torch.tensor(x), **kw).tolist()
    inv, info = cg.linalg.inv_ex(cg.tensor(batch))
    tinv, tinfo = torch.linalg.inv_ex(torch.tensor(batch))
    assert info.tolist() == tinfo.tolist() == [0, 3]
    np.testing.assert_allclose(inv.numpy()[0], tinv.numpy()[0], rtol=1e-12)
    l, info = cg.linalg.cholesky_ex(cg.tensor(np.stack([_spd((3, 3)), -np.eye(3)])))
    assert info.tolist() == [0, 1]
    _, tinfo = torch.linalg.cholesky_ex(torch.tensor(np.stack([_spd((3, 3)), -np.eye(3)])))
    assert tinfo.tolist() == [0, 1]
    res, info = cg.linalg.solve_ex(cg.tensor(batch), cg.ones(2, 3, 1, dtype=cg.float64))
    assert info.tolist() == [0, 3] and np.isfinite(res.numpy()[0]).all()
    # at a singular matrix the gradient of det is still the cofactor matrix (torch 2.13
    # returns zeros for this exactly singular input; the cofactors are the true derivative)
    a = cg.tensor(sing, requires_grad=True)
    cg.linalg.det(a).backward()
    cof = np.array([[np.linalg.det(np.delete(np.delete(sing, i, 0), j, 1)) * (-1) ** (i + j)
                     for j in range(3)] for i in range(3)])
    np.testing.assert_allclose(a.grad.numpy(), cof, atol=1e-10)


def test_qr_modes_and_lstsq_outputs_match_torch() -> None:
    torch = pytest.importorskip("torch")
    for shape in ((4, 3), (3, 5), (2, 3, 3)):
        a = RNG.standard_normal(shape)
        for mode in ("reduced", "complete", "r"):
            q, r = cg.linalg.qr(cg.tensor(a), mode=mode)
            tq, tr = torch.linalg.qr(torch.tensor(a), mode=mode)
            assert q.shape == tuple(tq.shape) and r.shape == tuple(tr.shape)
            np.testing.assert_allclose(q.numpy(), tq.numpy(), atol=1e-12)
            np.testing.assert_allclose(r.numpy(), tr.numpy(), atol=1e-12)
    with pytest.raises(RuntimeError, match="mode='r'"):
        cg.linalg.qr(cg.tensor(RNG.standard_normal((3, 3)), requires_grad=True),
                     mode="r")[1].sum().backward()
    with pytest.raises(RuntimeError, match="not differentiable when mode='complete'"):
        cg.linalg.qr(cg.tensor(RNG.standard_normal((4, 3)), requires_grad=True),
                     mode="complete")[0].sum().backward()
    a, b = RNG.standard_normal((5, 3)), RNG.standard_normal((5, 2))
    a2 = a.copy()
    a2[:, 2] = a2[:, 1]
    for x in (a, a2):
        for driver in (None, "gels", "gelsy", "gelsd", "gelss"):
            if x is a2 and driver == "gels":
                with pytest.raises(cg.linalg.LinAlgError, match="full rank"):
                    cg.linalg.lstsq(cg.tensor(x), cg.tensor(b), driver=driver)
                continue
            ours = cg.linalg.lstsq(cg.tensor(x), cg.tensor(b), driver=driver)
            theirs = torch.linalg.lstsq(torch.tensor(x), torch.tensor(b), driver=driver)
            for o, t in zip(ours, theirs):
                assert o.shape == tuple(t.shape), driver
            np.testing.assert_allclose(ours.residuals.numpy(), theirs.residuals.numpy(),
                                       rtol=1e-10)
            assert ours.rank.tolist() == theirs.rank.tolist()
            if x is a:
                np.testing.assert_allclose(ours.solution.numpy(), theirs.solution.numpy(),
                                           rtol=1e-10)
    with pytest.raises(RuntimeError, match="driver"):
        cg.linalg.lstsq(cg.tensor(a), cg.tensor(b), driver="magic")
    with pytest.raises(RuntimeError, match="should match"):
        cg.linalg.lstsq(cg.tensor(a), cg.ones(4, 2, dtype=cg.float64))
    with pytest.raises(RuntimeError, match="unrecognized mode"):
        cg.linalg.qr(cg.tensor(a), mode="full")


def test_errors_like_torch() -> None:
    sing = cg.tensor([[1.0, 2.0], [2.0, 4.0]])
    assert issubclass(cg.linalg.LinAlgError, RuntimeError)
    with pytest.raises(cg.linalg.LinAlgError, match="singular"):
        cg.linalg.inv(sing)
    with pytest.raises(cg.linalg.LinAlgError, match=r"\(Batch element 1\).*singular"):
        cg.linalg.inv(cg.stack([cg.eye(2), sing]))
    with pytest.raises(cg.linalg.LinAlgError, match="singular"):
        cg.linalg.solve(sing, cg.ones(2))
    with pytest.raises(cg.linalg.LinAlgError, match="singular"):
        cg.linalg.inv_ex(sing, check_errors=True)
    with pytest.raises(cg.linalg.LinAlgError, match="leading minor of order 2"):
        cg.linalg.cholesky(cg.tensor([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(RuntimeError, match="square matrices, but they are 2 by 3"):
        cg.linalg.inv(cg.ones(2, 3))
    with pytest.raises(RuntimeError, match="square matrices"):
        cg.linalg.det(cg.ones(3, 2))
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        cg.linalg.eigh(cg.ones(3))
    with pytest.raises(RuntimeError, match="floating point"):
        cg.linalg.inv(cg.tensor([[1, 0], [0, 1]]))
    with pytest.raises(RuntimeError, match="Incompatible shapes"):
        cg.linalg.solve(cg.eye(3), cg.ones(2, 2))
    with pytest.raises(RuntimeError, match="UPLO"):
        cg.linalg.eigh(cg.eye(2), UPLO="X")
    with pytest.raises(RuntimeError, match="at least 2 tensors"):
        cg.linalg.multi_dot([cg.eye(2)])
    with pytest.raises(RuntimeError, match="cannot be multiplied"):
        cg.linalg.multi_dot([cg.eye(2), cg.ones(3, 3)])
    with pytest.raises(TypeError, match="n must be an int"):
        cg.linalg.matrix_power(cg.eye(2), 1.5)
    with pytest.raises(RuntimeError, match="length 3"):
        cg.linalg.cross(cg.ones(2, 4), cg.ones(2, 4))
    with pytest.raises(RuntimeError, match="invalid norm type"):
        cg.linalg.cond(cg.eye(2), 3)
    with pytest.raises(TypeError, match="out="):
        cg.linalg.inv(cg.eye(2), out=cg.eye(2))


def test_tensor_methods() -> None:
    a = cg.tensor(_well((3, 3)))
    for name in ("det", "inverse", "logdet", "pinverse", "matrix_exp"):
        assert np.allclose(getattr(a, name)().numpy(), getattr(cg, name)(a).numpy())
    assert np.allclose(a.matrix_power(2).numpy(), (a @ a).numpy())
    assert a.slogdet().sign.shape == ()
    s = cg.tensor(_spd((3, 3)))
    assert np.allclose(s.cholesky().numpy(), cg.linalg.cholesky(s).numpy())
