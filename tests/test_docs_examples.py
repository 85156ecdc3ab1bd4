"""Every ```python block of the README and docs/*.md runs.

Each block runs on its own, in a fresh namespace, in a temporary working directory (so the
files examples write land there). A block that needs an optional dependency that is missing
(torch, graphviz and its ``dot``, matplotlib, tqdm) is skipped, saying which. A block opts out
only with a marker line ``# docs-test: skip -- <reason>``; a marker without a reason fails.
"""

from __future__ import annotations

import pathlib
import re

import pytest

from chaingrad import viz

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Optional packages an example may need: missing ones skip its block, anything else fails.
OPTIONAL = {"torch", "graphviz", "matplotlib", "tqdm"}
SKIP_MARK = re.compile(r"^\s*# docs-test: skip\b(.*)$", re.M)
FENCE = re.compile(r"^( *)```python\n(.*?)^\1```", re.M | re.S)


def _pages() -> list[pathlib.Path]:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    return [p for p in pages if p.is_file()]


def _blocks() -> list[tuple[str, str]]:
    out = []
    for page in _pages():
        text = page.read_text(encoding="utf-8")
        for m in FENCE.finditer(text):
            indent = len(m.group(1))
            code = "\n".join(line[indent:] for line in m.group(2).splitlines())
            line_no = text.count("\n", 0, m.start()) + 1
            out.append((f"{page.relative_to(ROOT)}:{line_no}", code))
    return out


BLOCKS = _blocks()


@pytest.fixture(autouse=True)
def _once(engine: str) -> None:
    if engine != "cpp":
        pytest.skip("the examples run once, on the default engine")


def test_examples_were_found() -> None:
    if not (ROOT / "docs").is_dir():
        pytest.skip("needs the source checkout's docs/")
    assert len(BLOCKS) >= 10
    assert any(where.startswith("README.md") for where, _ in BLOCKS)


@pytest.mark.parametrize("where,code", BLOCKS, ids=[w for w, _ in BLOCKS])
def test_example_runs(where: str, code: str, tmp_path: pathlib.Path,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    mark = SKIP_MARK.search(code)
    if mark:
        reason = mark.group(1).strip(" -—:")
        assert reason, f"{where}: '# docs-test: skip' needs a reason after it"
        pytest.skip(f"{where}: {reason}")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__docs_example__"}
    try:
        exec(compile(code, where, "exec"), namespace)  # noqa: S102
    except ModuleNotFoundError as e:
        if (e.name or "").split(".")[0] in OPTIONAL:
            pytest.skip(f"{where}: needs {e.name} (not installed)")
        raise
    except viz.GraphvizMissing as e:
        pytest.skip(f"{where}: {e}")


def test_skip_marker_needs_a_reason() -> None:
    assert SKIP_MARK.search("x = 1\n# docs-test: skip -- needs a GPU\n").group(1).strip(" -")
    assert not SKIP_MARK.search("# docs-test: skip\n").group(1).strip(" -—:")
