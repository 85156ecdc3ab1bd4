"""DistributedDataParallel's gradient reducer: buckets, hooks and the end-of-backward wait.

Parameters are packed, in reverse registration order (roughly the order backward produces
their gradients), into flat per-dtype buckets of at most ``bucket_cap`` bytes (the first one
smaller, 1 MB, so communication starts early), as torch's reducer does. Each parameter's
post-accumulate-grad hook copies its fresh ``.grad`` into its bucket; a full bucket starts a
non-blocking ``Iallreduce`` (SUM) while backward goes on. Buckets start in bucket order on every
rank (MPI needs the same collective order everywhere), whatever order the hooks fire in. The
backward pass's final callback starts what is left, waits for every request, divides the sums
by the world size and copies them back into ``.grad``: after ``loss.backward()`` returns, every
rank holds the same averaged gradients, bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...autograd._callbacks import queue_callback
from ...distributed import _state
from ...tensor import Tensor

FIRST_BUCKET_BYTES = 1024 * 1024


@dataclass
class Bucket:
    """A flat buffer holding the gradients of ``params`` (indices into the reducer's list)."""

    dtype: np.dtype
    params: list[int] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    size: int = 0
    buffer: np.ndarray = field(default_factory=lambda: np.empty(0))
    pending: int = 0


def assign_buckets(params: list[Any], cap_bytes: int) -> list[Bucket]:
    """torch's ``compute_bucket_assignment_by_size``: reverse order, one open bucket per dtype,
    closed once it reaches the size limit (1 MB for the first, ``cap_bytes`` after)."""
    buckets: list[Bucket] = []
    open_: dict[np.dtype, Bucket] = {}
    limit: dict[np.dtype, int] = {}
    for i in reversed(range(len(params))):
        arr = params[i]._data
        b = open_.get(arr.dtype)
        if b is None:
            b = open_[arr.dtype] = Bucket(arr.dtype)
        b.params.append(i)
        b.offsets.append(b.size)
        b.size += arr.size
        lim = limit.setdefault(arr.dtype, min(FIRST_BUCKET_BYTES, cap_bytes))
        if b.size * arr.dtype.itemsize >= lim:
            buckets.append(open_.pop(arr.dtype))
            limit[arr.dtype] = cap_bytes
    buckets.extend(open_.values())
    for b in buckets:
        b.buffer = np.zeros(b.size, dtype=b.dtype)
    return buckets


class Reducer:
    """Averages the gradients of ``params`` across the default group once per backward."""

    def __init__(self, params: list[Any], names: list[str], cap_bytes: int,
                 find_unused_parameters: bool) -> None:
        self.params = params
        self.names = names
        self.find_unused = find_unused_parameters
        self.buckets = assign_buckets(params, cap_bytes)
        self.where: list[tuple[int, int]] = [(0, 0)] * len(params)  # param -> (bucket, slot)
        for bi, b in enumerate(self.buckets):
            for slot, pi in enumerate(b.params):
                self.where[pi] = (bi, slot)
        self.enabled = True  # False inside no_sync()
        self._active = False  # a reduction is under way in the current backward
        self._ready = np.zeros(len(params), dtype=bool)
        self._requests: list[Any] = []
        self._next = 0  # the next bucket to start
        # Buckets started from hooks, before backward ended, in the last reduction (the rest
        # start in the final callback): how much communication could overlap backward.
        self.launched_in_backward = 0

    # ------------------------------------------------------------------ per backward
    def _begin(self) -> None:
        self._active = True
        self._ready[:] = False
        self._requests = []
        self._next = 0
        for b in self.buckets:
            b.pending = len(b.params)
        queue_callback(self._finalize)

    def hook(self, index: int) -> None:
        """A parameter's ``.grad`` is final for this backward: stage it, start what is full."""
        if not self.enabled:
            return
        if not self._active:
            self._begin()
        if self._ready[index]:
            raise RuntimeError(
                f"DistributedDataParallel: parameter {self.names[index]} received its gradient "
                "twice in one backward pass (a parameter used in several reentrant backward "
                "passes, or shared between DDP models, is not supported)")
        self._ready[index] = True
        grad = self.params[index].grad
        bi, slot = self.where[index]
        b = self.buckets[bi]
        off = b.offsets[slot]
        n = self.params[index]._data.size
        b.buffer[off:off + n] = grad._data.reshape(-1) if grad is not None else 0
        b.pending -= 1
        self._launch_ready()
        if self._requests:
            # MPI moves a non-blocking collective forward only inside MPI calls; testing from
            # each hook lets the transfers progress while backward computes.
            _state.mpi().Request.Testall(self._requests)

    def _launch_ready(self) -> None:
        g = _state.group()
        MPI = _state.mpi()
        while self._next < len(self.buckets) and self.buckets[self._next].pending == 0:
            buf = self.buckets[self._next].buffer
            if g.size > 1:
                self._requests.append(g.comm.Iallreduce(MPI.IN_PLACE, buf, op=MPI.SUM))
            self._next += 1

    def _finalize(self) -> None:
        """End of backward: every rank waits for all buckets and writes the averages back."""
        self._active = False
        self.launched_in_backward = self._next
        unused = np.flatnonzero(~self._ready)
        if len(unused) and not self.find_unused:
            # Finish what was started (every rank started the same buckets so far) so no
            # request is left in flight, then refuse.
            _state.mpi().Request.Waitall(self._requests)
            self._requests = []
            names = ", ".join(self.names[i] for i in unused[:10])
            more = f" and {len(unused) - 10} more" if len(unused) > 10 else ""
            raise RuntimeError(
                f"DistributedDataParallel: {len(unused)} parameter(s) received no gradient in "
                f"this backward pass ({names}{more}), so their buckets cannot be reduced. Pass "
                "find_unused_parameters=True to DistributedDataParallel if parts of the model "
                "are legitimately unused, or make sure every parameter takes part in the loss.")
        for i in unused:  # this rank contributes zeros for them
            bi, slot = self.where[i]
            b = self.buckets[bi]
            off = b.offsets[slot]
            b.buffer[off:off + self.params[i]._data.size] = 0
            b.pending -= 1
        self._launch_ready()
        g = _state.group()
        MPI = _state.mpi()
        used = self._ready
        if self.find_unused and g.size > 1:
            # Which parameters got a gradient on any rank (a globally unused one keeps .grad).
            counts = self._ready.astype(np.int32)
            g.comm.Allreduce(MPI.IN_PLACE, counts, op=MPI.SUM)
            used = counts > 0
        MPI.Request.Waitall(self._requests)
        self._requests = []
        for b in self.buckets:
            if g.size > 1:
                # torch's reducer averages as sum / world size: every rank divides the same
                # sum by the same number, so the ranks' gradients stay bitwise equal.
                np.divide(b.buffer, g.size, out=b.buffer)
            for slot, pi in enumerate(b.params):
                if not used[pi]:
                    continue
                p = self.params[pi]
                off = b.offsets[slot]
                avg = b.buffer[off:off + p._data.size].reshape(p._data.shape)
                if p.grad is None or not p.grad._data.flags.writeable:
                    p.grad = Tensor._from_array(avg.copy())
                else:
                    np.copyto(p.grad._data, avg)
                    p.grad._bump_version()
