"""Differential fuzzer: random autograd graphs on both engines (bit for bit) and against torch.

A program is a list of leaves (shapes) and instructions drawn by hypothesis: broadcasting
arithmetic, unary ops, reductions over dims, views (transpose, reshape, unsqueeze, slicing,
select), in-place ops on clones and on views of clones, matmul with fresh weights, and reuse of
any earlier value. The loss is a weighted sum of every value; backward fills the leaves' grads.
The C++ and Python engines must agree bit for bit (values and gradients, float32 and float64);
torch, when installed, within a tolerance.

    python tools/fuzz.py                 # 10,000 programs, prints the mismatch count
    python tools/fuzz.py -n 500 --seed 3 --no-torch

tests/test_fuzz.py runs a bounded number of the same programs in CI.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from typing import Any

import numpy as np

try:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - the script needs hypothesis
    st = None  # type: ignore[assignment]

OPS = ("add", "sub", "mul", "div", "tanh", "sigmoid", "relu", "sin", "square", "exp_tanh",
       "sum", "sum_dim", "mean_dim", "transpose", "reshape", "unsqueeze", "slice", "select",
       "matmul", "inplace_mul", "inplace_view", "expand")
SHAPES = ((), (1,), (3,), (2, 3), (3, 1), (1, 3), (2, 1, 3), (4, 3), (2, 2, 2))


def programs() -> Any:
    """The hypothesis strategy of programs: (dtype, leaf shapes, instructions, seed)."""
    instr = st.tuples(st.sampled_from(OPS), st.integers(0, 63), st.integers(0, 63),
                      st.integers(0, 63))
    return st.tuples(st.sampled_from(("float64", "float32")),
                     st.lists(st.sampled_from(SHAPES), min_size=1, max_size=3),
                     st.lists(instr, min_size=1, max_size=14),
                     st.integers(0, 2**31 - 1))


def _broadcastable(a: tuple, b: tuple) -> tuple | None:
    try:
        return tuple(np.broadcast_shapes(a, b))
    except ValueError:
        return None


def run(lib: Any, prog: tuple) -> tuple[list[np.ndarray], list[np.ndarray | None]]:
    """Run a program with ``lib`` (chaingrad or torch): every value and every leaf's grad."""
    dtype_name, shapes, instrs, seed = prog
    dt = getattr(lib, dtype_name)
    rng = np.random.default_rng(seed)
    leaves = [lib.tensor(rng.uniform(-1.5, 1.5, s).astype(dtype_name), dtype=dt,
                         requires_grad=True) for s in shapes]
    vals = list(leaves)

    def shape(t: Any) -> tuple:
        return tuple(t.shape)

    for op, a, b, c in instrs:
        x = vals[a % len(vals)]
        y = vals[b % len(vals)]
        xs = shape(x)
        nd = len(xs)
        out = None
        if op in ("add", "sub", "mul", "div"):
            if _broadcastable(xs, shape(y)) is not None:
                out = (x + y if op == "add" else x - y if op == "sub" else x * y if op == "mul"
                       else x / (y * y + 1.0))
        elif op == "tanh":
            out = x.tanh()
        elif op == "sigmoid":
            out = x.sigmoid()
        elif op == "relu":
            out = x.relu()
        elif op == "sin":
            out = x.sin()
        elif op == "square":
            out = x ** 2
        elif op == "exp_tanh":
            out = x.tanh().exp()
        elif op == "sum":
            out = x.sum()
        elif op in ("sum_dim", "mean_dim") and nd > 0:
            fn = x.sum if op == "sum_dim" else x.mean
            out = fn(dim=b % nd, keepdim=bool(c % 2))
        elif op == "transpose" and nd >= 2:
            out = x.transpose(b % nd, c % nd)
        elif op == "reshape":
            out = x.reshape(-1) if c % 2 else x.reshape(*reversed(xs)) if nd else x.reshape(1)
        elif op == "unsqueeze":
            out = x.unsqueeze(b % (nd + 1))
        elif op == "slice" and nd >= 1 and xs[0] >= 2:
            out = x[1:] if c % 2 else x[::2]
        elif op == "select" and nd >= 1 and xs[0] >= 1:
            out = x[b % xs[0]]
        elif op == "expand" and nd >= 1 and 1 in xs:
            out = x.expand(*[3 if s == 1 else s for s in xs])
        elif op == "matmul" and 1 <= nd <= 3:
            w_rng = np.random.default_rng(seed + 7919 * (c + 1))
            w = lib.tensor(w_rng.uniform(-1, 1, (xs[-1], 1 + b % 3)).astype(dtype_name),
                           dtype=dt, requires_grad=True)
            leaves.append(w)
            out = x @ w
        elif op == "inplace_mul":
            out = x.clone()
            if _broadcastable(xs, shape(y)) == xs:
                out.mul_(y)
            else:
                out.mul_(0.5)
        elif op == "inplace_view" and nd >= 1 and xs[0] >= 1:
            out = x.clone()
            v = out[b % xs[0]]
            if c % 2:
                v.add_(1.5)
            else:
                v.mul_(v)
        if out is not None:
            vals.append(out)
    loss = None
    for i, v in enumerate(vals[len(shapes):]):
        term = v.sum() * ((i % 5) + 1) / 4.0
        loss = term if loss is None else loss + term
    if loss is None:
        loss = sum(v.sum() for v in vals)
    loss.backward()
    vals_np = [v.detach().numpy().copy() for v in vals]
    grads = [None if t.grad is None else t.grad.numpy().copy() for t in leaves]
    return vals_np, grads


def _same_bits(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def _close(a: np.ndarray | None, b: np.ndarray | None, dtype: str) -> bool:
    if a is None or b is None:
        return a is None and b is None
    tol = 1e-9 if dtype == "float64" else 2e-4
    return a.shape == b.shape and np.allclose(a, b, rtol=tol, atol=tol, equal_nan=True)


LAST = {"refused": False}  # whether check()'s last program was refused by both engines


def _outcome(lib: Any, prog: tuple) -> Any:
    """run()'s result, or ("error", type name, message) when the program is refused (e.g. an
    in-place change of a value saved for backward: torch refuses those too)."""
    try:
        return run(lib, prog)
    except RuntimeError as e:
        return ("error", type(e).__name__, str(e))


def check(prog: tuple, use_torch: bool = True) -> list[str]:
    """Mismatches of one program (empty when the engines and torch agree)."""
    import chaingrad as cg
    from chaingrad import engine

    problems = []
    outs = {}
    for name in ("cpp", "python"):
        with engine.use(name):
            try:
                outs[name] = _outcome(cg, prog)
            except Exception:  # anything but a clean refusal is a finding
                problems.append(f"{name} raised:\n{traceback.format_exc()}")
    if problems:
        return problems
    o1, o2 = outs["cpp"], outs["python"]
    err1, err2 = o1[0] == "error", o2[0] == "error"
    LAST["refused"] = err1 and err2
    if err1 or err2:
        if o1 != o2:
            problems.append(f"engines disagree: cpp {o1[:3] if err1 else 'ok'}, "
                            f"python {o2[:3] if err2 else 'ok'}")
    else:
        (v1, g1), (v2, g2) = o1, o2
        for i, (a, b) in enumerate(zip(v1, v2)):
            if not _same_bits(a, b):
                problems.append(f"value {i} differs between engines")
        for i, (a, b) in enumerate(zip(g1, g2)):
            if not _same_bits(a, b):
                problems.append(f"grad of leaf {i} differs between engines")
    if use_torch and not problems:
        try:
            import torch
        except ImportError:
            return problems
        ot = _outcome(torch, prog)
        if (ot[0] == "error") != err1:
            problems.append(f"torch {'refuses' if ot[0] == 'error' else 'accepts'} the program"
                            f" ({ot[2] if ot[0] == 'error' else ''}); chaingrad "
                            f"{'refuses' if err1 else 'accepts'} it")
        elif not err1:
            (v1, g1), (vt, gt) = o1, ot
            for i, (a, b) in enumerate(zip(v1, vt)):
                if not _close(a, b, prog[0]):
                    problems.append(f"value {i} differs from torch")
            for i, (a, b) in enumerate(zip(g1, gt)):
                if not _close(a, b, prog[0]):
                    problems.append(f"grad of leaf {i} differs from torch")
    return problems


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-n", type=int, default=10_000, help="programs to run (default 10,000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-torch", action="store_true", help="compare the engines only")
    args = p.parse_args(argv)
    if st is None:
        print("tools/fuzz.py needs hypothesis (pip install hypothesis)", file=sys.stderr)
        return 2
    use_torch = not args.no_torch
    if use_torch:
        try:
            import torch  # noqa: F401
        except ImportError:
            use_torch = False
    stats = {"run": 0, "mismatch": 0, "refused": 0}
    found: list = []

    @settings(max_examples=args.n, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(programs())
    def body(prog: tuple) -> None:
        stats["run"] += 1
        probs = check(prog, use_torch)
        stats["refused"] += LAST["refused"]
        if probs:
            stats["mismatch"] += 1
            if len(found) < 10:
                found.append((prog, probs))

    t0 = time.perf_counter()
    os.environ.setdefault("PYTHONHASHSEED", str(args.seed))
    np.random.seed(args.seed)
    body()
    dt = time.perf_counter() - t0
    for prog, probs in found:
        print("MISMATCH", prog)
        for line in probs:
            print("   ", line)
    print(f"programs run: {stats['run']}  mismatches: {stats['mismatch']}  "
          f"(refused alike by both engines{' and torch' if use_torch else ''}: "
          f"{stats['refused']}; torch: {'yes' if use_torch else 'no'}; {dt:.0f} s)")
    return 1 if stats["mismatch"] else 0


if __name__ == "__main__":
    sys.exit(main())
