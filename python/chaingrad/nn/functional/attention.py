"""Scaled dot-product attention and the multi-head attention forward, from Tensor ops.

Mask conventions follow torch, and they differ between the two entry points:
``scaled_dot_product_attention`` takes a boolean ``attn_mask`` where True means *may attend*;
``multi_head_attention_forward`` (``nn.MultiheadAttention``) takes boolean masks where True
means *masked out*. Float masks are added to the scores in both.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...autograd.function import FunctionCtx
from ...tensor import Tensor
from ._utils import check_float, const, wrap
from .activation import _Softmax, softmax
from .dropout import dropout
from .linear import linear

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


class _SafeSoftmax(_Softmax):
    """Softmax whose fully masked rows (all -inf) are 0 instead of NaN, like the math backend
    of torch's scaled_dot_product_attention."""

    _backward_name = "SafeSoftmaxBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, dim: int) -> Tensor:
        ctx.dim = dim
        d = x._data
        m = d.max(axis=dim, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        e = np.exp(d - m)
        s = e.sum(axis=dim, keepdims=True)
        out = wrap(np.where(s > 0, e / np.where(s > 0, s, 1), 0).astype(d.dtype, copy=False))
        ctx.save_for_backward(out)
        return out


def _bias_from_bool(allowed: np.ndarray, like: Tensor) -> Tensor:
    return const(np.where(allowed, 0.0, -np.inf), like)


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(Q K^T * scale + mask) V over the last two dims (..., L, E) x (..., S, E).

    ``attn_mask``: bool (True = take part) or float (added), broadcastable to (..., L, S).
    ``is_causal``: position i attends to positions <= i (upper-left aligned, like torch).
    Rows with every key masked give zeros, not NaN.
    """
    fn = "scaled_dot_product_attention"
    for name, t in (("query", query), ("key", key), ("value", value)):
        check_float(t, fn, name)
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise ValueError(f"{fn}: query, key and value need at least 2 dims (..., L, E)")
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise ValueError(
            f"{fn}: shapes do not match: query {tuple(query.shape)}, key {tuple(key.shape)}, "
            f"value {tuple(value.shape)} (need query/key embedding sizes equal and key/value "
            "sequence lengths equal)"
        )
    if enable_gqa:
        raise NotImplementedError(f"{fn}: enable_gqa is not supported by chaingrad")
    if is_causal and attn_mask is not None:
        raise ValueError(f"{fn}: Explicit attn_mask should not be set when is_causal=True")
    L, S = query.shape[-2], key.shape[-2]
    sc = 1.0 / math.sqrt(query.shape[-1]) if scale is None else float(scale)
    scores = (query @ key.transpose(-2, -1)) * sc
    if is_causal:
        scores = scores + _bias_from_bool(np.tril(np.ones((L, S), dtype=bool)), scores)
    elif attn_mask is not None:
        if attn_mask.dtype == np.bool_:
            scores = scores + _bias_from_bool(attn_mask._data, scores)
        else:
            scores = scores + (attn_mask if attn_mask.dtype == scores.dtype
                               else attn_mask.to(scores.dtype))
    attn = _SafeSoftmax.apply(scores, scores.ndim - 1)
    if dropout_p > 0.0:
        attn = dropout(attn, dropout_p, True)
    return attn @ value


def _canonical_mask(mask: Tensor | None, like: Tensor, name: str) -> Tensor | None:
    """MHA masks as float tensors to add: bool True -> -inf (masked), float as is."""
    if mask is None:
        return None
    if not isinstance(mask, Tensor):
        raise TypeError(f"{name} must be a chaingrad Tensor, got {type(mask).__name__}")
    if mask.dtype == np.bool_:
        return const(np.where(mask._data, -np.inf, 0.0), like)
    if mask.dtype.kind != "f":
        raise TypeError(f"only bool and floating types of {name} are supported")
    return mask if mask.dtype == like.dtype else mask.to(like.dtype)


def multi_head_attention_forward(
    query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
    in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Any, bias_v: Any,
    add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor,
    out_proj_bias: Tensor | None, training: bool = True, key_padding_mask: Tensor | None = None,
    need_weights: bool = True, attn_mask: Tensor | None = None,
    use_separate_proj_weight: bool = False, q_proj_weight: Tensor | None = None,
    k_proj_weight: Tensor | None = None, v_proj_weight: Tensor | None = None,
    static_k: Any = None, static_v: Any = None, average_attn_weights: bool = True,
    is_causal: bool = False,
) -> tuple[Tensor, Tensor | None]:
    """torch's functional MHA for sequence-first input (L, N, E) or unbatched (L, E).

    Returns ``(output (L, N, E), weights)``; weights are (N, L, S) averaged over heads, or
    (N, H, L, S) with ``average_attn_weights=False``, or None without ``need_weights``.
    """
    fn = "multi_head_attention_forward"
    if bias_k is not None or bias_v is not None or add_zero_attn or static_k is not None \
            or static_v is not None:
        raise NotImplementedError(f"{fn}: bias_k/bias_v, add_zero_attn and static_k/v are not "
                                  "supported by chaingrad")
    unbatched = query.ndim == 2
    if unbatched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    if query.ndim != 3 or key.ndim != 3 or value.ndim != 3:
        raise ValueError(f"{fn}: expected query, key, value of shape (L, N, E) or (L, E), got "
                         f"{tuple(query.shape)}, {tuple(key.shape)}, {tuple(value.shape)}")
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    if embed_dim != embed_dim_to_check:
        raise ValueError(f"{fn}: was expecting embedding dimension of {embed_dim_to_check}, but "
                         f"got {embed_dim}")
    if key.shape[:2] != value.shape[:2] or key.shape[1] != bsz:
        raise ValueError(f"{fn}: key shape {tuple(key.shape)} does not match value shape "
                         f"{tuple(value.shape)} / batch size {bsz}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise ValueError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use "
                           "nn.Transformer.generate_square_subsequent_mask to create this mask.")

    if use_separate_proj_weight:
        bq = bk = bv = None
        if in_proj_bias is not None:
            bq, bk, bv = (in_proj_bias[:embed_dim], in_proj_bias[embed_dim:2 * embed_dim],
                          in_proj_bias[2 * embed_dim:])
        q = linear(query, q_proj_weight, bq)  # type: ignore[arg-type]
        k = linear(key, k_proj_weight, bk)  # type: ignore[arg-type]
        v = linear(value, v_proj_weight, bv)  # type: ignore[arg-type]
    else:
        assert in_proj_weight is not None
        e = embed_dim
        wq, wk, wv = in_proj_weight[:e], in_proj_weight[e:2 * e], in_proj_weight[2 * e:]
        bq = bk = bv = None
        if in_proj_bias is not None:
            bq, bk, bv = in_proj_bias[:e], in_proj_bias[e:2 * e], in_proj_bias[2 * e:]
        q, k, v = linear(query, wq, bq), linear(key, wk, bk), linear(value, wv, bv)

    # (L, N, E) -> (N, H, L, hd)
    def heads(t: Tensor, n: int) -> Tensor:
        return t.reshape(n, bsz, num_heads, head_dim).permute(1, 2, 0, 3)

    q, k, v = heads(q, tgt_len), heads(k, src_len), heads(v, src_len)

    mask = _canonical_mask(attn_mask, q, "attn_mask")
    if mask is not None:
        if mask.ndim == 2:
            if tuple(mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {tuple(mask.shape)}, but "
                                   f"should be {(tgt_len, src_len)}.")
            mask = mask.reshape(1, 1, tgt_len, src_len)
        elif mask.ndim == 3:
            if tuple(mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {tuple(mask.shape)}, but "
                                   f"should be {(bsz * num_heads, tgt_len, src_len)}.")
            mask = mask.reshape(bsz, num_heads, tgt_len, src_len)
        else:
            raise RuntimeError(f"attn_mask's dimension {mask.ndim} is not supported")
    kpm = _canonical_mask(key_padding_mask, q, "key_padding_mask")
    if kpm is not None:
        if tuple(kpm.shape) != (bsz, src_len):
            raise RuntimeError(f"expecting key_padding_mask shape of {(bsz, src_len)}, but got "
                               f"{tuple(kpm.shape)}")
        kpm = kpm.reshape(bsz, 1, 1, src_len)
        mask = kpm if mask is None else mask + kpm

    if not training:
        dropout_p = 0.0
    if need_weights:
        # The explicit path (plain softmax, like torch's: fully masked rows give NaN here).
        scores = (q * (1.0 / math.sqrt(head_dim))) @ k.transpose(-2, -1)
        if mask is not None:
            scores = scores + mask
        attn = softmax(scores, -1)
        if dropout_p > 0.0:
            attn = dropout(attn, dropout_p, True)
        out = attn @ v
    else:
        out = scaled_dot_product_attention(q, k, v, mask, dropout_p, False)
        attn = None
    out = out.permute(2, 0, 1, 3).reshape(tgt_len * bsz, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, embed_dim)
    weights = None
    if attn is not None:
        weights = attn.mean(1) if average_attn_weights else attn
        if unbatched:
            weights = weights.squeeze(0)
    if unbatched:
        out = out.squeeze(1)
    return out, weights
