"""The differential fuzzer (tools/fuzz.py) in CI: a bounded number of random graphs, both engines
bit for bit and torch within tolerance. `python tools/fuzz.py` runs 10,000."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "chaingrad_fuzz", Path(__file__).resolve().parents[1] / "tools" / "fuzz.py")
fuzz = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fuzz)


@settings(max_examples=250, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(fuzz.programs())
def _fuzz_case(prog):
    problems = fuzz.check(prog)
    assert not problems, "\n".join(problems)


def test_random_graphs_agree(both):
    _fuzz_case()


def test_fuzzer_can_fail(both, monkeypatch):
    """The comparison is live: a forward that differs in one engine is reported."""
    import chaingrad as cg
    from chaingrad import engine

    real = fuzz.run

    def skewed(lib, prog):
        vals, grads = real(lib, prog)
        if lib is cg and engine.current().name == "python":
            vals[0] = vals[0] + 1
        return vals, grads

    monkeypatch.setattr(fuzz, "run", skewed)
    prog = ("float64", [(2, 3)], [("tanh", 0, 0, 0)], 1)
    assert "value 0 differs between engines" in fuzz.check(prog, use_torch=False)
