"""torch's CPU sampling algorithms in NumPy, drawing from a chaingrad ``Generator``.

Each function returns a fresh array filled in torch's element order (C order here; callers
that fill a strided tensor permute it to memory order first) and consumes exactly the draws
torch's kernels consume, so a generator's state after a call matches torch's too. The formulas
were checked against torch 2.13 (tests/test_random.py compares numbers and states):

- integers: ``random_(from, to)`` is ``v % (to - from) + from`` with ``v = random()`` when the
  range is below 2**28 and ``random64()`` otherwise; ``random_()`` is ``random64() % 2**63`` for
  int64, ``random() % (max + 1)`` for narrower ints, ``% (2**digits + 1)`` for floats;
- uniform: double ``(random64() & (2**53-1)) * 2**-53``, float ``(random() & (2**24-1)) *
  2**-24``, scaled as ``fma(x, to - from, from)`` in the tensor's dtype;
- ``randperm(n)``: Fisher-Yates, ``z = random() % (n - i)``, swap ``i`` and ``i + z``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._generator import Generator

_U64 = np.uint64


def _unsigned(v: int) -> np.uint64:
    return _U64(v & ((1 << 64) - 1))


def random_from_to(g: Generator, n: int, low: int, high: int, dtype: np.dtype) -> np.ndarray:
    """``n`` integers uniform in [low, high) (torch's ``random_from_to``); requires low < high."""
    rng = high - low
    v = g._random64(n) if rng >= 1 << 28 else g._random(n)
    off = v % _unsigned(rng)
    # (v % range) + base in 64-bit two's complement, then cast like static_cast<T>.
    out = (off + _unsigned(low)).view(np.int64)
    return out.astype(dtype)


def random_full_64(g: Generator, n: int, dtype: np.dtype) -> np.ndarray:
    """torch's ``random_(-2**63, None)`` on int64: every 64-bit pattern."""
    return g._random64(n).view(np.int64).astype(dtype)


def random_bits(g: Generator, n: int, dtype: np.dtype) -> np.ndarray:
    """``Tensor.random_()`` without bounds: [0, 2**mantissa] for floats, [0, max] for ints."""
    if dtype == np.bool_:
        return (g._random(n) & _U64(1)).astype(np.bool_)
    if dtype == np.int64:
        return (g._random64(n) % _U64(1 << 63)).astype(np.int64)
    if dtype == np.float64:
        return (g._random64(n) % _U64((1 << 53) + 1)).astype(np.float64)
    if dtype.kind == "f":
        digits = np.finfo(dtype).nmant + 1
        return (g._random(n) % _U64((1 << digits) + 1)).astype(dtype)
    return (g._random(n) % _U64(int(np.iinfo(dtype).max) + 1)).astype(dtype)


def randperm(g: Generator, n: int) -> np.ndarray:
    """torch's CPU ``randperm``: Fisher-Yates over arange(n), one ``random()`` per step."""
    out = list(range(n))
    if n > 1:
        z = (g._random(n - 1) % np.arange(n, 1, -1, dtype=np.uint64)).tolist()
        for i, zi in enumerate(z):
            j = i + zi
            out[i], out[j] = out[j], out[i]
    return np.array(out, dtype=np.int64)


def uniform(g: Generator, n: int, dtype: np.dtype, low: float = 0.0,
            high: float = 1.0) -> np.ndarray:
    """torch's ``uniform_(low, high)``: 53 random bits per double, 24 per float."""
    if dtype == np.float64:
        x = (g._random64(n) & _U64((1 << 53) - 1)).astype(np.float64) * 2.0**-53
    else:
        dtype = np.dtype(np.float32) if dtype.kind != "f" else dtype
        x = ((g._random(n) & _U64((1 << 24) - 1)).astype(np.float32) * np.float32(2.0**-24))
        x = x.astype(dtype)
    lo, hi = dtype.type(low), dtype.type(high)
    if lo == 0 and hi == 1:
        return x
    return fma(x, hi - lo, lo)


def _box_muller_pairs(g: Generator, pairs: int) -> tuple[np.ndarray, np.ndarray]:
    """torch's ``normal_distribution<double>``: per pair u1, u2 (doubles), r = sqrt(-2 log1p(-u2)),
    theta = 2 pi u1; returns (r cos theta, r sin theta)."""
    u = uniform(g, 2 * pairs, np.dtype(np.float64))
    u1, u2 = u[0::2], u[1::2]
    r = np.sqrt(-2.0 * _log1p(-u2))
    theta = 2.0 * np.pi * u1
    return r * _cos(theta), r * _sin(theta)


def normal_serial(g: Generator, n: int, mean: float, std: float, dtype: np.dtype) -> np.ndarray:
    """Element-wise normals with the generator's cached second sample (small or strided)."""
    out = np.empty(n, dtype=np.float64)
    k = 0
    if n and g._next_double is not None:
        out[0] = g._next_double
        g._next_double = None
        k = 1
    m = n - k
    if m:
        pairs = (m + 1) // 2
        c, s = _box_muller_pairs(g, pairs)
        inter = np.empty(2 * pairs)
        inter[0::2], inter[1::2] = c, s
        out[k:] = inter[:m]
        if m % 2:
            g._next_double = float(s[-1])
    return _fma(out, std, mean).astype(dtype)


def bernoulli_scalar(g: Generator, n: int, p: float, dtype: np.dtype) -> np.ndarray:
    """torch's ``bernoulli_(p)`` (default CPU kernel): one double uniform per element, < p."""
    return (uniform(g, n, np.dtype(np.float64)) < p).astype(dtype)


def bernoulli_tensor(g: Generator, p: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``bernoulli(p)`` with a probability per element: a uniform of p's precision each."""
    pd = np.dtype(np.float64) if p.dtype == np.float64 else np.dtype(np.float32)
    u = uniform(g, p.size, pd)
    return (u < p.reshape(-1).astype(pd)).astype(dtype)


def exponential(g: Generator, n: int, lambd: float, dtype: np.dtype) -> np.ndarray:
    """torch's CPU ``exponential_``: -1/lambda * log1p(-u), u a double uniform."""
    u = uniform(g, n, np.dtype(np.float64))
    return ((-1.0 / lambd) * _log1p(-u)).astype(dtype)


def _fill16(d: np.ndarray, mean: float, std: float) -> None:
    """torch's ``normal_fill_16`` on every block of 16 of ``d`` (shape (k, 16)), in place:
    u1 = 1 - first half, u2 = second half, r = sqrt(-2 log u1), theta = 2 pi u2; cos into the
    first half, sin into the second, then ``* std + mean`` (fused)."""
    if d.dtype == np.float32:
        _fill16_avx2(d, mean, std)
        return
    u1 = 1 - d[:, :8]
    u2 = d[:, 8:]
    r = np.sqrt(-2 * _log(u1))
    theta = d.dtype.type(2.0 * np.pi) * u2
    d[:, :8] = _fma(r * _cos(theta), std, mean)
    d[:, 8:] = _fma(r * _sin(theta), std, mean)


# float32 blocks: torch's AVX2 kernel (x86-64 builds; its normal kernel is never the AVX-512
# one) computes log, sin and cos with Cephes-style single-precision polynomials (Pommier's
# avx_mathfun), where the compiler fuses multiply-adds. Emulated here step by step in float32
# (a fused step is exact in float64, then rounded once), which reproduces its bits.
_F32 = np.float32
_LOG_P = (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1,
          1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1,
          3.3333331174e-1)
_MIN_NORMAL = np.array(0x00800000, dtype=np.int32).view(np.float32)
_HALF_BITS = int(np.array(0.5, dtype=np.float32).view(np.int32))


def _mad32(a: np.ndarray, b: Any, c: Any) -> np.ndarray:
    """float32 ``a * b + c`` with one rounding."""
    return (a.astype(np.float64) * np.asarray(b, dtype=np.float64)
            + np.asarray(c, dtype=np.float64)).astype(_F32)


def _log_avx2(x: np.ndarray) -> np.ndarray:
    x = np.maximum(x, _MIN_NORMAL)
    bits = x.view(np.int32)
    e = ((bits >> 23) - 0x7F).astype(_F32) + _F32(1)
    m = ((bits & ~0x7F800000) | _HALF_BITS).view(_F32)  # mantissa in [0.5, 1)
    small = m < _F32(0.707106781186547524)
    e = e - small.astype(_F32)
    m = (m - _F32(1)) + np.where(small, m, _F32(0))
    z = m * m
    y = np.full_like(m, _F32(_LOG_P[0]))
    for c in _LOG_P[1:]:
        y = _mad32(y, m, _F32(c))
    y = y * m
    y = _mad32(y, z, e * _F32(-2.12194440e-4))
    y = y - z * _F32(0.5)
    return _mad32(e, _F32(0.693359375), m + y)


def _sincos_avx2(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    neg = x < 0
    x = np.abs(x)
    j = (x * _F32(1.27323954473516)).astype(np.int32)
    j = (j + 1) & ~1
    y = j.astype(_F32)
    for c in (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8):
        x = _mad32(y, _F32(c), x)  # extended-precision reduction by pi/4
    sin_neg = neg ^ ((j & 4) != 0)
    cos_neg = (~(j - 2) & 4) != 0
    first = (j & 2) == 0
    z = x * x
    pc = np.full_like(x, _F32(2.443315711809948e-5))
    pc = _mad32(pc, z, _F32(-1.388731625493765e-3))
    pc = _mad32(pc, z, _F32(4.166664568298827e-2))
    pc = pc * z
    pc = _mad32(pc, z, -(z * _F32(0.5))) + _F32(1)
    ps = np.full_like(x, _F32(-1.9515295891e-4))
    ps = _mad32(ps, z, _F32(8.3321608736e-3))
    ps = _mad32(ps, z, _F32(-1.6666654611e-1))
    ps = _mad32(ps * z, x, x)
    s = np.where(first, ps, pc)
    c = np.where(first, pc, ps)
    return np.where(sin_neg, -s, s), np.where(cos_neg, -c, c)


def _fill16_avx2(d: np.ndarray, mean: float, std: float) -> None:
    u1 = _F32(1) - d[:, :8]
    u2 = d[:, 8:]
    r = np.sqrt(_F32(-2) * _log_avx2(u1))
    s, c = _sincos_avx2(_F32(2.0 * np.pi) * u2)
    m, sd = _F32(mean), _F32(std)
    d[:, :8] = _mad32(r * c, sd, m)
    d[:, 8:] = _mad32(r * s, sd, m)


def normal_fill(g: Generator, n: int, mean: float, std: float, dtype: np.dtype) -> np.ndarray:
    """torch's ``normal_fill`` (contiguous, n >= 16): n uniforms, Box-Muller on blocks of 16
    (first half cos, second half sin); a ragged tail redoes the last 16 with fresh uniforms."""
    d = uniform(g, n, dtype)
    full = n // 16 * 16
    blocks = d[:full].reshape(-1, 16)
    _fill16(blocks, mean, std)
    d[:full] = blocks.reshape(-1)
    if n % 16:
        tail = uniform(g, 16, dtype).reshape(1, 16)
        _fill16(tail, mean, std)
        d[n - 16:] = tail.reshape(-1)
    return d


def normal(g: Generator, n: int, mean: float, std: float, dtype: np.dtype,
           contiguous: bool = True) -> np.ndarray:
    """torch's ``normal_(mean, std)`` kernel choice: the block fill for contiguous tensors of
    16 or more elements, the element-wise sampler otherwise."""
    if n >= 16 and contiguous:
        return normal_fill(g, n, mean, std, dtype)
    return normal_serial(g, n, mean, std, dtype)


# Scalar math as torch's compiled kernels do it: glibc's libm (Python's ``math`` calls it;
# NumPy's SIMD log/sin/cos can differ in the last bit) and fused multiply-add.
_LIBM = {name: np.frompyfunc(getattr(math, name), 1, 1)
         for name in ("log", "log1p", "cos", "sin", "tan", "exp")}


def _libm(name: str, x: np.ndarray) -> np.ndarray:
    """glibc's ``name`` elementwise, in double, cast back to x's dtype."""
    if x.size == 0:
        return x.copy()
    return _LIBM[name](x.astype(np.float64)).astype(np.float64).astype(x.dtype)


def _log(x: np.ndarray) -> np.ndarray:
    return _libm("log", x)


def _log1p(x: np.ndarray) -> np.ndarray:
    return _libm("log1p", x)


def _cos(x: np.ndarray) -> np.ndarray:
    return _libm("cos", x)


def _sin(x: np.ndarray) -> np.ndarray:
    return _libm("sin", x)


_SPLIT = 134217729.0  # 2**27 + 1, Veltkamp's splitter


def _two_prod(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """p + e == a * b exactly (Dekker), barring overflow."""
    p = a * b
    ca, cb = _SPLIT * a, _SPLIT * b
    ah = ca - (ca - a)
    bh = cb - (cb - b)
    al, bl = a - ah, b - bh
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    return p, e


def fma(x: np.ndarray, a: Any, b: Any) -> np.ndarray:
    """``x * a + b`` with one rounding (as the compiled kernels' fused multiply-add): exact
    product and sum as double-doubles, then one rounding to x's dtype."""
    if x.dtype == np.float32:
        p = x.astype(np.float64) * np.float64(np.float32(a))  # exact: 24 x 24 bits
        return (p + np.float64(np.float32(b))).astype(np.float32)
    x = np.asarray(x, dtype=np.float64)
    a_arr = np.broadcast_to(np.asarray(a, dtype=np.float64), x.shape)
    b_arr = np.asarray(b, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        p, e = _two_prod(x, a_arr)
        s = p + b_arr
        bb = s - p
        t = (p - (s - bb)) + (b_arr - bb)
        out = s + (t + e)
    bad = ~np.isfinite(out)
    if bad.any():
        out[bad] = (x * a_arr + b_arr)[bad] if b_arr.ndim == 0 else (x * a_arr + b_arr)[bad]
    return out


def _fma(x: np.ndarray, a: float, b: float) -> np.ndarray:
    if a == 1 and b == 0:
        return x
    return fma(x, a, b)


def cauchy(g: Generator, n: int, median: float, sigma: float, dtype: np.dtype) -> np.ndarray:
    """torch's ``cauchy_``: median + sigma * tan(pi * (u - 0.5)), u a double uniform."""
    u = uniform(g, n, np.dtype(np.float64))
    return fma(_libm("tan", math.pi * (u - 0.5)), sigma, median).astype(dtype)


def log_normal(g: Generator, n: int, mean: float, std: float, dtype: np.dtype) -> np.ndarray:
    """torch's ``log_normal_``: exp of the element-wise normal sampler (cache included)."""
    return _libm("exp", normal_serial(g, n, mean, std, np.dtype(np.float64))).astype(dtype)


def geometric(g: Generator, n: int, p: float, dtype: np.dtype) -> np.ndarray:
    """torch's ``geometric_``: ceil(log(u) / log1p(-p)), u a double uniform."""
    u = uniform(g, n, np.dtype(np.float64))
    return np.ceil(_log(u) / math.log1p(-p)).astype(dtype)


def multinomial(g: Generator, p: np.ndarray, k: int, replacement: bool) -> np.ndarray:
    """torch's CPU ``multinomial`` on rows of ``p`` (2-D): without replacement (or k == 1)
    the top-k of p / q with q ~ Exp(1) (one draw per entry); with replacement a binary search
    of one double uniform per sample in each row's normalised running sum."""
    if not replacement or k == 1:
        q = exponential(g, p.size, 1.0, p.dtype).reshape(p.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            key = p / q
        if k == 1:
            return np.argmax(key, axis=-1)[:, None].astype(np.int64)
        return np.argsort(-key, axis=-1, kind="stable")[:, :k].astype(np.int64)
    out = np.empty((p.shape[0], k), dtype=np.int64)
    for i, row in enumerate(p):
        cum = np.cumsum(row)  # running sum in p's dtype, normalised by its last value
        cum = cum / cum[-1]
        u = uniform(g, k, np.dtype(np.float64))
        out[i] = np.searchsorted(cum, u, side="left")
    return out
