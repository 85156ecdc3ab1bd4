"""Every test runs on both engines: the C++ core and the pure-Python reference.

``CHAINGRAD_TEST_ENGINES=cpp`` (or ``python``) restricts the run to one engine.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

import chaingrad
from chaingrad import engine as _engine

_ENGINES = [
    e.strip()
    for e in os.environ.get("CHAINGRAD_TEST_ENGINES", "cpp,python").split(",")
    if e.strip()
]


@pytest.fixture(params=_ENGINES, autouse=True)
def engine(request: pytest.FixtureRequest) -> str:
    with _engine.use(request.param):
        yield request.param


@pytest.fixture
def both(engine: str) -> str:
    """For tests that run both engines themselves: run them once, not once per engine."""
    if engine != "cpp":
        pytest.skip("compares both engines itself")
    return engine


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


def t64(a, requires_grad: bool = True) -> chaingrad.Tensor:
    """A float64 leaf (gradcheck wants float64)."""
    return chaingrad.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)
