"""The C++ backward kernels of the elementwise kinds (csrc/kernels_pointwise.cpp) agree bit for
bit with the reference NumPy kernels, including at 0, +-inf, NaN, ties and clamp bounds; they
run natively on the fast layout (same-shape C-contiguous float32/float64) and fall back to the
reference kernel for every other layout.

The comparisons build the same computation in each engine themselves, so they run once (under
the ``cpp`` parametrization of the autouse ``engine`` fixture).
"""

from __future__ import annotations

import warnings

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
    "where": (
        K.WHERE,
        lambda a, b: cg.where(cg.tensor(np.arange(N) % 3 == 0), a, b),
        lambda dt, rng: [values(dt, rng), values(dt, rng)],
    ),
}


def run(engine_name, fn, arrays, g, chained, layout):
    """Backward of fn(*leaves) under one engine: the leaves' gradients.

    chained: the op's output is multiplied by a weight first, so the gradient reaching the op
    is a fresh array nobody else holds (the kernels may then reuse its buffer); else it is the
    caller's array. layout "fast", "strided" (the op sees non-contiguous inputs) or
    "broadcast" (a size-1 operand for binary ops, a broadcast gradient for unary ones).
    """
    with _engine.use(engine_name), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            if layout == "strided":
                leaves = [cg.tensor(np.repeat(a, 2), requires_grad=True) for a in arrays]
                ins = [t[::2] for t in leaves]
            elif layout == "broadcast" and len(arrays) == 2:
                leaves = [cg.tensor(arrays[0], requires_grad=True),
                          cg.tensor(arrays[1][:1], requires_grad=True)]
                ins = leaves
            else:
                leaves = [cg.tensor(a, requires_grad=True) for a in arrays]
                ins = leaves
            out = fn(*ins)
            if layout == "broadcast" and len(arrays) == 1:
                out = out + cg.zeros((3, 1), dtype=out.dtype)  # the op's gradient: a sum
                gg = np.broadcast_to(g, out.shape).copy()
            else:
                gg = g
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
    return [t.grad._data if t.grad is not None else None for t in leaves]


@pytest.mark.parametrize("layout", ["fast", "strided", "broadcast"])
@pytest.mark.parametrize("chained", [False, True])
@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("case", sorted(CASES))
def test_engines_agree_bitwise(both, case, dtype, chained, layout):
    _, fn, make = CASES[case]
    rng = np.random.default_rng(abs(hash((case, dtype.__name__))) % 2**32)
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


@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("case", sorted(CASES))
def test_runs_natively_on_fast_layout(engine, monkeypatch, case, dtype):
    if engine != "cpp":
        pytest.skip("the reference engine always runs the NumPy kernels")
    kind, fn, make = CASES[case]
    rng = np.random.default_rng(7)
    arrays = make(dtype, rng)
    g = grad_values(dtype, rng)
    _forbid(monkeypatch, kind)
    for chained in (False, True):
        grads = run("cpp", fn, arrays, g, chained, "fast")
        assert all(x is not None for x in grads)


@pytest.mark.parametrize(
    "case", ["abs", "sqrt", "clamp", "clamp_tensor", "maximum", "where", "rpow"])
def test_other_layouts_fall_back(engine, monkeypatch, case):
    if engine != "cpp":
        pytest.skip("the reference engine always runs the NumPy kernels")
    kind, fn, make = CASES[case]
    rng = np.random.default_rng(9)
    arrays = make(F32, rng)
    g = grad_values(F32, rng)
    _forbid(monkeypatch, kind)
    with pytest.raises(AssertionError, match="reference kernel"):
        run("cpp", fn, arrays, g, False, "strided")
