"""``Tensor``: a NumPy array plus the autograd state PyTorch users expect.

The array lives in ``_data``. Autograd state is a handful of slots the engines read directly:
``_requires_grad``, ``_grad_fn``/``_output_nr`` (the node that made a non-leaf), ``_acc`` (a
leaf's gradient sink, which also holds its ``.grad``), ``_vc`` (version counter shared with
views, for in-place checks), ``_retain`` (the cell of ``retain_grad``) and ``_view`` (for a view:
its base and how it was made, see ``ops/_views.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from . import _bridge
from . import engine as _engine
from ._format import format_tensor
from .dtypes import get_default_dtype, resolve_dtype

if TYPE_CHECKING:
    # The types of the methods _ops_install attaches (generated: tools/gen_tensor_stub.py).
    from ._tensor_methods import _TensorMethods
else:
    _TensorMethods = object

_GRAD_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


class Size(tuple):
    """A tensor's shape; a tuple that prints like ``torch.Size``."""

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"  # as torch prints it, like dtypes (see _format.py)

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n


class _RetainCell:
    __slots__ = ("grad",)

    def __init__(self) -> None:
        self.grad: Tensor | None = None


class _TensorHookHandle:
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def remove(self) -> None:
        self._inner.remove()


class Tensor(_TensorMethods):
    """A multi-dimensional array that can record the operations applied to it."""

    __slots__ = (
        "_data", "_requires_grad", "_grad_fn", "_output_nr", "_acc", "_vc", "_retain", "_view",
        "__weakref__",
    )
    # Make NumPy's binary operators defer to ours: ``ndarray * Tensor`` calls __rmul__.
    __array_priority__ = 1000

    def __init__(self, data: Any, dtype: Any = None, requires_grad: bool = False) -> None:
        self._set_fields(_to_array(data, dtype))
        if requires_grad:
            self.requires_grad = True

    def _set_fields(self, arr: np.ndarray, vc: list | None = None) -> None:
        """Every slot of a fresh tensor outside any graph (the one place that lists them)."""
        self._data = arr
        self._requires_grad = False
        self._grad_fn = None
        self._output_nr = 0
        self._acc = None
        self._vc = vc
        self._retain = None
        self._view = None

    @classmethod
    def _from_array(cls, arr: np.ndarray) -> Tensor:
        """Wrap an array without copying or checking (internal fast path)."""
        t = object.__new__(cls)
        t._set_fields(arr)
        return t

    # ------------------------------------------------------------------ attributes
    @property
    def data(self) -> Tensor:
        """A tensor sharing this one's array, cut from the graph (torch's ``.data``)."""
        t = Tensor._from_array(self._data)
        t._vc = self._version_counter()
        return t

    @data.setter
    def data(self, value: Any) -> None:
        arr = value._data if isinstance(value, Tensor) else _to_array(value, None)
        self._data = arr

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if not isinstance(value, bool):
            raise TypeError(f"requires_grad must be a bool, got {type(value).__name__}")
        if self._grad_fn is not None and not value:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if value and self._data.dtype not in _GRAD_DTYPES:
            raise RuntimeError(
                "Only Tensors of floating point dtype can require gradients; chaingrad "
                f"supports float32 and float64 (got dtype {self._data.dtype})"
            )
        self._requires_grad = value

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        self.requires_grad = requires_grad
        return self

    @property
    def grad(self) -> Tensor | None:
        if self._grad_fn is None:
            acc = self._acc
            return None if acc is None else acc.grad
        cell = self._retain
        return None if cell is None else cell.grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad must be a Tensor or None, got {type(value).__name__}"
                )
            if value.shape != self.shape:
                raise RuntimeError(
                    f"assigned grad has data of a different size: got {list(value.shape)}, "
                    f"expected {list(self.shape)}"
                )
            if value.dtype != self.dtype:
                raise RuntimeError(
                    f"assigned grad has data of a different type: got {value.dtype}, "
                    f"expected {self.dtype}"
                )
        if self._grad_fn is None:
            if value is None and self._acc is None:
                return
            _engine.current().accumulator(self).grad = value
        else:
            if self._retain is None:
                self._retain = _RetainCell()
            self._retain.grad = value

    @property
    def grad_fn(self) -> Any:
        return self._grad_fn

    def _repr_svg_(self) -> str | None:
        """Jupyter shows the graph behind a tensor that has one (None: the text repr is used)."""
        if self._grad_fn is None:
            return None
        from .viz import draw

        return draw(self)._repr_svg_()

    @property
    def is_leaf(self) -> bool:
        return self._grad_fn is None

    @property
    def retains_grad(self) -> bool:
        return self._grad_fn is not None and self._retain is not None

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def T(self) -> Tensor:
        # Through the method: the native fast path when installed (ops/_fast.py).
        return self.permute(tuple(range(self._data.ndim - 1, -1, -1)))

    @property
    def mT(self) -> Tensor:
        return self.transpose(-2, -1)

    @property
    def _base(self) -> Tensor | None:
        """The tensor owning this view's memory (None unless this is a view), as torch's."""
        info = self._view
        return None if info is None else info.base

    def _is_view(self) -> bool:
        return self._view is not None

    @property
    def _version(self) -> int:
        vc = self._vc
        return 0 if vc is None else vc[0]

    def _version_counter(self) -> list[int]:
        vc = self._vc
        if vc is None:
            vc = self._vc = [0]
        return vc

    def _bump_version(self) -> None:
        vc = self._vc
        if vc is not None:
            vc[0] += 1

    def size(self, dim: int | None = None) -> Any:
        if dim is None:
            return self.shape
        return self._data.shape[_wrap_dim(dim, self._data.ndim, "size")]

    def dim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return int(self._data.size)

    # Device probes torch code makes: chaingrad tensors always live on the CPU, dense.
    @property
    def device(self) -> Any:
        from ._device import CPU

        return CPU

    is_cpu = True
    is_cuda = False
    is_sparse = False
    is_quantized = False

    def cpu(self) -> Tensor:
        """This tensor (it is already on the CPU), as torch returns ``self`` there."""
        return self

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    # ------------------------------------------------------------------ autograd
    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Accumulate the gradient of this tensor into the ``.grad`` of the leaves."""
        from .autograd import backward

        backward(self, gradient, retain_graph=retain_graph, create_graph=create_graph,
                 inputs=inputs)

    def retain_grad(self) -> None:
        """Keep this non-leaf's gradient in ``.grad`` after backward (a no-op on leaves)."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None or self._retain is not None:
            return
        cell = self._retain = _RetainCell()
        self._grad_fn.add_retain(self._output_nr, cell)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> _TensorHookHandle:
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a new one."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is None:
            node, nr = _engine.current().accumulator(self), 0
        else:
            node, nr = self._grad_fn, self._output_nr
        return _TensorHookHandle(node.add_pre_hook(nr, hook))

    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's data, outside the graph."""
        t = Tensor._from_array(self._data)
        t._vc = self._version_counter()
        return t

    def detach_(self) -> Tensor:
        self._grad_fn = None
        self._output_nr = 0
        self._requires_grad = False
        return self

    # ------------------------------------------------------------------ conversion
    def item(self) -> Any:
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.reshape(()).item()

    def numpy(self) -> np.ndarray:
        if self._requires_grad:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        return self._data

    def tolist(self) -> Any:
        return self._data.tolist()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        # Unlike torch, np.asarray works on tensors that require grad (it reads the values).
        if dtype is not None and np.dtype(dtype) != self._data.dtype:
            return self._data.astype(dtype)
        return self._data

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {self._data.size} elements is ambiguous"
            )
        return bool(self._data.reshape(()))

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.reshape(()))

    def __iter__(self) -> Iterator[Tensor]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        for i in range(self._data.shape[0]):
            yield self[i]

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        return format_tensor(self)

    def __str__(self) -> str:
        return format_tensor(self)

    def __format__(self, spec: str) -> str:
        if spec and self._data.ndim == 0:
            return format(self.item(), spec)
        return format_tensor(self)

    def __deepcopy__(self, memo: dict) -> Tensor:
        if self._grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                "protocol at the moment. If you were attempting to deepcopy a module, this may "
                "be because of a torch.nn.utils.weight_norm usage, see "
                "https://github.com/pytorch/pytorch/pull/103001"
            )
        if id(self) in memo:
            return memo[id(self)]
        new = type(self)._from_array(np.array(self._data, copy=True))
        new._requires_grad = self._requires_grad
        memo[id(self)] = new
        g = self.grad
        if g is not None:
            new.grad = g.__deepcopy__(memo)
        return new

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise TypeError("chaingrad tensors are not pickled; use chaingrad.save / numpy()")

    def zero_(self) -> Tensor:
        from .ops import inplace

        return inplace.fill_(self, 0)


def _wrap_dim(dim: int, ndim: int, what: str) -> int:
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"{what}: dimension out of range (expected to be in range of [{-n}, {n - 1}], "
            f"but got {dim})"
        )
    return dim % n


def _to_array(data: Any, dtype: Any) -> np.ndarray:
    """Data -> a fresh array with torch's default dtypes (float32 for Python floats)."""
    want = resolve_dtype(dtype) if dtype is not None else None
    if isinstance(data, Tensor):
        arr = np.array(data._data, dtype=want, copy=True)
        return arr
    if isinstance(data, (np.ndarray, np.generic)):
        src = np.asarray(data)
    else:
        try:
            src = np.asarray(data)
        except (ValueError, TypeError) as e:
            raise ValueError(f"tensor(): could not build a tensor from the data: {e}") from None
    kind = src.dtype.kind
    if kind not in "biuf":
        raise TypeError(
            f"tensor(): data must be numeric or bool, got {type(data).__name__} with "
            f"element type {src.dtype}"
        )
    if want is None:
        if not isinstance(data, (np.ndarray, np.generic)):
            if kind == "f":
                want = get_default_dtype()
            elif kind in "iu":
                want = np.dtype(np.int64)
        if want is None:
            want = src.dtype
    return np.array(src, dtype=want, copy=True)


_bridge.Tensor = Tensor

from . import _ops_install  # noqa: E402,F401  (attaches operators and methods)
