"""The docs site (mkdocs + mkdocstrings): builds with --strict from the code's docstrings, its
nav tolerates pages that are not there yet, and the seed pictures it shows are current."""

from __future__ import annotations

import html
import importlib.util
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _once(engine: str) -> None:
    if engine != "cpp":
        pytest.skip("the docs do not depend on the engine under test")
    if not (ROOT / "mkdocs.yml").is_file():
        pytest.skip("needs the source checkout's mkdocs.yml and docs/")


def _hooks():
    path = ROOT / "tools" / "mkdocs_hooks.py"
    spec = importlib.util.spec_from_file_location("mkdocs_hooks", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_mkdocs_build_strict(tmp_path: pathlib.Path) -> None:
    for mod in ("mkdocs", "mkdocstrings", "mkdocstrings_handlers.python"):
        if importlib.util.find_spec(mod.split(".")[0]) is None or (
                "." in mod and importlib.util.find_spec(mod) is None):
            pytest.skip(f"{mod} is not installed (pip install '.[docs]')")
    site = tmp_path / "site"
    r = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    # API pages come from the docstrings
    api = (site / "api" / "tensor" / "index.html").read_text()
    assert "Accumulate the gradient of this tensor" in api  # Tensor.backward's docstring
    optim = (site / "api" / "optim" / "index.html").read_text()
    assert "AdamW" in optim
    seeds = (site / "seeds" / "index.html").read_text()
    for name in ("1_product", "2_blocks", "3_add_then_multiply", "4_paths"):
        assert f"img/seeds/{name}.svg" in seeds
        assert (site / "img" / "seeds" / f"{name}.svg").is_file()
    for page in ("ops", "nn", "checkpoints", "architecture", "results", "torch-differences",
                 "viz"):
        assert (site / page / "index.html").is_file(), page
    if (ROOT / "docs" / "coverage.md").is_file():
        assert (site / "coverage" / "index.html").is_file()


def test_nav_drops_missing_pages(tmp_path: pathlib.Path) -> None:
    (tmp_path / "a.md").write_text("# a")
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "x.md").write_text("# x")
    nav = [{"A": "a.md"}, {"Coverage": "coverage.md"},
           {"API": [{"X": "api/x.md"}, {"Y": "api/y.md"}]}, {"Gone": [{"Z": "z.md"}]}]
    cfg = _hooks().on_config({"nav": nav, "docs_dir": str(tmp_path)})
    assert cfg["nav"] == [{"A": "a.md"}, {"API": [{"X": "api/x.md"}]}]


def test_nav_lists_every_page() -> None:
    """Every docs/*.md page is in mkdocs.yml's nav (a new page must be linked, not orphaned)."""
    nav = (ROOT / "mkdocs.yml").read_text()
    for page in sorted((ROOT / "docs").rglob("*.md")):
        rel = page.relative_to(ROOT / "docs").as_posix()
        assert f": {rel}" in nav, f"docs/{rel} is not in mkdocs.yml's nav"


def test_seed_pictures_show_the_seed_graphs() -> None:
    """docs/img/seeds/ is what `chaingrad seeds --pictures docs/img/seeds` writes."""
    pics = ROOT / "docs" / "img" / "seeds"
    expect = {
        "1_product": ["MulBackward0", "grad [12.]", "grad [8.]", "grad [6.]"],
        "2_blocks": ["AddBackward0", "PowBackward0", "grad 4"],
        "3_add_then_multiply": ["MulBackward0", "AddBackward0", "grad -3", "grad 4"],
        "4_paths": ["MulBackward0", "AddBackward0", "grad [2.]", "grad [5.]", "grad [3.]"],
    }
    for name, needles in expect.items():
        svg = html.unescape((pics / f"{name}.svg").read_text())
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg
        for n in needles:
            assert n in svg, (name, n)
