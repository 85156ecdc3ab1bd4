"""``view_of``: the output of a view op, registered as a view of its input.

The view and copy ops themselves (reshape/view/flatten/squeeze/unsqueeze, permute/transpose,
expand, casts, clone, basic slicing) used to be ``autograd.Function``s defined here; they
record native nodes now (``RESHAPE``, ``PERMUTE``, ``EXPAND``, ``TO_COPY``, ``SLICE`` in
``_kinds.py``; forward in ``ops/shape.py`` and ``ops/indexing.py``), because a backward pass
through a model crosses many of them and a ``Function`` node costs a Python call each.
"""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from ._common import wrap
from ._views import make_view


def view_of(arr: np.ndarray, base: Tensor) -> Tensor:
    """Wrap ``arr``; a view of the base's memory also shares its version counter."""
    out = wrap(arr)
    if np.may_share_memory(arr, base._data):
        make_view(out, base)
    return out
