"""``chaingrad.nn.parallel``: ``DistributedDataParallel`` over MPI (see docs/distributed.md)."""

from __future__ import annotations

from ... import _missing
from .distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]

__getattr__ = _missing.module_getattr("torch.nn.parallel", __name__)
