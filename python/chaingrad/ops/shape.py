"""Shape ops: reshape/view/flatten, permute/transpose, squeeze/unsqueeze, expand, narrow/select,
casts and copies. Views share memory and the version counter with their base, as in torch."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _kinds as K
from ..tensor import Tensor
from ._common import ShapeError, as_tensor, needs_grad, normalize_dims, record, wrap, wrap_dim
from .functions import view_of


def _reshape_view(d: np.ndarray, shape: tuple) -> np.ndarray:
    """Reshape without copying, or raise ValueError mentioning 'copy'."""
    try:
        return np.reshape(d, shape, copy=False)
    except TypeError:  # NumPy < 2.1 has no copy= argument
        d.reshape(shape)  # raises ValueError for a shape of the wrong size
        v = d.view()
        try:
            v.shape = shape
        except AttributeError:
            raise ValueError("cannot view without a copy") from None
        return v


def _reshape(a: Tensor, shape: tuple, must_view: bool = False,
             name: str = "ViewBackward0") -> Tensor:
    """reshape/view/flatten/squeeze/unsqueeze: a view when the layout allows it (RESHAPE)."""
    d = a._data
    try:
        r = _reshape_view(d, shape) if must_view else d.reshape(shape)
    except ValueError as e:
        if "copy" in str(e):
            raise RuntimeError(
                f"view size {list(shape)} is not compatible with input tensor's size "
                f"{list(d.shape)} and stride (at least one dimension spans across two "
                "contiguous subspaces). Use .reshape(...) instead."
            ) from None
        raise RuntimeError(
            f"shape '{list(shape)}' is invalid for input of size {d.size}"
        ) from None
    out = view_of(r, a)
    if needs_grad(a):
        record(K.RESHAPE, name, (a,), out)
    return out


def _permute(a: Tensor, dims: tuple, name: str) -> Tensor:
    out = view_of(np.transpose(a._data, dims), a)
    if needs_grad(a):
        record(K.PERMUTE, name, (a,), out, (), dims)
    return out


def _copy(a: Tensor, arr: np.ndarray, name: str) -> Tensor:
    """A cast or clone of ``a`` (TO_COPY: the gradient passes through, cast back by the engine)."""
    out = wrap(arr)
    if needs_grad(a):
        record(K.TO_COPY, name, (a,), out)
    return out


def _shape_args(shape: tuple) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    for s in shape:
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"shape must be a sequence of ints, got {shape!r}")
    return tuple(int(s) for s in shape)


def reshape(a: Tensor, *shape: Any) -> Tensor:
    """A view when the memory layout allows it, else a copy (torch's reshape)."""
    return _reshape(a, _shape_args(shape))


def view(a: Tensor, *shape: Any, dtype: Any = None) -> Tensor:
    """Always a view; raises when the layout would need a copy (use reshape then).
    ``view(dtype)`` reinterprets the bytes instead (see ``ops/view_dtype.py``)."""
    if dtype is not None or (
        len(shape) == 1 and not isinstance(shape[0], (int, np.integer, tuple, list))
    ):
        from .view_dtype import view_dtype

        if (dtype is not None and shape) or len(shape) > 1:
            raise TypeError("view(): takes either a dtype or a shape, not both")
        return view_dtype(a, shape[0] if dtype is None else dtype)
    return _reshape(a, _shape_args(shape), True)


def view_as(a: Tensor, other: Tensor) -> Tensor:
    return view(a, tuple(other.shape))


def reshape_as(a: Tensor, other: Tensor) -> Tensor:
    return reshape(a, tuple(other.shape))


def flatten(a: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims ``start_dim..end_dim`` into one (a 0-d tensor becomes 1-d, as torch)."""
    if a.ndim == 0:
        return _reshape(a, (1,))
    s = wrap_dim(start_dim, a.ndim, "flatten")
    e = wrap_dim(end_dim, a.ndim, "flatten")
    if s > e:
        raise ValueError(f"flatten: start_dim ({start_dim}) cannot come after end_dim ({end_dim})")
    shape = a._data.shape
    new = shape[:s] + (int(np.prod(shape[s:e + 1])),) + shape[e + 1:]
    if new == shape:
        return a
    return _reshape(a, new)


def unflatten(a: Tensor, dim: int, sizes: Any) -> Tensor:
    d = wrap_dim(dim, a.ndim, "unflatten")
    sizes = _shape_args(tuple(sizes))
    shape = a._data.shape
    return _reshape(a, shape[:d] + sizes + shape[d + 1:])


def permute(a: Tensor, *dims: Any, name: str | None = None) -> Tensor:
    dims = _shape_args(dims)
    nd = normalize_dims(dims, a.ndim, "permute") if dims else ()
    if len(nd) != a.ndim:
        raise RuntimeError(
            f"permute: number of dims ({len(dims)}) doesn't match the tensor's {a.ndim} dims "
            f"(shape {tuple(a.shape)})"
        )
    return _permute(a, nd, "PermuteBackward0")


def transpose(a: Tensor, dim0: int, dim1: int) -> Tensor:
    d0 = wrap_dim(dim0, a.ndim, "transpose")
    d1 = wrap_dim(dim1, a.ndim, "transpose")
    perm = list(range(a.ndim))
    if a.ndim:
        perm[d0], perm[d1] = perm[d1], perm[d0]
    return _permute(a, tuple(perm), "TransposeBackward0")


swapaxes = transpose
swapdims = transpose


def t(a: Tensor) -> Tensor:
    """Transpose of a matrix (0-d and 1-d tensors are returned as they are)."""
    if a.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {a.ndim}D")
    return transpose(a, 0, 1) if a.ndim == 2 else a


def unsqueeze(a: Tensor, dim: int) -> Tensor:
    n = a.ndim + 1
    d = wrap_dim(dim, n, "unsqueeze")
    shape = list(a._data.shape)
    shape.insert(d, 1)
    return _reshape(a, tuple(shape), name="UnsqueezeBackward0")


def squeeze(a: Tensor, dim: Any = None) -> Tensor:
    shape = a._data.shape
    if dim is None:
        new = tuple(s for s in shape if s != 1)
    else:
        dims = normalize_dims(dim, a.ndim, "squeeze")
        new = tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1))
    return _reshape(a, new, name="SqueezeBackward1")


def expand(a: Tensor, *sizes: Any) -> Tensor:
    """A read-only broadcast view; -1 keeps a dimension's size."""
    sizes = _shape_args(sizes)
    shape = a._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to "
            f"the number of dimensions in the tensor ({len(shape)})"
        )
    lead = len(sizes) - len(shape)
    target = tuple(
        (shape[i - lead] if s == -1 else s) if i >= lead else s for i, s in enumerate(sizes)
    )
    if any(s < 0 for s in target) or any(
        s != shape[i - lead] and shape[i - lead] != 1 for i, s in enumerate(target) if i >= lead
    ):
        raise ShapeError(f"expand: shape {tuple(shape)} cannot be expanded to {sizes}")
    if target == tuple(shape):
        return a
    # A read-only broadcast view: writing through it would alias elements (torch refuses
    # in-place ops on expanded tensors too).
    out = view_of(np.broadcast_to(a._data, target), a)
    if needs_grad(a):
        record(K.EXPAND, "ExpandBackward0", (a,), out)
    return out


# Both go through the Tensor method, so they take expand's native fast path when installed
# (expand's own argument handling accepts the same forms and words the same errors).
def expand_as(a: Tensor, other: Tensor) -> Tensor:
    return a.expand(tuple(other.shape))


def broadcast_to(a: Tensor, shape: Any) -> Tensor:
    return as_tensor(a).expand(shape)


def narrow(a: Tensor, dim: int, start: int, length: int) -> Tensor:
    """The view ``a[..., start:start + length, ...]`` along ``dim``."""
    from .indexing import basic_index

    d = wrap_dim(dim, a.ndim, "narrow")
    n = a._data.shape[d]
    if start < 0:
        start += n
    if not (0 <= start <= n) or length < 0 or start + length > n:
        raise IndexError(
            f"narrow: start ({start}) + length ({length}) is out of range for dimension {d} "
            f"of size {n}"
        )
    key = (slice(None),) * d + (slice(start, start + length),)
    return basic_index(a, key, "SliceBackward0")


def select(a: Tensor, dim: int, index: int) -> Tensor:
    """The view ``a[..., index, ...]`` along ``dim`` (that dimension removed)."""
    from .indexing import basic_index

    d = wrap_dim(dim, a.ndim, "select")
    n = a._data.shape[d]
    if not -n <= index < n:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {tuple(a.shape)} at "
            f"dimension {d}"
        )
    key = (slice(None),) * d + (int(index) % n,)
    return basic_index(a, key, "SelectBackward0")


_DEVICES = ("cpu", "cuda", "mps", "meta", "xpu")


def _is_device(x: Any) -> bool:
    if isinstance(x, str):
        return x.split(":")[0] in _DEVICES
    return type(x).__name__ == "device"


def _check_device(x: Any) -> None:
    name = x if isinstance(x, str) else str(getattr(x, "type", x))
    if not name.startswith("cpu"):
        raise RuntimeError(f"to(): chaingrad runs on the CPU only; got device {name!r}")


def to(a: Tensor, *args: Any, dtype: Any = None, device: Any = None, **_: Any) -> Tensor:
    """Cast to a dtype (``to(dtype)``, ``to(other)``, ``to('cpu', dtype)``); a no-op when
    nothing changes. Devices other than the CPU are refused."""
    from ..dtypes import resolve_dtype

    for x in args:
        if isinstance(x, Tensor):
            dtype = x.dtype
        elif _is_device(x):
            _check_device(x)
        elif x is not None:
            dtype = x
    if device is not None:
        _check_device(device)
    if dtype is None:
        return a
    dt = resolve_dtype(dtype)
    if dt == a.dtype:
        return a
    if a._requires_grad and dt.kind != "f":
        # Leaving the floats ends the graph, as in torch.
        return Tensor._from_array(a._data.astype(dt))
    return _copy(a, a._data.astype(dt), "ToCopyBackward0")


def clone(a: Tensor) -> Tensor:
    return _copy(a, np.array(a._data, copy=True), "CloneBackward0")


def contiguous(a: Tensor) -> Tensor:
    """``a`` if C-contiguous, else a C-contiguous copy (clone keeps the layout, as torch's)."""
    if a._data.flags.c_contiguous:
        return a
    return _copy(a, np.array(a._data, copy=True, order="C"), "CloneBackward0")
