"""The ``chaingrad`` command: subcommands, --help, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata

import pytest

from chaingrad.cli import main


@pytest.fixture(autouse=True)
def _once(engine: str) -> None:
    if engine != "cpp":
        pytest.skip("the command does not depend on the engine under test")


def test_console_script_declared() -> None:
    eps = [ep for ep in metadata.entry_points(group="console_scripts") if ep.name == "chaingrad"]
    assert eps and eps[0].value == "chaingrad.cli:main"


def test_info(capsys) -> None:
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    for key in ("chaingrad", "engine", "compiler", "fast paths", "numpy", "blas"):
        assert any(line.startswith(key) for line in out.splitlines()), key
    assert main(["info", "--json"]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert {"chaingrad", "engine", "engines", "numpy", "blas", "fast_ops"} <= facts.keys()


def test_usage_errors_exit_2(capsys) -> None:
    for argv in ([], ["nope"], ["info", "--x"], ["seeds", "extra"]):
        with pytest.raises(SystemExit) as e:
            main(argv)
        assert e.value.code == 2, argv
    assert "usage: chaingrad" in capsys.readouterr().err


def test_help_everywhere(capsys) -> None:
    for argv in (["--help"], ["info", "--help"], ["seeds", "--help"], ["demo", "--help"],
                 ["bench", "--help"]):
        with pytest.raises(SystemExit) as e:
            main(argv)
        assert e.value.code == 0, argv
        assert "usage:" in capsys.readouterr().out


def test_seeds_writes_pictures(tmp_path, capsys) -> None:
    assert main(["seeds", "--pictures", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "dg/dx = tensor(-3.), dg/dy = tensor(-3.), dg/dz = tensor(4.)" in out
    names = sorted(p.stem for p in tmp_path.iterdir())
    assert names == ["1_product", "2_blocks", "3_add_then_multiply", "4_paths"]
    picture = next(tmp_path.glob("4_paths.*")).read_text()
    assert "AddBackward0" in picture and "grad [5.]" in picture


def test_demo_passes_its_arguments_on() -> None:
    with pytest.raises(SystemExit) as e:
        main(["demo", "--model", "resnet"])
    assert e.value.code == 2


def test_runs_as_a_process() -> None:
    r = subprocess.run([sys.executable, "-m", "chaingrad.cli", "info"], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.startswith("chaingrad")
