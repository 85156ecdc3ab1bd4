"""The bench's shape-op, broadcasting and reduction workloads: each backend computes the same
gradients as torch (the oracle), the CLI finds them, and the --quick guard judges them."""

from __future__ import annotations

import numpy as np
import pytest

from bench import backends, report
from bench.workloads import (
    NAMES,
    broadcast_chain,
    reductions,
    resolve,
    shape_chain,
    torch_mlp,
    torch_scalar,
)
from bench.workloads.base import run_interleaved

pytest.importorskip("torch")

NEW = (shape_chain, broadcast_chain, reductions)


def _grads(workload, backend: str, n: int) -> list[np.ndarray]:
    with backends.context(backend):
        case = workload.build(backend, n)
        out = case.forward()
        case.backward(out)
        assert case.grads is not None
        return [np.asarray(g) for g in case.grads()]


@pytest.mark.parametrize("workload", NEW, ids=lambda w: w.SPEC.name)
def test_engine_gradients_match_torch(engine, workload):
    # A few blocks: enough for the leaves to collect gradients from several uses.
    n = 4 * workload.OPS_PER_BLOCK
    want = _grads(workload, "torch", n)
    got = _grads(workload, engine, n)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.shape == w.shape and g.dtype == np.float32
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)
    # The workloads are built so that gradients neither vanish nor blow up.
    assert all(np.isfinite(g).all() for g in got)
    assert any(np.abs(g).max() > 0.5 for g in got)


@pytest.mark.parametrize("workload", NEW, ids=lambda w: w.SPEC.name)
def test_floor_gradients_match_torch(both, workload):
    n = 4 * workload.OPS_PER_BLOCK
    want = _grads(workload, "torch", n)
    got = _grads(workload, "floor", n)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("workload", NEW, ids=lambda w: w.SPEC.name)
def test_counts_are_ops(both, workload):
    blocks = 3
    for b in workload.SPEC.backends:
        with backends.context(b):
            case = workload.build(b, blocks * workload.OPS_PER_BLOCK)
        assert case.count == blocks * workload.OPS_PER_BLOCK, b


def test_names_and_aliases(both):
    for name in ("shape_chain", "broadcast_chain", "reductions"):
        assert name in NAMES
    assert resolve("shape,broadcast,reduce") == ["shape_chain", "broadcast_chain", "reductions"]
    assert resolve("shape_chain,red") == ["shape_chain", "reductions"]
    with pytest.raises(ValueError, match="unknown or ambiguous"):
        resolve("shapes_chain")


@pytest.mark.parametrize("workload", NEW, ids=lambda w: w.SPEC.name)
def test_interleaved_rows_and_guard(both, workload):
    spec = workload.SPEC
    rows = run_interleaved(spec, workload.build, ["cpp", "python", "torch", "floor"], True, 1)
    assert [r["backend"] for r in rows] == ["cpp", "python", "torch", "floor"]
    assert all(r["status"] == "ok" for r in rows), [r["status"] for r in rows]
    assert all(r["unit"] == "µs/op" and r["total"] > 0 for r in rows)
    rat = report.ratios(rows)[spec.name]
    assert all(rat[k] is not None for k in ("ref_over_cpp_backward", "cpp_over_floor",
                                            "cpp_over_torch"))
    gs = report.guards(report.ratios(rows), [spec.name])
    assert len(gs) == 1 and gs[0]["state"] in ("ok", "FAILED")
    table = report.markdown_table(rows, report.ratios(rows))
    assert spec.title in table


@pytest.mark.parametrize("name", ["shape_chain", "broadcast_chain", "reductions"])
def test_guard_fails_only_below_one(both, name):
    def state(v):
        return report.guards({name: {"ref_over_cpp_backward": v}}, [name])[0]["state"]

    assert state(0.9) == "FAILED"
    assert state(1.2) == "ok"
    assert state(None) == "not evaluated"


# -- the torch-style workloads (issue 9): same code on chaingrad and torch --------------------

TORCH_STYLE = (torch_scalar, torch_mlp)


def _sizes(workload) -> int:
    return 5 * torch_scalar.NODES_PER_BLOCK if workload is torch_scalar else torch_mlp.BATCH


@pytest.mark.parametrize("workload", TORCH_STYLE, ids=lambda w: w.SPEC.name)
@pytest.mark.parametrize("backend", ["engine", "floor"])
def test_torch_style_gradients_match_torch(engine, workload, backend):
    b = engine if backend == "engine" else "floor"
    n = _sizes(workload)
    want = _grads(workload, "torch", n)
    got = _grads(workload, b, n)
    assert len(got) == len(want) >= 4
    for g, w in zip(got, want):
        np.testing.assert_allclose(np.asarray(g, dtype=np.float64), np.asarray(w), rtol=1e-5,
                                   atol=1e-6)
        assert np.abs(np.asarray(w)).max() > 1e-3  # nothing vanishes


def test_torch_style_registered_with_targets(both):
    assert resolve("tscalar,tmlp") == ["torch_scalar", "torch_mlp"]
    rows = run_interleaved(torch_scalar.SPEC, torch_scalar.build, ["cpp", "floor"], True, 1)
    assert all(r["status"] == "ok" and r["count"] == r["n"] // 7 * 7 - 1 for r in rows)
    names = [t["target"] for t in report.targets(rows, [], report.ratios(rows))]
    assert "torch-style scalar graph fwd+bwd" in names
    assert "torch-style MLP step vs NumPy floor" in names


# -- one process per backend (bench/isolation.py) ---------------------------------------------


def test_isolated_rows_match_in_process_shape(both):
    # Same rows as in-process, timed in spawned workers; the parent never builds the cases.
    rows = run_interleaved(torch_scalar.SPEC, torch_scalar.build, ["cpp", "python", "floor"],
                           True, 2, isolate=torch_scalar.__name__)
    assert [r["backend"] for r in rows] == ["cpp", "python", "floor"]
    assert all(r["status"] == "ok" for r in rows), [r["status"] for r in rows]
    assert all(len(r["raw_seconds"]["samples"]["total"]) == 2 and r["total"] > 0 for r in rows)
    assert rows[0]["count"] == torch_scalar.SPEC.quick_size // 7 * 7 - 1


def test_isolated_worker_failure_is_an_error_row(both):
    # A module without the workload's build(): the worker reports it and exits; no hang.
    rows = run_interleaved(torch_scalar.SPEC, torch_scalar.build, ["cpp"], True, 1,
                           isolate="bench.report")
    assert rows[0]["status"].startswith("error: AttributeError"), rows[0]["status"]
