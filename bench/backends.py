"""The things a workload can run on: chaingrad's two engines, the peers, and the floor.

chaingrad is imported lazily so that the floors, peers and reporting still run while the
package is broken or not installed yet.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CHAINGRAD = ("cpp", "python")
PEERS = ("torch", "micrograd", "autograd")
ALL = ("floor", *CHAINGRAD, *PEERS)

LABELS = {
    "floor": "NumPy floor (hand-written)",
    "cpp": "chaingrad C++",
    "python": "chaingrad reference",
    "torch": "torch",
    "micrograd": "micrograd",
    "autograd": "HIPS autograd",
}

_cache: dict[str, Any] = {}


def _import_chaingrad() -> Any:
    """Return (cg, engine module) or the import error as a string."""
    if "chaingrad" in _cache:
        return _cache["chaingrad"]
    try:
        cg = importlib.import_module("chaingrad")
        eng = importlib.import_module("chaingrad.engine")
        res: Any = (cg, eng)
    except Exception as first:
        # Fallback for an un-installed checkout: only when the normal import fails, because
        # putting python/ first could shadow an editable install's compiled _core.
        src = Path(__file__).resolve().parent.parent / "python"
        res = f"{type(first).__name__}: {first}"
        if src.is_dir() and str(src) not in sys.path:
            sys.path.insert(0, str(src))
            for mod in [m for m in sys.modules if m == "chaingrad" or m.startswith("chaingrad.")]:
                del sys.modules[mod]
            try:
                cg = importlib.import_module("chaingrad")
                eng = importlib.import_module("chaingrad.engine")
                res = (cg, eng)
            except Exception:
                sys.path.remove(str(src))
    _cache["chaingrad"] = res
    return res


def chaingrad() -> Any:
    res = _import_chaingrad()
    if isinstance(res, str):
        raise RuntimeError(f"chaingrad not importable: {res}")
    return res[0]


def engine_module() -> Any:
    res = _import_chaingrad()
    if isinstance(res, str):
        raise RuntimeError(f"chaingrad not importable: {res}")
    return res[1]


def _peer(name: str) -> Any | None:
    if name not in _cache:
        try:
            _cache[name] = importlib.import_module(name)
        except Exception:
            _cache[name] = None
    return _cache[name]


def unavailable(backend: str) -> str | None:
    """Why `backend` cannot run at all here (None if it can)."""
    if backend in CHAINGRAD:
        res = _import_chaingrad()
        return f"error: chaingrad not importable ({res})"[:200] if isinstance(res, str) else None
    if backend in PEERS:
        mod = _peer(backend)
        if mod is None:
            return "not installed"
        if backend == "micrograd":
            return None if _peer("micrograd.engine") else "not installed"
        return None
    return None


def torch() -> Any:
    mod = _peer("torch")
    if mod is None:
        raise RuntimeError("torch not installed")
    return mod


def configure_threads(n: int) -> dict[str, Any]:
    """Pin torch and NumPy's BLAS to `n` threads, so every backend does matmuls alike.

    Returns what was set, for the JSON. The threadpoolctl limiter must stay referenced for
    the limit to hold, so it is cached here.
    """
    info: dict[str, Any] = {"requested": n}
    t = _peer("torch")
    if t is not None:
        t.set_num_threads(n)
        info["torch"] = t.get_num_threads()
    tpc = _peer("threadpoolctl")
    if tpc is not None:
        _cache["_limiter"] = tpc.threadpool_limits(limits=n)
        info["blas"] = [
            {"api": p.get("internal_api"), "threads": p.get("num_threads")}
            for p in tpc.threadpool_info()
        ]
    else:
        info["blas"] = "unpinned (threadpoolctl not installed)"
    return info


@contextlib.contextmanager
def context(backend: str) -> Iterator[None]:
    """Everything a workload does on `backend` (build and run) happens inside this."""
    if backend in CHAINGRAD:
        eng = engine_module()
        with eng.use(backend):
            got = eng.get_engine_name()
            if got != backend:
                raise RuntimeError(f"E.use({backend!r}) left get_engine_name()={got!r}")
            yield
    elif backend == "micrograd":
        # micrograd's topological sort recurses once per graph level.
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old, 1_000_000))
        try:
            yield
        finally:
            sys.setrecursionlimit(old)
    else:
        yield


def versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in ("numpy", *PEERS):
        mod = _peer(name)
        out[name] = getattr(mod, "__version__", "installed") if mod else None
    res = _import_chaingrad()
    out["chaingrad"] = None if isinstance(res, str) else getattr(res[0], "__version__", "?")
    return out


def engine_names() -> dict[str, Any]:
    res = _import_chaingrad()
    if isinstance(res, str):
        return {"error": res}
    eng = res[1]
    names: dict[str, Any] = {"default": eng.get_engine_name()}
    for b in CHAINGRAD:
        try:
            with eng.use(b):
                names[b] = eng.get_engine_name()
        except Exception as e:
            names[b] = f"error: {e}"
    return names
