"""docs/ops.md is generated from the op registry and must be current; the registry, the
exports, the Tensor methods, the native kinds and the op tests must agree."""

from __future__ import annotations

import importlib.util
import pathlib

import pytest

import chaingrad as cg
from chaingrad import _kinds
from chaingrad._reference import kernels
from chaingrad.ops import _registry, derivatives

from .op_db import ALL_CASES, COVERED_ELSEWHERE, KINK_CASES

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("gen_ops_doc", ROOT / "tools" / "gen_ops_doc.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_docs_ops_md_is_current(engine):
    if engine != "python":
        pytest.skip("the document is engine-independent; checked once")
    text = (ROOT / "docs" / "ops.md").read_text()
    assert text == _generator().render(), "docs/ops.md is stale: run python tools/gen_ops_doc.py"


def test_registry_functions_are_exported():
    for name, fn in _registry.functions().items():
        obj = cg
        for part in name.split("."):  # "linalg.norm" is chaingrad.linalg.norm
            obj = getattr(obj, part, None)
        from chaingrad.ops import _fast  # a module-level fast path wraps the op

        assert obj is fn or _fast.REPLACED_FUNCTIONS.get(("chaingrad", name)) is fn, \
            f"chaingrad.{name} is not the registered op"


def test_registry_methods_are_bound():
    from chaingrad.ops import _fast

    for name, fn in _registry.methods().items():
        bound = getattr(cg.Tensor, name)
        if name in _fast.REPLACED:
            # A native fast path stands in for the op and falls back to exactly this function.
            assert _fast.REPLACED[name] is fn, f"Tensor.{name}'s fast path replaced another op"
        else:
            assert bound is fn, f"Tensor.{name} is not the registered op"


def test_pad_is_reachable_under_torch_names():
    assert cg.ops.pad is cg.pad


def test_every_registered_op_is_tested():
    tested = {c.op for c in ALL_CASES + KINK_CASES} | set(COVERED_ELSEWHERE)
    missing = [op.name for op in _registry.OPS if op.name not in tested]
    assert not missing, f"ops without a case in tests/op_db.py: {missing}"
    unknown = tested - {op.name for op in _registry.OPS}
    assert not unknown, f"op_db cases for unregistered ops: {unknown}"


def test_every_native_kind_has_a_kernel_and_a_formula():
    kinds = {k: v for k, v in vars(_kinds).items() if k.isupper() and k != "NUM_KINDS"}
    for name, kind in kinds.items():
        if kind < _kinds.NUM_KINDS:
            continue
        assert 21 <= kind <= 99, f"{name}: kinds 21..99 are reserved for the op set"
        assert kind in kernels._KERNELS, f"{name} has no reference kernel"
        assert kind in derivatives._FORMULAS, f"{name} has no differentiable formula"
    assert len(set(kinds.values())) == len(kinds), "two kinds share a number"
