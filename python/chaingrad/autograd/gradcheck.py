"""Finite-difference checks of first and second derivatives (float64, central differences).

``gradcheck`` compares, for every (input, output) pair, the Jacobian autograd computes (one
backward per output element) with central differences, and reports the worst element by its
position in the input and the output. It also runs every backward twice and requires identical
results (a nondeterministic backward is a bug as well). ``gradgradcheck`` applies ``gradcheck``
to the function ``(inputs, v) -> grad(fn(inputs), inputs, v, create_graph=True)``, which checks
the recorded backward (Hessian-vector products).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Callable

import numpy as np

from .. import grad_mode as _gm
from ..tensor import Tensor


class GradcheckError(RuntimeError):
    """A Jacobian computed by autograd does not match finite differences."""


def _outputs(fn: Callable, inputs: tuple) -> tuple:
    out = fn(*inputs)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return tuple(o for o in outs if isinstance(o, Tensor) and o.dtype.kind == "f")


def _diff_inputs(inputs: tuple) -> list[int]:
    return [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]


def _numerical(fn: Callable, inputs: tuple, eps: float) -> tuple[list, list]:
    """J[i][j]: d out_j / d in_i as an array (in_i.size, out_j.size); also the output shapes.

    fn runs in the caller's grad mode: it may itself call autograd.grad (a gradient penalty,
    gradgradcheck's first derivative).
    """
    base = _outputs(fn, inputs)
    jac = [[np.zeros((t.numel(), o.numel())) for o in base]
           if isinstance(t, Tensor) else [] for t in inputs]
    for i in _diff_inputs(inputs):
        d = inputs[i]._data
        # Index the array itself: a reshape of a non-contiguous array would be a copy, and the
        # perturbation would never reach fn.
        for k, idx in enumerate(np.ndindex(*d.shape)):
            orig = d[idx]
            d[idx] = orig + eps
            plus = [o._data.astype(np.float64).ravel() for o in _outputs(fn, inputs)]
            d[idx] = orig - eps
            minus = [o._data.astype(np.float64).ravel() for o in _outputs(fn, inputs)]
            d[idx] = orig
            if len(plus) != len(base) or len(minus) != len(base):
                raise GradcheckError("gradcheck: fn returned a different number of floating "
                                     "outputs when an input was perturbed")
            for j in range(len(base)):
                jac[i][j][k] = (plus[j] - minus[j]) / (2 * eps)
    return jac, [tuple(o.shape) for o in base]


def _analytical(fn: Callable, inputs: tuple) -> list:
    from . import grad

    diff = _diff_inputs(inputs)
    outs = _outputs(fn, inputs)
    jac = [[np.zeros((t.numel(), o.numel())) for o in outs]
           if isinstance(t, Tensor) else [] for t in inputs]
    for j, o in enumerate(outs):
        if not o.requires_grad:
            continue  # a constant output: its Jacobian is zero
        for m in range(o.numel()):
            seed = np.zeros(o._data.size, dtype=o.dtype)
            seed[m] = 1
            gs = grad(o, [inputs[i] for i in diff], Tensor._from_array(seed.reshape(o.shape)),
                      retain_graph=True, allow_unused=True)
            for i, g in zip(diff, gs):
                if g is None:
                    continue
                if tuple(g.shape) != tuple(inputs[i].shape):
                    raise GradcheckError(
                        f"gradcheck: the gradient for input {i} has shape {tuple(g.shape)}, "
                        f"expected {tuple(inputs[i].shape)}"
                    )
                jac[i][j][:, m] = g._data.astype(np.float64).ravel()
    return jac


def _position(flat: int, shape: tuple) -> str:
    if not shape:
        return "()"
    return str(tuple(int(v) for v in np.unravel_index(flat, shape)))


def _fail(msg: str, raise_exception: bool) -> bool:
    if raise_exception:
        raise GradcheckError(msg)
    return False


def gradcheck(func: Callable, inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True, nondet_tol: float = 0.0) -> bool:
    """Compare autograd's Jacobian of ``func`` at ``inputs`` with central differences.

    Inputs that require grad must be float64 (float32 differences are too coarse). On a
    mismatch, the report names the output, the input and the worst element (by position in
    each), with both values.
    """
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    for i, t in enumerate(inputs):
        if isinstance(t, Tensor) and t.requires_grad and t.dtype != np.float64:
            raise ValueError(
                f"gradcheck: input {i} has dtype {t.dtype}; gradcheck needs float64 inputs"
            )
    if not _diff_inputs(inputs):
        raise ValueError("gradcheck: no input requires grad; there is nothing to check")
    num, out_shapes = _numerical(func, inputs, eps)
    if not out_shapes:
        raise ValueError("gradcheck: func returned no floating-point tensor output")
    ana = _analytical(func, inputs)
    again = _analytical(func, inputs)
    for i in _diff_inputs(inputs):
        in_shape = tuple(inputs[i].shape)
        if len(ana[i]) != len(num[i]):
            return _fail("gradcheck: func returned a different number of outputs on the "
                         "analytical and the numerical pass", raise_exception)
        for j in range(len(num[i])):
            n, a, b = num[i][j], ana[i][j], again[i][j]
            if a.size and np.max(np.abs(a - b)) > nondet_tol:
                k = np.unravel_index(int(np.argmax(np.abs(a - b))), a.shape)
                return _fail(
                    f"Backward is not reentrant: the Jacobian of output {j} with respect to "
                    f"input {i} differs between two runs at input element "
                    f"{_position(k[0], in_shape)}, output element "
                    f"{_position(k[1], out_shapes[j])}: {a[k]!r} vs {b[k]!r}", raise_exception)
            err = np.abs(n - a) - (atol + rtol * np.abs(n))
            bad = ~(err <= 0)  # NaN counts as a mismatch
            if err.size and bad.any():
                flat = int(np.argmax(np.where(np.isnan(err), np.inf, err)))
                k = np.unravel_index(flat, err.shape)
                return _fail(
                    f"Jacobian mismatch for output {j} (shape {out_shapes[j]}) with respect to "
                    f"input {i} (shape {in_shape}): worst at input element "
                    f"{_position(k[0], in_shape)}, output element "
                    f"{_position(k[1], out_shapes[j])}: numerical {n[k]:.8g}, analytical "
                    f"{a[k]:.8g} (abs diff {abs(n[k] - a[k]):.3g}, atol {atol}, rtol {rtol}; "
                    f"{int(bad.sum())} of {bad.size} entries outside tolerance)",
                    raise_exception)
    return True


def gradgradcheck(func: Callable, inputs: Any, grad_outputs: Sequence | None = None, *,
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  raise_exception: bool = True, seed: int = 0, nondet_tol: float = 0.0) -> bool:
    """gradcheck of the first derivative: checks second derivatives (``create_graph``).

    ``grad_outputs`` (the vectors of the vector-Jacobian products) default to random float64
    tensors, which are checked as inputs too.
    """
    from . import grad

    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    with _gm.enable_grad():
        outs = _outputs(func, inputs)
    rng = np.random.default_rng(seed)
    if grad_outputs is None:
        grad_outputs = [
            Tensor(rng.standard_normal(o._data.shape), dtype=np.float64, requires_grad=True)
            for o in outs
        ]
    grad_outputs = list(grad_outputs)
    if len(grad_outputs) != len(outs):
        raise ValueError(f"gradgradcheck: {len(grad_outputs)} grad_outputs for {len(outs)} "
                         "floating outputs")
    diff_idx = _diff_inputs(inputs)
    n_in = len(inputs)

    def first(*args: Any) -> tuple:
        ins, gos = args[:n_in], args[n_in:]
        # The first derivative must be recorded even while gradcheck perturbs under no_grad.
        with _gm.enable_grad():
            o = _outputs(func, ins)
            used = [(oo, g) for oo, g in zip(o, gos) if oo.requires_grad]
            if not used:
                return tuple(Tensor._from_array(np.zeros(ins[i].shape)) for i in diff_idx)
            gs = grad([u[0] for u in used], [ins[i] for i in diff_idx], [u[1] for u in used],
                      create_graph=True, allow_unused=True)
        # An unused input's derivative is a (constant) zero, not a missing output.
        return tuple(Tensor._from_array(np.zeros(ins[i].shape)) if g is None else g
                     for i, g in zip(diff_idx, gs))

    return gradcheck(first, inputs + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol)
