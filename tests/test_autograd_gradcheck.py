"""gradcheck and gradgradcheck must fail on wrong derivatives and say where."""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg
from chaingrad.autograd import Function, gradcheck, gradgradcheck
from chaingrad.autograd.gradcheck import GradcheckError

from .conftest import t64


class WrongAtOneElement(Function):
    """d(x*x)/dx, off by 0.25 at element (1, 2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        off = np.zeros(tuple(x.shape))
        off[1, 2] = 0.25
        return g * (2 * x + cg.tensor(off))


def _wrong(x):
    return WrongAtOneElement.apply(x)


def test_report_names_input_output_and_the_worst_element():
    x = t64(np.arange(1.0, 7.0).reshape(2, 3))
    with pytest.raises(GradcheckError) as info:
        gradcheck(_wrong, (x,))
    msg = str(info.value)
    assert "output 0 (shape (2, 3)) with respect to input 0 (shape (2, 3))" in msg
    assert "input element (1, 2), output element (1, 2)" in msg
    assert "numerical 12," in msg and "analytical 12.25" in msg
    assert "1 of 36 entries" in msg
    assert gradcheck(_wrong, (x,), raise_exception=False) is False


class DetachedSecondDerivative(Function):
    """Right first derivative, but its backward uses a constant: the second derivative is
    wrong. Only a non-vacuous gradgradcheck notices."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * cg.tensor(3 * x.detach().numpy() ** 2)


def test_gradgradcheck_catches_a_wrong_second_derivative():
    x = t64([0.5, -1.5])
    assert gradcheck(DetachedSecondDerivative.apply, (x,))
    with pytest.raises(GradcheckError, match="Jacobian mismatch"):
        gradgradcheck(DetachedSecondDerivative.apply, (x,))


class Nondeterministic(Function):
    calls = [0]

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        Nondeterministic.calls[0] += 1
        return g * (2 + 1e-9 * Nondeterministic.calls[0])


def test_nondeterministic_backward_is_reported():
    with pytest.raises(GradcheckError, match="not reentrant"):
        gradcheck(Nondeterministic.apply, (t64([1.0, 2.0]),))
    assert gradcheck(Nondeterministic.apply, (t64([1.0, 2.0]),), nondet_tol=1e-6)


def test_gradcheck_on_non_contiguous_inputs():
    # A transposed leaf: perturbing it must reach its memory (not a reshaped copy).
    x = cg.tensor(np.arange(1.0, 7.0).reshape(2, 3), dtype=cg.float64).T.detach()
    x.requires_grad_()
    assert not np.asarray(x).flags.c_contiguous
    assert gradcheck(lambda t: (t * t * t).sum(0), (x,))


def test_gradcheck_argument_errors():
    with pytest.raises(ValueError, match="float64"):
        gradcheck(lambda a: a * 2, (cg.tensor([1.0], requires_grad=True),))
    with pytest.raises(ValueError, match="no input requires grad"):
        gradcheck(lambda a: a * 2, (cg.tensor([1.0], dtype=cg.float64),))
    with pytest.raises(ValueError, match="no floating-point tensor output"):
        gradcheck(lambda a: a.argmax(), (t64([1.0, 2.0]),))


def test_constant_output_is_checked_as_zero_jacobian():
    x = t64([1.0, 2.0])
    assert gradcheck(lambda a: a.detach() * 0 + 1.0, (x,))
    with pytest.raises(GradcheckError):
        gradcheck(lambda a: a.detach() * a.detach(), (x,))  # depends on x, no gradient
