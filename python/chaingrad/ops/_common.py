"""Helpers shared by the op modules: operand conversion, dtype promotion, recording."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import engine as _engine
from .. import grad_mode as _gm
from ..dtypes import category
from ..tensor import Tensor

wrap = Tensor._from_array
_F32 = np.dtype(np.float32)
_SCALARS = (int, float, bool)


def as_tensor(x: Any, what: str = "operand") -> Tensor:
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (np.ndarray, np.generic, list, tuple)) or isinstance(x, _SCALARS):
        return Tensor(x) if not isinstance(x, np.ndarray) else wrap(_checked(x, what))
    raise TypeError(f"{what}: expected a Tensor, NumPy array or number, got {type(x).__name__}")


def _checked(a: np.ndarray, what: str) -> np.ndarray:
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{what}: arrays of dtype {a.dtype} are not supported")
    return a


def result_dtype(a: np.ndarray, b: np.ndarray) -> np.dtype:
    """torch's promotion: the higher category wins; within it, dimensioned beats 0-d."""
    da, db = a.dtype, b.dtype
    if da == db:
        return da
    ca, cb = category(da), category(db)
    if ca != cb:
        return da if ca > cb else db
    if a.ndim and not b.ndim:
        return da
    if b.ndim and not a.ndim:
        return db
    return np.promote_types(da, db)


def result_dtype_n(*arrays: np.ndarray) -> np.dtype:
    """``result_dtype`` of several operands: dimensioned ones decide within a category."""
    dims = [a.dtype for a in arrays if a.ndim]
    zero = [a.dtype for a in arrays if not a.ndim]
    d = _promote_all(dims)
    z = _promote_all(zero)
    if d is None:
        return z  # type: ignore[return-value]
    if z is None or category(z) <= category(d):
        return d
    return z


def _promote_all(dts: list) -> np.dtype | None:
    if not dts:
        return None
    out = dts[0]
    for dt in dts[1:]:
        if category(dt) != category(out):
            out = dt if category(dt) > category(out) else out
        else:
            out = np.promote_types(out, dt)
    return out


def scalar_result_dtype(a: np.ndarray, s: Any) -> np.dtype | None:
    """A Python number never widens a tensor's dtype; it only lifts int/bool to float32."""
    k = a.dtype.kind
    if isinstance(s, float) and k != "f":
        return _F32
    if isinstance(s, int) and not isinstance(s, bool) and k == "b":
        return np.dtype(np.int64)
    return None


def needs_grad(*ts: Tensor) -> bool:
    if not _gm._enabled[0]:
        return False
    for t in ts:
        if t._requires_grad:
            return True
    return False


def record(kind: int, name: str, inputs: tuple, out: Tensor, save: tuple = (),
           scalars: tuple = ()) -> None:
    _engine._current[0].record(kind, name, inputs, (out,), save, scalars, None)


# The NumPy reductions without their Python layers: for an exact ndarray, np.sum/np.amax/np.amin/
# np.prod call exactly these ufunc reductions (fromnumeric._wrapreduction); subclasses keep the
# functions, which defer to their methods.
def _reduction(reduce: Any, fn: Any) -> Any:
    def call(d: np.ndarray, axis: Any = None, keepdims: bool = False) -> Any:
        if type(d) is np.ndarray:
            return reduce(d, axis=axis, keepdims=keepdims)
        return fn(d, axis=axis, keepdims=keepdims)

    return call


np_sum = _reduction(np.add.reduce, np.sum)
np_amax = _reduction(np.maximum.reduce, np.amax)
np_amin = _reduction(np.minimum.reduce, np.amin)
np_prod = _reduction(np.multiply.reduce, np.prod)


def as_array(r: Any) -> np.ndarray:
    """NumPy returns scalars for 0-d results; the engines want arrays."""
    return r if type(r) is np.ndarray else np.asarray(r)


class ShapeError(RuntimeError, ValueError):
    """Shapes that do not fit together. torch raises RuntimeError; NumPy users expect
    ValueError; this is both."""


def broadcast_error(op: str, a: Any, b: Any) -> ShapeError:
    return ShapeError(
        f"{op}: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be broadcast together"
    )


def float_dtype(dt: np.dtype) -> np.dtype:
    """The dtype a floating op computes in: floats keep theirs, ints and bools get float32."""
    return dt if dt.kind == "f" else _F32


def reduce_dims(dim: Any, ndim: int, op: str) -> tuple[int, ...]:
    """``dim`` of a reduction: None or () mean every dimension (torch's convention)."""
    if dim is None:
        return tuple(range(ndim))
    dims = normalize_dims(dim, ndim, op)
    return dims if dims or ndim == 0 else tuple(range(ndim))


def wrap_dim(dim: Any, ndim: int, op: str) -> int:
    """One dimension index, wrapped; a 0-d tensor accepts 0 and -1 like torch."""
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{op}: dim must be an int, got {dim!r}")
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"{op}: Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
            f"but got {dim})"
        )
    return int(dim) % n


def normalize_dims(dim: Any, ndim: int, op: str) -> tuple[int, ...]:
    if type(dim) is int and -ndim <= dim < ndim:  # the common form, checked as below
        return (dim % ndim,)
    if isinstance(dim, (int, np.integer)):
        dims: tuple = (dim,)
    elif isinstance(dim, (tuple, list)):
        dims = tuple(dim)
    else:
        raise TypeError(f"{op}: dim must be an int or a tuple of ints, got {dim!r}")
    n = max(ndim, 1)
    out = []
    for d in dims:
        if not isinstance(d, (int, np.integer)) or isinstance(d, bool):
            raise TypeError(f"{op}: dim must be an int or a tuple of ints, got {d!r}")
        if not -n <= d < n:
            raise IndexError(
                f"{op}: Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                f"but got {d})"
            )
        d = int(d) % n
        if d in out:
            raise RuntimeError(f"{op}: dim {d} appears multiple times in the list of dims")
        out.append(d)
    if ndim == 0:
        return ()
    return tuple(out)
