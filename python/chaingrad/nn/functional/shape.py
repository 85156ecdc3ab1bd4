"""``flatten``/``unflatten`` as reshapes (so they work before the op set grows its own)."""

from __future__ import annotations

from collections.abc import Sequence

from ...tensor import Tensor
from ._utils import check_tensor, normalize_dim

__all__ = ["flatten", "unflatten"]


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims ``start_dim..end_dim`` (inclusive) into one."""
    check_tensor(input, "flatten")
    if input.ndim == 0:
        return input.reshape(1)
    s = normalize_dim(start_dim, input.ndim, "flatten")
    e = normalize_dim(end_dim, input.ndim, "flatten")
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shape = tuple(input.shape)
    return input.reshape(shape[:s] + (-1,) + shape[e + 1:]) if input.numel() else \
        input.reshape(shape[:s] + (0,) + shape[e + 1:])


def unflatten(input: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    """Split dim ``dim`` into ``sizes`` (one entry may be -1)."""
    check_tensor(input, "unflatten")
    d = normalize_dim(dim, input.ndim, "unflatten")
    shape = tuple(input.shape)
    sizes = tuple(int(v) for v in sizes)
    known = 1
    for v in sizes:
        if v != -1:
            known *= v
    if sizes.count(-1) > 1 or (sizes.count(-1) == 0 and known != shape[d]) or \
            (sizes.count(-1) == 1 and (known == 0 or shape[d] % known)):
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                           f"size of dim {dim} ({shape[d]}) in the input tensor")
    return input.reshape(shape[:d] + sizes + shape[d + 1:])
