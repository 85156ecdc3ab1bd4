"""Write ``python/chaingrad/_torch_names.json``: the public names of torch's namespaces.

The coverage table (``tools/gen_coverage.py``) and the "not implemented" errors
(``chaingrad/_missing.py``) are built against this snapshot, so neither needs torch at run time.
Run it with the torch release the snapshot names installed (``tests/test_coverage.py`` checks,
where torch is installed, that the file still equals torch's namespaces):

    python tools/snapshot_torch_names.py          # rewrite the snapshot
    python tools/snapshot_torch_names.py --check  # exit 1 if it differs from the installed torch

A name is public when it has no leading underscore and belongs to torch: modules that torch
merely imports (``math``, ``os``, ``numpy``), objects defined outside torch (``typing.Optional``,
``functools.wraps``) and ``TYPE_CHECKING`` are left out. Each name is recorded with its kind:
``module`` (a torch submodule), ``class``, ``function``, ``dtype``, ``constant`` (any other
value) and, for ``torch.Tensor``, ``method`` or ``attribute`` (properties and fields).
"""

from __future__ import annotations

import argparse
import importlib
import json
import pathlib
import sys
import types
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "python" / "chaingrad" / "_torch_names.json"

# The namespaces the coverage table is about, in the order it lists them.
NAMESPACES = (
    "torch", "torch.Tensor", "torch.nn", "torch.nn.functional", "torch.optim",
    "torch.optim.lr_scheduler", "torch.utils.data", "torch.autograd", "torch.linalg",
)
_SKIP = {"TYPE_CHECKING"}


def _resolve(path: str) -> Any:
    if path == "torch.Tensor":
        import torch

        return torch.Tensor
    return importlib.import_module(path)


def _kind(owner: Any, name: str, obj: Any) -> str | None:
    """The recorded kind of ``owner.name``, or None when it is not part of torch's API."""
    import torch

    if isinstance(owner, type):  # torch.Tensor: every public name is API
        raw = owner.__dict__.get(name)
        if raw is None:
            for klass in owner.__mro__:
                if name in klass.__dict__:
                    raw = klass.__dict__[name]
                    break
        if callable(raw) and not isinstance(raw, property):
            return "method"
        return "attribute"
    if isinstance(obj, types.ModuleType):
        return "module" if obj.__name__.startswith("torch.") else None
    if isinstance(obj, torch.dtype):
        return "dtype"
    module = getattr(obj, "__module__", None)
    if isinstance(obj, type):
        return "class" if str(module).startswith("torch") else None
    if callable(obj) and module is not None:
        return "function" if str(module).startswith("torch") else None
    if module is not None and not str(module).startswith("torch"):
        return None
    return "constant"


def snapshot() -> dict[str, Any]:
    """{"torch_version": ..., "namespaces": {namespace: {kind: [names]}}}."""
    import torch

    spaces: dict[str, dict[str, list[str]]] = {}
    for path in NAMESPACES:
        owner = _resolve(path)
        by_kind: dict[str, list[str]] = {}
        for name in sorted(dir(owner)):
            if name.startswith("_") or name in _SKIP:
                continue
            try:
                obj = getattr(owner, name)
            except Exception:  # a lazily loaded attribute that fails here: still a name
                obj = None
            kind = _kind(owner, name, obj)
            if kind is not None:
                by_kind.setdefault(kind, []).append(name)
        spaces[path] = dict(sorted(by_kind.items()))
    return {"torch_version": torch.__version__.split("+")[0], "namespaces": spaces}


def dumps(data: dict[str, Any]) -> str:
    """Compact and diff-friendly: one line per namespace and kind."""
    lines = ["{", f'  "torch_version": {json.dumps(data["torch_version"])},', '  "namespaces": {']
    spaces = list(data["namespaces"].items())
    for i, (path, by_kind) in enumerate(spaces):
        lines.append(f"    {json.dumps(path)}: {{")
        kinds = list(by_kind.items())
        for j, (kind, names) in enumerate(kinds):
            comma = "," if j < len(kinds) - 1 else ""
            lines.append(f"      {json.dumps(kind)}: {json.dumps(names)}{comma}")
        lines.append("    }" + ("," if i < len(spaces) - 1 else ""))
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the snapshot is stale")
    args = parser.parse_args(argv)
    text = dumps(snapshot())
    if args.check:
        if not OUT.exists() or OUT.read_text() != text:
            print(f"{OUT} differs from the installed torch: run {sys.argv[0]}", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
