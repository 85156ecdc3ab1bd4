"""Hand-written forward and reverse passes: what no autograd engine can beat.

Each floor performs the same arithmetic as its workload, one NumPy call (or Python float op)
per graph op, with the intermediates a tape would keep. Only the bookkeeping of a graph is
missing, so `engine / floor` is the price of automatic differentiation.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

Arrays = list[np.ndarray]


# -- scalar graph: t <- relu(tanh(t*w + b)**2); acc <- acc + t ---------------------------------

def scalar_forward(a: float, w: float, b: float, blocks: int) -> tuple[float, list[float],
                                                                         list[float]]:
    t_in: list[float] = []
    th_out: list[float] = []
    t = acc = a
    for _ in range(blocks):
        t_in.append(t)
        th = math.tanh(t * w + b)
        th_out.append(th)
        p = th * th
        t = p if p > 0.0 else 0.0
        acc = acc + t
    return acc, t_in, th_out


def scalar_backward(tape: tuple[float, list[float], list[float]], w: float
                    ) -> tuple[float, float, float]:
    _, t_in, th_out = tape
    gw = gb = 0.0
    g_t = 0.0  # gradient reaching t from the block after it
    for k in range(len(t_in) - 1, -1, -1):
        th = th_out[k]
        g = 1.0 + g_t  # from acc, and from the next block
        g = g if th * th > 0.0 else 0.0  # relu
        g = g * 2.0 * th  # pow 2
        g = g * (1.0 - th * th)  # tanh
        gb += g
        gw += g * t_in[k]
        g_t = g * w
    return 1.0 + g_t, gw, gb


# -- small-tensor chain: x <- tanh(x*w + c) ----------------------------------------------------

def chain_forward(x0: np.ndarray, w: np.ndarray, c: np.ndarray, blocks: int
                  ) -> tuple[float, Arrays, Arrays]:
    xs: Arrays = []
    ths: Arrays = []
    x = x0
    for _ in range(blocks):
        xs.append(x)
        x = np.tanh(x * w + c)
        ths.append(x)
    return float(x.sum()), xs, ths


def chain_backward(tape: tuple[float, Arrays, Arrays], w: np.ndarray) -> Arrays:
    _, xs, ths = tape
    g = np.ones_like(w)
    gw = np.zeros_like(w)
    gc = np.zeros_like(w)
    for k in range(len(xs) - 1, -1, -1):
        th = ths[k]
        g = g * (1.0 - th * th)
        gc += g
        gw += g * xs[k]
        g = g * w
    return [g, gw, gc]


# -- wide fan-in: sum_i sum(x * c_i) ---------------------------------------------------------

def fanin_forward(x: np.ndarray, cs: Arrays) -> float:
    acc = x * cs[0]
    for c in cs[1:]:
        acc = acc + x * c
    return float(acc.sum())


def fanin_backward(x: np.ndarray, cs: Arrays) -> np.ndarray:
    g = np.ones_like(x)  # d sum / d acc, unchanged through every add
    gx = np.zeros_like(x)
    for c in cs:
        gx += g * c
    return gx


# -- MLP with softmax cross-entropy ------------------------------------------------------------

def mlp_forward(params: Arrays, x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """params = [W1, b1, W2, b2, ...]; relu between layers; y is one-hot."""
    acts = [x]
    pre: Arrays = []
    h = x
    n = len(params) // 2
    for i in range(n):
        z = h @ params[2 * i] + params[2 * i + 1]
        if i < n - 1:
            pre.append(z)
            h = np.maximum(z, 0.0)
            acts.append(h)
        else:
            h = z
    logits = h
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    s = e.sum(axis=1, keepdims=True)
    logp = z - np.log(s)
    loss = -(logp * y).sum(axis=1).mean()
    return {"loss": float(loss), "acts": acts, "pre": pre, "probs": e / s, "y": y}


def mlp_backward(tape: dict[str, Any], params: Arrays) -> Arrays:
    acts, pre, y = tape["acts"], tape["pre"], tape["y"]
    n = len(params) // 2
    g = (tape["probs"] - y) / y.shape[0]
    grads: Arrays = [np.empty(0)] * len(params)
    for i in range(n - 1, -1, -1):
        grads[2 * i] = acts[i].T @ g
        grads[2 * i + 1] = g.sum(axis=0)
        if i > 0:
            g = (g @ params[2 * i].T) * (pre[i - 1] > 0)
    return grads


def sgd(params: Arrays, grads: Arrays, lr: float) -> Arrays:
    # Fresh arrays rather than in-place, to match the engines' parameter rebuild.
    return [p - lr * g for p, g in zip(params, grads)]


# -- small CNN: conv3x3(pad 1) -> relu -> flatten -> linear -> softmax CE ----------------------

def im2col3x3(x: np.ndarray) -> np.ndarray:
    """(B, 1, H, W) -> (B, H*W, 9) patches of the zero-padded image."""
    b, _, h, w = x.shape
    xp = np.pad(x[:, 0], ((0, 0), (1, 1), (1, 1)))
    win = np.lib.stride_tricks.sliding_window_view(xp, (3, 3), axis=(1, 2))
    return np.ascontiguousarray(win.reshape(b, h * w, 9))


def cnn_forward(params: Arrays, x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """params = [K (C, 9), kb (C,), W (C*H*W, 10), b (10,)]; x is (B, 1, H, W)."""
    k, kb, w, b = params
    cols = im2col3x3(x)
    bsz, hw, _ = cols.shape
    conv = (cols @ k.T + kb).transpose(0, 2, 1)  # (B, C, HW): torch's NCHW flatten order
    feat = np.maximum(conv, 0.0).reshape(bsz, -1)
    tape = mlp_forward([w, b], feat, y)
    tape["conv"] = conv
    tape["cols"] = cols
    return tape


def cnn_backward(tape: dict[str, Any], params: Arrays) -> Arrays:
    k, _, w, _ = params
    cols = tape["cols"]
    gw, gb = mlp_backward(tape, [w, params[3]])
    g = (tape["probs"] - tape["y"]) / tape["y"].shape[0]
    conv = tape["conv"]
    gfeat = (g @ w.T).reshape(conv.shape) * (conv > 0)  # (B, C, HW)
    gflat = gfeat.transpose(0, 2, 1).reshape(-1, k.shape[0])  # (B*HW, C)
    gk = gflat.T @ cols.reshape(-1, 9)
    gkb = gflat.sum(axis=0)
    return [gk, gkb, gw, gb]
