"""The figures users read come from one run of the current code (issue 13).

docs/results.json is written by ``python -m bench --report``; the page docs/results.md and the
README's results block are rendered from it. These tests fail when either was edited by hand,
when the demo no longer produces the accuracies they quote, or when the README or docs quote
an accuracy from somewhere else.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench import results_doc, run

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def doc() -> dict:
    return json.loads(results_doc.JSON_PATH.read_text())


def test_page_is_rendered_from_the_json(doc: dict, both: str) -> None:
    assert results_doc.PAGE_PATH.read_text() == results_doc.render_page(doc), (
        "docs/results.md differs from its JSON: rerun `python -m bench --report`")


def test_readme_block_is_rendered_from_the_json(doc: dict, both: str) -> None:
    block = results_doc.current_block(results_doc.README_PATH.read_text())
    assert block == results_doc.render_block(doc), (
        "README's results block differs from docs/results.json: rerun `python -m bench --report`")


def test_the_demo_still_produces_the_quoted_accuracies(doc: dict, both: str) -> None:
    # The demo is deterministic for a seed, thread count and build: run it as a user does, on
    # each engine the document quotes, and compare every model's outcome exactly.
    for eng, quoted in doc["demo"].items():
        live = results_doc.run_demo(eng, seed=quoted["seed"], threads=quoted["threads"])
        for name, m in quoted["models"].items():
            got = live["models"][name]
            assert (got["test_acc"], got["epochs"], got["best_epoch"]) == (
                m["test_acc"], m["epochs"], m["best_epoch"]), (
                f"{name} on {eng}: the docs quote {m['test_acc']:.4%} after {m['epochs']} "
                f"epochs, the current code gives {got['test_acc']:.4%} after {got['epochs']}: "
                "rerun `python -m bench --report`")


def _quoted_percentages(text: str) -> list[str]:
    return re.findall(r"\b\d{1,3}\.\d{2} ?%", text)


def test_no_accuracy_is_quoted_from_elsewhere(doc: dict, both: str) -> None:
    # Outside the generated block and page, a two-decimal percentage in the README or docs can
    # only be one of the run's accuracies (a figure remembered from an older run would fail).
    allowed = {f"{100 * a:.2f}" for accs in results_doc.demo_accuracies(doc).values()
               for a in accs.values()}
    readme = results_doc.README_PATH.read_text()
    texts = {"README.md": readme.replace(results_doc.current_block(readme), "")}
    for p in [*(ROOT / "docs").glob("*.md"), *(ROOT / "examples").rglob("*.md"),
              ROOT / "bench" / "README.md"]:
        if p != results_doc.PAGE_PATH:
            texts[str(p.relative_to(ROOT))] = p.read_text()
    stale = {name: q for name, t in texts.items()
             for q in _quoted_percentages(t) if q.rstrip(" %") not in allowed}
    assert not stale, f"accuracies not from docs/results.json: {stale}"


def test_the_demo_is_deterministic(tmp_path: Path, both: str) -> None:
    outs = []
    for i in range(2):
        path = tmp_path / f"run{i}.json"
        subprocess.run([sys.executable, "-m", "chaingrad.demo", "--model", "mlp", "--epochs",
                        "3", "--quiet", "--plot", "", "--json", str(path)], check=True,
                       capture_output=True, cwd=tmp_path)
        outs.append(json.loads(path.read_text())["models"]["MLP"])
    for key in ("train_loss", "val_loss", "val_acc", "test_acc"):
        assert outs[0][key] == outs[1][key], key


def test_demo_json_says_what_produced_it(tmp_path: Path, both: str) -> None:
    path = tmp_path / "d.json"
    subprocess.run([sys.executable, "-m", "chaingrad.demo", "--model", "mlp", "--epochs", "1",
                    "--quiet", "--plot", "", "--json", str(path)], check=True,
                   capture_output=True, cwd=tmp_path)
    d = json.loads(path.read_text())
    assert (d["seed"], d["threads"], d["max_epochs"]) == (0, 1, 1)
    b = d["build"]
    for key in ("chaingrad", "engines", "compiler", "numpy", "blas", "python", "platform"):
        assert key in b
    assert b["compiler"] and b["numpy"]
    m = d["models"]["MLP"]
    assert m["epochs"] == len(m["train_loss"]) == len(m["val_acc"]) == 1
    assert 0.0 <= m["test_acc"] <= 1.0


def test_report_refuses_a_partial_run(capsys: pytest.CaptureFixture, both: str) -> None:
    with pytest.raises(SystemExit):
        run.parse(["--report", "--only", "chain"])
    assert "--only" in capsys.readouterr().err


def test_the_readme_block_markers(both: str) -> None:
    text = f"a\n{results_doc.BEGIN}\nold\n{results_doc.END}\nb\n"
    new = results_doc.replace_block(text, f"{results_doc.BEGIN}\nnew\n{results_doc.END}")
    assert new == f"a\n{results_doc.BEGIN}\nnew\n{results_doc.END}\nb\n"
    with pytest.raises(ValueError, match="results block"):
        results_doc.current_block("no markers here")
