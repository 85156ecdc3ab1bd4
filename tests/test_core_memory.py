"""Graph lifetime: deep graphs, freeing after backward, no reference cycles."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import chaingrad as cg

from ._helpers import garbage_of_ours


@pytest.fixture
def no_gc():
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _chain(n: int, x: cg.Tensor) -> cg.Tensor:
    y = x
    for _ in range(n):
        y = y * 1.0000001 + 0.0
    return y


def test_million_node_chain_backward(engine):
    if engine != "cpp":
        pytest.skip("the million-node chain is the C++ engine's target (reference: 100k below)")
    x = cg.tensor(1.0, dtype=cg.float64, requires_grad=True)
    y = x
    for _ in range(500_000):  # two nodes per step: 1,000,000 nodes
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad.item() == 1.0
    del y  # tearing down a million-node graph must not recurse either


def test_deep_chain_reference_sized(engine):
    x = cg.tensor(1.0, dtype=cg.float64, requires_grad=True)
    y = _chain(50_000, x)
    y.backward()
    assert x.grad.item() == pytest.approx(1.0000001**50_000)


def test_deep_graph_freed_without_backward(no_gc):
    x = cg.tensor(1.0, requires_grad=True)
    y = _chain(200_000, x)
    ref = weakref.ref(y.grad_fn)
    del y  # must not overflow the C stack
    assert ref() is None


def test_graph_freed_when_output_dropped_without_gc(no_gc):
    x = cg.tensor(np.ones(1000), requires_grad=True)
    h = x * 2
    y = h.log().exp().sum()
    arr_ref = weakref.ref(h)
    node = h.grad_fn
    node_ref = weakref.ref(node)
    del h, node
    assert arr_ref() is not None  # saved by the log node: alive while y lives
    del y
    assert arr_ref() is None
    assert node_ref() is None


def test_saved_values_freed_after_backward_without_gc(no_gc):
    x = cg.tensor(np.ones(10), requires_grad=True)
    h = x * 3
    y = (h * h).sum()
    ref = weakref.ref(h)
    del h
    assert ref() is not None
    y.backward()
    assert ref() is None  # the MulBackward node released its saved input
    del y


def test_no_reference_cycles_in_graph(no_gc):
    gc.collect()
    x = cg.tensor([1.0, 2.0], requires_grad=True)
    for _ in range(3):
        y = (x.exp() * x + x.sigmoid() / (x + 1) - x.relu() ** 2).mean()
        y.backward()
        del y
    c = cg.tensor([1.0], requires_grad=True)
    c.retain_grad()
    z = (c * 2)
    z.retain_grad()
    z.register_hook(lambda g: g)
    (z * z).sum().backward()
    del z
    assert garbage_of_ours() == [], "the graph formed reference cycles only gc could free"
