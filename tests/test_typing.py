"""Typed like a library: py.typed ships, the stubs match what the code exports, and a user
script using Tensor, nn and optim passes ``mypy --strict``."""

from __future__ import annotations

import ast
import importlib.util
import pathlib
import subprocess
import sys
import types

import pytest

import chaingrad

ROOT = pathlib.Path(__file__).resolve().parent.parent
PKG = pathlib.Path(chaingrad.__file__).resolve().parent  # the installed package


@pytest.fixture(autouse=True)
def _once(engine: str) -> None:
    if engine != "cpp":
        pytest.skip("typing does not depend on the engine under test")


def _stub_names(path: pathlib.Path) -> tuple[set[str], dict[str, set[str]]]:
    """Top-level names of a .pyi and, for each class, the names defined in its body."""
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    members: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        if isinstance(node, ast.ClassDef):
            members[node.name] = {
                item.name for item in node.body if isinstance(item, ast.FunctionDef)
            }
    return names, members


def _public(obj: object) -> set[str]:
    return {n for n in dir(obj) if not (n.startswith("__") and n.endswith("__"))}


def test_py_typed_ships() -> None:
    assert (PKG / "py.typed").is_file()
    assert (PKG / "_core.pyi").is_file()
    assert (PKG / "_tensor_methods.pyi").is_file()


def test_core_stub_matches_core() -> None:
    core = pytest.importorskip("chaingrad._core", reason="the C++ core is not built")
    names, members = _stub_names(PKG / "_core.pyi")
    exported = _public(core)
    missing = exported - names
    assert not missing, (
        f"chaingrad._core exports {sorted(missing)} but python/chaingrad/_core.pyi does not "
        "declare them: add them to the stub"
    )
    extra = names - exported
    assert not extra, f"_core.pyi declares {sorted(extra)}, which chaingrad._core does not export"
    for cls in ("Node", "HookHandle"):
        have = {n for n in _public(getattr(core, cls)) - _public(object) if n[0] != "_"}
        assert have - members[cls] == set(), f"_core.{cls}: stub lacks {have - members[cls]}"
        assert members[cls] - have == set(), f"_core.{cls}: stub has extra {members[cls] - have}"


def test_tensor_methods_stub_is_fresh() -> None:
    if not (ROOT / "tools" / "gen_tensor_stub.py").is_file():
        pytest.skip("needs the source checkout's tools/")
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "gen_tensor_stub.py"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_tensor_methods_stub_covers_every_attached_method() -> None:
    from chaingrad.ops import _registry

    _, members = _stub_names(PKG / "_tensor_methods.pyi")
    own = set(vars(chaingrad.Tensor))  # after _ops_install: class body + attached
    for name in _registry.methods():
        assert name in members["_TensorMethods"] or name in own, name


def test_all_lists_every_public_name() -> None:
    # Submodules imported later (chaingrad.viz, chaingrad.demo) become attributes of the
    # package too: they need no listing; every other public name does.
    public = {n for n, v in vars(chaingrad).items()
              if not n.startswith("_") and not isinstance(v, types.ModuleType)} - {"annotations"}
    assert len(chaingrad.__all__) == len(set(chaingrad.__all__))
    missing = public - set(chaingrad.__all__)
    assert not missing, (
        f"chaingrad exports {sorted(missing)} without listing them in __all__ (the end of "
        "python/chaingrad/__init__.py); type checkers treat unlisted names as private: run "
        "python tools/gen_all.py"
    )
    assert all(hasattr(chaingrad, n) for n in chaingrad.__all__)


def test_mypy_strict_on_a_user_script(tmp_path: pathlib.Path) -> None:
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (pip install '.[test]' brings it)")
    script = ROOT / "tests" / "typing" / "user_script.py"
    r = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental",
         "--cache-dir", str(tmp_path / "cache"), str(script)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Success" in r.stdout
    # and it is a real program, not just well-typed
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert run.returncode == 0 and "final loss" in run.stdout, run.stderr


def test_mypy_catches_a_type_error(tmp_path: pathlib.Path) -> None:
    """The check above can fail: a wrong call into chaingrad is reported."""
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (pip install '.[test]' brings it)")
    bad = tmp_path / "bad.py"
    bad.write_text("import chaingrad as torch\n"
                   "x: torch.Tensor = torch.ones(2)\n"
                   "y: str = x.sum()\n"
                   "x.backward(retain_graph='yes', no_such_arg=1)\n")
    r = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental",
         "--cache-dir", str(tmp_path / "cache"), str(bad)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert r.returncode == 1, r.stdout + r.stderr
    assert "bad.py:3" in r.stdout and "bad.py:4" in r.stdout, r.stdout


def test_stub_only_module_is_not_imported_at_run_time() -> None:
    # _tensor_methods exists only as a .pyi: the run-time base of Tensor is plain object.
    assert chaingrad.Tensor.__mro__ == (chaingrad.Tensor, object)
