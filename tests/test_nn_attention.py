"""scaled_dot_product_attention and MultiheadAttention against torch (masks of both kinds,
causal, batch_first, kdim/vdim, need_weights) and by finite differences."""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import nn
from chaingrad.autograd import gradcheck
from chaingrad.nn import functional as F

from ._nn_helpers import assert_close, load_from_torch, rand64, to_torch


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(9)


def _masks(rng: np.random.Generator, L: int, S: int) -> dict:
    bool_mask = rng.random((L, S)) > 0.3
    bool_mask[:, 0] = True  # every query may attend to something
    return {"none": None, "bool": bool_mask, "float": rng.standard_normal((L, S))}


@pytest.mark.parametrize("kind", ["none", "bool", "float", "causal"])
def test_sdpa_matches_torch(kind: str, rng: np.random.Generator) -> None:
    torch = pytest.importorskip("torch")
    q, k, v = rand64(rng, 2, 3, 4, 5), rand64(rng, 2, 3, 6, 5), rand64(rng, 2, 3, 6, 7)
    qt, kt, vt = to_torch(q), to_torch(k), to_torch(v)
    causal = kind == "causal"
    m = None if causal else _masks(rng, 4, 6)[kind]
    ours = F.scaled_dot_product_attention(q, k, v, None if m is None else cg.tensor(m),
                                          is_causal=causal, scale=0.3)
    theirs = torch.nn.functional.scaled_dot_product_attention(
        qt, kt, vt, None if m is None else torch.tensor(m), is_causal=causal, scale=0.3)
    assert_close(ours, theirs, rtol=1e-10)
    g = rng.standard_normal(tuple(theirs.shape))
    ours.backward(cg.tensor(g))
    theirs.backward(torch.tensor(g))
    for a, b in ((q, qt), (k, kt), (v, vt)):
        assert_close(a.grad, b.grad, rtol=1e-9, atol=1e-12)


def test_sdpa_fully_masked_row_is_zero_and_gradcheck(rng: np.random.Generator) -> None:
    q, k, v = rand64(rng, 3, 2), rand64(rng, 4, 2), rand64(rng, 4, 3)
    mask = np.ones((3, 4), dtype=bool)
    mask[1] = False
    out = F.scaled_dot_product_attention(q, k, v, cg.tensor(mask))
    assert np.all(out.detach().numpy()[1] == 0)
    out.sum().backward()
    assert np.all(np.isfinite(q.grad.numpy()))
    assert gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
                     (q, k, v))
    with pytest.raises(ValueError, match="should not be set when is_causal"):
        F.scaled_dot_product_attention(q, k, v, cg.tensor(mask), is_causal=True)
    with pytest.raises(ValueError, match="shapes do not match"):
        F.scaled_dot_product_attention(q, k, rand64(rng, 5, 3))


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("masks", ["none", "attn_bool", "attn_float", "kpm", "both"])
def test_mha_matches_torch(batch_first: bool, masks: str, rng: np.random.Generator) -> None:
    torch = pytest.importorskip("torch")
    E, H, L, S, N = 8, 2, 4, 5, 3
    tm = torch.nn.MultiheadAttention(E, H, batch_first=batch_first).double()
    m = nn.MultiheadAttention(E, H, batch_first=batch_first).double()
    with torch.no_grad():
        tm.in_proj_bias.uniform_(-0.5, 0.5)
        tm.out_proj.bias.uniform_(-0.5, 0.5)
    load_from_torch(m, tm)
    qs, ks = ((N, L, E), (N, S, E)) if batch_first else ((L, N, E), (S, N, E))
    q, k, v = rand64(rng, *qs), rand64(rng, *ks), rand64(rng, *ks)
    qt, kt, vt = to_torch(q), to_torch(k), to_torch(v)
    kw, tkw = {}, {}
    allm = _masks(rng, L, S)
    if masks in ("attn_bool", "both"):
        am = ~allm["bool"]  # MHA: True = masked out
        kw["attn_mask"], tkw["attn_mask"] = cg.tensor(am), torch.tensor(am)
    if masks == "attn_float":
        kw["attn_mask"], tkw["attn_mask"] = cg.tensor(allm["float"]), torch.tensor(allm["float"])
    if masks in ("kpm", "both"):
        kpm = np.zeros((N, S), dtype=bool)
        kpm[0, -2:] = True
        kpm[2, 3] = True
        kw["key_padding_mask"], tkw["key_padding_mask"] = cg.tensor(kpm), torch.tensor(kpm)
    for avg in (True, False):
        out, w = m(q, k, v, average_attn_weights=avg, **kw)
        outt, wt = tm(qt, kt, vt, average_attn_weights=avg, **tkw)
        assert_close(out, outt, rtol=1e-10)
        assert_close(w, wt, rtol=1e-10)
    out.sum().backward()
    outt.sum().backward()
    for a, b in ((q, qt), (k, kt), (v, vt)):
        assert_close(a.grad, b.grad, rtol=1e-9, atol=1e-12)
    tparams = dict(tm.named_parameters())
    for name, p in m.named_parameters():
        assert_close(p.grad, tparams[name].grad, rtol=1e-9, atol=1e-12, what=name)
    out2, w2 = m(q, k, v, need_weights=False, **kw)
    assert w2 is None
    assert_close(out2, outt, rtol=1e-10)


def test_mha_kdim_vdim_unbatched_and_3d_mask(rng: np.random.Generator) -> None:
    torch = pytest.importorskip("torch")
    tm = torch.nn.MultiheadAttention(6, 3, kdim=4, vdim=5, bias=False).double()
    m = nn.MultiheadAttention(6, 3, kdim=4, vdim=5, bias=False).double()
    load_from_torch(m, tm)
    q, k, v = rand64(rng, 3, 6), rand64(rng, 2, 4), rand64(rng, 2, 5)  # unbatched
    out, w = m(q, k, v)
    outt, wt = tm(to_torch(q), to_torch(k), to_torch(v))
    assert_close(out, outt, rtol=1e-10)
    assert_close(w, wt, rtol=1e-10)
    tm2 = torch.nn.MultiheadAttention(4, 2).double()
    m2 = nn.MultiheadAttention(4, 2).double()
    load_from_torch(m2, tm2)
    x = rand64(rng, 3, 2, 4)
    mask = rng.standard_normal((4, 3, 3))  # (N * H, L, S)
    causal = np.triu(np.full((3, 3), -np.inf), 1)
    assert_close(m2(x, x, x, attn_mask=cg.tensor(mask))[0],
                 tm2(to_torch(x), to_torch(x), to_torch(x), attn_mask=torch.tensor(mask))[0],
                 rtol=1e-10)
    assert_close(m2(x, x, x, attn_mask=cg.tensor(causal), is_causal=True)[0],
                 tm2(to_torch(x), to_torch(x), to_torch(x), attn_mask=torch.tensor(causal),
                     is_causal=True)[0], rtol=1e-10)


def test_mha_gradcheck_and_init(rng: np.random.Generator) -> None:
    cg.manual_seed(0)
    m = nn.MultiheadAttention(4, 2).double()
    assert np.all(m.in_proj_bias.detach().numpy() == 0)
    assert np.all(m.out_proj.bias.detach().numpy() == 0)
    bound = np.sqrt(6 / (4 + 12))  # xavier_uniform on the (3E, E) in_proj_weight
    assert np.abs(m.in_proj_weight.detach().numpy()).max() <= bound
    x = rand64(rng, 3, 1, 4)
    assert gradcheck(lambda x: m(x, x, x)[0], (x,))


def test_mha_errors() -> None:
    m = nn.MultiheadAttention(8, 2)
    with pytest.raises(ValueError, match="divisible by num_heads"):
        nn.MultiheadAttention(6, 4)
    with pytest.raises(RuntimeError, match=r"MultiheadAttention\(embed_dim=8, num_heads=2\): "
                       r"expected query of shape \(L, N, E\) or \(L, E\) with E=8, got "
                       r"\(3, 2, 7\)"):
        m(cg.zeros(3, 2, 7), cg.zeros(3, 2, 8), cg.zeros(3, 2, 8))
    x = cg.zeros(3, 2, 8)
    with pytest.raises(RuntimeError, match="2D attn_mask"):
        m(x, x, x, attn_mask=cg.zeros(3, 4))
    with pytest.raises(RuntimeError, match="key_padding_mask shape"):
        m(x, x, x, key_padding_mask=cg.zeros(3, 3))
    with pytest.raises(RuntimeError, match="Need attn_mask"):
        m(x, x, x, is_causal=True)
