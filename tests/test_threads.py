"""Threads: grad mode is per thread; independent graphs train concurrently with the gradients of
sequential runs; one graph's backward from two threads gives the right result or a clear error.

See docs/threads.md for what is and is not thread-safe.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import grad_mode

N_THREADS = 4
ITERS = 1000


def _run_threads(target, n: int) -> list:
    """Run target(k) in n threads started together; re-raise the first exception."""
    errors: list = []
    barrier = threading.Barrier(n)

    def wrap(k: int) -> None:
        try:
            barrier.wait()
            target(k)
        except BaseException as e:  # reported to the main thread
            errors.append(e)

    threads = [threading.Thread(target=wrap, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_grad_mode_is_per_thread():
    seen: dict = {}
    inside = threading.Event()
    release = threading.Event()

    def other() -> None:
        seen["start"] = cg.is_grad_enabled()
        x = cg.tensor([1.0, 2.0], requires_grad=True)
        seen["records"] = (x * 2).requires_grad
        with cg.no_grad():
            inside.set()
            release.wait(10)
            seen["inner"] = cg.is_grad_enabled()

    with cg.no_grad():
        t = threading.Thread(target=other)
        t.start()
        inside.wait(10)
        # The other thread is inside its own no_grad; this one is too, independently.
        assert not cg.is_grad_enabled()
        with cg.enable_grad():
            x = cg.tensor([1.0], requires_grad=True)
            assert (x * 3).requires_grad
        release.set()
        t.join()
    assert cg.is_grad_enabled()
    # A new thread starts with grad mode on even though its creator was in no_grad.
    assert seen == {"start": True, "records": True, "inner": False}


def test_grad_mode_cell_behaves_like_a_one_element_list():
    cell = grad_mode._enabled
    assert len(cell) == 1 and cell[0] is True and cell[-1] is True
    cell[0] = False
    try:
        assert cell[0] is False and not cg.is_grad_enabled()
    finally:
        cell[0] = True
    with pytest.raises(IndexError):
        cell[1]
    with pytest.raises(TypeError):
        cell["0"]


def _mlp_step(k: int, it: int, params: list) -> list:
    """One forward+backward of a small graph with broadcasting, views, in-place and reuse;
    every 50th iteration a large one (>= 32768 elements: kernels run without the GIL)."""
    w1, b1, w2 = params
    rng = np.random.default_rng(1000 * k + it)
    if it % 50 == 0:
        x = cg.tensor(rng.standard_normal((256, 160)))
    else:
        x = cg.tensor(rng.standard_normal((8, 160)))
    h = (x @ w1 + b1).tanh()
    h2 = h * h[:, :1] + h.sigmoid()
    h2 = h2.clone()
    h2.mul_(0.5)
    y = (h2 @ w2).relu().sum() + (h ** 2).mean()
    with cg.no_grad():  # per-thread: must not switch recording off in the other threads
        _ = x * 2
    assert y.requires_grad, "grad mode leaked from another thread"
    y.backward()
    out = [p.grad._data.copy() for p in params]
    for p in params:
        p.grad = None
    return out


def _params(k: int) -> list:
    rng = np.random.default_rng(k)
    return [cg.tensor(rng.standard_normal(s) * 0.1, requires_grad=True)
            for s in ((160, 32), (32,), (32, 4))]


def test_independent_graphs_in_threads_match_sequential():
    iters = ITERS
    params = [_params(k) for k in range(N_THREADS)]
    # Sequential reference, checked at a sample of iterations (all would keep ~4,000 arrays).
    sample = set(range(0, iters, 37)) | {iters - 1}
    expected = {(k, it): _mlp_step(k, it, params[k])
                for k in range(N_THREADS) for it in sorted(sample)}
    got: dict = {}

    def work(k: int) -> None:
        for it in range(iters):
            g = _mlp_step(k, it, params[k])
            if it in sample:
                got[(k, it)] = g

    errors = _run_threads(work, N_THREADS)
    assert not errors, errors[0]
    assert cg.is_grad_enabled()
    for key, exp in expected.items():
        for a, b in zip(got[key], exp):
            assert a.tobytes() == b.tobytes(), key


def test_concurrent_accumulation_into_one_leaf_loses_nothing():
    # Integer-valued float64 gradients: every sum is exact whatever the order.
    n = 50_000
    w = cg.tensor(np.zeros(n), requires_grad=True)
    coef = [cg.tensor(np.arange(n, dtype=np.float64) % 7 + k) for k in range(N_THREADS)]
    iters = 60

    def work(k: int) -> None:
        for _ in range(iters):
            (w * coef[k]).sum().backward()

    errors = _run_threads(work, N_THREADS)
    assert not errors, errors[0]
    want = sum(c._data for c in coef) * iters
    assert np.array_equal(w.grad._data, want)


def test_one_graph_backward_from_two_threads_at_once():
    """Each pass either adds its whole gradient or raises a clear RuntimeError (the graph was
    freed by the other pass, or the other pass is inside the same node right now); at least
    one succeeds; never a crash or a partial gradient."""
    n = 40_000
    for retain in (False, True):
        for _ in range(20):
            x = cg.tensor(np.arange(n, dtype=np.float64) % 5, requires_grad=True)
            y = (x * x * 3.0).sum()  # d/dx = 6x, exact for these integers
            outcomes: list = [None, None]

            def work(k: int, y=y, outcomes=outcomes, retain=retain) -> None:
                try:
                    y.backward(retain_graph=retain)
                    outcomes[k] = "ok"
                except RuntimeError as e:
                    outcomes[k] = str(e)

            errors = _run_threads(work, 2)
            assert not errors, errors[0]
            ok = outcomes.count("ok")
            assert ok >= 1, outcomes
            for o in outcomes:
                assert (o == "ok" or "backward through the graph a second time" in o
                        or "running in another thread" in o), o
            assert np.array_equal(x.grad._data, 6.0 * x._data * ok)
