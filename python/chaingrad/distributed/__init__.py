"""``chaingrad.distributed``: torch.distributed's process-group API on MPI (mpi4py).

Start one process per rank with ``mpiexec -n N python train.py``; each calls
``init_process_group()`` and learns its rank and the world size from MPI. Importing this
module does not import mpi4py (``is_available()`` says whether it can be);
``pip install chaingrad[distributed]`` installs mpi4py and the MPICH wheel. See
docs/distributed.md.
"""

from __future__ import annotations

from typing import Any

from . import _state
from ._state import is_available
from .collectives import ReduceOp, Work, all_gather, all_reduce, barrier, broadcast, group

__all__ = [
    "ReduceOp", "Work", "all_gather", "all_reduce", "barrier", "broadcast",
    "destroy_process_group", "get_backend", "get_rank", "get_world_size", "group",
    "init_process_group", "is_available", "is_initialized", "is_mpi_available",
]


def init_process_group(backend: str | None = None, init_method: str | None = None,
                       timeout: Any = None, world_size: int = -1, rank: int = -1,
                       **kwargs: Any) -> None:
    """Join the MPI job as the default process group: rank and world size come from MPI
    (``mpiexec -n N``); ``world_size``/``rank``, when given, must agree with it. Installs an
    exception hook that aborts the whole job when this rank dies of an uncaught exception,
    so the other ranks do not hang. ``init_method``, ``timeout`` and torch's other keyword
    arguments are accepted and ignored: MPI's launcher does the rendezvous."""
    _state.init(backend, world_size, rank)


def destroy_process_group(group: Any = None) -> None:
    """Leave the default group (MPI itself is finalized when the interpreter exits)."""
    if group is not None:
        raise ValueError("destroy_process_group(group=...): only the default group exists; "
                         "pass nothing")
    _state.destroy()


def is_initialized() -> bool:
    """True between ``init_process_group()`` and ``destroy_process_group()``."""
    return _state._group is not None


def is_mpi_available() -> bool:
    """torch's name: whether the MPI backend can be used (mpi4py importable)."""
    return is_available()


def get_rank(group: Any = None) -> int:
    """This process's rank in [0, world size)."""
    return _state.group().rank


def get_world_size(group: Any = None) -> int:
    """The number of processes in the job."""
    return _state.group().size


def get_backend(group: Any = None) -> str:
    """Always ``"mpi"``."""
    _state.group()
    return "mpi"
