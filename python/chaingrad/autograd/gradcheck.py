"""Finite-difference checks of first and second derivatives (float64, central differences)."""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..tensor import Tensor


class GradcheckError(RuntimeError):
    """A Jacobian computed by autograd does not match finite differences."""


def _outputs(fn: Callable, inputs: tuple) -> tuple:
    out = fn(*inputs)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return tuple(o for o in outs if isinstance(o, Tensor) and o.dtype.kind == "f")


def _numerical(fn: Callable, inputs: tuple, eps: float) -> list:
    """J[i][j]: d out_j / d in_i as an array (in_i.size, out_j.size)."""
    from ..grad_mode import no_grad

    with no_grad():
        base = _outputs(fn, inputs)
        jac = [[np.zeros((t.numel(), o.numel())) for o in base] for t in inputs]
        for i, t in enumerate(inputs):
            if not (isinstance(t, Tensor) and t.requires_grad):
                continue
            flat = t._data.reshape(-1)
            for k in range(flat.size):
                orig = flat[k]
                flat[k] = orig + eps
                plus = [o._data.astype(np.float64).ravel().copy() for o in _outputs(fn, inputs)]
                flat[k] = orig - eps
                minus = [o._data.astype(np.float64).ravel().copy() for o in _outputs(fn, inputs)]
                flat[k] = orig
                for j in range(len(base)):
                    jac[i][j][k] = (plus[j] - minus[j]) / (2 * eps)
    return jac


def _analytical(fn: Callable, inputs: tuple) -> list:
    from . import grad

    diff = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    outs = _outputs(fn, inputs)
    jac = [[np.zeros((t.numel(), o.numel())) for o in outs] for t in inputs]
    for j, o in enumerate(outs):
        if not o.requires_grad:
            continue
        for m in range(o.numel()):
            seed = np.zeros(o._data.size, dtype=o.dtype)
            seed[m] = 1
            gs = grad(o, diff, Tensor._from_array(seed.reshape(o._data.shape)),
                      retain_graph=True, allow_unused=True)
            gi = iter(gs)
            for i, t in enumerate(inputs):
                if isinstance(t, Tensor) and t.requires_grad:
                    g = next(gi)
                    if g is not None:
                        jac[i][j][:, m] = g._data.astype(np.float64).ravel()
    return jac


def gradcheck(fn: Callable, inputs: Any, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """Compare autograd's Jacobian of ``fn`` at ``inputs`` with central differences.

    Inputs that require grad should be float64 (float32 differences are too coarse). On a
    mismatch, the report names the output, the input and the worst element.
    """
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    for i, t in enumerate(inputs):
        if isinstance(t, Tensor) and t.requires_grad and t.dtype != np.float64:
            raise ValueError(
                f"gradcheck: input {i} has dtype {t.dtype}; gradcheck needs float64 inputs"
            )
    num = _numerical(fn, inputs, eps)
    ana = _analytical(fn, inputs)
    for i in range(len(inputs)):
        for j in range(len(num[i])):
            n, a = num[i][j], ana[i][j]
            err = np.abs(n - a) - (atol + rtol * np.abs(n))
            if err.size and err.max() > 0:
                k = np.unravel_index(int(np.argmax(err)), err.shape)
                msg = (
                    f"Jacobian mismatch for output {j} with respect to input {i}: worst at "
                    f"(input element {k[0]}, output element {k[1]}): numerical {n[k]:.8g}, "
                    f"analytical {a[k]:.8g} (abs diff {abs(n[k] - a[k]):.3g}, atol {atol}, "
                    f"rtol {rtol})"
                )
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def gradgradcheck(fn: Callable, inputs: Any, grad_outputs: Sequence | None = None,
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  raise_exception: bool = True, seed: int = 0) -> bool:
    """gradcheck of the first derivative: checks second derivatives (``create_graph``)."""
    from . import grad

    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    outs = _outputs(fn, inputs)
    rng = np.random.default_rng(seed)
    if grad_outputs is None:
        grad_outputs = [
            Tensor(rng.standard_normal(o._data.shape), dtype=np.float64, requires_grad=True)
            for o in outs
        ]
    n_out = len(grad_outputs)
    diff_idx = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]

    def first(*args: Any) -> tuple:
        ins, gos = args[: len(inputs)], args[len(inputs):]
        o = _outputs(fn, ins)
        used = [(oo, g) for oo, g in zip(o, gos) if oo.requires_grad]
        if not used:
            return ()
        gs = grad([u[0] for u in used], [ins[i] for i in diff_idx], [u[1] for u in used],
                  create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first, tuple(inputs) + tuple(grad_outputs[:n_out]), eps=eps, atol=atol,
                     rtol=rtol, raise_exception=raise_exception)
