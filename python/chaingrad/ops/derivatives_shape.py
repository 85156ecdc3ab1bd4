"""Differentiable backward formulas of the shape kinds (``create_graph=True``).

Each mirrors its NumPy kernel in ``_reference/kernels_shape.py``; the results are recorded
(a reshape of g records a ViewBackward0 node, and so on), so every order of derivative works.
"""

from __future__ import annotations

from typing import Any

from .. import _kinds as K
from .._reference.kernels_shape import inverse_permutation, slice_key
from ..tensor import Tensor
from .derivatives import register_formula


def _reshape(node: Any, g: Tensor, need: tuple) -> tuple:
    return (g.reshape(tuple(node.meta[0][0])),)


def _permute(node: Any, g: Tensor, need: tuple) -> tuple:
    return (g.permute(*inverse_permutation(tuple(node.scalars))),)


def _identity(node: Any, g: Tensor, need: tuple) -> tuple:
    # EXPAND: the engine sums g to the input's shape; TO_COPY: it casts g to the input's dtype.
    return (g,)


def _slice(node: Any, g: Tensor, need: tuple) -> tuple:
    from .indexing import IndexBackward

    return (IndexBackward.apply(g, tuple(node.meta[0][0]), slice_key(tuple(node.scalars))),)


def _as_strided(node: Any, g: Tensor, need: tuple) -> tuple:
    from ._views import Placement
    from .copy_slices import AsStridedScatter

    (index,) = node.saved_tensors
    place = Placement(index, tuple(node.meta[0][0]), bool(node.scalars[0]))
    return (AsStridedScatter.apply(g, place),)


def _copy_slices(node: Any, g: Tensor, need: tuple) -> tuple:
    from ._views import Placement
    from .copy_slices import copy_slices_backward

    (index,) = node.saved_tensors
    return copy_slices_backward(g, Placement(index, tuple(g.shape), False), need[0], need[1])


register_formula(K.RESHAPE, _reshape)
register_formula(K.PERMUTE, _permute)
register_formula(K.EXPAND, _identity)
register_formula(K.TO_COPY, _identity)
register_formula(K.SLICE, _slice)
register_formula(K.AS_STRIDED, _as_strided)
register_formula(K.COPY_SLICES, _copy_slices)
