"""Which tensors share memory, and where a view's elements sit in its base.

A view op (reshape, permute, slicing, expand, ...) gives its output the base's version counter,
so modifying either in place invalidates every saved copy of the memory. The counter (a list
whose item 0 is the version, read by both engines) also carries, after item 0, weak references
to the views made of that memory. Each view also holds a ``ViewInfo`` in its ``_view`` slot: its
base (the tensor owning the memory; a view of a view has the first base) and how it was made.

In-place ops under autograd use both to rewrite histories as torch does (``ops/inplace.py``):
modifying a view makes the base's new ``grad_fn`` a ``CopySlices`` node, and after the base's
history changed (through itself or any of its views) every live view of it gets a fresh
``AsStridedBackward0`` node on the base's new history, so later uses of the views
differentiate through the modified memory.

The view's position in its base is not recorded by the view ops: ``Geometry`` derives it from
the two NumPy arrays (byte offset and strides relative to the base's buffer, torch's
as_strided approach), so any op that returns a NumPy view and calls ``make_view`` takes part.
"""

from __future__ import annotations

import weakref

import numpy as np

from .. import grad_mode as _gm
from ..tensor import Tensor


class ViewInfo:
    """What a view remembers: its base and how it was created (torch's CreationMeta).

    ``nograd``: made with grad mode off, so it is outside the graph even if its base is in it;
    modifying it in place while autograd records is ambiguous and refused. ``forbid``: the
    message to raise when it is modified in place under autograd (an output of a function
    returning several views, or of a custom ``Function``), None when allowed.
    """

    __slots__ = ("base", "nograd", "forbid", "place")

    def __init__(self, base: Tensor, nograd: bool) -> None:
        self.base = base
        self.nograd = nograd
        self.forbid: str | None = None
        # (view array, base array, index, overlap) of the last placement (view_placement).
        self.place: tuple | None = None


def make_view(out: Tensor, base: Tensor) -> Tensor:
    """Mark ``out`` as a view of ``base``'s memory (same version counter)."""
    info = base._view
    root = base if info is None else info.base
    vc = base._version_counter()
    out._vc = vc

    def forget(ref: weakref.ref, vc: list = vc) -> None:
        try:
            vc.remove(ref)
        except ValueError:
            pass

    vc.append(weakref.ref(out, forget))
    # A Function's forward runs with grad mode off; Function.apply corrects this flag.
    out._view = ViewInfo(root, not _gm._enabled[0])
    return out


def is_view(t: Tensor) -> bool:
    return t._view is not None


def live_views(base: Tensor) -> list[Tensor]:
    """The live views whose base is ``base`` (``base`` must be a base, not a view)."""
    vc = base._vc
    if vc is None or len(vc) == 1:
        return []
    out = []
    for r in vc[1:]:
        v = r()
        if v is not None and v._view is not None and v._view.base is base:
            out.append(v)
    return out


def has_internal_overlap(a: np.ndarray) -> bool:
    """Whether several elements of ``a`` share one memory location (an expanded dimension)."""
    return any(st == 0 and n > 1 for n, st in zip(a.shape, a.strides))


OVERLAP_MSG = (
    "unsupported operation: more than one element of the written-to tensor refers to a single "
    "memory location. Please clone() the tensor before performing the operation."
)


def _address(a: np.ndarray) -> int:
    return a.__array_interface__["data"][0]


def _offsets(shape: tuple, strides: tuple, start: int) -> np.ndarray:
    """``start + sum(i_k * strides[k])`` for every index of ``shape`` (C order)."""
    out = np.full((1,) * len(shape), start, dtype=np.int64)
    for k, (n, st) in enumerate(zip(shape, strides)):
        ax = np.arange(n, dtype=np.int64) * st
        out = out + ax.reshape((1,) * k + (n,) + (1,) * (len(shape) - k - 1))
    return out  # every dimension got its arange, so the broadcast result has ``shape``


def _extent(shape: tuple, strides: tuple, start: int, itemsize: int) -> tuple[int, int]:
    """The byte range [lo, hi) that a non-empty array's elements cover, relative to ``start``."""
    lo = hi = start
    for n, st in zip(shape, strides):
        if st < 0:
            lo += (n - 1) * st
        else:
            hi += (n - 1) * st
    return lo, hi + itemsize


class Placement:
    """Where a view's elements sit in its base, as its nodes use it: ``index`` (read-only
    int64, the view's shape) holds each element's flat C-order position in the base."""

    __slots__ = ("index", "base_shape", "overlap")

    def __init__(self, index: np.ndarray, base_shape: tuple, overlap: bool) -> None:
        self.index = index
        self.base_shape = base_shape
        self.overlap = overlap

    @property
    def shape(self) -> tuple:
        return self.index.shape


# Placements by layout: a training step re-creates the same views (``y[:, 0] = v``) every
# time, and the index depends on nothing but the numbers in the key. Only small indexes are
# kept, at most 256 of them and 2**20 elements (8 MB) in all; a large view's op costs more
# than computing its index.
_PLACEMENTS: dict[tuple, tuple[np.ndarray, bool]] = {}
_MAX_PLACEMENTS = 256
_MAX_CACHED_SIZE = 1 << 16
_MAX_CACHED_TOTAL = 1 << 20
_cached_total = [0]


def placement(view: np.ndarray, base: np.ndarray) -> tuple[np.ndarray, bool]:
    """``(index, overlap)`` of ``view`` in ``base`` (see ``Geometry``), cached by layout; the
    index is read-only because nodes of unrelated graphs share it."""
    key = (view.shape, view.strides, base.shape, base.strides, _address(view) - _address(base),
           view.dtype.itemsize, base.dtype.itemsize)
    hit = _PLACEMENTS.get(key)
    if hit is None:
        geom = Geometry(view, base)
        idx = np.asarray(geom.index())  # a 0-d view of a transposed base indexes a scalar
        if not idx.flags.c_contiguous or not idx.flags.owndata:
            idx = idx.copy()
        idx.flags.writeable = False
        hit = (idx, geom.overlap)
        if idx.size <= _MAX_CACHED_SIZE:
            if (len(_PLACEMENTS) >= _MAX_PLACEMENTS
                    or _cached_total[0] + idx.size > _MAX_CACHED_TOTAL):
                _PLACEMENTS.clear()
                _cached_total[0] = 0
            _PLACEMENTS[key] = hit
            _cached_total[0] += idx.size
    return hit


def view_placement(v: Tensor, base: Tensor) -> tuple[np.ndarray, bool]:
    """``placement(v._data, base._data)``, remembered on the view while both arrays stay the
    same objects (an in-place op on a view places it, then refreshes it among the live views)."""
    info = v._view
    c = info.place
    if c is not None and c[0] is v._data and c[1] is base._data:
        return c[2], c[3]
    index, overlap = placement(v._data, base._data)
    info.place = (v._data, base._data, index, overlap)
    return index, overlap


class Geometry:
    """Where each element of a view sits among its base's elements.

    Only plain numbers are kept (shapes, strides, the byte offset), never the arrays; ``index``
    is computed on first use: for each element of the view, the flat (C-order) index of the
    base element with the same memory location.
    """

    __slots__ = ("shape", "base_shape", "_strides", "_base_strides", "_offset", "_itemsize",
                 "_index", "overlap")

    def __init__(self, view: np.ndarray, base: np.ndarray) -> None:
        if view.dtype.itemsize != base.dtype.itemsize:
            raise RuntimeError(
                f"in-place on a view: the view's element size ({view.dtype}) differs from its "
                f"base's ({base.dtype}); clone() the view first"
            )
        self.shape = view.shape
        self.base_shape = base.shape
        self._strides = view.strides
        self._base_strides = base.strides
        self._offset = _address(view) - _address(base)
        self._itemsize = view.dtype.itemsize
        self._index: np.ndarray | None = None
        self.overlap = has_internal_overlap(view)
        if view.size and base.size:
            lo, hi = _extent(view.shape, view.strides, self._offset, self._itemsize)
            blo, bhi = _extent(base.shape, base.strides, 0, self._itemsize)
            if lo < blo or hi > bhi:
                raise RuntimeError("in-place on a view: the view's memory is no longer inside "
                                   "its base's (was the base's .data replaced?)")

    def index(self) -> np.ndarray:
        idx = self._index
        if idx is None:
            idx = self._index = self._compute_index()
        return idx

    def _compute_index(self) -> np.ndarray:
        isz = self._itemsize
        n_base = int(np.prod(self.base_shape))
        if any(s % isz for s in self._strides + self._base_strides) or self._offset % isz:
            raise RuntimeError("in-place on a view: the view's elements are not aligned with "
                               "its base's; clone() the view first")
        elem = _offsets(self.shape, tuple(s // isz for s in self._strides), self._offset // isz)
        if elem.size == 0:
            return elem
        c_strides, acc = [], 1
        for n in reversed(self.base_shape):
            c_strides.append(acc)
            acc *= n
        c_strides.reverse()
        base_el = tuple(s // isz for s in self._base_strides)
        if all(n == 1 or s == c for n, s, c in zip(self.base_shape, base_el, c_strides)):
            ok = elem.min() >= 0 and elem.max() < n_base
            idx = elem
        else:
            # A base that is not C-contiguous: invert its own element -> memory mapping.
            pos = _offsets(self.base_shape, base_el, 0).reshape(-1)
            lo = int(pos.min()) if pos.size else 0
            inv = np.full(int(pos.max()) - lo + 1 if pos.size else 0, -1, dtype=np.int64)
            inv[pos - lo] = np.arange(pos.size, dtype=np.int64)
            rel = elem - lo
            ok = rel.min() >= 0 and rel.max() < inv.size
            idx = inv[rel] if ok else rel
            ok = ok and idx.min() >= 0
        if not ok:
            raise RuntimeError("in-place on a view: the view's memory is no longer inside its "
                               "base's (was the base's .data replaced?)")
        return idx
