"""Time each (workload, backend) pair in a process of its own, repeats still interleaved.

Why: a backend's speed on a graph-bound workload depends on the state of the process heap.
Measured here (torch-style scalar graph, C++ engine): after one torch run in the same process
the forward took 0.78 µs/node instead of 0.52 and the backward 0.32 instead of 0.18, because
glibc's malloc then serves small blocks from a fragmented heap (unlink_chunk and
malloc_consolidate appear in the profile). A user's program does not run torch and
chaingrad's reference engine between its own steps, so the bench gives every backend a fresh
process, the way a user's training script runs it. The parent still interleaves the repeats
(repeat r of every backend before repeat r + 1), so machine load drifts into all rows alike.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing as mp
import os
from collections.abc import Iterator
from multiprocessing.connection import Connection
from typing import Any

from bench import backends, timing


def _serve(conn: Connection, module: str, backend: str, n: int, warmup: int, steps: int,
           pause_gc: bool, threads: int) -> None:
    """The worker: build the case once, warm it up, then time one repeat per request."""
    from bench.workloads.base import _status  # base imports this module

    timing.PAUSE_GC = pause_gc
    try:
        backends.configure_threads(threads)
        backends.unavailable(backend)  # import what will be used before the freeze
        timing.freeze_startup_objects()
        build = importlib.import_module(module).build
        with backends.context(backend):
            case = build(backend, n)
            for _ in range(warmup):
                timing.run_once(case, steps)
    except BaseException as e:  # reported as the row's status; the worker then exits
        conn.send(("error", _status(e)))
        return
    conn.send(("ok", case.count))
    while conn.recv() == "run":
        try:
            with backends.context(backend):
                conn.send(("ok", timing.run_once(case, steps)))
        except BaseException as e:
            conn.send(("error", _status(e)))
            return


# Read by OpenBLAS, MKL and OpenMP when they load: a worker's BLAS (NumPy's and torch's) is
# pinned before its first import, so it holds without threadpoolctl. Unpinned, OpenBLAS on a
# 2-core machine ran the MLP rows' small matmuls on 2 threads whose spinning showed up in the
# scalar rows' profiles too.
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@contextlib.contextmanager
def _thread_env(threads: int) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in _THREAD_VARS}
    os.environ.update(dict.fromkeys(_THREAD_VARS, str(threads)))
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class WorkerFailed(Exception):
    """The worker could not build or run its case; the message is the row's status."""


class Worker:
    """A child process holding one built Case; `run()` times one repeat there."""

    def __init__(self, module: str, backend: str, n: int, warmup: int, steps: int,
                 threads: int) -> None:
        ctx = mp.get_context("spawn")  # a fork would inherit this process's heap
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, daemon=True,
                                 args=(child, module, backend, n, warmup, steps,
                                       timing.PAUSE_GC, threads))
        with _thread_env(threads):
            self._proc.start()
        child.close()
        self.count: int = self._reply()

    def _reply(self) -> Any:
        try:
            status, value = self._conn.recv()
        except EOFError:
            self._proc.join()
            raise WorkerFailed(f"error: bench worker died (exit code {self._proc.exitcode})"
                               ) from None
        if status != "ok":
            self.close()
            raise WorkerFailed(value)
        return value

    def run(self) -> tuple[float, float, float]:
        self._conn.send("run")
        return tuple(self._reply())  # type: ignore[return-value]

    def close(self) -> None:
        if self._proc.is_alive():
            try:
                self._conn.send("stop")
            except OSError:
                pass
            self._proc.join(timeout=10)
            if self._proc.is_alive():
                self._proc.kill()
        self._conn.close()
