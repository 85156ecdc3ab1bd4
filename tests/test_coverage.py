"""docs/coverage.md is generated and current; every torch name of the covered namespaces either
works or raises a NotImplementedError naming it; where torch is installed, the snapshot of its
names is current and chaingrad's signatures agree with torch's."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pathlib
import subprocess
import sys
import time

import pytest

import chaingrad as cg
from chaingrad import _missing

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _tool(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _once(engine: str) -> None:
    if engine != "python":
        pytest.skip("engine-independent; checked once")


def test_docs_coverage_md_is_current(engine):
    _once(engine)
    t0 = time.perf_counter()
    text = _tool("gen_coverage").render()
    assert time.perf_counter() - t0 < 30  # generous: the bound is for a loaded machine
    assert (ROOT / "docs" / "coverage.md").read_text() == text, (
        "docs/coverage.md is stale: run python tools/gen_coverage.py")


def _walk(qualname: str):
    """Resolve ``chaingrad.<...>`` by attribute access: ("ok", obj, qualname), or ("missing",
    err, prefix) when a step raises the NotCoveredError of torch's ``prefix``."""
    parts = qualname.split(".")
    obj = cg
    for i, part in enumerate(parts[1:], start=1):
        prefix = ".".join(parts[:i + 1])
        try:
            obj = getattr(obj, part)
        except _missing.NotCoveredError as err:
            return "missing", err, prefix
        except AttributeError as err:
            raise AssertionError(
                f"{qualname}: chaingrad.{prefix[6:]} raises a bare AttributeError ({err}); the "
                "module standing for a torch namespace needs `__getattr__ = "
                "_missing.module_getattr(<torch namespace>, __name__)`") from err
    return "ok", obj, qualname


def test_every_torch_name_resolves_or_raises_a_clear_error(engine):
    _once(engine)
    bad = []
    for ns in _missing.namespaces():
        for name in _missing.names(ns):
            qualname = f"{ns}.{name}"
            real = _missing.resolve(qualname)
            try:
                how, got, where = _walk(qualname)
            except AssertionError as err:
                bad.append(str(err))
                continue
            if real is not None and (how != "ok" or got is not real and ns != "torch.Tensor"):
                bad.append(f"{qualname}: covered but attribute access gives {got!r}")
            if how == "missing":
                msg = str(got)
                if not (isinstance(got, NotImplementedError) and isinstance(got, AttributeError)
                        and msg.startswith(where + " ") and "Instead: " in msg):
                    bad.append(f"{qualname}: unclear error {type(got).__name__}: {msg!r}")
    assert not bad, "\n".join(bad)


def test_error_is_not_implemented_and_attribute_error():
    with pytest.raises(NotImplementedError, match=r"^torch\.fft .*numpy\.fft"):
        cg.fft  # noqa: B018
    with pytest.raises(AttributeError):
        cg.fft  # noqa: B018
    assert not hasattr(cg, "fft")
    assert getattr(cg, "compile", "default") == "default"
    assert not hasattr(cg.nn, "EmbeddingBag")
    assert not hasattr(cg.nn.functional, "grid_sample")
    assert not hasattr(cg.optim, "Adafactor")
    assert not hasattr(cg.optim.lr_scheduler, "inf")
    assert not hasattr(cg.autograd, "forward_ad")
    assert not hasattr(cg.linalg, "eig")


def test_names_torch_lacks_raise_plain_attribute_error():
    for mod in (cg, cg.nn, cg.nn.functional, cg.optim, cg.optim.lr_scheduler, cg.autograd,
                cg.linalg):
        with pytest.raises(AttributeError) as info:
            mod.no_such_name_in_torch  # noqa: B018
        assert not isinstance(info.value, NotImplementedError)
        assert "no_such_name_in_torch" in str(info.value)
    with pytest.raises(AttributeError) as info:
        cg.tensor(1.0).no_such_name_in_torch  # noqa: B018
    assert not isinstance(info.value, NotImplementedError)


def test_from_import_keeps_the_message():
    # An AttributeError inside `from m import x` would become a bare "cannot import name".
    with pytest.raises(NotImplementedError, match=r"^torch\.nn\.EmbeddingBag is not implemented"):
        from chaingrad.nn import EmbeddingBag  # noqa: F401
    with pytest.raises(NotImplementedError, match=r"^torch\.fft "):
        from chaingrad import fft  # noqa: F401
    with pytest.raises(ImportError, match="cannot import name"):
        from chaingrad.nn import no_such_name_in_torch  # noqa: F401


def test_tensor_placeholders():
    t = cg.tensor([1.0, 2.0])
    with pytest.raises(NotImplementedError, match=r"^torch\.Tensor\.to_sparse is out of scope"):
        t.to_sparse()
    with pytest.raises(NotImplementedError, match=r"^torch\.Tensor\.cuda .*CPU-only"):
        t.cuda()
    with pytest.raises(NotImplementedError, match=r"^torch\.Tensor\.cuda "):
        cg.Tensor.cuda  # noqa: B018
    assert not hasattr(t, "to_sparse")
    assert getattr(t, "to_sparse", None) is None
    # an in-place form of a method chaingrad has points to it
    with pytest.raises(NotImplementedError, match=r"out-of-place x\.tan\(\.\.\.\)"):
        t.tan_  # noqa: B018
    # a subclass defining the name wins over the placeholder
    assert isinstance(cg.nn.Parameter(cg.zeros(2)), cg.Tensor)

    class T(cg.Tensor):
        __slots__ = ()

        def to_sparse(self) -> str:
            return "mine"

    assert T([1.0]).to_sparse() == "mine"


def test_placeholders_do_not_hide_real_attributes():
    for name in _missing.names("torch.Tensor"):
        raw = None
        for klass in cg.Tensor.__mro__:
            if name in klass.__dict__:
                raw = klass.__dict__[name]
                break
        assert raw is not None, name
        covered = _missing.resolve(f"torch.Tensor.{name}") is not None
        assert covered != _missing.is_placeholder(raw), name


def test_device_and_cuda():
    assert cg.cuda.is_available() is False
    assert cg.cuda.device_count() == 0
    dev = cg.device("cuda" if cg.cuda.is_available() else "cpu")
    assert dev.type == "cpu" and dev.index is None and str(dev) == "cpu"
    assert repr(cg.device("cpu:0")) == "device(type='cpu', index=0)"
    assert cg.device("cpu", 0) == cg.device("cpu:0") and dev == "cpu"
    t = cg.tensor([1.0], requires_grad=True)
    assert t.device == dev and t.is_cpu and not t.is_cuda and not t.is_sparse
    assert t.cpu() is t and t.to(dev) is t
    with pytest.raises(NotImplementedError, match=r"^torch\.cuda is out of scope .*CPU-only"):
        cg.device("cuda")
    with pytest.raises(RuntimeError, match="device type"):
        cg.device("gpu")
    with pytest.raises(RuntimeError, match="Invalid device string"):
        cg.device("cpu:x")
    with pytest.raises(RuntimeError, match="must not be negative"):
        cg.device("cpu", -1)
    with pytest.raises(TypeError):
        cg.device(3)
    with pytest.raises(NotImplementedError, match=r"^torch\.cuda\.synchronize .*CPU-only"):
        cg.cuda.synchronize()
    assert not hasattr(cg.cuda, "synchronize")
    net = cg.nn.Linear(2, 3)
    assert net.to(dev) is net and net.cpu() is net and net.to("cpu") is net
    assert net.to(dev, cg.float64) is net and net.weight.dtype == cg.float64
    assert net.to(device="cpu", dtype=cg.float32).weight.dtype == cg.float32
    with pytest.raises(RuntimeError, match="CPU only"):
        net.to("cuda")
    layer = cg.nn.Linear(2, 3, device=dev)
    assert cg.nn.Conv2d(1, 2, 3, device="cpu").weight.device == dev
    assert cg.nn.LSTM(2, 3, device=dev).weight_ih_l0.device == dev
    with pytest.raises(RuntimeError, match="CPU only"):
        cg.nn.Linear(2, 3, device="cuda")
    assert layer.weight.dtype == cg.float32
    assert cg.e == pytest.approx(2.718281828) and cg.pi == pytest.approx(3.14159265)
    assert cg.newaxis is None and cg.inf == float("inf")


@pytest.mark.parametrize("make", [
    lambda d: cg.tensor([1.0], device=d), lambda d: cg.as_tensor([1.0], device=d),
    lambda d: cg.zeros(2, device=d), lambda d: cg.ones(2, device=d),
    lambda d: cg.empty(2, device=d), lambda d: cg.full((2,), 1.0, device=d),
    lambda d: cg.randn(2, device=d), lambda d: cg.rand(2, device=d),
    lambda d: cg.randint(3, (2,), device=d), lambda d: cg.randperm(3, device=d),
    lambda d: cg.normal(0.0, 1.0, (2,), device=d), lambda d: cg.arange(3, device=d),
    lambda d: cg.linspace(0, 1, 3, device=d), lambda d: cg.eye(2, device=d),
    lambda d: cg.zeros_like(cg.ones(2), device=d), lambda d: cg.ones_like(cg.ones(2), device=d),
    lambda d: cg.full_like(cg.ones(2), 3.0, device=d),
    lambda d: cg.empty_like(cg.ones(2), device=d), lambda d: cg.rand_like(cg.ones(2), device=d),
    lambda d: cg.randn_like(cg.ones(2), device=d),
    lambda d: cg.randint_like(cg.ones(2), 3, device=d),
])
def test_factories_take_device(make):
    # torch code passes device= to every factory; the CPU is accepted in each spelling,
    # another device raises the clear CPU-only error.
    for d in (None, "cpu", "cpu:0", cg.device("cpu")):
        assert make(d).device == cg.device("cpu")
    with pytest.raises(NotImplementedError, match="CPU-only"):
        make("cuda")
    with pytest.raises(RuntimeError, match="device type"):
        make("gpu")


def test_messages_are_well_formed():
    for ns in _missing.namespaces():
        for name in _missing.names(ns):
            q = f"{ns}.{name}"
            if _missing.resolve(q) is not None:
                continue
            status, reason, instead = _missing.explain(q)
            assert status in (_missing.NOT_IMPLEMENTED, _missing.OUT_OF_SCOPE), q
            assert reason and instead, q
            msg = _missing.message(q)
            assert msg.startswith(q + " ") and msg.endswith("."), msg


# ----------------------------------------------------------------------------- against torch
def _torch():
    torch = pytest.importorskip("torch")
    version = torch.__version__.split("+")[0]
    if version != _missing.torch_version():
        pytest.skip(f"the snapshot is of torch {_missing.torch_version()}, installed {version}")
    return torch


def test_snapshot_is_torchs_namespaces(engine):
    _once(engine)
    _torch()
    # A fresh interpreter: dir(torch) also lists the submodules that earlier imports loaded
    # (torch.onnx after some other test touched it), which the snapshot must not depend on.
    res = subprocess.run([sys.executable, str(ROOT / "tools" / "snapshot_torch_names.py"),
                          "--check"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, (
        "_torch_names.json differs from the installed torch: run "
        "python tools/snapshot_torch_names.py\n" + res.stdout + res.stderr)


# Covered callables whose signature deliberately differs from torch's: qualname -> reason.
SIGNATURE_DIFFERENCES = {
    "torch.nn.Transformer": "activation defaults to chaingrad.nn.functional.relu, the "
                    "counterpart of torch.nn.functional.relu",
    "torch.nn.TransformerEncoderLayer": "activation defaults to chaingrad.nn.functional.relu, the "
                    "counterpart of torch.nn.functional.relu",
    "torch.nn.TransformerDecoderLayer": "activation defaults to chaingrad.nn.functional.relu, the "
                    "counterpart of torch.nn.functional.relu",
    "torch.load": "weights_only defaults to True where torch's default is None, which torch "
                  "reads as True since 2.6 (chaingrad never unpickles either way)",
    "torch.Tensor.split": "the size argument is named split_size_or_sections (torch.split's "
                          "name) rather than split_size; positional use is the same",
    "torch.utils.data.random_split": "generator defaults to chaingrad.default_generator, "
                                     "the counterpart of torch's torch.default_generator",
}


def _torch_object(torch, qualname: str):
    obj = torch
    for part in qualname.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


def _params(fn, drop_first: bool) -> list:
    ps = [p for p in inspect.signature(fn).parameters.values()
          if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if drop_first and ps:
        ps = ps[1:]
    return ps


def _signature_mismatches(torch, qualname: str, ours, theirs, method: bool) -> list[str]:
    try:
        tp = _params(theirs, method)
    except (ValueError, TypeError):
        return []  # torch exposes no signature (a C function)
    # A module-level C fast path (ops/_fast.py) takes the arguments of the Python function
    # it wraps, and falls back to it for anything unusual: that function's signature is ours.
    from chaingrad.ops import _fast

    ns, _, short = qualname.rpartition(".")
    ours = _fast.REPLACED_FUNCTIONS.get((ns.replace("torch", "chaingrad", 1), short), ours)
    try:
        cp = _params(ours, method)
    except (ValueError, TypeError):
        return [f"{qualname}: chaingrad's has no inspectable signature"]
    if isinstance(theirs, type) and not method:
        tp = [p for p in tp if p.name != "self"]
        cp = [p for p in cp if p.name != "self"]
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    tpos = [p.name for p in tp if p.kind in positional]
    cpos = [p.name for p in cp if p.kind in positional]
    n = min(len(tpos), len(cpos))
    out = []
    if tpos[:n] != cpos[:n]:
        out.append(f"{qualname}: positional parameters {cpos} vs torch's {tpos}")
    ours_defaults = {p.name: p.default for p in cp}
    for p in tp:
        mine = ours_defaults.get(p.name, inspect.Parameter.empty)
        if p.default is inspect.Parameter.empty or mine is inspect.Parameter.empty:
            continue
        try:
            same = bool(mine == p.default) or (mine != mine and p.default != p.default)
        except Exception:
            same = False
        if not same:
            out.append(f"{qualname}: default {p.name}={mine!r} vs torch's {p.default!r}")
    return out


def test_covered_signatures_match_torch(engine):
    _once(engine)
    torch = _torch()
    importlib.import_module("torch.optim.lr_scheduler")
    importlib.import_module("torch.utils.data")

    mismatches, checked = [], 0
    for ns in _missing.namespaces():
        for name, kind in _missing.names(ns).items():
            q = f"{ns}.{name}"
            ours = _missing.resolve(q)
            if ours is None or kind not in ("function", "class", "method"):
                continue
            theirs = _torch_object(torch, q)
            method = ns == "torch.Tensor"
            if method:
                ours = getattr(cg.Tensor, name)
            found = _signature_mismatches(torch, q, ours, theirs, method)
            checked += 1
            if found and q not in SIGNATURE_DIFFERENCES:
                mismatches += found
    assert checked > 100
    stale = [q for q in SIGNATURE_DIFFERENCES
             if not _signature_mismatches(torch, q, _missing.resolve(q) if not q.startswith(
                 "torch.Tensor.") else getattr(cg.Tensor, q.rpartition(".")[2]),
                 _torch_object(torch, q), q.startswith("torch.Tensor."))]
    assert not mismatches, "signatures differing from torch's:\n" + "\n".join(mismatches)
    assert not stale, f"SIGNATURE_DIFFERENCES entries that now match torch: {stale}"
