"""RNN/LSTM/GRU cells and multi-step layers: torch parity with copied weights (outputs, final
states and every parameter gradient), finite-difference gradients and bad input."""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import nn
from chaingrad.autograd import gradcheck, gradgradcheck
from chaingrad.nn._rnn_fused import LSTMCellFunction, TimeSteps

from ._nn_helpers import assert_close, load_from_torch, rand64, to_torch


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(3)


def _grads_match(ours: nn.Module, theirs: object) -> None:
    tparams = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        assert_close(p.grad, tparams[name].grad, rtol=1e-9, atol=1e-12, what=name)


@pytest.mark.parametrize("cls,kwargs", [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}),
                                        ("LSTMCell", {}), ("GRUCell", {}),
                                        ("GRUCell", {"bias": False})])
def test_cells_match_torch(cls: str, kwargs: dict, rng: np.random.Generator) -> None:
    torch = pytest.importorskip("torch")
    tc = getattr(torch.nn, cls)(3, 4, **kwargs).double()
    cell = getattr(nn, cls)(3, 4, **kwargs).double()
    load_from_torch(cell, tc)
    x = rand64(rng, 2, 3)
    xt = to_torch(x)
    h = rand64(rng, 2, 4)
    if cls == "LSTMCell":
        c = rand64(rng, 2, 4)
        (h1, c1), (h1t, c1t) = cell(x, (h, c)), tc(xt, (to_torch(h), to_torch(c)))
        out, outt = h1 * 2 + c1, h1t * 2 + c1t
    else:
        out, outt = cell(x, h), tc(xt, to_torch(h))
    assert_close(out, outt, rtol=1e-12)
    out.sum().backward()
    outt.sum().backward()
    assert_close(x.grad, xt.grad, rtol=1e-10)
    _grads_match(cell, tc)
    # no hidden state given -> zeros; unbatched input
    res = cell(x[0].detach())
    assert (res[0] if cls == "LSTMCell" else res).shape == (4,)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("layers,bidir,batch_first", [(1, False, False), (2, True, True),
                                                      (2, False, True)])
def test_layers_match_torch(cls: str, layers: int, bidir: bool, batch_first: bool,
                            rng: np.random.Generator) -> None:
    torch = pytest.importorskip("torch")
    tm = getattr(torch.nn, cls)(3, 4, layers, batch_first=batch_first,
                                bidirectional=bidir).double()
    m = getattr(nn, cls)(3, 4, layers, batch_first=batch_first, bidirectional=bidir).double()
    load_from_torch(m, tm)
    x = rand64(rng, *((2, 5, 3) if batch_first else (5, 2, 3)))
    xt = to_torch(x)
    d = 2 if bidir else 1
    h0 = rand64(rng, layers * d, 2, 4)
    h0t = to_torch(h0)
    if cls == "LSTM":
        c0 = rand64(rng, layers * d, 2, 4)
        out, (hn, cn) = m(x, (h0, c0))
        outt, (hnt, cnt) = tm(xt, (h0t, to_torch(c0)))
        assert_close(cn, cnt, rtol=1e-12)
        total, totalt = out.sum() + (hn * hn).sum() + cn.sum(), outt.sum() + (hnt * hnt).sum() \
            + cnt.sum()
    else:
        out, hn = m(x, h0)
        outt, hnt = tm(xt, h0t)
        total, totalt = out.sum() + (hn * hn).sum(), outt.sum() + (hnt * hnt).sum()
    assert tuple(out.shape) == tuple(outt.shape)
    assert_close(out, outt, rtol=1e-12)
    assert_close(hn, hnt, rtol=1e-12)
    total.backward()
    totalt.backward()
    assert_close(x.grad, xt.grad, rtol=1e-9)
    assert_close(h0.grad, h0t.grad, rtol=1e-9)
    _grads_match(m, tm)


def test_unbatched_and_default_state(rng: np.random.Generator) -> None:
    torch = pytest.importorskip("torch")
    tm = torch.nn.GRU(3, 4, 2).double()
    m = nn.GRU(3, 4, 2).double()
    load_from_torch(m, tm)
    x = rand64(rng, 6, 3, requires_grad=False)
    out, hn = m(x)
    outt, hnt = tm(to_torch(x))
    assert tuple(out.shape) == (6, 4) and tuple(hn.shape) == (2, 4)
    assert_close(out, outt, rtol=1e-12)
    assert_close(hn, hnt, rtol=1e-12)


def test_rnn_gradcheck(rng: np.random.Generator) -> None:
    m = nn.LSTM(2, 2, batch_first=True).double()
    x = rand64(rng, 1, 3, 2)
    h0, c0 = rand64(rng, 1, 1, 2), rand64(rng, 1, 1, 2)
    assert gradcheck(lambda x, h, c: m(x, (h, c))[0], (x, h0, c0))
    g = nn.GRUCell(2, 3).double()
    assert gradcheck(lambda x, h: g(x, h), (rand64(rng, 2, 2), rand64(rng, 2, 3)))
    params = list(g.parameters())
    assert gradcheck(lambda *ps: nn.rnn._rnn_step("GRU", ps[0], ps[1], None, ps[2], ps[3])[0],
                     (rand64(rng, 2, 9), rand64(rng, 2, 3), rand64(rng, 3, 9), rand64(rng, 9)))
    assert params  # the layer has parameters to train


def test_fused_nodes_gradcheck_and_gradgradcheck(rng: np.random.Generator) -> None:
    # Both outputs of the fused cell carry gradient (h' and c'), and the create_graph path
    # (Tensor-op backwards) is differentiated again.
    gates, c = rand64(rng, 3, 8) * 3, rand64(rng, 3, 2)

    def cell(g, c):
        h2, c2 = LSTMCellFunction.apply(g, c)
        return h2 * 1.5 + c2 * c2

    assert gradcheck(cell, (gates, c))
    assert gradgradcheck(cell, (gates, c))
    x = rand64(rng, 4, 2, 3)

    def steps(x):
        a, b, _, d = TimeSteps.apply(x)  # one step unused: its gradient is zero
        return a * b + d

    assert gradcheck(steps, (x,))
    assert gradgradcheck(steps, (x,))
    m = nn.LSTM(2, 2, batch_first=True).double()
    assert gradgradcheck(lambda x, h, c: m(x, (h, c))[0],
                         (rand64(rng, 1, 3, 2), rand64(rng, 1, 1, 2), rand64(rng, 1, 1, 2)))


def test_lstm_is_one_fused_node_per_step(rng: np.random.Generator) -> None:
    m = nn.LSTM(2, 3).double()
    out, _ = m(rand64(rng, 5, 1, 2))
    names, seen, todo = [], set(), [out.grad_fn]
    while todo:
        f = todo.pop()
        if f is None or id(f) in seen:
            continue
        seen.add(id(f))
        names.append(type(f).__name__ if not hasattr(f, "name") else f.name())
        todo.extend(n for n, _ in f.next_functions)
    assert names.count("ThnnFusedLstmCellBackward0") == 5
    assert names.count("UnbindBackward0") == 1
    assert "SelectBackward0" not in names  # no per-step select of the projections


def test_default_init_and_dropout_between_layers() -> None:
    cg.manual_seed(0)
    m = nn.LSTM(3, 16, 2, dropout=0.5)
    bound = 1 / 4
    assert all(np.abs(p.detach().numpy()).max() <= bound for p in m.parameters())
    x = cg.randn(4, 2, 3)
    m.eval()
    a, _ = m(x)
    b, _ = m(x)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())  # eval: no dropout
    m.train()
    c, _ = m(x)
    assert not np.array_equal(a.detach().numpy(), c.detach().numpy())


def test_rnn_bad_input() -> None:
    m = nn.LSTM(10, 20, 2)
    with pytest.raises(RuntimeError, match=r"LSTM\(10, 20, num_layers=2\): expected input of "
                       r"shape \(L, N, H_in\) or \(L, H_in\) with H_in=10, got \(5, 3, 9\)"):
        m(cg.zeros(5, 3, 10 - 1))
    with pytest.raises(RuntimeError, match=r"Expected hidden size \(2, 3, 20\), got \[1, 3, 20\]"):
        m(cg.zeros(5, 3, 10), (cg.zeros(1, 3, 20), cg.zeros(2, 3, 20)))
    with pytest.raises(TypeError, match="must be a tuple"):
        m(cg.zeros(5, 3, 10), cg.zeros(2, 3, 20))
    with pytest.raises(RuntimeError, match="expected input of shape"):
        nn.GRUCell(3, 4)(cg.zeros(2, 5))
    with pytest.raises(RuntimeError, match=r"expected hx of shape \(2, 4\)"):
        nn.GRUCell(3, 4)(cg.zeros(2, 3), cg.zeros(2, 5))
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.RNN(3, 4, nonlinearity="gelu")
    with pytest.raises(ValueError, match="dropout should be"):
        nn.GRU(3, 4, dropout=2.0)
