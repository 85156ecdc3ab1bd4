"""The default process group: MPI's world communicator, imported lazily.

``import chaingrad`` never imports mpi4py; the first call that needs MPI does, and says how to
install it when it is missing. ``init_process_group`` also installs an exception hook that
aborts the whole MPI job when a rank dies of an uncaught exception (as ``python -m mpi4py``
does): the other ranks would otherwise wait forever in their next collective.
"""

from __future__ import annotations

import importlib.util
import sys
import time
import traceback
from types import ModuleType, TracebackType
from typing import Any

_INSTALL = ("chaingrad.distributed needs mpi4py and an MPI library: "
            "pip install chaingrad[distributed]  (that is, pip install mpi4py mpich)")
_NOT_INIT = ("Default process group has not been initialized, please make sure to call "
             "init_process_group.")


class _Group:
    """What torch calls the default process group: a private duplicate of MPI's world
    communicator (so user traffic on COMM_WORLD never matches chaingrad's collectives)."""

    def __init__(self, comm: Any) -> None:
        self.comm = comm
        self.rank: int = comm.Get_rank()
        self.size: int = comm.Get_size()


_group: _Group | None = None
_prev_excepthook: Any = None


def is_available() -> bool:
    """True when mpi4py can be imported (chaingrad[distributed] is installed)."""
    return importlib.util.find_spec("mpi4py") is not None


def mpi() -> ModuleType:
    """``mpi4py.MPI``, or an ImportError naming the extra to install."""
    try:
        from mpi4py import MPI
    except (ImportError, RuntimeError, OSError) as e:  # no mpi4py, or no MPI library for it
        raise ImportError(f"{_INSTALL} ({type(e).__name__}: {e})") from e
    return MPI


def group() -> _Group:
    """The initialized default group, or torch's RuntimeError."""
    if _group is None:
        raise RuntimeError(_NOT_INIT)
    return _group


def _abort_on_exception(kind: type[BaseException], value: BaseException,
                        tb: TracebackType | None) -> None:
    """Print the traceback, then end every rank: a rank that died would leave the others
    blocked in their next collective, and mpiexec would never return."""
    try:
        (_prev_excepthook or sys.__excepthook__)(kind, value, tb)
    except Exception:
        traceback.print_exception(kind, value, tb)
    size = _group.size if _group is not None else 0
    if size > 1 and not issubclass(kind, KeyboardInterrupt):
        sys.stderr.write(f"chaingrad.distributed: rank {_group.rank if _group else '?'} "
                         "raised an uncaught exception; aborting the MPI job\n")
    sys.stderr.flush()
    sys.stdout.flush()
    if size > 1:
        # mpiexec forwards the ranks' output through its own processes, which the abort tears
        # down: a moment's pause lets the traceback through first.
        time.sleep(0.3)
        mpi().COMM_WORLD.Abort(1)


def init(backend: str | None, world_size: int, rank: int) -> None:
    global _group, _prev_excepthook
    if _group is not None:
        raise RuntimeError("trying to initialize the default process group twice!")
    if backend is not None and (not isinstance(backend, str) or backend.lower() != "mpi"):
        raise ValueError(f"init_process_group(backend={backend!r}): chaingrad.distributed runs "
                         "on MPI only; pass backend='mpi' or leave it out")
    MPI = mpi()
    world = MPI.COMM_WORLD
    for name, given, actual in (("world_size", world_size, world.Get_size()),
                                ("rank", rank, world.Get_rank())):
        if not isinstance(given, int) or isinstance(given, bool):
            raise TypeError(f"init_process_group({name}=...): expected an int, got "
                            f"{type(given).__name__}")
        if given != -1 and given != actual:
            raise ValueError(f"init_process_group({name}={given}): MPI started this process "
                             f"with {name} {actual} (mpiexec decides it; leave {name} out)")
    _group = _Group(world.Dup())
    if sys.excepthook is not _abort_on_exception:
        _prev_excepthook = sys.excepthook
        sys.excepthook = _abort_on_exception


def destroy() -> None:
    global _group, _prev_excepthook
    g = group()
    _group = None
    g.comm.Free()
    if sys.excepthook is _abort_on_exception:
        sys.excepthook = _prev_excepthook or sys.__excepthook__
    _prev_excepthook = None
