"""``DistributedDataParallel``: data-parallel training over the default MPI process group.

Each rank runs the same model on its own share of the data. At construction the parameters
and buffers are broadcast from rank 0; during backward the gradients are averaged across ranks
in buckets that overlap with the rest of backward (``_reducer.py``), finished before
``backward()`` returns; with ``broadcast_buffers`` (the default) rank 0's buffers (BatchNorm's
running statistics) are broadcast at the start of each forward that follows a training one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from ... import grad_mode
from ...distributed import _state
from ...distributed.collectives import _agree
from ...tensor import Tensor
from ..module import Module
from ._reducer import Reducer

__all__ = ["DistributedDataParallel"]


def _broadcast_coalesced(tensors: list[Tensor], src: int = 0) -> None:
    """Broadcast many tensors with one Bcast per dtype (torch's ``_broadcast_coalesced``)."""
    g = _state.group()
    if g.size == 1 or not tensors:
        return
    by_dtype: dict[np.dtype, list[Tensor]] = {}
    for t in tensors:
        by_dtype.setdefault(t._data.dtype, []).append(t)
    for dtype in sorted(by_dtype, key=str):  # the same order on every rank
        group = by_dtype[dtype]
        flat = np.concatenate([t._data.reshape(-1) for t in group])
        g.comm.Bcast(flat, root=src)
        if g.rank != src:
            off = 0
            for t in group:
                n = t._data.size
                t._data[...] = flat[off:off + n].reshape(t._data.shape)
                t._bump_version()
                off += n


class DistributedDataParallel(Module):
    """Wrap ``module`` so that training it on every rank of the default process group keeps
    the ranks' copies identical: ``loss.backward()`` leaves in every parameter's ``.grad`` the
    average over ranks of the local gradients, so ``optimizer.step()`` makes the same update
    everywhere. Call ``init_process_group()`` first; use ``no_sync()`` to accumulate gradients
    locally over several backward passes. CPU only: ``device_ids``/``output_device`` must be
    None."""

    def __init__(self, module: Module, device_ids: Any = None, output_device: Any = None,
                 dim: int = 0, broadcast_buffers: bool = True, process_group: Any = None,
                 bucket_cap_mb: float | None = None, find_unused_parameters: bool = False,
                 check_reduction: bool = False, gradient_as_bucket_view: bool = False,
                 static_graph: bool = False, **kwargs: Any) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel(module): expected a chaingrad.nn.Module, "
                            f"got {type(module).__name__}")
        if device_ids is not None or output_device is not None:
            raise ValueError("DistributedDataParallel: device_ids and output_device must be None "
                             "for a CPU module (chaingrad is CPU-only)")
        if process_group is not None:
            raise ValueError("DistributedDataParallel(process_group=...): only the default "
                             "group exists; pass None")
        if gradient_as_bucket_view:
            raise ValueError("DistributedDataParallel(gradient_as_bucket_view=True) is not "
                             "supported: gradients are copied into and out of the buckets")
        if bucket_cap_mb is None:
            bucket_cap_mb = 25
        if not isinstance(bucket_cap_mb, (int, float)) or isinstance(bucket_cap_mb, bool) \
                or bucket_cap_mb <= 0:
            raise ValueError(f"DistributedDataParallel(bucket_cap_mb={bucket_cap_mb!r}): "
                             "expected a positive number of megabytes")
        g = _state.group()
        self.module = module
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.bucket_bytes_cap = int(bucket_cap_mb * 1024 * 1024)
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        named: list[tuple[str, Any]] = []
        seen: set[int] = set()
        for name, p in module.named_parameters():
            if p.requires_grad and id(p) not in seen:
                seen.add(id(p))
                named.append((name, p))
        if not named:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't have "
                               "any parameter that requires a gradient.")
        params = [p for _, p in named]
        shapes = [(tuple(p._data.shape), p._data.dtype.num) for p in params]
        # Every rank must hold the same model, or the buckets would not line up.
        _agree(g, "DistributedDataParallel", "models (parameter count, shapes or dtypes)",
               [len(params), hash(tuple(shapes)) & 0x7FFFFFFFFFFF],
               lambda: f"{len(params)} parameters")
        self.world_size = g.size
        _broadcast_coalesced([p for _, p in module.named_parameters()]
                             + [b for _, b in module.named_buffers()])
        self._reducer = Reducer(params, [n for n, _ in named], self.bucket_bytes_cap,
                                find_unused_parameters)
        self._hook_handles = [
            p.register_post_accumulate_grad_hook(_ParamHook(self._reducer, i))
            for i, p in enumerate(params)]

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        if self.require_forward_param_sync and self.broadcast_buffers:
            _broadcast_coalesced([b for _, b in self.module.named_buffers()])
        out = self.module(*inputs, **kwargs)
        self.require_forward_param_sync = (grad_mode.is_grad_enabled()
                                           and self.require_backward_grad_sync)
        return out

    @contextlib.contextmanager
    def no_sync(self) -> Iterator[None]:
        """Inside this block backward only accumulates into ``.grad`` on this rank; the first
        backward after it averages the accumulated gradients."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        self._reducer.enabled = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old
            self._reducer.enabled = old

    def bucket_sizes(self) -> list[int]:
        """Bytes of each gradient bucket, in launch order (for tuning ``bucket_cap_mb``)."""
        return [b.buffer.nbytes for b in self._reducer.buckets]


class _ParamHook:
    """A post-accumulate-grad hook holding the reducer, not the module (no reference cycle
    through the parameter's accumulator)."""

    __slots__ = ("reducer", "index")

    def __init__(self, reducer: Reducer, index: int) -> None:
        self.reducer = reducer
        self.index = index

    def __call__(self, param: Tensor) -> None:
        self.reducer.hook(self.index)
