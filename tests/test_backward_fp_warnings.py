"""Native backward kernels report floating-point conditions through np.errstate like NumPy.

The C++ engine's raw loops raise the CPU's FP flags silently; the engine hands them to NumPy's
error handling, so a backward pass warns, raises or stays quiet exactly as the reference
engine (whose kernels are NumPy calls) does.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import engine

F64 = cg.float64

CASES = {
    "divide by zero (DivBackward0)":
        (lambda x: (cg.tensor([1.0, 2.0], dtype=F64) / x).sum(), [0.0, 1.0]),
    "log at 0 (LogBackward0)": (lambda x: x.log().sum(), [0.0, 1.0]),
    "sqrt at 0 (SqrtBackward0)": (lambda x: x.sqrt().sum(), [0.0, 1.0]),
    "pow 0.5 at 0 (PowBackward0)": (lambda x: (x ** 0.5).sum(), [0.0, 1.0]),
    "overflow (MulBackward0)": (lambda x: (x * 1e300).sum() * 1e300, [1.0, 2.0]),
    "overflow after exp": (lambda x: (x.exp() * 1e300).sum(), [700.0, 1.0]),
    "nothing to report": (lambda x: x.tanh().sigmoid().sum(), [1.0, 2.0]),
    "large (GIL released) float32 divide": (lambda x: (cg.ones(40000) / x).sum(), None),
}


def _backward(eng: str, f, v, mode: str) -> list[str]:
    with engine.use(eng):
        x = (cg.tensor(v, dtype=F64, requires_grad=True) if v is not None
             else cg.zeros(40000, requires_grad=True))
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            y = f(x)  # the forward's own warnings are not under test
        with warnings.catch_warnings(record=True) as w, np.errstate(all=mode):
            warnings.simplefilter("always")
            try:
                y.backward()
            except FloatingPointError as e:
                return ["FloatingPointError: " + str(e)]
        return [f"{m.category.__name__}: {m.message}" for m in w]


@pytest.mark.parametrize("mode", ["warn", "raise", "ignore"])
@pytest.mark.parametrize("case", list(CASES))
def test_engines_report_alike(both, case, mode):
    f, v = CASES[case]
    cpp = _backward("cpp", f, v, mode)
    ref = _backward("python", f, v, mode)
    assert cpp == ref
    if mode == "ignore" or case == "nothing to report":
        assert cpp == []
    elif mode == "warn":
        assert cpp and all(m.startswith("RuntimeWarning: ") for m in cpp)
    else:
        assert len(cpp) == 1 and cpp[0].startswith("FloatingPointError: ")


def test_gradients_unchanged_by_the_report(both):
    f, v = CASES["divide by zero (DivBackward0)"]
    grads = []
    for eng in ("cpp", "python"):
        with engine.use(eng), np.errstate(all="ignore"):
            x = cg.tensor(v, dtype=F64, requires_grad=True)
            f(x).backward()
            grads.append(x.grad.numpy())
    assert grads[0].tobytes() == grads[1].tobytes() and np.isinf(grads[0][0])
