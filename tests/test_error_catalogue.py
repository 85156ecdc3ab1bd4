"""The bad-input catalogue: docs/errors.md is generated from CASES and checked here.

Each case is a snippet of misuse; the test runs it on each engine and checks it raises exactly
the exception type and message the table documents (or, for the few inputs that are not
errors, that it gives the documented value). ``python tests/test_error_catalogue.py`` rewrites
docs/errors.md after a deliberate change.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import sys
import tempfile
import textwrap
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import nn, optim
from chaingrad.nn import functional as F

DOC = Path(__file__).resolve().parents[1] / "docs" / "errors.md"
TMP = "<tmp>"


@dataclass(frozen=True)
class Case:
    area: str
    what: str
    code: str  # run with cg, np, nn, optim, F, tmp (a fresh directory) and helpers in scope


def _npz(tmp: str, name: str, **members: np.ndarray) -> str:
    path = os.path.join(tmp, name)
    np.savez(path, **members)
    return path


def _meta(obj: object) -> np.ndarray:
    return np.frombuffer(json.dumps(obj).encode(), dtype=np.uint8)


def _forge_header(path: str, member: str, descr: str, shape: tuple) -> None:
    """Rewrite one member's .npy header (its data bytes are kept)."""
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    old = io.BytesIO(members[member])
    np.lib.format.read_magic(old)
    np.lib.format.read_array_header_1_0(old)
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": descr, "fortran_order": False, "shape": shape})
    members[member] = buf.getvalue() + old.read()
    with zipfile.ZipFile(path, "w") as z:
        for n, b in members.items():
            z.writestr(n, b)


def _huge_header(tmp: str) -> str:
    """A checkpoint whose tensor member's .npy header claims a 10**12-element shape."""
    path = os.path.join(tmp, "huge.pt")
    cg.save({"w": cg.zeros(4)}, path)
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": "<f4", "fortran_order": False, "shape": (10**12,)})
    members["t0.npy"] = buf.getvalue() + b"\0" * 16
    meta = json.loads(np.load(io.BytesIO(members["__chaingrad__.npy"])).tobytes())
    meta["root"]["items"][0][1]["shape"] = [10**12]
    arr = io.BytesIO()
    np.save(arr, _meta(meta))
    members["__chaingrad__.npy"] = arr.getvalue()
    with zipfile.ZipFile(path, "w") as z:
        for n, b in members.items():
            z.writestr(n, b)
    return path


def _nested_meta(tmp: str, depth: int) -> str:
    root = '{"type": "list", "items": [' * depth + '{"type": "none"}' + "]}" * depth
    text = '{"format": "chaingrad.checkpoint", "version": 1, "root": ' + root + "}"
    return _npz(tmp, "deep.npz", __chaingrad__=np.frombuffer(text.encode(), dtype=np.uint8))


CASES: list[Case] = [
    # ------------------------------------------------------------------ tensors and dtypes
    Case("tensor", "ragged nested list", "cg.tensor([[1.0, 2.0], [3.0]])"),
    Case("tensor", "strings as data", "cg.tensor(['a', 'b'])"),
    Case("tensor", "requires_grad on an integer tensor", "cg.tensor([1, 2], requires_grad=True)"),
    Case("tensor", "requires_grad_() on an integer tensor", "cg.arange(3).requires_grad_()"),
    Case("tensor", "unknown dtype argument", "cg.zeros(2, dtype='flaot')"),
    Case("tensor", "negative size", "cg.zeros(-1)"),
    Case("tensor", "CUDA device", "cg.tensor([1.0], device='cuda')"),
    Case("tensor", "moving to a CUDA device", "cg.ones(2).to('cuda:0')"),
    Case("tensor", "`.item()` of several elements", "cg.ones(3).item()"),
    Case("tensor", "`.numpy()` of a tensor that requires grad",
         "cg.ones(2, requires_grad=True).numpy()"),
    Case("tensor", "setting `.grad` of the wrong shape",
         "t = cg.ones(3, requires_grad=True)\nt.grad = cg.ones(2)"),
    # ------------------------------------------------------------------ NumPy inputs
    Case("numpy", "`from_numpy` of a string array", "cg.from_numpy(np.array(['a', 'b']))"),
    Case("numpy", "`from_numpy` of a complex array", "cg.from_numpy(np.array([1 + 2j]))"),
    Case("numpy", "`from_numpy` of an object array",
         "cg.from_numpy(np.array([object()], dtype=object))"),
    Case("numpy", "`from_numpy` of a list", "cg.from_numpy([1.0, 2.0])"),
    Case("numpy", "in-place op on a tensor over a read-only array",
         "a = np.ones(3)\na.flags.writeable = False\ncg.from_numpy(a).add_(1)"),
    Case("numpy", "non-contiguous array (no error: shares memory, strides kept)",
         "a = np.arange(12.0).reshape(3, 4)[:, ::2]\nt = cg.from_numpy(a)\n"
         "a[0, 0] = 7\nresult = (t.tolist(), np.shares_memory(t.numpy(), a))"),
    Case("numpy", "`tensor()` of a read-only array (no error: copies)",
         "a = np.ones(2)\na.flags.writeable = False\nt = cg.tensor(a)\nt.add_(1)\n"
         "result = (t.tolist(), a.tolist())"),
    # ------------------------------------------------------------------ shapes
    Case("shapes", "broadcasting mismatch", "cg.ones(2, 3) + cg.ones(4)"),
    Case("shapes", "matmul inner sizes differ", "cg.ones(2, 3) @ cg.ones(4, 5)"),
    Case("shapes", "matmul of a 0-d tensor", "cg.tensor(2.0) @ cg.ones(2)"),
    Case("shapes", "view to a different number of elements", "cg.ones(6).view(4)"),
    Case("shapes", "two -1 in reshape", "cg.ones(6).reshape(-1, -1)"),
    Case("shapes", "cat of mismatched shapes", "cg.cat([cg.ones(2, 3), cg.ones(2, 4)])"),
    Case("shapes", "stack of an empty list", "cg.stack([])"),
    Case("shapes", "reduction over a dim out of range", "cg.ones(2, 3).sum(dim=2)"),
    Case("shapes", "transpose with a dim out of range", "cg.ones(2, 3).transpose(0, 5)"),
    Case("shapes", "Linear given the wrong number of features", "nn.Linear(4, 2)(cg.ones(3, 5))"),
    # ------------------------------------------------------------------ indexing
    Case("indexing", "integer index out of range", "cg.ones(3)[5]"),
    Case("indexing", "index tensor out of range", "cg.ones(3)[cg.tensor([0, 7])]"),
    Case("indexing", "float index tensor", "cg.ones(3)[cg.tensor([0.5])]"),
    Case("indexing", "too many indices", "cg.ones(3)[0, 0]"),
    Case("indexing", "gather index out of range",
         "cg.gather(cg.ones(2, 3), 1, cg.tensor([[0, 3], [1, 1]]))"),
    Case("indexing", "Embedding index out of range", "nn.Embedding(4, 2)(cg.tensor([1, 4]))"),
    # ------------------------------------------------------------------ empty tensors
    Case("empty", "max of an empty tensor", "cg.tensor([]).max()"),
    Case("empty", "argmax of an empty tensor", "cg.tensor([]).argmax()"),
    Case("empty", "mean of an empty tensor (no error: nan, as torch)",
         "result = str(cg.tensor([]).mean().item())"),
    # ------------------------------------------------------------------ autograd
    Case("autograd", "backward twice without retain_graph",
         "x = cg.ones(2, requires_grad=True)\ny = (x * x).sum()\ny.backward()\ny.backward()"),
    Case("autograd", "backward of a non-scalar without a gradient",
         "(cg.ones(2, requires_grad=True) * 2).backward()"),
    Case("autograd", "backward of a tensor that does not require grad",
         "cg.ones(2).sum().backward()"),
    Case("autograd", "gradient of the wrong shape",
         "(cg.ones(2, requires_grad=True) * 2).backward(cg.ones(3))"),
    Case("autograd", "in-place change of a tensor saved for backward",
         "x = cg.ones(2, requires_grad=True)\ny = x * 1\nz = (y * y).sum()\ny.add_(1)\n"
         "z.backward()"),
    Case("autograd", "in-place op on a leaf that requires grad",
         "cg.ones(2, requires_grad=True).add_(1)"),
    Case("autograd", "`autograd.grad` of an input not in the graph",
         "x = cg.ones(2, requires_grad=True)\nw = cg.ones(2, requires_grad=True)\n"
         "cg.autograd.grad((x * 2).sum(), [w])"),
    Case("autograd", "`set_grad_enabled` of a non-bool", "cg.set_grad_enabled('yes')"),
    # ------------------------------------------------------------------ losses
    Case("loss", "cross_entropy with a class index out of range",
         "F.cross_entropy(cg.zeros(2, 3), cg.tensor([0, 3]))"),
    Case("loss", "cross_entropy with NaN float labels",
         "F.cross_entropy(cg.zeros(2, 3), cg.tensor([0.0, float('nan')]))"),
    Case("loss", "cross_entropy with float class-index labels",
         "F.cross_entropy(cg.zeros(2, 3), cg.tensor([0.0, 1.0]))"),
    Case("loss", "cross_entropy of an empty batch (no error: nan, as torch)",
         "result = str(F.cross_entropy(cg.zeros(0, 3), cg.tensor([], dtype=cg.int64)).item())"),
    Case("loss", "mse_loss of different shapes", "F.mse_loss(cg.ones(2, 3), cg.ones(3, 2))"),
    # ------------------------------------------------------------------ modules and state
    Case("state_dict", "missing key",
         "m = nn.Linear(2, 2)\nsd = m.state_dict()\ndel sd['bias']\nm.load_state_dict(sd)"),
    Case("state_dict", "unexpected key",
         "m = nn.Linear(2, 2)\nsd = m.state_dict()\nsd['extra'] = cg.ones(1)\n"
         "m.load_state_dict(sd)"),
    Case("state_dict", "shape mismatch",
         "nn.Linear(2, 2).load_state_dict(nn.Linear(3, 2).state_dict())"),
    Case("state_dict", "optimizer state of another model",
         "o = optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1)\n"
         "o.load_state_dict(optim.SGD([cg.ones(1, requires_grad=True)], lr=0.1).state_dict())"),
    # ------------------------------------------------------------------ optimizers
    Case("optim", "negative learning rate", "optim.SGD([cg.ones(1, requires_grad=True)], lr=-1)"),
    Case("optim", "Adam beta out of range",
         "optim.Adam([cg.ones(1, requires_grad=True)], betas=(1.5, 0.9))"),
    Case("optim", "empty parameter list", "optim.SGD([], lr=0.1)"),
    Case("optim", "parameters that are not tensors", "optim.SGD([1.0, 2.0], lr=0.1)"),
    Case("optim", "a non-leaf parameter",
         "optim.SGD([cg.ones(1, requires_grad=True) * 2], lr=0.1)"),
    # ------------------------------------------------------------------ checkpoints
    Case("checkpoint", "missing file", "cg.load(tmp + '/nope.pt')"),
    Case("checkpoint", "unsupported object in save", "cg.save({'f': object()}, tmp + '/x.pt')"),
    Case("checkpoint", "truncated file",
         "cg.save({'w': cg.ones(1000)}, tmp + '/t.pt')\nb = open(tmp + '/t.pt', 'rb').read()\n"
         "open(tmp + '/t.pt', 'wb').write(b[: len(b) // 2])\ncg.load(tmp + '/t.pt')"),
    Case("checkpoint", "garbage bytes",
         "open(tmp + '/g.pt', 'wb').write(bytes(range(256)) * 4)\ncg.load(tmp + '/g.pt')"),
    Case("checkpoint", "a pickle (e.g. torch.save output)",
         "open(tmp + '/p.pt', 'wb').write(pickle.dumps({'w': [1.0]}))\ncg.load(tmp + '/p.pt')"),
    Case("checkpoint", "an object array member",
         "p = _npz(tmp, 'o.npz', __chaingrad__=_meta({'format': 'chaingrad.checkpoint', "
         "'version': 1, 'root': {'type': 'ndarray', 'key': 't0', 'dtype': '|O', 'shape': [1]}}), "
         "t0=np.array([object()], dtype=object))\ncg.load(p)"),
    Case("checkpoint", "an .npz without chaingrad metadata",
         "cg.load(_npz(tmp, 'plain.npz', a=np.ones(2)))"),
    Case("checkpoint", "a huge shape in a member's header", "cg.load(_huge_header(tmp))"),
    Case("checkpoint", "metadata nested 100,000 deep", "cg.load(_nested_meta(tmp, 100_000))"),
    Case("checkpoint", "metadata nested 200 deep (no error: loads)",
         "v = cg.load(_nested_meta(tmp, 200))\nd = 0\nwhile isinstance(v, list):\n"
         "    v = v[0]\n    d += 1\nresult = d"),
    Case("checkpoint", "a huge shape in the metadata member's header",
         "p = _npz(tmp, 'hm.npz', __chaingrad__=np.zeros(4, np.uint8))\n"
         "_forge_header(p, '__chaingrad__.npy', '|u1', (10**13,))\ncg.load(p)"),
    Case("checkpoint", "an empty file",
         "open(tmp + '/e.pt', 'wb').close()\ncg.load(tmp + '/e.pt')"),
    Case("checkpoint", "a member whose dtype disagrees with the metadata",
         "cg.save({'w': cg.ones(2)}, tmp + '/d.pt')\n"
         "_forge_header(tmp + '/d.pt', 't0.npy', '<i4', (2,))\ncg.load(tmp + '/d.pt')"),
    Case("checkpoint", "metadata with a list as a dict key",
         "cg.load(_npz(tmp, 'k.npz', __chaingrad__=_meta({'format': 'chaingrad.checkpoint', "
         "'version': 1, 'root': {'type': 'dict', 'items': [[{'type': 'list', 'items': []}, "
         "{'type': 'none'}]]}})))"),
    Case("checkpoint", "metadata with a non-string member key",
         "cg.load(_npz(tmp, 'k2.npz', __chaingrad__=_meta({'format': 'chaingrad.checkpoint', "
         "'version': 1, 'root': {'type': 'tensor', 'key': [1], 'dtype': '<f4', "
         "'shape': [1]}})))"),
]


def run_case(case: Case) -> tuple[str, str]:
    """(exception type name, message) the case raises, or ("-", repr(result)) if none."""
    with tempfile.TemporaryDirectory() as tmp:
        scope = {"cg": cg, "np": np, "nn": nn, "optim": optim, "F": F, "tmp": tmp,
                 "pickle": pickle, "_npz": _npz, "_meta": _meta, "_huge_header": _huge_header,
                 "_nested_meta": _nested_meta, "_forge_header": _forge_header}
        try:
            with warnings.catch_warnings():  # warnings some cases give are not the point here
                warnings.simplefilter("ignore")
                exec(compile(case.code, f"<case {case.what}>", "exec"), scope)
        except Exception as e:  # the point: record what was raised
            return type(e).__name__, str(e).replace(tmp, TMP)
        return "-", repr(scope.get("result"))


def _cell(s: str) -> str:
    """A table cell: runs of whitespace (newlines, tabs) as one space, pipes escaped."""
    return " ".join(s.split()).replace("|", "\\|")


def render() -> str:
    lines = [
        "# Errors: what chaingrad says when it is misused",
        "",
        "Generated by `python tests/test_error_catalogue.py` from the cases in that file; the test",
        "checks every row on both engines (same type, same message), so this table cannot go",
        f"stale. {len(CASES)} cases. A row whose type is `-` is not an error: the last column is",
        "then the documented result. `<tmp>` stands for a temporary directory; whitespace runs",
        "in messages are shown as one space.",
        "",
        "| # | area | misuse | code | raises | message |",
        "|---|---|---|---|---|---|",
    ]
    for i, c in enumerate(CASES, 1):
        typ, msg = run_case(c)
        code = "<br>".join(f"`{_cell(line)}`" for line in c.code.splitlines())
        lines.append(f"| {i} | {c.area} | {_cell(c.what)} | {code} | `{typ}` | {_cell(msg)} |")
    return "\n".join(lines) + "\n"


def _documented() -> dict[str, tuple[str, str]]:
    """what -> (type, message) as the doc states them."""
    rows = {}
    for line in DOC.read_text().splitlines():
        if not line.startswith("| ") or line.startswith("| #"):
            continue
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        if len(cells) < 6 or not cells[0].isdigit():
            continue
        rows[cells[2].replace("\\|", "|")] = (cells[4].strip("`"), " | ".join(cells[5:])
                                              .replace("\\|", "|"))
    return rows


def test_catalogue_is_large_enough_and_unique():
    assert len(CASES) >= 40
    assert len({c.what for c in CASES}) == len(CASES)


def test_doc_lists_every_case():
    doc = _documented()
    assert set(doc) == {c.what for c in CASES}, (
        "docs/errors.md is stale: run `python tests/test_error_catalogue.py`")


@pytest.mark.parametrize("case", CASES, ids=[c.what for c in CASES])
def test_case_raises_the_documented_error(case: Case):
    typ, msg = run_case(case)
    want_typ, want_msg = _documented()[case.what]
    assert (typ, _cell(msg)) == (want_typ, want_msg), (
        "behaviour changed: update the code or run `python tests/test_error_catalogue.py`")
    if typ != "-":
        assert typ not in ("AttributeError", "NameError", "SystemError", "AssertionError",
                           "UnboundLocalError"), "an internal error leaked"
        assert len(msg) >= 20, "the message should name the problem"


if __name__ == "__main__":
    text = render()
    DOC.write_text(text)
    print(f"wrote {DOC} ({len(CASES)} cases)")
    if "--show" in sys.argv:
        print(textwrap.indent(text, "  "))
