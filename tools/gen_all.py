"""Rewrite the ``__all__`` list at the end of python/chaingrad/__init__.py from what the package
exports at run time (every public non-module attribute), so type checkers see every name.

mypy --strict needs a literal ``__all__`` to treat the imports in ``__init__`` as re-exports,
so the list is written out here instead of being computed at import.

    python tools/gen_all.py          # rewrite the list
    python tools/gen_all.py --check  # exit 1 if it is stale (tests/test_typing.py checks too)
"""

from __future__ import annotations

import argparse
import pathlib
import re
import sys
import textwrap
import types

ROOT = pathlib.Path(__file__).resolve().parent.parent
INIT = ROOT / "python" / "chaingrad" / "__init__.py"
BLOCK = re.compile(r"^__all__ = \[\n.*?\n\]\n", re.S | re.M)


def public_names() -> list[str]:
    import chaingrad

    # the modules chaingrad's own __init__ binds (engine, autograd, nn, utils, ...) are listed
    # as they were; submodules imported later by users (viz, demo) are left out.
    listed = set(getattr(chaingrad, "__all__", ()))
    names = {n for n, v in vars(chaingrad).items()
             if not n.startswith("_") and n != "annotations"
             and (not isinstance(v, types.ModuleType) or n in listed)}
    return sorted(names, key=lambda n: (n.lower(), n))


def render(names: list[str]) -> str:
    body = textwrap.fill(", ".join(f'"{n}"' for n in names), width=96,
                         initial_indent="    ", subsequent_indent="    ",
                         break_on_hyphens=False, break_long_words=False)
    return f"__all__ = [\n{body}\n]\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if __all__ is stale")
    args = ap.parse_args()
    src = INIT.read_text()
    if not BLOCK.search(src):
        print(f"no __all__ block found in {INIT}", file=sys.stderr)
        return 2
    new = BLOCK.sub(lambda _: render(public_names()), src, count=1)
    if args.check:
        if new != src:
            print("python/chaingrad/__init__.py: __all__ is stale; run python tools/gen_all.py")
            return 1
        return 0
    INIT.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
