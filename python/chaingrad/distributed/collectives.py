"""torch.distributed's collectives on chaingrad tensors, over MPI (mpi4py buffers: no pickling).

Every collective works in place on the tensors' NumPy memory and bumps their version counters.
Before moving data, each checks with one tiny allreduce that every rank passed the same shape,
dtype and operation (a mismatch would otherwise corrupt memory or hang), so a mismatch raises
the same ValueError on every rank.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any, Callable

import numpy as np

from ..tensor import Tensor
from . import _state

__all__ = ["ReduceOp", "Work", "all_gather", "all_reduce", "barrier", "broadcast"]


class ReduceOp(enum.Enum):
    """How ``all_reduce`` combines the ranks' tensors. ``AVG`` sums, then divides by the
    world size (every rank divides the same sum, so all get the same bits)."""

    SUM = "sum"
    AVG = "avg"
    MAX = "max"
    MIN = "min"
    PRODUCT = "product"


_OP_CODES = {op: i for i, op in enumerate(ReduceOp)}


class _GroupMember:
    """``dist.group.WORLD``: the default group (the only one chaingrad has)."""

    WORLD = "WORLD"


group = _GroupMember


class Work:
    """The handle of an ``async_op=True`` collective: ``wait()`` blocks until it is done (and
    finishes its in-place write), ``is_completed()`` polls."""

    def __init__(self, request: Any, finish: Any = None) -> None:
        self._request = request
        self._finish = finish
        self._done = False

    def is_completed(self) -> bool:
        if not self._done and self._request.Test():
            self._complete()
        return self._done

    def wait(self, timeout: Any = None) -> bool:
        if not self._done:
            self._request.Wait()
            self._complete()
        return True

    def _complete(self) -> None:
        self._done = True
        if self._finish is not None:
            self._finish()
            self._finish = None


def _check_group(fn: str, grp: Any) -> _state._Group:
    g = _state.group()
    if grp is not None and grp is not _GroupMember.WORLD:
        raise ValueError(f"{fn}(group={grp!r}): chaingrad.distributed has only the default "
                         "group; pass group=None")
    return g


def _check_tensor(fn: str, name: str, t: Any) -> np.ndarray:
    if not isinstance(t, Tensor):
        raise TypeError(f"{fn}(): {name} must be a chaingrad Tensor, got {type(t).__name__}")
    return t._data


def _buffer(arr: np.ndarray) -> tuple[np.ndarray, bool]:
    """A C-contiguous array MPI can write (the tensor's own memory when it is one)."""
    if arr.flags.c_contiguous and arr.flags.writeable:
        return arr, False
    return np.ascontiguousarray(arr), True


def _agree(g: _state._Group, fn: str, what: str, values: Sequence[int],
           mine: Callable[[], str]) -> None:
    """Raise on every rank unless every rank passed the same ``values`` (one allreduce of
    [v, -v] with MAX gives each value's max and min at once). ``mine()`` describes this
    rank's arguments for the message (built only then: this runs on every call)."""
    if g.size == 1:
        return
    MPI = _state.mpi()
    v = np.asarray(values, dtype=np.int64)
    both = np.concatenate([v, -v])
    g.comm.Allreduce(MPI.IN_PLACE, both, op=MPI.MAX)
    if not np.array_equal(both[:len(v)], -both[len(v):]):
        raise ValueError(f"{fn}(): the ranks passed different {what} (rank {g.rank}: "
                         f"{mine()}); every rank must call it with the same")


def _signature(arr: np.ndarray) -> list[int]:
    # A fixed length on every rank (the check itself must match); hashes of int tuples are
    # the same in every process.
    return [arr.ndim, arr.size, arr.dtype.num, hash(arr.shape) & 0x7FFFFFFFFFFF]


def _describe(arr: np.ndarray) -> str:
    return f"{arr.dtype}{list(arr.shape)}"


def _mpi_op(MPI: Any, op: ReduceOp) -> Any:
    return {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.MAX: MPI.MAX,
            ReduceOp.MIN: MPI.MIN, ReduceOp.PRODUCT: MPI.PROD}[op]


def _launch(g: _state._Group, async_op: bool, finish: Callable[[], None],
            blocking: Callable[[], Any], nonblocking: Callable[[], Any]) -> Work | None:
    """Run a collective (nothing to send on one rank), then ``finish()`` its in-place write;
    with ``async_op`` return the Work that finishes it on ``wait()``."""
    if g.size == 1:
        finish()
        return Work(_Done()) if async_op else None
    if async_op:
        return Work(nonblocking(), finish)
    blocking()
    finish()
    return None


def all_reduce(tensor: Tensor, op: ReduceOp = ReduceOp.SUM, group: Any = None,
               async_op: bool = False) -> Work | None:
    """Combine ``tensor`` across all ranks with ``op``, in place on every rank."""
    g = _check_group("all_reduce", group)
    arr = _check_tensor("all_reduce", "tensor", tensor)
    if not isinstance(op, ReduceOp):
        raise ValueError(f"all_reduce(op={op!r}): op must be a ReduceOp "
                         f"({', '.join('ReduceOp.' + o.name for o in ReduceOp)})")
    if op is ReduceOp.AVG and arr.dtype.kind not in "fc":
        raise TypeError(f"all_reduce(op=ReduceOp.AVG): needs a floating-point tensor, got "
                        f"{arr.dtype}")
    if arr.dtype.kind == "b" and op not in (ReduceOp.MAX, ReduceOp.MIN):
        raise TypeError(f"all_reduce(): a bool tensor takes ReduceOp.MAX or MIN, not {op.name}")
    _agree(g, "all_reduce", "shapes, dtypes or ops", _signature(arr) + [_OP_CODES[op]],
           lambda: f"{_describe(arr)}, op={op.name}")
    MPI = _state.mpi()
    buf, copied = _buffer(arr)

    def finish() -> None:
        if op is ReduceOp.AVG:
            np.divide(buf, g.size, out=buf)
        if copied:
            np.copyto(arr, buf)
        tensor._bump_version()

    mpi_op = _mpi_op(MPI, op)
    return _launch(g, async_op, finish, lambda: g.comm.Allreduce(MPI.IN_PLACE, buf, op=mpi_op),
                   lambda: g.comm.Iallreduce(MPI.IN_PLACE, buf, op=mpi_op))


def broadcast(tensor: Tensor, src: int, group: Any = None, async_op: bool = False
              ) -> Work | None:
    """Copy rank ``src``'s ``tensor`` into ``tensor`` on every other rank."""
    g = _check_group("broadcast", group)
    arr = _check_tensor("broadcast", "tensor", tensor)
    if not isinstance(src, int) or isinstance(src, bool) or not 0 <= src < g.size:
        raise ValueError(f"broadcast(src={src!r}): src must be a rank in [0, {g.size})")
    _agree(g, "broadcast", "shapes, dtypes or src", _signature(arr) + [src],
           lambda: f"{_describe(arr)}, src={src}")
    buf, copied = _buffer(arr)

    def finish() -> None:
        if copied and g.rank != src:
            np.copyto(arr, buf)
        tensor._bump_version()

    return _launch(g, async_op, finish, lambda: g.comm.Bcast(buf, root=src),
                   lambda: g.comm.Ibcast(buf, root=src))


def all_gather(tensor_list: list[Tensor], tensor: Tensor, group: Any = None,
               async_op: bool = False) -> Work | None:
    """Fill ``tensor_list[r]`` with rank r's ``tensor`` on every rank."""
    g = _check_group("all_gather", group)
    arr = _check_tensor("all_gather", "tensor", tensor)
    if not isinstance(tensor_list, list):
        raise TypeError(f"all_gather(): tensor_list must be a list of tensors, got "
                        f"{type(tensor_list).__name__}")
    if len(tensor_list) != g.size:
        raise ValueError(f"all_gather(): tensor_list has {len(tensor_list)} tensors; it needs "
                         f"one per rank ({g.size})")
    for i, t in enumerate(tensor_list):
        out = _check_tensor("all_gather", f"tensor_list[{i}]", t)
        if out.shape != arr.shape or out.dtype != arr.dtype:
            raise ValueError(f"all_gather(): tensor_list[{i}] is {out.dtype}{list(out.shape)} "
                             f"but tensor is {arr.dtype}{list(arr.shape)}; they must match")
    _agree(g, "all_gather", "shapes or dtypes", _signature(arr), lambda: _describe(arr))
    send = np.ascontiguousarray(arr)
    recv = np.empty((g.size, *arr.shape), dtype=arr.dtype)

    def finish() -> None:
        for t, part in zip(tensor_list, recv):
            np.copyto(t._data, part)
            t._bump_version()

    if g.size == 1:
        recv[0] = send
    return _launch(g, async_op, finish, lambda: g.comm.Allgather(send, recv),
                   lambda: g.comm.Iallgather(send, recv))


def barrier(group: Any = None, async_op: bool = False) -> Work | None:
    """Block until every rank has reached this call."""
    g = _check_group("barrier", group)
    if async_op:
        return Work(g.comm.Ibarrier())
    g.comm.Barrier()
    return None


class _Done:
    """The request of a collective on one rank: nothing to wait for."""

    def Test(self) -> bool:  # noqa: N802 - mpi4py's name
        return True

    def Wait(self) -> None:  # noqa: N802 - mpi4py's name
        return None
