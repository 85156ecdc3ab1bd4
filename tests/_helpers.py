"""Helpers shared by the op tests: building inputs from ``op_db`` specs and comparing arrays."""

from __future__ import annotations

import gc
import types
import zlib
from typing import Any

import numpy as np

import chaingrad as cg

from .op_db import Case


def case_rng(case: Case) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(case.name.encode()))


def case_arrays(case: Case, dtype: Any = np.float64) -> list[np.ndarray]:
    rng = case_rng(case)
    out = []
    for inp in case.inputs:
        a = inp.array(rng)
        out.append(a.astype(dtype) if a.dtype.kind == "f" else a)
    return out


def requires_grad(case: Case, arrays: list[np.ndarray]) -> list[bool]:
    return [inp.grad and a.dtype.kind == "f" for inp, a in zip(case.inputs, arrays)]


def cg_inputs(case: Case, dtype: Any = np.float64) -> list[cg.Tensor]:
    arrays = case_arrays(case, dtype)
    return [cg.tensor(a, requires_grad=g) for a, g in zip(arrays, requires_grad(case, arrays))]


def first(r: Any) -> Any:
    return r[0] if isinstance(r, (tuple, list)) else r


def ulp_close(actual: np.ndarray, expected: np.ndarray, ulps: float) -> tuple[bool, str]:
    """Whether every element is within ``ulps`` units in the last place (NaNs must match)."""
    a = np.asarray(actual)
    e = np.asarray(expected)
    if a.shape != e.shape:
        return False, f"shapes differ: {a.shape} vs {e.shape}"
    nan_a, nan_e = np.isnan(a), np.isnan(e)
    if (nan_a != nan_e).any():
        return False, "NaN positions differ"
    ok = ~nan_a
    diff = np.abs(a[ok].astype(np.float64) - e[ok].astype(np.float64))
    tol = ulps * np.spacing(np.abs(e[ok]).astype(e.dtype)).astype(np.float64)
    inf_ok = np.isinf(e[ok]) & (a[ok] == e[ok])
    bad = ~((diff <= tol) | inf_ok)
    if bad.any():
        k = int(np.argmax(np.where(bad, diff / np.maximum(tol, 1e-300), 0)))
        return False, (f"{int(bad.sum())} elements beyond {ulps} ulp; worst: "
                       f"{a[ok].ravel()[k]!r} vs {e[ok].ravel()[k]!r}")
    return True, ""


def assert_close(actual: Any, expected: Any, *, exact: bool, what: str,
                 rtol64: float = 1e-6) -> None:
    a = np.asarray(actual)
    e = np.asarray(expected)
    assert a.shape == e.shape, f"{what}: shape {a.shape} vs {e.shape}"
    if a.dtype.kind != "f" or e.dtype.kind != "f":
        assert np.array_equal(a, e), f"{what}: values differ\n{a}\n{e}"
        return
    assert a.dtype == e.dtype, f"{what}: dtype {a.dtype} vs {e.dtype}"
    if exact:
        ok, msg = ulp_close(a, e, 4)
        assert ok, f"{what}: {msg}"
        return
    rtol = rtol64 if e.dtype == np.float64 else 1e-5
    finite = np.isfinite(e)
    scale = float(np.max(np.abs(e[finite]))) if finite.any() else 1.0
    np.testing.assert_allclose(a, e, rtol=rtol, atol=rtol * max(scale, 1e-3), equal_nan=True,
                               err_msg=what)


def bits_equal(a: Any, b: Any) -> bool:
    """Same dtype, shape and bits (any NaN matches any NaN: payloads differ between loops)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind != "f":
        return bool(np.array_equal(a, b))
    ia = a.view(np.uint32 if a.dtype == np.float32 else np.uint64)
    ib = b.view(np.uint32 if b.dtype == np.float32 else np.uint64)
    return bool(np.all((ia == ib) | (np.isnan(a) & np.isnan(b))))


def _ours(o: Any) -> bool:
    if isinstance(o, np.ndarray):
        return True
    mod = o.__module__ if type(o) is types.FunctionType else type(o).__module__
    return (mod or "").startswith("chaingrad")


def garbage_of_ours() -> list:
    """Run the cycle collector and return what it found that is chaingrad's (tensors, nodes,
    contexts, functions) or a NumPy array: a graph must be freed by reference counting alone.
    Cycles that other libraries leave behind (matplotlib's figures, from the demo test) are not
    counted, so the check does not depend on which tests ran before."""
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        return [o for o in gc.garbage if _ours(o)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.collect()  # free what DEBUG_SAVEALL kept
