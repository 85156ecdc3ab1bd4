"""The torch programs of examples/torch_programs run unchanged and print torch's numbers.

Each program is run in a subprocess as written (``import chaingrad as torch``), on the engine
of the test, and -- when torch is installed -- once more with its chaingrad imports rewritten
to torch's. The two outputs must agree line by line: the same text, and every number within
1e-6 (relative and absolute; the programs compute in float64). Whether or not torch is there,
every program must finish and its loss must fall.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import pathlib
import re
import subprocess
import sys

import pytest

PROGRAMS = pathlib.Path(__file__).resolve().parent.parent / "examples" / "torch_programs"

# program -> pattern of the lines reporting the training loss (group 1: the loss)
LOSS_LINES = {
    "polynomial_tensor.py": r"^\d+ (\S+)$",
    "polynomial_autograd.py": r"^\d+ (\S+)$",
    "polynomial_custom_function.py": r"^\d+ (\S+)$",
    "polynomial_nn.py": r"^\d+ (\S+)$",
    "polynomial_optim.py": r"^\d+ (\S+)$",
    "polynomial_module.py": r"^\d+ (\S+)$",
    "dynamic_net.py": r"^\d+ (\S+)$",
    "makemore_mlp.py": r"^ *\d+/ *\d+: (\S+)$",
    "nanogpt_char.py": r"^step \d+: train loss (\S+),",
}

_NUMBER = re.compile(
    r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|(?<![A-Za-z])[-+]?(?:inf|nan)(?![A-Za-z])"
)
_IMPORT = re.compile(r"^(\s*(?:import|from)\s+)chaingrad\b", re.MULTILINE)
_HAVE_TORCH = importlib.util.find_spec("torch") is not None
_torch_outputs: dict[str, list[str]] = {}


def torch_source(source: str) -> str:
    """The program with its chaingrad imports turned into torch's; nothing else may mention
    chaingrad (the programs are plain torch code)."""
    out = _IMPORT.sub(r"\1torch", source)
    assert "chaingrad" not in out, "the program uses chaingrad beyond its imports"
    return out


def _subprocess(launcher: str, args: list[str], stdin: str, engine: str | None) -> str:
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONHASHSEED="0")
    if engine is not None:
        env["CHAINGRAD_ENGINE"] = engine
    proc = subprocess.run(
        [sys.executable, "-c", launcher, *args], input=stdin, capture_output=True, text=True,
        env=env, cwd=PROGRAMS, timeout=600, check=False,
    )
    assert proc.returncode == 0, f"{args} failed:\n{proc.stderr[-3000:]}"
    return proc.stdout


def run(name: str, source: str, engine: str | None) -> list[str]:
    """Run `source` as the program `name` (its own __file__, so it finds its data) and return
    its output lines."""
    launcher = (
        "import sys\n"
        "path, source = sys.argv[1], sys.stdin.read()\n"
        "exec(compile(source, path, 'exec'), {'__name__': '__main__', '__file__': path})\n"
    )
    return _subprocess(launcher, [str(PROGRAMS / name)], source, engine).splitlines()


_SEPARATOR = "=== torch program: "


def torch_output(name: str) -> list[str]:
    """The program's output under torch. All the programs run in one subprocess (importing
    torch once), each in a fresh namespace from torch's default dtype."""
    if not _torch_outputs:
        launcher = (
            "import json, sys, torch\n"
            "for path, source in json.load(sys.stdin):\n"
            "    torch.set_default_dtype(torch.float32)\n"
            f"    print({_SEPARATOR!r} + path, flush=True)\n"
            "    exec(compile(source, path, 'exec'), {'__name__': '__main__', '__file__': path})\n"
        )
        programs = [[str(PROGRAMS / n), torch_source((PROGRAMS / n).read_text())]
                    for n in sorted(LOSS_LINES)]
        current = None
        for line in _subprocess(launcher, [], json.dumps(programs), None).splitlines():
            if line.startswith(_SEPARATOR):
                current = _torch_outputs.setdefault(pathlib.Path(line[len(_SEPARATOR):]).name, [])
            else:
                assert current is not None, line
                current.append(line)
    return _torch_outputs[name]


def split_numbers(line: str) -> tuple[list[str], list[float]]:
    return _NUMBER.split(line), [float(m) for m in _NUMBER.findall(line)]


def assert_same_output(ours: list[str], theirs: list[str], tol: float = 1e-6) -> None:
    assert len(ours) == len(theirs), f"{len(ours)} lines printed, torch printed {len(theirs)}"
    for i, (a, b) in enumerate(zip(ours, theirs)):
        text_a, nums_a = split_numbers(a)
        text_b, nums_b = split_numbers(b)
        assert text_a == text_b, f"line {i + 1}: {a!r}\n    torch: {b!r}"
        for x, y in zip(nums_a, nums_b):
            same = (math.isnan(x) and math.isnan(y)) or math.isclose(x, y, rel_tol=tol, abs_tol=tol)
            assert same, f"line {i + 1}: {x!r} vs torch's {y!r}\n  {a}\n  {b}"


def losses(name: str, lines: list[str]) -> list[float]:
    pattern = re.compile(LOSS_LINES[name])
    return [float(m.group(1)) for line in lines if (m := pattern.match(line))]


@pytest.mark.parametrize("name", sorted(LOSS_LINES))
def test_program_runs_and_matches_torch(name: str, engine: str) -> None:
    source = (PROGRAMS / name).read_text()
    ours = run(name, source, engine)
    series = losses(name, ours)
    assert len(series) >= 3, f"{name} printed too few losses:\n" + "\n".join(ours)
    assert all(math.isfinite(v) for v in series)
    assert series[-1] < series[0], f"{name}: the loss did not fall: {series}"
    if name == "nanogpt_char.py":  # not a flat or noisy curve: it learns the characters' statistics
        assert series[0] > 3.9 and series[-1] < 2.6, series
        assert all(b < a for a, b in zip(series, series[1:])), series
    if _HAVE_TORCH:
        assert_same_output(ours, torch_output(name))


def test_every_program_is_listed() -> None:
    assert sorted(p.name for p in PROGRAMS.glob("*.py")) == sorted(LOSS_LINES)


def test_output_comparison_catches_differences() -> None:
    """The comparison is not vacuous: a number off by more than 1e-6 or different text fails."""
    assert_same_output(["1999 12.2866823", "Result: y = -1e-19"],
                       ["1999 12.2866824", "Result: y = 2e-18"])
    with pytest.raises(AssertionError):
        assert_same_output(["1999 0.28669"], ["1999 0.28668"])
    with pytest.raises(AssertionError):
        assert_same_output(["abc 1.0"], ["abd 1.0"])
    with pytest.raises(AssertionError):
        assert_same_output(["1.0", "2.0"], ["1.0"])


def test_torch_source_rewrites_only_imports() -> None:
    src = "import chaingrad as torch\nimport chaingrad.nn as nn\nfrom chaingrad.nn import F\n"
    expected = "import torch as torch\nimport torch.nn as nn\nfrom torch.nn import F\n"
    assert torch_source(src) == expected
    with pytest.raises(AssertionError):
        torch_source("import chaingrad as torch\nx = chaingrad.tensor(1)\n")
