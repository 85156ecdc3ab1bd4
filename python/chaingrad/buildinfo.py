"""What this chaingrad is built from and runs on: the facts that move its figures.

``build_info()`` is what ``python -m chaingrad.demo --json`` and ``python -m bench --report``
record next to every figure, so two results can be told apart (a different BLAS, thread count or
NumPy changes timings, and the BLAS can change the last bits of a training run).
"""

from __future__ import annotations

import platform
import sys
from typing import Any

import numpy as np

from . import engine
from .ops import _fast

__all__ = ["blas_info", "build_info"]


def blas_info() -> dict[str, Any]:
    """The BLAS NumPy was built against (name, version, configuration) and its thread pool."""
    from .demo.blas import blas_threads

    out: dict[str, Any] = {"name": None, "version": None, "config": None,
                           "threads": blas_threads()}
    try:  # NumPy >= 1.25; older versions only print their configuration
        deps = np.show_config(mode="dicts")["Build Dependencies"]
        blas = deps.get("blas", {})
    except Exception:
        return out
    out["name"] = blas.get("name")
    out["version"] = blas.get("version")
    out["config"] = blas.get("openblas configuration") or None
    return out


def build_info() -> dict[str, Any]:
    """chaingrad's version, engines, compiler and fast paths; NumPy, BLAS, Python, platform."""
    from . import __version__

    try:
        compiler = engine._load("cpp").compiler
    except (ImportError, AttributeError):
        compiler = None
    return {
        "chaingrad": __version__,
        "engines": engine.available(),
        "engine": engine.get_engine_name(),
        "compiler": compiler,
        "fast_ops": len(_fast.REPLACED),
        "numpy": np.__version__,
        "blas": blas_info(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }
