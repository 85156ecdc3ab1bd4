"""``SyncBatchNorm``: batch norm whose training statistics cover the global batch, i.e. every
rank's share of it (chaingrad.distributed), so a DistributedDataParallel model normalises
exactly as one process on the whole batch would. On one rank, in eval mode or without an
initialized process group it is plain batch norm.

Forward: each rank's per-channel sum, sum of squares and count are summed over the ranks (one
allreduce, in float64) to give the global mean and biased variance; the running statistics take
the global unbiased variance. Backward: the two per-channel sums the input gradient needs
(of the upstream gradient and of its product with the normalised input) are summed over the
ranks the same way, as torch's SyncBatchNorm does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import FunctionCtx
from ..tensor import Tensor
from .functional._utils import wrap
from .functional.normalization import _Normalize, _per_channel
from .module import Module
from .normalization import _BatchNorm

__all__ = ["SyncBatchNorm"]


def _group_size() -> int:
    from ..distributed import _state

    return _state._group.size if _state._group is not None else 1


def _sum_over_ranks(values: np.ndarray) -> np.ndarray:
    from ..distributed import _state

    g = _state.group()
    out = np.ascontiguousarray(values, dtype=np.float64)
    g.comm.Allreduce(_state.mpi().IN_PLACE, out, op=_state.mpi().SUM)
    return out


class _SyncNorm(_Normalize):
    """``_Normalize``'s forward with the global ``mean``/``var`` (shaped like (1, C, 1, ...));
    its backward sums the per-channel reductions over the ranks. ``total`` is the global
    number of values per channel."""

    _backward_name = "SyncBatchNormBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, w: Tensor | None, b: Tensor | None, dims: tuple,
                eps: float, mean: np.ndarray, var: np.ndarray, total: float) -> Tensor:
        ctx.mean, ctx.total = mean, total
        ctx.rstd = x._data.dtype.type(1) / np.sqrt(var + x._data.dtype.type(eps))
        return _Normalize.forward(ctx, x, w, b, dims, eps, mean, var)

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        x, w = ctx.saved_tensors
        dims, rstd = ctx.dims, ctx.rstd
        gd = g._data
        xhat = (x._data - ctx.mean) * rstd
        gh = gd * w._data if w is not None else gd
        c = gd.shape[1]
        local = np.concatenate([gh.sum(axis=dims, dtype=np.float64).reshape(c),
                                (gh * xhat).sum(axis=dims, dtype=np.float64).reshape(c)])
        both = _sum_over_ranks(local) / ctx.total
        shape = rstd.shape
        mean_gh = both[:c].reshape(shape).astype(gd.dtype)
        mean_ghx = both[c:].reshape(shape).astype(gd.dtype)
        gx = rstd * (gh - mean_gh - xhat * mean_ghx)
        need = ctx.needs_input_grad
        gw = wrap((gd * xhat).astype(gd.dtype, copy=False)) if need[1] else None
        gb = g if need[2] else None
        return (wrap(gx.astype(gd.dtype, copy=False)) if need[0] else None, gw, gb,
                None, None, None, None, None)


class SyncBatchNorm(_BatchNorm):
    """Batch norm over (N, C, ...) input with statistics over the whole data-parallel batch
    (all ranks). ``SyncBatchNorm.convert_sync_batchnorm(model)`` swaps a model's BatchNorm
    layers for it; wrap the result in DistributedDataParallel. Every rank must run the same
    forward and backward passes (each one is a collective)."""

    _ndims = (2, 3, 4, 5)
    _what = "at least 2D (N, C, ...)"

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 process_group: Any = None, device: Any = None, dtype: Any = None) -> None:
        if process_group is not None:
            raise ValueError("SyncBatchNorm(process_group=...): only the default group exists; "
                             "pass None")
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype)
        self.process_group = None

    def forward(self, input: Tensor) -> Tensor:
        if not self.training or _group_size() == 1:
            return super().forward(input)
        self._check_batch(input, min_values=1)  # the ranks together need more than one
        c, bshape, w, b = _per_channel(self._layer(), input, self.weight, self.bias, None, None)
        dims = (0,) + tuple(range(2, input.ndim))
        d = input._data
        n = d.size // max(c, 1)
        local = np.concatenate([d.sum(axis=dims, dtype=np.float64).reshape(c),
                                np.square(d, dtype=np.float64).sum(axis=dims).reshape(c),
                                [float(n)]])
        sums = _sum_over_ranks(local)
        total = sums[-1]
        if total <= 1:
            raise ValueError(f"{self._layer()}: Expected more than 1 value per channel when "
                             f"training, got {int(total)} over all ranks")
        mean = sums[:c] / total
        var = np.maximum(sums[c:2 * c] / total - mean * mean, 0.0)  # biased
        factor = self._momentum_factor()
        if self.track_running_stats:
            for buf, new in ((self.running_mean, mean), (self.running_var,
                                                         var * (total / (total - 1)))):
                buf._data *= 1 - factor
                buf._data += (factor * new).astype(buf._data.dtype)
                buf._bump_version()
        return _SyncNorm.apply(input, w, b, dims, float(self.eps),
                               mean.astype(d.dtype).reshape(bshape),
                               var.astype(d.dtype).reshape(bshape), float(total))

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group: Any = None) -> Module:
        """``module`` with every BatchNorm layer replaced by a SyncBatchNorm sharing its
        parameters and buffers (``module`` itself when it is one; the replacement otherwise)."""
        out = module
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
            out = cls(module.num_features, module.eps, module.momentum, module.affine,
                      module.track_running_stats, process_group)
            if module.affine:
                out.weight = module.weight
                out.bias = module.bias
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                out._buffers[name] = module._buffers[name]
            out.train(module.training)
        for name, child in list(module._modules.items()):
            if child is not None:
                out._modules[name] = cls.convert_sync_batchnorm(child, process_group)
        return out
