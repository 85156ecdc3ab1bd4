"""The C++ backward kernels of the reduction kinds (csrc/kernels_reduction.cpp: LOGSUMEXP, VAR,
STD, AMAXMIN, MAXMIN_ALL, MAXMIN_DIM, CUMSUM, PROD with and without zeros; csrc/kernels_norm.cpp:
NORM for every p) agree bit for bit with the reference NumPy kernels, over shapes, dims, keepdim,
corrections, p values and special values (ties, zeros, -0.0, +-inf, NaN, strided inputs and
gradients), and run without the reference kernel.

The comparisons build the same computation in each engine themselves, so they run once (under
the ``cpp`` parametrization of the autouse ``engine`` fixture).
"""

from __future__ import annotations

import warnings
import zlib

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import _kinds as K
from chaingrad import engine as _engine
from chaingrad._reference import kernels as ref_kernels

from ._helpers import bits_equal

F32, F64 = np.float32, np.float64





SHAPES = [(), (1,), (7,), (3, 4), (2, 3, 5), (4, 1, 3)]


def dim_choices(shape):
    """None (all elements), each single dim, and a pair of dims."""
    out = [None]
    out += [(d,) for d in range(len(shape))]
    if len(shape) >= 2:
        out.append((0, len(shape) - 1))
        out.append((len(shape) - 1, 0))
    return out


def make_x(shape, dtype, rng, special):
    x = rng.standard_normal(shape) * 2
    x = np.asarray(x)
    if x.size and special == "ties":
        x = np.round(x)  # many ties
    elif x.size and special == "zeros":
        x = np.zeros(shape)
    elif x.size and special == "const":
        x = np.full(shape, 1.5)
    elif x.size > 1 and special == "inf":
        x.flat[0] = np.inf
        x.flat[-1] = -np.inf
    elif x.size > 1 and special == "nan":
        x.flat[1] = np.nan
    elif x.size and special == "zero1":
        x.flat[x.size // 2] = -0.0
    elif x.size and special == "zero2":
        x.flat[0] = 0.0
        x.flat[-1] = 0.0
    return np.asarray(x.astype(dtype))


def make_g(shape, dtype, rng, special):
    g = np.asarray(rng.standard_normal(shape).astype(dtype))
    if g.size > 2 and special in ("inf", "nan"):
        g.flat[2] = np.nan if special == "nan" else np.inf
    return g


def run(engine_name, fn, x, g_fn, chained):
    with _engine.use(engine_name), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            t = cg.tensor(x, requires_grad=True)
            out = fn(t)
            g = g_fn(out.shape)
            if chained:
                w = cg.tensor(np.full(out.shape, 0.75, dtype=out.dtype))
                (out * w).backward(gradient=cg.tensor(g))
            else:
                out.backward(gradient=cg.tensor(g))
    return t.grad._data


def _ops(dims, keepdim, corr, ndim):
    """name -> (kind, fn) for one choice of dims/keepdim/correction."""
    ops = {}
    if dims is not None and len(dims) == 1:
        d = dims[0]
        ops["max_dim"] = (K.MAXMIN_DIM, lambda t: cg.max(t, d, keepdim).values)
        ops["min_dim"] = (K.MAXMIN_DIM, lambda t: cg.min(t, d, keepdim).values)
        if ndim >= 2:
            # strided x (a transposed view) and a strided incoming gradient (through .T)
            ops["max_dim_T"] = (K.MAXMIN_DIM, lambda t: cg.max(t.T, d, keepdim).values)
            ops["min_dim_gT"] = (K.MAXMIN_DIM, lambda t: cg.min(t, d, True).values.T)
            ops["prod_T"] = (K.PROD, lambda t: cg.prod(t.T, d, keepdim))
    if dims is None and ndim == 0:
        ops["max_dim_0d"] = (K.MAXMIN_DIM, lambda t: cg.max(t, 0, keepdim).values)
        ops["min_dim_0d"] = (K.MAXMIN_DIM, lambda t: cg.min(t, -1, keepdim).values)
    if dims is None and not keepdim and ndim >= 2:
        ops["prod_all_T"] = (K.PROD, lambda t: cg.prod(t.T))
    if dims is not None:
        ops["logsumexp"] = (K.LOGSUMEXP, lambda t: cg.logsumexp(t, dims, keepdim))
    ops["var"] = (K.VAR, lambda t: cg.var(t, dims, keepdim=keepdim, correction=corr))
    ops["std"] = (K.STD, lambda t: cg.std(t, dims, keepdim=keepdim, correction=corr))
    ops["amax"] = (K.AMAXMIN, lambda t: cg.amax(t, () if dims is None else dims, keepdim))
    ops["amin"] = (K.AMAXMIN, lambda t: cg.amin(t, () if dims is None else dims, keepdim))
    if dims is None and not keepdim:
        ops["prod_all"] = (K.PROD, lambda t: cg.prod(t))
    if dims is not None and len(dims) == 1:
        ops["prod"] = (K.PROD, lambda t: cg.prod(t, dims[0], keepdim))
    if dims is not None and len(dims) == 1 and not keepdim:
        ops["cumsum"] = (K.CUMSUM, lambda t: cg.cumsum(t, dims[0]))
    if dims is None and not keepdim:
        ops["max_all"] = (K.MAXMIN_ALL, lambda t: cg.max(t))
        ops["min_all"] = (K.MAXMIN_ALL, lambda t: cg.min(t))
    return ops


SPECIALS = ["plain", "ties", "zeros", "zero1", "zero2", "const", "inf", "nan"]


def _cases():
    for shape in SHAPES:
        for dims in dim_choices(shape):
            for keepdim in (False, True):
                yield shape, dims, keepdim


def agree(fn, x, dtype, special, seed, chained):
    """Both engines' gradients of ``fn`` at x, bit for bit (or both raise the same type);
    True when gradients were compared."""
    def g_fn(s):
        return make_g(s, dtype, np.random.default_rng(seed), special)
    try:
        want = run("python", fn, x, g_fn, chained)
    except Exception as e:  # noqa: BLE001 - the C++ engine must agree
        with pytest.raises(type(e)):
            run("cpp", fn, x, g_fn, chained)
        return False
    got = run("cpp", fn, x, g_fn, chained)
    assert bits_equal(got, want), (got, want)
    return True


@pytest.mark.parametrize("special", SPECIALS)
@pytest.mark.parametrize("dtype", [F32, F64])
def test_engines_agree_bitwise(both, dtype, special):
    rng = np.random.default_rng(zlib.crc32(repr((special, dtype.__name__)).encode()))
    checked = 0
    for shape, dims, keepdim in _cases():
        x = make_x(shape, dtype, rng, special)
        for corr in (0, 1, 2.5):
            for name, (_, fn) in _ops(dims, keepdim, corr, len(shape)).items():
                if corr != 1 and name not in ("var", "std"):
                    continue
                seed = int(rng.integers(2**31))
                for chained in (False, True):
                    where = (name, shape, dims, keepdim, corr, chained)
                    try:
                        checked += agree(fn, x, dtype, special, seed, chained)
                    except AssertionError as e:
                        raise AssertionError(f"{where}: {e}") from None
    assert checked > 100


# Every branch of the NORM kernel and of pow_scalar_array's special exponents: p - 1, p - 2
# and 1 - p hit 0.5, -0.5, -1, -2, 1, 2, 3 and general powers.
NORM_PS = [0.0, 0.3, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, -0.5, -1.0, np.inf, -np.inf, np.nan]


@pytest.mark.parametrize("special", SPECIALS)
@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("p", NORM_PS, ids=str)
def test_norm_engines_agree_bitwise(both, p, dtype, special):
    rng = np.random.default_rng(zlib.crc32(repr((p, special, dtype.__name__)).encode()))
    checked = 0
    for shape, dims, keepdim in _cases():
        x = make_x(shape, dtype, rng, special)
        seed = int(rng.integers(2**31))
        chained = bool(seed % 2)
        where = (p, shape, dims, keepdim, chained)
        fns = {"norm": lambda t, dims=dims, keepdim=keepdim: cg.norm(t, p, dims, keepdim)}
        if len(shape) >= 2:
            fns["norm_T"] = lambda t, dims=dims, keepdim=keepdim: cg.norm(t.T, p, dims, keepdim)
        for name, fn in fns.items():
            try:
                checked += agree(fn, x, dtype, special, seed, chained)
            except AssertionError as e:
                raise AssertionError(f"{name} {where}: {e}") from None
    assert checked > 20


NATIVE = {
    "logsumexp": (K.LOGSUMEXP, lambda t: cg.logsumexp(t, 1)),
    "logsumexp_keep": (K.LOGSUMEXP, lambda t: cg.logsumexp(t, (0, 1), True)),
    "var_all": (K.VAR, lambda t: cg.var(t)),
    "var_dim": (K.VAR, lambda t: cg.var(t, 0, keepdim=True, correction=0)),
    "var_dof0": (K.VAR, lambda t: cg.var(t, correction=12)),
    "std_all": (K.STD, lambda t: cg.std(t)),
    "std_dim": (K.STD, lambda t: cg.std(t, 1)),
    "amax": (K.AMAXMIN, lambda t: cg.amax(t, 1)),
    "amin_all": (K.AMAXMIN, lambda t: cg.amin(t)),
    "cumsum0": (K.CUMSUM, lambda t: cg.cumsum(t, 0)),
    "cumsum1": (K.CUMSUM, lambda t: cg.cumsum(t, 1)),
    "prod_all": (K.PROD, lambda t: cg.prod(t + 10.0)),
    "prod_dim": (K.PROD, lambda t: cg.prod(t + 10.0, 1, True)),
    "max_all": (K.MAXMIN_ALL, lambda t: cg.max(t)),
    "min_all": (K.MAXMIN_ALL, lambda t: cg.min(t)),
    "max_dim": (K.MAXMIN_DIM, lambda t: cg.max(t, 1).values),
    "min_dim_keep": (K.MAXMIN_DIM, lambda t: cg.min(t, 0, True).values),
    "max_dim_T": (K.MAXMIN_DIM, lambda t: cg.max(t.T, 0).values),
    # relu keeps the rounded x's zeros and adds more: the exclusive-product branches
    "prod_zero_all": (K.PROD, lambda t: cg.prod(cg.relu(t))),
    "prod_zero_dim": (K.PROD, lambda t: cg.prod(cg.relu(t), 1)),
    "prod_zero_dim_keep": (K.PROD, lambda t: cg.prod(cg.relu(t), 0, True)),
    "prod_zero_T": (K.PROD, lambda t: cg.prod(cg.relu(t).T, 1)),
    **{
        f"norm_{p}": (K.NORM, lambda t, p=p: cg.norm(t, p, 1))
        for p in NORM_PS
    },
    "norm_all_keep": (K.NORM, lambda t: cg.norm(t, 3.0, keepdim=True)),
    "norm_pair": (K.NORM, lambda t: cg.norm(t, 1.5, (1, 0))),
}


def _forbid(monkeypatch, kind):
    def boom(*args, **kwargs):
        raise AssertionError(f"reference kernel of kind {kind} called")

    monkeypatch.setitem(ref_kernels._KERNELS, kind, boom)


@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("case", sorted(NATIVE))
def test_runs_natively(engine, monkeypatch, case, dtype):
    if engine != "cpp":
        pytest.skip("the reference engine always runs the NumPy kernels")
    kind, fn = NATIVE[case]
    rng = np.random.default_rng(3)
    x = np.round(rng.standard_normal((3, 4))).astype(dtype)
    _forbid(monkeypatch, kind)
    for chained in (False, True):
        grad = run("cpp", fn, x, lambda s: np.ones(s, dtype=dtype), chained)
        assert grad is not None and grad.shape == x.shape


@pytest.mark.parametrize("case", ["var_all", "std_dim", "amax", "logsumexp"])
def test_errstate_restored(engine, case):
    """The kernels leave NumPy's floating-point error state as they found it."""
    kind, fn = NATIVE[case]
    with np.errstate(all="raise"):
        before = np.geterr()
        x = np.ones((3, 4), dtype=F32)
        run(engine, fn, x, lambda s: np.ones(s, dtype=F32), False)
        assert np.geterr() == before
