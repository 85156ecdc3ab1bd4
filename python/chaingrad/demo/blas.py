"""Limit the BLAS thread pool at run time (NumPy is already imported by then).

The demo's matrices are small (a few hundred rows): a multi-threaded BLAS gains nothing on
them and, on a busy machine, its spinning worker threads fight other processes for the cores
(measured here: 13 s with one thread vs 64 s with the default pool under load). Environment
variables such as OPENBLAS_NUM_THREADS only act before NumPy loads BLAS, which ``python -m
chaingrad.demo`` cannot guarantee, so this calls the library's own setter.
"""

from __future__ import annotations

import contextlib
import ctypes
import sys
from collections.abc import Iterator

_SETTERS = (
    "openblas_set_num_threads", "openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads", "scipy_openblas_set_num_threads64_",
    "MKL_Set_Num_Threads",
)
_GETTERS = (
    "openblas_get_num_threads", "openblas_get_num_threads64_",
    "scipy_openblas_get_num_threads", "scipy_openblas_get_num_threads64_",
    "MKL_Get_Max_Threads",
)


def _loaded_blas_paths() -> list[str]:
    if not sys.platform.startswith("linux"):
        return []
    paths = set()
    try:
        with open("/proc/self/maps") as fh:
            for line in fh:
                name = line.rsplit(None, 1)[-1]
                low = name.lower()
                if name.startswith("/") and ("openblas" in low or "libmkl_rt" in low):
                    paths.add(name)
    except OSError:
        return []
    return sorted(paths)


def _call_first(names: tuple[str, ...], *args: int) -> int | None:
    """Call the first of ``names`` found in a loaded BLAS; None when there is none."""
    for path in _loaded_blas_paths():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in names:
            fn = getattr(lib, name, None)
            if fn is not None:
                fn.restype = ctypes.c_int
                return int(fn(*(ctypes.c_int(a) for a in args)) or 0)
    return None


def blas_threads() -> int | None:
    """The BLAS pool size, or None when no known BLAS is loaded."""
    return _call_first(_GETTERS)


def limit_blas_threads(n: int) -> bool:
    """Set the BLAS pool size to ``n``; returns False when no known BLAS could be set."""
    return _call_first(_SETTERS, n) is not None


@contextlib.contextmanager
def limited_blas_threads(n: int) -> Iterator[None]:
    """``limit_blas_threads(n)`` inside the block, the previous size restored after it."""
    before = blas_threads()
    limit_blas_threads(n)
    try:
        yield
    finally:
        if before:
            limit_blas_threads(before)
