"""Transformer, TransformerEncoder/Decoder and their layers against torch (same state_dict,
same outputs and gradients; norm_first, batch_first, activations, masks, causal detection),
by finite differences, and their errors."""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import nn
from chaingrad.autograd import gradcheck
from chaingrad.nn import functional as F

from ._nn_helpers import assert_close, load_from_torch, rand64, to_torch

pytestmark = [pytest.mark.filterwarnings("ignore:enable_nested_tensor is True"),
              pytest.mark.filterwarnings("ignore:Support for mismatched")]


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(11)


def _pair(torch, name: str, *args, **kw):
    """The torch module (seeded) and ours with its state loaded, both float64."""
    torch.manual_seed(0)
    theirs = getattr(torch.nn, name)(*args, dtype=torch.float64, **kw)
    if kw.get("activation") is torch.nn.functional.gelu:
        kw["activation"] = F.gelu  # a callable activation: torch's function -> ours
    ours = getattr(nn, name)(*args, dtype=cg.float64, **kw)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    load_from_torch(ours, theirs)
    return ours, theirs


def _grads_match(ours, theirs, inputs, tinputs, out, tout, rng) -> None:
    assert_close(out, tout, rtol=1e-9, atol=1e-11)
    g = rng.standard_normal(tuple(tout.shape))
    out.backward(cg.tensor(g))
    tout.backward(to_torch(g))
    for a, b in zip(inputs, tinputs):
        assert_close(a.grad, b.grad, rtol=1e-8, atol=1e-10)
    tparams = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        assert_close(p.grad, tparams[name].grad, rtol=1e-8, atol=1e-10, what=name)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu", "callable"])
def test_encoder_layer_matches_torch(norm_first, batch_first, activation, rng) -> None:
    torch = pytest.importorskip("torch")
    act = torch.nn.functional.gelu if activation == "callable" else activation
    ours, theirs = _pair(torch, "TransformerEncoderLayer", 8, 2, dim_feedforward=12,
                         dropout=0.0, norm_first=norm_first, batch_first=batch_first,
                         activation=act)
    x = rand64(rng, 3, 5, 8)
    N, L = (3, 5) if batch_first else (5, 3)
    kpm = np.zeros((N, L), dtype=bool)
    kpm[1, -1] = True
    mask = rng.standard_normal((L, L))
    xt = to_torch(x)
    out = ours(x, src_mask=cg.tensor(mask), src_key_padding_mask=cg.tensor(kpm))
    tout = theirs(xt, src_mask=torch.tensor(mask), src_key_padding_mask=torch.tensor(kpm))
    _grads_match(ours, theirs, [x], [xt], out, tout, rng)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_decoder_layer_matches_torch(norm_first, batch_first, rng) -> None:
    torch = pytest.importorskip("torch")
    ours, theirs = _pair(torch, "TransformerDecoderLayer", 6, 3, dim_feedforward=10,
                         dropout=0.0, norm_first=norm_first, batch_first=batch_first,
                         activation="gelu")
    tgt = rand64(rng, 2, 4, 6)
    mem = rand64(rng, *((2, 5, 6) if batch_first else (5, 4, 6)))
    L, S = (4 if batch_first else 2), 5
    causal = nn.Transformer.generate_square_subsequent_mask(L, dtype=cg.float64)
    mem_mask = rng.random((L, S)) > 0.7
    mem_mask[:, 0] = False
    tt, mt = to_torch(tgt), to_torch(mem)
    out = ours(tgt, mem, tgt_mask=causal, memory_mask=cg.tensor(mem_mask), tgt_is_causal=True)
    tout = theirs(tt, mt, tgt_mask=to_torch(causal), memory_mask=torch.tensor(mem_mask),
                  tgt_is_causal=True)
    _grads_match(ours, theirs, [tgt, mem], [tt, mt], out, tout, rng)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_matches_torch(batch_first, norm_first, rng) -> None:
    torch = pytest.importorskip("torch")
    ours, theirs = _pair(torch, "Transformer", d_model=8, nhead=2, num_encoder_layers=2,
                         num_decoder_layers=2, dim_feedforward=16, dropout=0.0,
                         batch_first=batch_first, norm_first=norm_first)
    N, S, T = 3, 5, 4
    src = rand64(rng, *((N, S, 8) if batch_first else (S, N, 8)))
    tgt = rand64(rng, *((N, T, 8) if batch_first else (T, N, 8)))
    kpm = np.zeros((N, S), dtype=bool)
    kpm[2, 3:] = True
    causal = nn.Transformer.generate_square_subsequent_mask(T, dtype=cg.float64)
    st, tt = to_torch(src), to_torch(tgt)
    out = ours(src, tgt, tgt_mask=causal, src_key_padding_mask=cg.tensor(kpm),
               memory_key_padding_mask=cg.tensor(kpm))
    tout = theirs(st, tt, tgt_mask=to_torch(causal), src_key_padding_mask=torch.tensor(kpm),
                  memory_key_padding_mask=torch.tensor(kpm))
    _grads_match(ours, theirs, [src, tgt], [st, tt], out, tout, rng)


def test_unbatched_and_stacks_match_torch(rng) -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(1)
    tlayer = torch.nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, dtype=torch.float64)
    tenc = torch.nn.TransformerEncoder(tlayer, 3, norm=torch.nn.LayerNorm(
        4, dtype=torch.float64))
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0,
                                                           dtype=cg.float64), 3,
                                norm=nn.LayerNorm(4, dtype=cg.float64))
    assert list(enc.state_dict()) == list(tenc.state_dict())
    load_from_torch(enc, tenc)
    # the clones are independent copies
    assert enc.layers[0].linear1.weight is not enc.layers[1].linear1.weight
    x = rand64(rng, 6, 4)  # unbatched (S, E)
    mask = nn.Transformer.generate_square_subsequent_mask(6, dtype=cg.float64)
    xt = to_torch(x)
    _grads_match(enc, tenc, [x], [xt], enc(x, mask=mask), tenc(xt, mask=to_torch(mask)), rng)


def test_generate_square_subsequent_mask() -> None:
    m = nn.Transformer.generate_square_subsequent_mask(3)
    assert m.dtype == cg.get_default_dtype() and m.shape == (3, 3)
    expect = np.array([[0, -np.inf, -np.inf], [0, 0, -np.inf], [0, 0, 0]])
    np.testing.assert_array_equal(m.numpy(), expect)
    assert nn.Transformer.generate_square_subsequent_mask(2, dtype=cg.float64).dtype == \
        cg.float64
    with pytest.raises(RuntimeError, match="CPU only"):
        nn.Transformer.generate_square_subsequent_mask(2, device="cuda")


def test_causal_mask_is_detected() -> None:
    from chaingrad.nn.transformer import _detect_is_causal_mask

    m = nn.Transformer.generate_square_subsequent_mask(4)
    assert _detect_is_causal_mask(m, None, 4)
    assert not _detect_is_causal_mask(m, None, 5)
    assert not _detect_is_causal_mask(cg.zeros(4, 4), None, 4)
    assert _detect_is_causal_mask(None, True, 4)
    assert not _detect_is_causal_mask(m, False, 4)


def test_gradcheck_encoder_and_decoder_layers(rng) -> None:
    enc = nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0, dtype=cg.float64,
                                     activation="gelu", norm_first=True)
    dec = nn.TransformerDecoderLayer(4, 2, 6, dropout=0.0, dtype=cg.float64)
    x, mem = rand64(rng, 3, 2, 4), rand64(rng, 2, 2, 4)
    causal = nn.Transformer.generate_square_subsequent_mask(3, dtype=cg.float64)
    assert gradcheck(lambda a: enc(a, src_mask=causal), (x,))
    assert gradcheck(lambda a, m: dec(a, m, tgt_mask=causal), (x, mem))


def test_dropout_only_in_training(rng) -> None:
    cg.manual_seed(0)
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.5, dtype=cg.float64)
    x = rand64(rng, 4, 2, 8, requires_grad=False)
    layer.eval()
    a, b = layer(x), layer(x)
    assert_close(a, b, rtol=0, atol=0)
    layer.train()
    c = layer(x)
    assert not np.allclose(c.detach().numpy(), a.detach().numpy())
    for sub in (layer.dropout, layer.dropout1, layer.dropout2, layer.self_attn):
        assert sub.training


def test_default_init_and_repr() -> None:
    t = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1,
                       dim_feedforward=4)
    w = t.encoder.layers[0].linear1.weight.detach().numpy()
    bound = np.sqrt(6.0 / (8 + 4))
    assert np.all(np.abs(w) <= bound) and w.std() > 0
    assert t.encoder.norm is not None and t.decoder.norm is not None
    assert t.d_model == 8 and t.nhead == 2 and t.batch_first is False
    assert "TransformerEncoderLayer" in repr(t)


def test_errors(rng) -> None:
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerEncoderLayer(4, 2, activation="tanh")
    with pytest.raises(TypeError, match="activation must be"):
        nn.TransformerDecoderLayer(4, 2, activation=3)
    with pytest.raises(ValueError, match="divisible by num_heads"):
        nn.TransformerEncoderLayer(5, 2)
    with pytest.raises(TypeError, match="encoder_layer must be"):
        nn.TransformerEncoder("layer", 2)
    with pytest.raises(ValueError, match="num_layers"):
        nn.TransformerDecoder(nn.TransformerDecoderLayer(4, 2), -1)
    t = nn.Transformer(d_model=4, nhead=2, num_encoder_layers=1, num_decoder_layers=1,
                       dim_feedforward=4)
    with pytest.raises(RuntimeError, match="batch number of src and tgt must be equal"):
        t(cg.randn(3, 2, 4), cg.randn(3, 1, 4))
    with pytest.raises(RuntimeError, match="feature number of src and tgt"):
        t(cg.randn(3, 2, 5), cg.randn(3, 2, 5))
    layer = nn.TransformerEncoderLayer(4, 2, 4)
    with pytest.raises(RuntimeError, match="Need attn_mask"):
        layer(cg.randn(3, 2, 4), is_causal=True)
