"""The C++ backward kernels of the elementwise kinds (csrc/kernels_pointwise.cpp, POW included)
agree bit for bit with the reference NumPy kernels, including at 0, +-inf, NaN, ties, clamp
bounds and POW's special cases, and run natively (never calling the reference kernel) on every
layout: the raw loops' fast layout (same-shape C-contiguous float32/float64) and the others
(strided, broadcast, 0-d, mixed dtypes, integer exponents), which make the reference kernel's
own NumPy calls and so emit its floating-point warnings. The basic unary kinds of
csrc/kernels.cpp are checked the same way off their raw loops' layout.

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
N = 64  # elements per test vector





SPECIAL = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 0.5, -0.5, 2.0, 1e-30, -1e-30, 1e30]


def values(dtype, rng, positive=False, n=N):
    """Random values with the special ones mixed in (shuffled)."""
    v = np.concatenate([np.array(SPECIAL), rng.standard_normal(n - len(SPECIAL)) * 3])
    v = rng.permutation(v)
    if positive:
        v = np.abs(v)
    with np.errstate(all="ignore"):
        return v.astype(dtype)


def grad_values(dtype, rng, n=N):
    g = rng.standard_normal(n).astype(dtype)
    g[:6] = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0], dtype=dtype)
    return g


# name -> (kind, fn(*tensors), inputs factory(dtype, rng) -> list of arrays)
def _unary(fn, kind, positive=False):
    return kind, fn, lambda dt, rng: [values(dt, rng, positive)]


def _clamp_inputs(dt, rng):
    x = values(dt, rng)
    x[:4] = np.array([-1.0, 1.0, -1.0, 1.0], dtype=dt)  # exactly at the bounds
    return [x]


def _pair_inputs(dt, rng):
    a, b = values(dt, rng), values(dt, rng)
    b[::3] = a[::3]  # ties (also ties of inf, and NaN == NaN is false)
    return [a, b]


def _clamp_tensor_inputs(n_bounds):
    def make(dt, rng):
        x = values(dt, rng)
        bounds = [values(dt, rng) for _ in range(n_bounds)]
        bounds[0][::4] = x[::4]  # x at a bound
        if n_bounds == 2:
            bounds[1][::5] = x[::5]
            bounds[1][1::7] = bounds[0][1::7]  # lo == hi
        return [x, *bounds]

    return make


def _rpow_inputs(dt, rng):
    x = values(dt, rng)
    x[:3] = np.array([0.0, -0.0, 1.0], dtype=dt)
    return [x]


# Bases and exponents side by side: 0 ** (0, <0, >0), negative bases with fractional (NaN) and
# integral exponents, infinities, NaNs, 1 ** NaN.
_POW_A = [0.0, 0.0, 0.0, -0.0, -2.0, -2.0, -0.5, np.inf, -np.inf, np.nan, 1.0, 2.0, 0.0, 1e30]
_POW_B = [0.0, -1.0, 2.5, 3.0, 0.5, 3.0, -2.0, -np.inf, 3.0, 0.0, np.nan, np.inf, np.nan, 2.0]


def _pow_inputs(dt, rng):
    a, b = values(dt, rng), values(dt, rng) / 2
    with np.errstate(all="ignore"):
        a[:len(_POW_A)] = np.array(_POW_A, dtype=dt)
        b[:len(_POW_B)] = np.array(_POW_B, dtype=dt)
    return [a, b]


def _pow_int_inputs(dt, rng):
    a = values(dt, rng)
    a[:4] = np.array([0.0, -0.0, -2.0, np.inf], dtype=dt)
    b = rng.integers(-3, 4, size=N).astype(np.int64)
    b[:4] = np.array([-1, 0, 3, -2])
    return [a, b]


def _where(a, b):
    shape = np.broadcast_shapes(a.shape, b.shape)
    cond = np.arange(int(np.prod(shape))).reshape(shape) % 3 == 0
    return cg.where(cg.tensor(cond), a, b)


def _where_row(a, b):
    """A condition of one row (the last dim only), broadcast against the operands."""
    shape = np.broadcast_shapes(a.shape, b.shape)
    return cg.where(cg.tensor(np.arange(shape[-1] if shape else 1) % 2 == 0), a, b)


CASES = {
    "abs": _unary(cg.abs, K.ABS),
    "sign": _unary(cg.sign, K.SIGN),
    "sqrt": _unary(cg.sqrt, K.SQRT, positive=True),
    "sqrt_neg": _unary(cg.sqrt, K.SQRT),
    "rsqrt": _unary(cg.rsqrt, K.RSQRT, positive=True),
    "log1p": _unary(cg.log1p, K.LOG1P),
    "expm1": _unary(cg.expm1, K.EXPM1),
    "sin": _unary(cg.sin, K.SIN),
    "cos": _unary(cg.cos, K.COS),
    "tan": _unary(cg.tan, K.TAN),
    "reciprocal": _unary(cg.reciprocal, K.RECIPROCAL),
    "clamp": (K.CLAMP, lambda x: cg.clamp(x, -1.0, 1.0), _clamp_inputs),
    "clamp_min": (K.CLAMP, lambda x: cg.clamp(x, min=-1.0), _clamp_inputs),
    "clamp_max": (K.CLAMP, lambda x: cg.clamp(x, max=1.0), _clamp_inputs),
    "clamp_inexact": (K.CLAMP, lambda x: cg.clamp(x, -0.1, 0.7), _clamp_inputs),
    "clamp_inverted": (K.CLAMP, lambda x: cg.clamp(x, 1.0, -1.0), _clamp_inputs),
    "clamp_tensor": (K.CLAMP_TENSOR, lambda x, lo, hi: cg.clamp(x, lo, hi),
                     _clamp_tensor_inputs(2)),
    "clamp_tensor_min": (K.CLAMP_TENSOR, lambda x, lo: cg.clamp(x, min=lo),
                         _clamp_tensor_inputs(1)),
    "clamp_tensor_max": (K.CLAMP_TENSOR, lambda x, hi: cg.clamp(x, max=hi),
                         _clamp_tensor_inputs(1)),
    "rpow": (K.RPOW_SCALAR, lambda x: 2.0 ** x, _rpow_inputs),
    "rpow_frac": (K.RPOW_SCALAR, lambda x: 0.3 ** x, _rpow_inputs),
    "rpow_zero": (K.RPOW_SCALAR, lambda x: 0.0 ** x, _rpow_inputs),
    "rpow_negative": (K.RPOW_SCALAR, lambda x: (-2.0) ** x, _rpow_inputs),
    "maximum": (K.MAXIMUM, cg.maximum, _pair_inputs),
    "minimum": (K.MINIMUM, cg.minimum, _pair_inputs),
    "where": (K.WHERE, _where, lambda dt, rng: [values(dt, rng), values(dt, rng)]),
    "where_row": (K.WHERE, _where_row, lambda dt, rng: [values(dt, rng), values(dt, rng)]),
    "where_scalar": (K.WHERE, lambda a: cg.where(cg.tensor(a._data > 0), a, 0.5),
                     lambda dt, rng: [values(dt, rng)]),
    "pow": (K.POW, lambda a, b: a ** b, _pow_inputs),
    "pow_positive": (K.POW, lambda a, b: a ** b,
                     lambda dt, rng: [values(dt, rng, positive=True), values(dt, rng)]),
    "pow_int_exponent": (K.POW, lambda a, b: a ** b, _pow_int_inputs),
}

# Layouts the op's operands take (see `operands`); "fast" is the raw-loop layout.
LAYOUTS = ["fast", "strided", "broadcast", "outer", "scalar", "mixed"]


def _other(dt):
    return F64 if dt == F32 else F32


def operands(arrays, layout):
    """The op's input arrays for a layout (input 0 is the one that is always float).

    strided: non-contiguous views (set up in `run`); broadcast: a size-1 last operand; outer:
    (8, 1) against (1, 8) (three operands: (8, 8), (8, 1), (1, 8)); scalar: 0-d operands;
    mixed: input 0 in the other float dtype (float32 against float64).
    """
    if layout == "broadcast" and len(arrays) > 1:
        return [*arrays[:-1], arrays[-1][:1]]
    if layout == "outer":
        if len(arrays) == 1:
            return [arrays[0].reshape(8, 8)]
        if len(arrays) == 2:
            return [arrays[0][:8].reshape(8, 1), arrays[1][8:16].reshape(1, 8)]
        return [arrays[0].reshape(8, 8), arrays[1][:8].reshape(8, 1),
                arrays[2][8:16].reshape(1, 8)]
    if layout == "scalar":
        return [np.array(a[k]) for k, a in enumerate(arrays)]
    if layout == "mixed":
        return [arrays[0].astype(_other(arrays[0].dtype)), *arrays[1:]]
    return list(arrays)


def run(engine_name, fn, arrays, g, chained, layout, caught=None):
    """Backward of fn(*leaves) under one engine: the leaves' gradients (None for a leaf that
    does not require grad, e.g. an integer exponent).

    chained: the op's output is multiplied by a weight first, so the gradient reaching the op
    is a fresh array nobody else holds (the kernels may then reuse its buffer); else it is the
    caller's array. For "broadcast" with one operand, the gradient reaching the op is a
    broadcast sum instead. With a list `caught`, NumPy's error state is left as the caller set
    it and the warnings are appended to the list as (category, text).
    """
    quiet = caught is None
    with _engine.use(engine_name), warnings.catch_warnings(record=not quiet) as ws:
        warnings.simplefilter("ignore" if quiet else "always")
        with np.errstate(**({"all": "ignore"} if quiet else {})):
            ops = operands(arrays, layout)
            if layout == "strided":
                leaves = [cg.tensor(np.repeat(a, 2), requires_grad=a.dtype.kind == "f")
                          for a in ops]
                ins = [t[::2] for t in leaves]
            else:
                leaves = [cg.tensor(a, requires_grad=a.dtype.kind == "f") for a in ops]
                ins = leaves
            out = fn(*ins)
            gflat = g.astype(out.dtype)
            if layout == "broadcast" and len(arrays) == 1:
                out = out + cg.zeros((3, 1), dtype=out.dtype)  # the op's gradient: a sum
                gg = np.broadcast_to(gflat, out.shape).copy()
            else:
                gg = gflat[gflat.size - out._data.size:].reshape(out.shape)
            if layout == "strided" and not chained:
                # a non-contiguous incoming gradient as well
                gt = cg.Tensor._from_array(np.repeat(gg, 2)[::2])
            else:
                gt = cg.tensor(gg)
            if chained:
                w = cg.tensor(np.full(out.shape, 0.75, dtype=out.dtype))
                (out * w).backward(gradient=gt)
            else:
                out.backward(gradient=gt)
    if not quiet:
        caught.extend((w.category.__name__, str(w.message)) for w in ws)
    return [t.grad._data if t.grad is not None else None for t in leaves]


def _seed(*key):
    return zlib.crc32(repr(key).encode())


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("chained", [False, True])
@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("case", sorted(CASES))
def test_engines_agree_bitwise(both, case, dtype, chained, layout):
    _, fn, make = CASES[case]
    rng = np.random.default_rng(_seed(case, dtype.__name__))
    arrays = make(dtype, rng)
    g = grad_values(dtype, rng)
    got = run("cpp", fn, arrays, g, chained, layout)
    want = run("python", fn, arrays, g, chained, layout)
    for a, b in zip(got, want):
        assert (a is None) == (b is None)
        if a is not None:
            assert bits_equal(a, b), (case, a, b)


@pytest.mark.parametrize("dtype", [F32, F64])
def test_maximum_one_input_needs_grad(both, dtype):
    rng = np.random.default_rng(5)
    a, b = _pair_inputs(dtype, rng)
    g = grad_values(dtype, rng)
    res = []
    for name in ("cpp", "python"):
        with _engine.use(name), np.errstate(all="ignore"):
            ta = cg.tensor(a, requires_grad=True)
            tb = cg.tensor(b)
            cg.maximum(tb, ta).backward(gradient=cg.tensor(g))
            res.append(ta.grad._data)
    assert bits_equal(*res)


def _forbid(monkeypatch, kind):
    def boom(*args, **kwargs):
        raise AssertionError(f"reference kernel of kind {kind} called")

    monkeypatch.setitem(ref_kernels._KERNELS, kind, boom)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("case", sorted(CASES))
def test_runs_natively(engine, monkeypatch, case, dtype, layout):
    if engine != "cpp":
        pytest.skip("the reference engine always runs the NumPy kernels")
    kind, fn, make = CASES[case]
    rng = np.random.default_rng(7)
    arrays = make(dtype, rng)
    g = grad_values(dtype, rng)
    _forbid(monkeypatch, kind)
    for chained in (False, True):
        grads = run("cpp", fn, arrays, g, chained, layout)
        for a, grad in zip(operands(arrays, layout), grads):
            assert (grad is None) == (a.dtype.kind != "f")


def test_forbidden_kernel_is_noticed(engine, monkeypatch):
    """The check above can fail: the reference engine does run the forbidden kernel."""
    if engine != "cpp":
        pytest.skip("runs the python engine itself")
    kind, fn, make = CASES["pow"]
    rng = np.random.default_rng(7)
    _forbid(monkeypatch, kind)
    with pytest.raises(AssertionError, match="reference kernel"):
        run("python", fn, make(F32, rng), grad_values(F32, rng), False, "outer")


# Layouts off the raw loops: a strided operand for the unary kinds; broadcast (8, 1) x (1, 8)
# and mixed dtypes for the others (POW has no raw loop at all).
_GENERAL = [(c, lay) for c in sorted(CASES) for lay in ("strided", "outer", "mixed")
            if lay == "strided" or len(CASES[c][2](F32, np.random.default_rng(0))) > 1]


@pytest.mark.parametrize(("case", "layout"), _GENERAL)
def test_warnings_match_reference(both, case, layout):
    """Off the raw loops, the C++ kernels emit exactly the reference kernel's NumPy warnings:
    none where it uses np.errstate, the same ones where it does not."""
    _, fn, make = CASES[case]
    rng = np.random.default_rng(_seed(case, "warnings"))
    with np.errstate(all="ignore"):
        arrays = make(F32, rng)
        g = grad_values(F32, rng)
    got, want = [], []
    with np.errstate(divide="warn", over="warn", invalid="warn", under="ignore"):
        run("cpp", fn, arrays, g, False, layout, caught=got)
        run("python", fn, arrays, g, False, layout, caught=want)
    assert got == want


@pytest.mark.parametrize("dtype", [F32, F64])
def test_pow_errstate_like_reference(both, dtype):
    """0 ** -1 = inf, (-2) ** 0.5 = NaN, log(0), log(-2): the reference computes POW's terms
    under np.errstate(divide="ignore", invalid="ignore"), so even with every floating-point
    error set to raise, neither engine's kernel raises; the gradients agree bit for bit."""
    a = np.array([0.0, 0.0, -2.0, -2.0], dtype=dtype)
    b = np.array([-1.0, 0.5, -1.0, 0.5], dtype=dtype)
    res = []
    for name in ("cpp", "python"):
        with _engine.use(name):
            ta, tb = cg.tensor(a, requires_grad=True), cg.tensor(b, requires_grad=True)
            with np.errstate(all="ignore"):
                y = (ta ** tb).sum()
            with np.errstate(all="raise"):
                y.backward()
            res.append((ta.grad._data, tb.grad._data))
    for got, want in zip(*res):
        assert bits_equal(got, want)
    ga, gb = res[0]
    assert ga[0] == -np.inf and ga[2] == -0.25 and np.isnan(ga[3])
    assert np.isnan(gb[2])  # y * log(-2)


# The basic unary kinds of csrc/kernels.cpp off their raw loops' layout (strided saved arrays).
BASIC = {
    "exp": (cg.exp, False),
    "log": (cg.log, True),
    "log_neg": (cg.log, False),
    "tanh": (cg.tanh, False),
    "sigmoid": (cg.sigmoid, False),
    "relu": (cg.relu, False),
    "rdiv": (lambda x: 2.5 / x, False),
    **{f"pow_scalar_{e}": (lambda x, e=e: x ** e, e % 1 != 0)
       for e in (0.0, 1.0, 2.0, 3.0, 4.0, 1.5, 0.5, -0.5, -1.0, 2.5, 1e-50)},
}


@pytest.mark.parametrize("chained", [False, True])
@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("case", sorted(BASIC))
def test_basic_kinds_strided_native_and_bitwise(both, monkeypatch, case, dtype, chained):
    fn, positive = BASIC[case]
    rng = np.random.default_rng(_seed(case, dtype.__name__))
    arrays = [values(dtype, rng, positive)]
    g = grad_values(dtype, rng)
    want = run("python", fn, arrays, g, chained, "strided")

    def boom(*args, **kwargs):
        raise AssertionError("reference kernel called")

    monkeypatch.setattr(ref_kernels, "backward", boom)
    got = run("cpp", fn, arrays, g, chained, "strided")
    assert bits_equal(got[0], want[0]), (case, got[0], want[0])


def test_basic_forbidden_kernel_is_noticed(both, monkeypatch):
    """The check above can fail: the fallback goes through ref_kernels.backward."""
    def boom(*args, **kwargs):
        raise AssertionError("reference kernel called")

    monkeypatch.setattr(ref_kernels, "backward", boom)
    with pytest.raises(AssertionError, match="reference kernel"):
        run("python", cg.exp, [np.ones(N, F32)], np.ones(N, F32), False, "strided")
