"""The op test database: sample calls of every registered op, shared by the gradcheck, torch
parity and coverage tests.

Each ``Case`` calls the op through a module ``M`` (``chaingrad`` or ``torch``: the APIs match,
so one lambda serves both) on tensors built from ``Input`` specs. Float inputs require grad;
index and mask inputs do not. Inputs are kept away from kinks (|x| at 0, clamp bounds, ties) so
finite differences are valid; the kink and tie conventions are tested against torch separately.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np


@dataclass(frozen=True)
class Input:
    make: Callable[[np.random.Generator], np.ndarray]
    grad: bool = True  # a float input that requires grad

    def array(self, rng: np.random.Generator) -> np.ndarray:
        return np.asarray(self.make(rng))


def anyf(*shape: int) -> Input:
    """Standard normal values, away from 0 (so |x|, sign and x/x stay smooth)."""

    def make(rng: np.random.Generator) -> np.ndarray:
        a = rng.standard_normal(shape)
        return np.where(np.abs(a) < 0.1, 0.1 + np.abs(a), a)

    return Input(make)


def pos(*shape: int, lo: float = 0.5, hi: float = 2.0) -> Input:
    return Input(lambda rng: rng.uniform(lo, hi, size=shape))


def unit(*shape: int) -> Input:
    """Values in (-0.9, 0.9) (tan, log1p domains)."""
    return Input(lambda rng: rng.uniform(-0.9, 0.9, size=shape))


def distinct(*shape: int) -> Input:
    """A random permutation of well-separated values: no ties for max/min/sort-like ops."""
    n = int(np.prod(shape)) if shape else 1
    return Input(lambda rng: (rng.permutation(n) * 0.37 - 1.3).reshape(shape))


def const(a: Any) -> Input:
    arr = np.asarray(a)
    return Input(lambda rng: arr, grad=False)


def mask(*shape: int) -> Input:
    return Input(lambda rng: rng.random(shape) > 0.5, grad=False)


def ints(high: int, *shape: int) -> Input:
    return Input(lambda rng: rng.integers(0, high, size=shape).astype(np.int64), grad=False)


@dataclass(frozen=True)
class Case:
    op: str  # the registry name this case covers
    f: Callable[..., Any]  # f(M, *tensors)
    inputs: tuple[Input, ...]
    id: str = ""
    gradgrad: bool = True
    parity: bool = True  # compare with torch
    exact: bool = False  # values and gradients within a few ulp of torch's
    diff: bool = True  # has a gradient to check
    fd: bool = True  # finite differences are valid (not through a float32 rounding)
    rtol64: float = 1e-6
    tags: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        return self.id or self.op


def C(op: str, f: Callable, *inputs: Input, **kw: Any) -> Case:
    return Case(op, f, tuple(inputs), **kw)


def _first(r: Any) -> Any:
    return r[0] if isinstance(r, (tuple, list)) else r


_INF_ORD = float("inf")

CASES: list[Case] = [
    # ---------------------------------------------------------------- elementwise
    C("add", lambda M, a, b: M.add(a, b), anyf(3, 4), anyf(4), exact=True),
    C("add", lambda M, a, b: a.add(b, alpha=2.5), anyf(2, 3), anyf(2, 1), id="add_alpha"),
    C("add", lambda M, a: 1.5 + a, anyf(3), id="radd_scalar", exact=True),
    C("sub", lambda M, a, b: M.sub(a, b), anyf(3, 1), anyf(1, 4), exact=True),
    C("sub", lambda M, a, b: M.subtract(a, b, alpha=0.5), anyf(3), anyf(3), id="subtract"),
    C("rsub", lambda M, a: 2.0 - a, anyf(3, 2), exact=True),
    C("rsub", lambda M, a, b: M.rsub(a, b), anyf(3), anyf(2, 3), id="rsub_fn", exact=True),
    C("mul", lambda M, a, b: M.mul(a, b), anyf(2, 3), anyf(3), exact=True),
    C("mul", lambda M, a: M.multiply(a, 3.0), anyf(4), id="multiply", exact=True),
    C("div", lambda M, a, b: M.div(a, b), anyf(2, 3), pos(2, 1), exact=True),
    C("div", lambda M, a, b: M.true_divide(a, b), anyf(3), pos(3), id="true_divide",
      exact=True),
    C("div", lambda M, a: M.divide(a, 4.0), anyf(3), id="divide_scalar", exact=True),
    C("rdiv", lambda M, a: 3.0 / a, pos(2, 3), exact=True),
    C("neg", lambda M, a: M.neg(a), anyf(3), exact=True),
    C("neg", lambda M, a: M.negative(a), anyf(3), id="negative", exact=True),
    C("pow", lambda M, a: M.pow(a, 2.5), pos(3, 2)),
    C("pow", lambda M, a: a ** 3, anyf(4), id="pow3", exact=True),
    C("pow", lambda M, a: a ** -0.5, pos(4), id="pow_rsqrt", exact=True),
    C("pow", lambda M, a, b: M.pow(a, b), pos(3, 2), anyf(2), id="pow_tensor"),
    C("pow", lambda M, b: 2.0 ** b, anyf(5), id="rpow_scalar"),
    # Second derivative: torch's formula multiplies 0 by log(0) = -inf and gives NaN; so does
    # ours (same formula), hence no gradgradcheck.
    C("pow", lambda M, b: 0.0 ** b, pos(4), id="rpow_zero_base", gradgrad=False),
    C("abs", lambda M, a: M.abs(a), anyf(3, 4), exact=True),
    C("abs", lambda M, a: abs(a), anyf(3), id="abs_op", exact=True),
    C("abs", lambda M, a: M.absolute(a), anyf(3), id="absolute", exact=True),
    C("sign", lambda M, a: M.sign(a) * a, anyf(5), exact=True),
    C("sqrt", lambda M, a: M.sqrt(a), pos(3, 4), exact=True),
    C("rsqrt", lambda M, a: M.rsqrt(a), pos(3, 4), exact=True),
    C("square", lambda M, a: M.square(a), anyf(3, 4), exact=True),
    C("reciprocal", lambda M, a: M.reciprocal(a), pos(3, 4), exact=True),
    C("exp", lambda M, a: M.exp(a), anyf(3, 4)),
    C("expm1", lambda M, a: M.expm1(a), anyf(3, 4)),
    C("log", lambda M, a: M.log(a), pos(3, 4)),
    C("log1p", lambda M, a: M.log1p(a), unit(3, 4)),
    C("sin", lambda M, a: M.sin(a), anyf(3, 4)),
    C("cos", lambda M, a: M.cos(a), anyf(3, 4)),
    C("tan", lambda M, a: M.tan(a), unit(3, 4)),
    C("tanh", lambda M, a: M.tanh(a), anyf(3, 4)),
    C("sigmoid", lambda M, a: M.sigmoid(a), anyf(3, 4)),
    C("relu", lambda M, a: M.relu(a), anyf(3, 4), exact=True),
    C("addcmul", lambda M, a, b, c: M.addcmul(a, b, c, value=0.5), anyf(3), anyf(2, 3),
      anyf(3)),
    C("addcdiv", lambda M, a, b, c: M.addcdiv(a, b, c, value=-2.0), anyf(3), anyf(3), pos(3)),
    C("lerp", lambda M, a, b: M.lerp(a, b, 0.3), anyf(3), anyf(3)),
    C("lerp", lambda M, a, b: M.lerp(a, b, 0.8), anyf(3), anyf(3), id="lerp_high"),
    C("lerp", lambda M, a, b, w: M.lerp(a, b, w), anyf(3), anyf(3), pos(3), id="lerp_tensor"),
    # ---------------------------------------------------------------- selection
    C("clamp", lambda M, a: M.clamp(a, -0.5, 0.7), anyf(3, 4), exact=True),
    C("clamp", lambda M, a: M.clamp(a, min=0.2), anyf(3, 4), id="clamp_min_only", exact=True),
    C("clamp", lambda M, a, lo, hi: M.clamp(a, lo, hi), anyf(3, 4), Input(
        lambda r: r.uniform(-1.5, -0.05, (4,))), Input(lambda r: r.uniform(0.05, 1.5, (3, 1))),
      id="clamp_tensors", exact=True),
    C("clamp", lambda M, a, lo: M.clamp(a, max=lo), anyf(3, 4), anyf(4), id="clamp_tensor_max",
      exact=True),
    C("clamp", lambda M, a, lo: M.clamp(a, min=lo), anyf(3), anyf(2, 3),
      id="clamp_tensor_broadcasts_output", exact=True),
    C("clamp", lambda M, a: M.clip(a, -0.5, 0.5), anyf(6), id="clip", exact=True),
    C("clamp_min", lambda M, a: a.clamp_min(0.1), anyf(6), exact=True),
    C("clamp_max", lambda M, a: a.clamp_max(0.1), anyf(6), exact=True),
    C("maximum", lambda M, a, b: M.maximum(a, b), anyf(3, 4), anyf(4), exact=True),
    C("minimum", lambda M, a, b: M.minimum(a, b), anyf(3, 1), anyf(4), exact=True),
    C("where", lambda M, c, a, b: M.where(c, a, b), mask(3, 4), anyf(3, 4), anyf(4),
      exact=True),
    C("where", lambda M, a: M.where(a > 0, a, 0.0), anyf(3, 4), id="where_scalar", exact=True),
    C("where", lambda M, c, a, b: a.where(c, b), mask(4), anyf(4), anyf(1), id="where_method",
      exact=True),
    # ---------------------------------------------------------------- comparisons (no grad)
    *(C(n, lambda M, a, b, n=n: getattr(M, n)(a, b), anyf(3, 4), anyf(4), diff=False)
      for n in ("eq", "ne", "lt", "le", "gt", "ge")),
    *(C(n, lambda M, a, b, n=n: getattr(M, n)(a > 0, b > 0), anyf(3, 4), anyf(4), diff=False)
      for n in ("logical_and", "logical_or", "logical_xor", "bitwise_and", "bitwise_or",
                "bitwise_xor")),
    C("logical_not", lambda M, a: M.logical_not(a > 0), anyf(5), diff=False),
    C("bitwise_not", lambda M, a: ~(a > 0), anyf(5), diff=False),
    C("isnan", lambda M, a: M.isnan(M.log(a)), anyf(5), diff=False),
    C("isinf", lambda M, a: M.isinf(1.0 / (a - a)), anyf(4), diff=False),
    C("isfinite", lambda M, a: M.isfinite(M.log(a)), anyf(5), diff=False),
    C("isclose", lambda M, a, b: M.isclose(a, a + b * 1e-9), anyf(5), anyf(5), diff=False),
    C("all", lambda M, a: M.all(a > -1.0, 1), anyf(3, 4), diff=False),
    C("any", lambda M, a: (a > 1.0).any(dim=0), anyf(3, 4), diff=False),
    C("nonzero", lambda M, a: M.nonzero(a > 0), anyf(3, 4), diff=False),
    # ---------------------------------------------------------------- reductions
    C("sum", lambda M, a: M.sum(a), anyf(3, 4)),
    C("sum", lambda M, a: a.sum((0, 2), keepdim=True), anyf(2, 3, 4), id="sum_dims_keep"),
    C("mean", lambda M, a: M.mean(a, -1), anyf(3, 4)),
    C("prod", lambda M, a: M.prod(a), pos(2, 3)),
    C("prod", lambda M, a: a.prod(1), anyf(3, 4), id="prod_dim"),
    C("prod", lambda M, a: a.prod(0, keepdim=True), Input(
        lambda r: np.array([[0.0, 2.0, 0.0], [1.5, 0.0, 0.0], [0.7, 3.0, 1.1]])),
      id="prod_zeros_dim"),
    C("prod", lambda M, a: a.prod(), Input(lambda r: np.array([[0.0, 2.0], [1.5, -0.5]])),
      id="prod_one_zero"),
    C("prod", lambda M, a: a.prod(), Input(lambda r: np.array([0.0, 2.0, 0.0, 3.0])),
      id="prod_two_zeros"),
    C("max", lambda M, a: M.max(a), distinct(3, 4), exact=True),
    C("max", lambda M, a: M.max(a, 1).values, distinct(3, 4), id="max_dim", exact=True),
    C("max", lambda M, a: M.max(a, 0, keepdim=True)[0], distinct(3, 4), id="max_dim_keep",
      exact=True),
    C("max", lambda M, a, b: M.max(a, b), anyf(3, 4), anyf(4), id="max_other", exact=True),
    C("min", lambda M, a: M.min(a), distinct(3, 4), exact=True),
    C("min", lambda M, a: a.min(dim=-1).values, distinct(3, 4), id="min_dim", exact=True),
    C("amax", lambda M, a: M.amax(a, (0, 1)), distinct(3, 4, 2), exact=True),
    C("amin", lambda M, a: M.amin(a, 1, keepdim=True), distinct(3, 4), exact=True),
    C("argmax", lambda M, a: M.argmax(a, 1), distinct(3, 4), diff=False),
    C("argmax", lambda M, a: M.argmax(a), distinct(3, 4), id="argmax_flat", diff=False),
    C("argmin", lambda M, a: a.argmin(0, keepdim=True), distinct(3, 4), diff=False),
    C("var", lambda M, a: M.var(a), anyf(3, 4)),
    C("var", lambda M, a: a.var(1, keepdim=True), anyf(3, 4), id="var_dim"),
    C("var", lambda M, a: M.var(a, (0, 1), correction=0), anyf(3, 4, 2), id="var_correction"),
    C("var", lambda M, a: M.var(a, 0, unbiased=False), anyf(3, 4), id="var_biased"),
    C("std", lambda M, a: M.std(a), anyf(3, 4)),
    C("std", lambda M, a: a.std(dim=0), anyf(3, 4), id="std_dim"),
    C("std", lambda M, a: M.std(a, (1,), correction=2, keepdim=True), anyf(2, 5),
      id="std_correction"),
    C("logsumexp", lambda M, a: M.logsumexp(a, 1), anyf(3, 4)),
    C("logsumexp", lambda M, a: a.logsumexp((0, 1), keepdim=True), anyf(3, 4),
      id="logsumexp_all"),
    C("norm", lambda M, a: M.norm(a), anyf(3, 4)),
    C("norm", lambda M, a: a.norm(dim=1), anyf(3, 4), id="norm_dim"),
    C("norm", lambda M, a: M.norm(a, p=1, dim=0), anyf(3, 4), id="norm_p1"),
    C("norm", lambda M, a: M.norm(a, p=float("inf"), dim=1), distinct(3, 4), id="norm_inf"),
    C("norm", lambda M, a: M.norm(a, p=float("-inf")), distinct(3, 4), id="norm_neginf"),
    C("norm", lambda M, a: M.norm(a, p=3, dim=(0, 1), keepdim=True), anyf(3, 4),
      id="norm_p3"),
    C("norm", lambda M, a: M.norm(a, p=1.5, dim=1), anyf(3, 4), id="norm_p1_5"),
    C("norm", lambda M, a: M.norm(a, p=0.5, dim=1), anyf(3, 4), id="norm_p0_5"),
    C("norm", lambda M, a: M.norm(a, p="fro", dim=(0, 1)), anyf(3, 4), id="norm_fro"),
    C("norm", lambda M, a: M.norm(a, p=0), anyf(3, 4), id="norm_p0"),
    C("norm", lambda M, a: M.norm(a, p="nuc"), anyf(3, 4), id="norm_nuc"),
    C("norm", lambda M, a: a.norm(p="nuc", dim=(2, 0), keepdim=True), anyf(2, 3, 4),
      id="norm_nuc_dims_keepdim"),
    C("norm", lambda M, a: M.norm(a, p="nuc", dim=(-1, -2)), anyf(2, 4, 3),
      id="norm_nuc_batched"),
    *(C("linalg.matrix_norm", lambda M, a, o=o: M.linalg.matrix_norm(a, ord=o), anyf(2, 3, 4),
        id=f"matrix_norm_{o}") for o in ("fro", "nuc", 1, -1, 2, -2, _INF_ORD, -_INF_ORD)),
    *(C("linalg.matrix_norm", lambda M, a, o=o: M.linalg.matrix_norm(
        a, o, dim=(2, 0), keepdim=True), anyf(3, 2, 4), id=f"matrix_norm_{o}_dims_keepdim")
      for o in ("fro", "nuc", 1, -1, 2, -2, _INF_ORD, -_INF_ORD)),
    C("linalg.matrix_norm", lambda M, a: M.linalg.matrix_norm(a, 1, dim=(0, -1)),
      anyf(3, 2, 4), id="matrix_norm_1_outer_dims"),
    C("linalg.matrix_norm", lambda M, a: M.linalg.matrix_norm(a, "nuc"), anyf(4, 2),
      id="matrix_norm_nuc_tall"),
    C("linalg.vector_norm", lambda M, a: M.linalg.vector_norm(a), anyf(2, 3, 4)),
    C("linalg.vector_norm", lambda M, a: M.linalg.vector_norm(a, 3, (0, 2), keepdim=True),
      anyf(2, 3, 4), id="vector_norm_p3_dims"),
    C("linalg.vector_norm", lambda M, a: M.linalg.vector_norm(a, -_INF_ORD, 1),
      distinct(3, 4), id="vector_norm_neginf"),
    C("linalg.norm", lambda M, a: M.linalg.norm(a), anyf(2, 3, 4)),
    C("linalg.norm", lambda M, a: M.linalg.norm(a, 2), anyf(3, 4), id="linalg_norm_spectral"),
    C("linalg.norm", lambda M, a: M.linalg.norm(a, _INF_ORD), anyf(5), id="linalg_norm_vec_inf"),
    C("linalg.norm", lambda M, a: M.linalg.norm(a, "nuc", (0, 2)), anyf(2, 3, 4),
      id="linalg_norm_nuc_dims"),
    C("linalg.norm", lambda M, a: M.linalg.norm(a, 0.5, 1, True), anyf(2, 3),
      id="linalg_norm_vec_dim"),
    C("linalg.svdvals", lambda M, a: M.linalg.svdvals(a), anyf(2, 3, 4)),
    C("linalg.svdvals", lambda M, a: M.linalg.svdvals(a) * M.arange(3.0).to(a.dtype), anyf(4, 3),
      id="svdvals_weighted_tall"),
    C("cumsum", lambda M, a: M.cumsum(a, 1), anyf(3, 4), exact=True),
    C("cumsum", lambda M, a: a.cumsum(dim=0), anyf(5), id="cumsum_1d", exact=True),
    # ---------------------------------------------------------------- shape
    C("reshape", lambda M, a: M.reshape(a, (4, -1)), anyf(2, 3, 2), exact=True),
    C("reshape", lambda M, a: a.T.reshape(-1), anyf(3, 4), id="reshape_copy", exact=True),
    C("view", lambda M, a: a.view(-1, 2), anyf(3, 4), exact=True),
    # view(dtype) reinterprets the bits and is not differentiable in torch (no grad_fn).
    C("view", lambda M, a: a.view(M.int32), anyf(3, 4), id="view_dtype", diff=False),
    C("view_as", lambda M, a, b: a.view_as(b), anyf(3, 4), anyf(4, 3), exact=True),
    C("reshape_as", lambda M, a, b: a.T.reshape_as(b), anyf(3, 4), anyf(2, 6), exact=True),
    C("flatten", lambda M, a: M.flatten(a, 1), anyf(2, 3, 2), exact=True),
    C("flatten", lambda M, a: a.flatten(0, 1), anyf(2, 3, 2), id="flatten_01", exact=True),
    C("unflatten", lambda M, a: a.unflatten(1, (2, 2)), anyf(3, 4), exact=True),
    C("squeeze", lambda M, a: M.squeeze(a), anyf(3, 1, 2, 1), exact=True),
    C("squeeze", lambda M, a: a.squeeze(1), anyf(3, 1, 2), id="squeeze_dim", exact=True),
    C("unsqueeze", lambda M, a: M.unsqueeze(a, -1), anyf(3, 2), exact=True),
    C("permute", lambda M, a: M.permute(a, (2, 0, 1)), anyf(2, 3, 4), exact=True),
    C("permute", lambda M, a: a.permute(1, 2, 0) * 2, anyf(2, 3, 4), id="permute_args",
      exact=True),
    C("transpose", lambda M, a: M.transpose(a, 0, -1), anyf(2, 3, 4), exact=True),
    C("transpose", lambda M, a: M.swapaxes(a, 0, 1), anyf(2, 3), id="swapaxes", exact=True),
    C("t", lambda M, a: M.t(a), anyf(2, 3), exact=True),
    C("T", lambda M, a: a.T @ a, anyf(3, 2), id="T"),
    C("expand", lambda M, a: a.expand(2, 3, 4), anyf(3, 1), exact=True),
    C("expand", lambda M, a: a.expand(-1, 4), anyf(3, 1), id="expand_keep", exact=True),
    C("expand_as", lambda M, a, b: a.expand_as(b), anyf(1, 4), anyf(3, 4), exact=True),
    C("broadcast_to", lambda M, a: M.broadcast_to(a, (2, 3)), anyf(3), exact=True),
    C("narrow", lambda M, a: M.narrow(a, 1, 1, 2), anyf(3, 4), exact=True),
    C("select", lambda M, a: M.select(a, 0, -1), anyf(3, 4), exact=True),
    C("flip", lambda M, a: M.flip(a, (0, 2)), anyf(2, 3, 2), exact=True),
    C("roll", lambda M, a: M.roll(a, 2, 1), anyf(3, 4), exact=True),
    C("roll", lambda M, a: M.roll(a, (1, -1), (0, 1)), anyf(3, 4), id="roll_multi",
      exact=True),
    C("roll", lambda M, a: M.roll(a, 5), anyf(3, 4), id="roll_flat", exact=True),
    C("repeat", lambda M, a: a.repeat(2, 1, 3), anyf(3, 2)),
    C("tile", lambda M, a: M.tile(a, (2,)), anyf(3, 2)),
    C("pad", lambda M, a: _pad(M)(a, (1, 2)), anyf(3, 4), exact=True),
    C("pad", lambda M, a: _pad(M)(a, (1, -1, -1, 2), value=0.5), anyf(3, 4), id="pad_crop",
      exact=True),
    C("pad", lambda M, a: _pad(M)(a, (2, 1), mode="reflect"), anyf(2, 4), id="pad_reflect",
      exact=True),
    C("pad", lambda M, a: _pad(M)(a, (1, 2, 2, 1), mode="replicate"), anyf(1, 3, 4),
      id="pad_replicate", exact=True),
    C("pad", lambda M, a: _pad(M)(a, (2, 3), mode="circular"), anyf(1, 2, 4),
      id="pad_circular", exact=True),
    C("to", lambda M, a: a.to(M.float32).to(M.float64) * 1.0, anyf(3), fd=False, exact=True),
    C("float", lambda M, a: a.float(), anyf(3), fd=False, exact=True),
    C("double", lambda M, a: a.float().double(), anyf(3), fd=False, exact=True),
    C("long", lambda M, a: (a * 10).long(), anyf(3), diff=False),
    C("int", lambda M, a: (a * 10).int(), anyf(3), diff=False),
    C("bool", lambda M, a: (a > 0).int().bool(), anyf(3), diff=False),
    C("clone", lambda M, a: M.clone(a), anyf(3, 4), exact=True),
    C("contiguous", lambda M, a: a.T.contiguous(), anyf(3, 4), exact=True),
    # ---------------------------------------------------------------- join / split
    C("cat", lambda M, a, b: M.cat([a, b], 1), anyf(2, 3), anyf(2, 2), exact=True),
    C("cat", lambda M, a, b: M.concat((a, b)), anyf(2, 3), anyf(1, 3), id="concat",
      exact=True),
    C("stack", lambda M, a, b: M.stack([a, b], -1), anyf(2, 3), anyf(2, 3), exact=True),
    C("split", lambda M, a: M.split(a, 2, 1)[1], anyf(3, 5), exact=True),
    C("split", lambda M, a: M.cat(a.split([1, 3, 1], dim=1)[::2], 1), anyf(3, 5),
      id="split_sizes", exact=True),
    C("chunk", lambda M, a: M.chunk(a, 3, 1)[2], anyf(3, 5), exact=True),
    C("unbind", lambda M, a: M.unbind(a, 1)[1] * 2, anyf(3, 4), exact=True),
    # ---------------------------------------------------------------- indexing
    C("getitem", lambda M, a: a[1], anyf(3, 4), id="index_int", exact=True),
    C("getitem", lambda M, a: a[::2, 1::2], anyf(5, 4), id="index_step", exact=True),
    C("getitem", lambda M, a: a[-1, -2:], anyf(3, 4), id="index_neg", exact=True),
    C("getitem", lambda M, a: a[..., 1:3], anyf(2, 3, 4), id="index_ellipsis", exact=True),
    C("getitem", lambda M, a: a[1, 2], anyf(3, 4), id="index_all_ints", exact=True),
    C("getitem", lambda M, a: a[2, -7:100:3], anyf(3, 8), id="index_clip", exact=True),
    # torch has no negative steps: gradcheck and gradgradcheck only.
    C("getitem", lambda M, a: a[::-2, 1, -1:0:-1], anyf(5, 3, 4), id="index_neg_step",
      parity=False),
    C("getitem", lambda M, a: a[..., None, 1], anyf(2, 3, 4), id="index_ellipsis_none",
      exact=True),
    C("getitem", lambda M, a, m: a[m], anyf(3, 4), mask(3, 4), id="index_mask", exact=True),
    C("getitem", lambda M, a, m: a[m], anyf(3, 4), mask(3), id="index_row_mask", exact=True),
    C("getitem", lambda M, a, i: a[i], anyf(4, 3), const(np.array([0, 2, 0, 3, 3])),
      id="index_repeat", exact=True),
    C("getitem", lambda M, a, i, j: a[i, :, j], anyf(3, 2, 4), const(np.array([[0], [2]])),
      const(np.array([1, 1, 3])), id="index_advanced_split", exact=True),
    C("getitem", lambda M, a: a[[1, 1, 0]], anyf(3, 2), id="index_list", exact=True),
    C("gather", lambda M, a, i: M.gather(a, 1, i), anyf(3, 4), ints(4, 3, 5), exact=True),
    C("gather", lambda M, a, i: a.gather(0, i), anyf(3, 4), ints(3, 2, 3), id="gather_small",
      exact=True),
    C("scatter", lambda M, a, i, s: M.scatter(a, 1, i, s), anyf(3, 4),
      const(np.array([[0, 2], [1, 3], [3, 0]])), anyf(3, 2), exact=True),
    # src larger than index: torch 2.13's backward fails on it (wrong gradient shape); ours
    # pads the gradient with zeros for the unused src elements.
    C("scatter", lambda M, a, i, s: M.scatter(a, 1, i, s), anyf(3, 4),
      const(np.array([[0, 2], [1, 3], [3, 0]])), anyf(3, 3), id="scatter_big_src",
      parity=False),
    C("scatter", lambda M, a, i: a.scatter(0, i, 2.5), anyf(3, 4),
      const(np.array([[0, 2, 1, 1]])), id="scatter_value", exact=True),
    C("scatter_add", lambda M, a, i, s: M.scatter_add(a, 1, i, s), anyf(3, 4),
      ints(4, 3, 6), anyf(3, 6), exact=True),
    C("scatter_add", lambda M, a, i, s: M.scatter_add(a, 1, i, s), anyf(3, 4),
      ints(4, 3, 6), anyf(3, 7), id="scatter_add_big_src", parity=False),
    C("index_select", lambda M, a, i: M.index_select(a, 1, i), anyf(3, 4),
      const(np.array([3, 0, 3])), exact=True),
    C("masked_fill", lambda M, a, m: M.masked_fill(a, m, -1.0), anyf(3, 4), mask(4),
      exact=True),
    C("masked_fill", lambda M, a, m, v: a.masked_fill(m, v.sum()), anyf(3, 4), mask(3, 4),
      anyf(2), id="masked_fill_tensor"),
    C("masked_select", lambda M, a, m: M.masked_select(a, m), anyf(3, 4), mask(4),
      exact=True),
    # ---------------------------------------------------------------- linear algebra
    C("matmul", lambda M, a, b: M.matmul(a, b), anyf(2, 3), anyf(3, 4)),
    C("matmul", lambda M, a, b: a @ b, anyf(2, 1, 3, 4), anyf(5, 4, 2), id="matmul_batched"),
    C("matmul", lambda M, a, b: a @ b, anyf(4), anyf(2, 4, 3), id="matmul_vec_batch"),
    C("matmul", lambda M, a, b: a @ b, anyf(2, 3, 4), anyf(4), id="matmul_batch_vec"),
    C("matmul", lambda M, a, b: a @ b, anyf(3), anyf(3), id="matmul_vec_vec"),
    C("matmul", lambda M, a, b: a @ b, anyf(3), anyf(3, 2), id="matmul_vec_mat"),
    C("matmul", lambda M, a, b: a @ b, anyf(2, 3), anyf(3), id="matmul_mat_vec"),
    C("matmul", lambda M, a, b: a @ b, anyf(3, 1, 2, 3), anyf(1, 4, 3, 2),
      id="matmul_broadcast_both"),
    C("mm", lambda M, a, b: M.mm(a, b), anyf(2, 3), anyf(3, 2)),
    C("mv", lambda M, a, b: M.mv(a, b), anyf(2, 3), anyf(3)),
    C("bmm", lambda M, a, b: M.bmm(a, b), anyf(2, 2, 3), anyf(2, 3, 2)),
    C("dot", lambda M, a, b: M.dot(a, b), anyf(4), anyf(4)),
    C("outer", lambda M, a, b: M.outer(a, b), anyf(3), anyf(4), exact=True),
    C("einsum", lambda M, a, b: M.einsum("ij,jk->ik", a, b), anyf(2, 3), anyf(3, 4)),
    C("einsum", lambda M, a: M.einsum("ii->i", a), anyf(3, 3), id="einsum_diag"),
    C("einsum", lambda M, a: M.einsum("ii", a), anyf(3, 3), id="einsum_trace"),
    C("einsum", lambda M, a, b, c: M.einsum("bi,bij,j->b", a, b, c), anyf(2, 3), anyf(2, 3, 4),
      anyf(4), id="einsum_three"),
    C("einsum", lambda M, a, b: M.einsum("...ij,...jk", a, b), anyf(2, 1, 2, 3), anyf(4, 3, 2),
      id="einsum_ellipsis"),
    C("einsum", lambda M, a, b: M.einsum("i,j->ij", a, b), anyf(3), anyf(2), id="einsum_outer"),
    C("einsum", lambda M, a: M.einsum("ijk->", a), anyf(2, 3, 2), id="einsum_sum"),
    C("einsum", lambda M, a, b: M.einsum("ij,kj->ik", a, b), anyf(1, 3), anyf(4, 3),
      id="einsum_transposed"),
    C("einsum", lambda M, a, b: M.einsum("iij,jk->ik", a, b), anyf(3, 3, 2), anyf(2, 2),
      id="einsum_diag_contract"),
    C("einsum", lambda M, a, b: M.einsum("ij,j", a, b), anyf(3, 2), anyf(1),
      id="einsum_broadcast_letter"),
    C("einsum", lambda M, a, b: M.einsum(a, [0, 1], b, [1, 2], [0, 2]), anyf(2, 3), anyf(3, 4),
      id="einsum_sublist"),
    C("einsum", lambda M, a, b: M.einsum(a, [30, 1], b, [1, 2]), anyf(2, 3), anyf(3, 4),
      id="einsum_sublist_implicit"),
    C("einsum", lambda M, a, b: M.einsum(a, [..., 0, 1], b, [1, 2], [..., 2]), anyf(2, 2, 3),
      anyf(3, 4), id="einsum_sublist_ellipsis"),
    C("einsum", lambda M, a: M.einsum(a, [Ellipsis, 0, 0], [0]), anyf(2, 3, 3),
      id="einsum_sublist_diag_sum_batch"),
]


def _pad(M: Any) -> Callable:
    if M.__name__ == "torch":
        return M.nn.functional.pad
    return M.ops.pad


# In-place ops, on a non-leaf (torch's history rewrite), with the tensor used afterwards.
INPLACE_CASES: list[Case] = [
    C(n, (lambda M, a, *rest, n=n, args=args: getattr(a * 1.0, n)(*args(M, *rest)) * 1.0),
      *inputs, exact=ex)
    for n, args, inputs, ex in (
        ("add_", lambda M, b: (b,), (anyf(3, 4), anyf(4)), True),
        ("add_", lambda M: (2.0,), (anyf(3),), True),
        ("sub_", lambda M, b: (b,), (anyf(3, 4), anyf(3, 1)), True),
        ("mul_", lambda M, b: (b,), (anyf(3, 4), anyf(4)), True),
        ("div_", lambda M, b: (b,), (anyf(3, 4), pos(4)), True),
        ("pow_", lambda M: (2.0,), (anyf(3),), True),
        ("neg_", lambda M: (), (anyf(3),), True),
        ("exp_", lambda M: (), (anyf(3),), False),
        ("log_", lambda M: (), (pos(3),), False),
        ("tanh_", lambda M: (), (anyf(3),), False),
        ("sigmoid_", lambda M: (), (anyf(3),), False),
        ("relu_", lambda M: (), (anyf(3),), True),
        ("abs_", lambda M: (), (anyf(3),), True),
        ("sqrt_", lambda M: (), (pos(3),), True),
        ("sign_", lambda M: (), (anyf(3),), True),
        ("reciprocal_", lambda M: (), (pos(3),), True),
        ("clamp_", lambda M: (-0.5, 0.5), (anyf(3, 4),), True),
        ("clamp_min_", lambda M: (0.1,), (anyf(6),), True),
        ("clamp_max_", lambda M: (0.1,), (anyf(6),), True),
        ("fill_", lambda M, v: (v.sum(),), (anyf(3), anyf(2)), True),
        ("fill_", lambda M: (1.5,), (anyf(3),), True),
        ("zero_", lambda M: (), (anyf(3),), True),
        ("copy_", lambda M, b: (b,), (anyf(3, 4), anyf(4)), True),
        ("masked_fill_", lambda M, m: (m, 0.5), (anyf(3, 4), mask(4)), True),
        ("addcmul_", lambda M, b, c: (b, c), (anyf(3), anyf(3), anyf(3)), False),
        ("addcdiv_", lambda M, b, c: (b, c), (anyf(3), anyf(3), pos(3)), False),
        ("lerp_", lambda M, b: (b, 0.25), (anyf(3), anyf(3)), False),
        ("scatter_", lambda M, i, s: (1, i, s), (anyf(3, 4), const(np.array([[0], [3], [1]])),
                                                 anyf(3, 1)), True),
        ("scatter_add_", lambda M, i, s: (1, i, s), (anyf(3, 4), ints(4, 3, 2), anyf(3, 2)),
         True),
    )
]

# Ops that need no case: what they do is covered by the named cases or tests.
COVERED_ELSEWHERE = {
    "allclose": "returns a Python bool (tests/test_ops_values.py)",
    "equal": "returns a Python bool (tests/test_ops_values.py)",
    "setitem": "history rewrite tested in tests/test_ops_inplace.py",
    "rmatmul": "ndarray @ Tensor (tests/test_ops_values.py)",
    "iadd": "operators += -= *= /= (tests/test_ops_inplace.py)",
    "isub": "operators (tests/test_ops_inplace.py)",
    "imul": "operators (tests/test_ops_inplace.py)",
    "idiv": "operators (tests/test_ops_inplace.py)",
}

ALL_CASES = CASES + INPLACE_CASES


def fixed(a: Any, grad: bool = True) -> Input:
    arr = np.asarray(a, dtype=np.float64) if grad else np.asarray(a)
    return Input(lambda rng: arr, grad=grad)


_NAN = float("nan")
_INF = float("inf")

# Ties, kinks, zeros, infinities and NaNs: the conventions must be torch's (parity only; finite
# differences do not apply at these points).
KINK_CASES: list[Case] = [
    C("max", lambda M, a: M.max(a), fixed([[1, 3, 3], [2, 3, 0]]), id="max_ties_spread"),
    C("max", lambda M, a: M.max(a, 1).values, fixed([[1, 3, 3], [2, 2, 0]]),
      id="max_dim_ties_first"),
    C("max", lambda M, a: M.max(a, 0).indices, fixed([[1, 3, 3], [2, 3, 0]]),
      id="max_dim_ties_index", diff=False),
    C("min", lambda M, a: M.min(a), fixed([[1, 0, 3], [0, 3, 0]]), id="min_ties_spread"),
    C("max", lambda M, a: M.max(a), fixed([1, _NAN, 3, _NAN]), id="max_nan"),
    C("max", lambda M, a: M.max(a, 0).values, fixed([1, _NAN, 3]), id="max_dim_nan"),
    C("amax", lambda M, a: M.amax(a, 1), fixed([[1, 3, 3], [2, 2, 2]]), id="amax_ties"),
    C("amin", lambda M, a: M.amin(a), fixed([[1, 0, 3], [0, 3, 0]]), id="amin_ties_all"),
    C("maximum", lambda M, a, b: M.maximum(a, b), fixed([1, 2, 3, _NAN]), fixed([1, 3, 2, 0]),
      id="maximum_ties_nan"),
    C("minimum", lambda M, a, b: M.minimum(a, b), fixed([1, 2, 3]), fixed([1, 3, 2]),
      id="minimum_ties"),
    C("clamp", lambda M, a: M.clamp(a, -0.5, 0.5), fixed([-0.5, 0.5, 0.2, -1, 1, _NAN]),
      id="clamp_at_bounds"),
    C("clamp", lambda M, a: M.clamp(a, 0.5, -0.5), fixed([-1, 0, 1]), id="clamp_min_gt_max"),
    C("clamp", lambda M, a, lo, hi: M.clamp(a, lo, hi), fixed([-1, 0, 1, 0.5, 2]),
      fixed([0, 0, 0, 0.5, 3]), fixed([0.5, -1, 0.5, 1, 2]), id="clamp_tensor_bounds"),
    C("abs", lambda M, a: M.abs(a), fixed([-1, 0, 1, -0.0]), id="abs_zero"),
    C("relu", lambda M, a: M.relu(a), fixed([-1, 0, 1]), id="relu_zero"),
    C("sign", lambda M, a: M.sign(a), fixed([-1, 0, 2, _NAN]), id="sign_nan"),
    C("sqrt", lambda M, a: M.sqrt(a), fixed([0, 1, 4]), id="sqrt_zero"),
    C("log", lambda M, a: M.log(a), fixed([0, 1, 4]), id="log_zero"),
    C("div", lambda M, a, b: a / b, fixed([1, 0, -1]), fixed([0, 0, 0]), id="div_zero"),
    C("norm", lambda M, a: M.norm(a, dim=1), fixed([[0, 0], [3, 4]]), id="norm_zero"),
    C("norm", lambda M, a: M.norm(a, p=1), fixed([[0, -1], [3, 0]]), id="norm_p1_zero"),
    C("norm", lambda M, a: M.norm(a, p=_INF, dim=1), fixed([[-3, 3], [1, -2]]),
      id="norm_inf_ties"),
    C("norm", lambda M, a: M.norm(a, p=3, dim=1), fixed([[0, 0], [0, 2]]), id="norm_p3_zero"),
    C("norm", lambda M, a: M.norm(a, p=0.5), fixed([[0, 1], [4, 0]]), id="norm_p_half_zero"),
    # Repeated singular values: U diag(g) V^T does not depend on the basis LAPACK picks in
    # the repeated subspace, and amax splits a tie evenly (torch too). An exactly zero
    # singular value of a diagonal matrix gets LAPACK's (= torch's) basis; for numerically
    # rank-deficient dense matrices the subgradient's null-space part is basis-dependent in
    # both libraries and is not compared.
    C("norm", lambda M, a: M.norm(a, p="nuc"), fixed(np.eye(3)), id="norm_nuc_identity"),
    C("norm", lambda M, a: M.norm(a, p="nuc"), fixed([[0, 2, 0], [2, 0, 0], [0, 0, 1]]),
      id="norm_nuc_repeated"),
    C("norm", lambda M, a: M.norm(a, p="nuc"), fixed(np.diag([2.0, 0.0, 1.0])),
      id="norm_nuc_zero_singular_value"),
    C("norm", lambda M, a: M.norm(a, p="nuc"), fixed(np.zeros((2, 3))), id="norm_nuc_zeros"),
    C("linalg.matrix_norm", lambda M, a: M.linalg.matrix_norm(a, 2),
      fixed([[0, 2, 0], [2, 0, 0], [0, 0, 1]]), id="matrix_norm_2_tied_max"),
    C("linalg.matrix_norm", lambda M, a: M.linalg.matrix_norm(a, -2), fixed(np.eye(2)),
      id="matrix_norm_neg2_identity"),
    C("linalg.matrix_norm", lambda M, a: M.linalg.matrix_norm(a, 1), fixed([[1, -2], [3, 0]]),
      id="matrix_norm_1_tie"),
    C("linalg.matrix_norm", lambda M, a: M.linalg.matrix_norm(a, _INF), fixed(np.zeros((2, 0))),
      id="matrix_norm_inf_empty"),
    C("linalg.matrix_norm", lambda M, a: M.linalg.matrix_norm(a, 2), fixed(np.zeros((3, 0))),
      id="matrix_norm_2_empty"),
    C("std", lambda M, a: M.std(a, 1), fixed([[2, 2, 2], [1, 2, 4]]), id="std_constant"),
    C("var", lambda M, a: M.var(a), fixed([2]), id="var_dof0"),
    C("var", lambda M, a: M.var(a, correction=3), fixed([1, 2]), id="var_dof_negative"),
    C("var", lambda M, a: M.var(a, 1), fixed([[1], [2]]), id="var_dim_dof0"),
    C("prod", lambda M, a: M.prod(a), fixed([[0, 2], [3, 4]]), id="prod_one_zero_all"),
    C("prod", lambda M, a: M.prod(a), fixed([0, 2, 0]), id="prod_two_zeros_all"),
    C("prod", lambda M, a: M.prod(a, 1), fixed([[0, 2, 0], [1, 0, 3], [1, 2, 3]]),
      id="prod_zeros_rows"),
    C("prod", lambda M, a: M.prod(a, 0), fixed([[0], [2]]), id="prod_dim_size1_zero"),
    C("where", lambda M, a: M.where(a > 0, M.sqrt(a), 0.0), fixed([-1, 0, 4]),
      id="where_nan_branch"),
    C("pow", lambda M, a, b: a ** b, fixed([0, 0, 2, -1]), fixed([0, 2, 0, 2]),
      id="pow_zero_base"),
    C("pow", lambda M, b: 0.0 ** b, fixed([-1, 0, 2]), id="rpow_zero_base_kinks"),
    C("logsumexp", lambda M, a: M.logsumexp(a, 1), fixed([[-_INF, -_INF], [0, -_INF],
                                                          [1, 2]]), id="logsumexp_inf"),
    C("logsumexp", lambda M, a: M.logsumexp(a, 0), fixed([_INF, 1]), id="logsumexp_posinf"),
    C("getitem", lambda M, a, i: a[i], fixed([1, 2, 3]), fixed([0, 0, 0, 2], grad=False),
      id="index_all_same"),
    C("sigmoid", lambda M, a: M.sigmoid(a), fixed([-100, -20, 0, 20, 100]),
      id="sigmoid_saturated"),
    C("tanh", lambda M, a: M.tanh(a), fixed([-30, 0, 30]), id="tanh_saturated"),
    C("exp", lambda M, a: M.exp(a), fixed([-1000, 0, 1000]), id="exp_overflow"),
]


# ---------------------------------------------------------------- issue 9: more torch ops
def _meshgrid_sum(M: Any, a: Any, b: Any, indexing: str) -> Any:
    x, y = M.meshgrid(a, b, indexing=indexing)
    return x * 2 + y * y


MORE_CASES: list[Case] = [
    C("softmax", lambda M, a: M.softmax(a, 1), anyf(3, 4)),
    C("softmax", lambda M, a: a.softmax(dim=0, dtype=M.float64), anyf(3, 4), id="softmax_dtype"),
    C("log_softmax", lambda M, a: M.log_softmax(a, -1), anyf(3, 4)),
    C("log_softmax", lambda M, a: a.log_softmax(0), anyf(5), id="log_softmax_method"),
    C("sinh", lambda M, a: M.sinh(a), anyf(3, 4)),
    C("cosh", lambda M, a: a.cosh(), anyf(3, 4)),
    C("asin", lambda M, a: M.asin(a), unit(3, 4)),
    C("asin", lambda M, a: M.arcsin(a), unit(3), id="arcsin"),
    C("acos", lambda M, a: M.acos(a), unit(3, 4)),
    C("atan", lambda M, a: M.atan(a), anyf(3, 4)),
    C("asinh", lambda M, a: M.asinh(a), anyf(3, 4)),
    C("acosh", lambda M, a: M.acosh(a), pos(3, 4, lo=1.2, hi=3.0)),
    C("atanh", lambda M, a: M.atanh(a), unit(3, 4)),
    C("log2", lambda M, a: M.log2(a), pos(3, 4)),
    C("log10", lambda M, a: a.log10(), pos(3, 4)),
    C("exp2", lambda M, a: M.exp2(a), anyf(3, 4)),
    C("erf", lambda M, a: M.erf(a), anyf(3, 4)),
    C("erfc", lambda M, a: M.erfc(a), anyf(3, 4)),
    C("erfinv", lambda M, a: M.erfinv(a), unit(3, 4)),
    C("logit", lambda M, a: M.logit(a), pos(3, 4, lo=0.05, hi=0.95)),
    C("logit", lambda M, a: a.logit(eps=0.2), Input(lambda r: r.choice(
        [0.05, 0.1, 0.3, 0.6, 0.7, 0.85, 0.95], (3, 4), replace=True)), id="logit_eps"),
    C("floor", lambda M, a: M.floor(a * 3) + a, anyf(3, 4)),
    C("ceil", lambda M, a: a.ceil() * a, anyf(3, 4)),
    C("trunc", lambda M, a: M.trunc(a * 3) + a, anyf(3, 4)),
    C("trunc", lambda M, a: M.fix(a * 3) * a, anyf(3), id="fix"),
    C("round", lambda M, a: M.round(a * 3) + a, anyf(3, 4)),
    C("round", lambda M, a: M.round(a, decimals=1) * a, anyf(3, 4), id="round_decimals"),
    C("round", lambda M, a: M.round(a * 100, decimals=-1) * a, anyf(3, 4),
      id="round_neg_decimals"),
    C("frac", lambda M, a: M.frac(a * 3), anyf(3, 4)),
    C("fmod", lambda M, a, b: M.fmod(a * 3, b), anyf(3, 4), pos(4)),
    C("fmod", lambda M, a: M.fmod(a * 3, 1.5), anyf(3, 4), id="fmod_scalar"),
    C("remainder", lambda M, a, b: M.remainder(a * 3, b), anyf(3, 4), pos(4)),
    C("remainder", lambda M, a, b: (a * 3) % b, anyf(3, 4), pos(3, 1), id="remainder_op"),
    C("remainder", lambda M, a: M.remainder(a * 3, -1.5), anyf(3), id="remainder_scalar"),
    # torch has no derivative for number % tensor (remainder.Scalar_Tensor): gradcheck only;
    # the values are compared in tests/test_ops_more.py.
    C("rremainder", lambda M, a: 2.5 % a, pos(3, 4), parity=False),
    C("atan2", lambda M, a, b: M.atan2(a, b), anyf(3, 4), anyf(4)),
    C("atan2", lambda M, a, b: a.arctan2(b), anyf(3), anyf(3), id="arctan2"),
    C("hypot", lambda M, a, b: M.hypot(a, b), anyf(3, 4), anyf(3, 1)),
    C("xlogy", lambda M, a, b: M.xlogy(a, b), anyf(3, 4), pos(4)),
    C("xlogy", lambda M, a: M.xlogy(a, 2.0), anyf(3), id="xlogy_scalar"),
    # ------------------------------------------------------------ sorting / order
    C("sort", lambda M, a: M.sort(a, 1).values, distinct(3, 4)),
    C("sort", lambda M, a: a.sort(dim=0, descending=True).values, distinct(3, 4),
      id="sort_descending"),
    C("sort", lambda M, a: M.sort(a, dim=0, stable=True).indices, distinct(5), id="sort_indices",
      diff=False),
    C("argsort", lambda M, a: M.argsort(a, 1, descending=True), distinct(3, 4), diff=False),
    C("msort", lambda M, a: M.msort(a), distinct(4, 3)),
    C("topk", lambda M, a: M.topk(a, 2).values, distinct(3, 4)),
    C("topk", lambda M, a: a.topk(3, dim=0, largest=False).values, distinct(4, 3),
      id="topk_smallest"),
    C("topk", lambda M, a: M.topk(a, 2, 0).indices, distinct(4, 2), id="topk_indices",
      diff=False),
    C("kthvalue", lambda M, a: M.kthvalue(a, 2, 1).values, distinct(3, 4)),
    C("kthvalue", lambda M, a: a.kthvalue(3, 0, keepdim=True).values, distinct(4, 3),
      id="kthvalue_keepdim"),
    C("kthvalue", lambda M, a: M.kthvalue(a, 1).indices, distinct(3, 4), id="kthvalue_idx",
      diff=False),
    C("cummax", lambda M, a: M.cummax(a, 1).values, distinct(3, 4)),
    C("cummax", lambda M, a: a.cummax(0).indices, distinct(4, 3), id="cummax_indices",
      diff=False),
    C("cummin", lambda M, a: M.cummin(a, 0).values, distinct(4, 3)),
    # ------------------------------------------------------------ matrix
    C("tril", lambda M, a: M.tril(a), anyf(3, 4), exact=True),
    C("tril", lambda M, a: a.tril(diagonal=-1), anyf(2, 3, 3), id="tril_batched", exact=True),
    C("triu", lambda M, a: M.triu(a, 1), anyf(4, 3), exact=True),
    C("tril_indices", lambda M: M.tril_indices(3, 4, 1), diff=False),
    C("triu_indices", lambda M: M.triu_indices(4, 3, -1), diff=False),
    C("diagonal", lambda M, a: M.diagonal(a), anyf(3, 4), exact=True),
    C("diagonal", lambda M, a: a.diagonal(-1, 2, 0) * 2, anyf(3, 2, 4), id="diagonal_dims",
      exact=True),
    C("diag_embed", lambda M, a: M.diag_embed(a), anyf(2, 3), exact=True),
    C("diag_embed", lambda M, a: a.diag_embed(1, 0, 2), anyf(2, 3), id="diag_embed_dims",
      exact=True),
    C("diag", lambda M, a: M.diag(a), anyf(3), exact=True),
    C("diag", lambda M, a: M.diag(a, -2), anyf(3), id="diag_make_offset", exact=True),
    C("diag", lambda M, a: a.diag(1), anyf(3, 4), id="diag_extract", exact=True),
    C("trace", lambda M, a: M.trace(a), anyf(3, 4)),
    C("addmm", lambda M, a, b, c: M.addmm(a, b, c), anyf(2, 4), anyf(2, 3), anyf(3, 4)),
    C("addmm", lambda M, a, b, c: a.addmm(b, c, beta=0.5, alpha=2.0), anyf(4), anyf(2, 3),
      anyf(3, 4), id="addmm_scaled"),
    C("addmv", lambda M, a, b, c: M.addmv(a, b, c, alpha=-1.5), anyf(2), anyf(2, 3), anyf(3)),
    C("baddbmm", lambda M, a, b, c: M.baddbmm(a, b, c, beta=2.0), anyf(2, 2, 4),
      anyf(2, 2, 3), anyf(2, 3, 4)),
    C("addbmm", lambda M, a, b, c: M.addbmm(a, b, c), anyf(2, 4), anyf(3, 2, 3),
      anyf(3, 3, 4)),
    C("kron", lambda M, a, b: M.kron(a, b), anyf(2, 3), anyf(3, 2), exact=True),
    C("kron", lambda M, a, b: a.kron(b), anyf(3), anyf(2, 2), id="kron_ranks", exact=True),
    C("cross", lambda M, a, b: M.cross(a, b, dim=1), anyf(2, 3), anyf(2, 3)),
    C("cross", lambda M, a, b: M.linalg.cross(a, b) if M.__name__ == "torch" else
      M.cross(a, b, -1), anyf(4, 3), anyf(1, 3), id="cross_broadcast"),
    C("block_diag", lambda M, a, b, c: M.block_diag(a, b, c), anyf(2, 3), anyf(3), anyf(),
      exact=True),
    C("rot90", lambda M, a: M.rot90(a), anyf(3, 4), exact=True),
    C("rot90", lambda M, a: a.rot90(-1, (2, 0)), anyf(2, 3, 4), id="rot90_k3", exact=True),
    C("rot90", lambda M, a: M.rot90(a, 2), anyf(3, 4), id="rot90_k2", exact=True),
    # ------------------------------------------------------------ more reductions
    C("cumprod", lambda M, a: M.cumprod(a, 1), anyf(3, 4)),
    C("cumprod", lambda M, a: a.cumprod(dim=0), anyf(5), id="cumprod_1d"),
    C("logcumsumexp", lambda M, a: M.logcumsumexp(a, 1), anyf(3, 4)),
    C("logcumsumexp", lambda M, a: a.logcumsumexp(0) * M.tensor([1.0, -2.0, 0.5]).to(a.dtype),
      anyf(3), id="logcumsumexp_mixed_signs"),
    C("count_nonzero", lambda M, a: M.count_nonzero(a > 0, 1), anyf(3, 4), diff=False),
    C("count_nonzero", lambda M, a: a.count_nonzero(), anyf(3, 4), id="count_nonzero_all",
      diff=False),
    C("nansum", lambda M, a: M.nansum(a, 1), anyf(3, 4)),
    C("nanmean", lambda M, a: M.nanmean(a, 0, keepdim=True), anyf(3, 4)),
    C("std_mean", lambda M, a: M.std_mean(a, 1)[0] + M.std_mean(a, 1)[1], anyf(3, 4)),
    C("var_mean", lambda M, a: M.var_mean(a, 0, correction=0)[0] * M.var_mean(a)[1],
      anyf(3, 4)),
    C("diff", lambda M, a: M.diff(a), anyf(3, 4), exact=True),
    C("diff", lambda M, a, b: a.diff(n=2, dim=0, prepend=b), anyf(3, 4), anyf(2, 4),
      id="diff_prepend", exact=True),
    # ------------------------------------------------------------ stacking / grids
    C("repeat_interleave", lambda M, a: M.repeat_interleave(a, 2), anyf(2, 3), exact=True),
    C("repeat_interleave", lambda M, a, r: a.repeat_interleave(r, dim=1), anyf(2, 3),
      const(np.array([1, 0, 3])), id="repeat_interleave_counts", exact=True),
    C("repeat_interleave", lambda M, r: M.repeat_interleave(r), const(np.array([2, 0, 1])),
      id="repeat_interleave_indices", diff=False),
    C("take_along_dim", lambda M, a, i: M.take_along_dim(a, i, 1), anyf(3, 4),
      ints(4, 1, 5), exact=True),
    C("take_along_dim", lambda M, a, i: a.take_along_dim(i), anyf(3, 4), ints(12, 5),
      id="take_along_dim_flat", exact=True),
    C("hstack", lambda M, a, b: M.hstack([a, b]), anyf(2, 3), anyf(2, 1), exact=True),
    C("hstack", lambda M, a, b: M.hstack((a, b)), anyf(3), anyf(2), id="hstack_1d",
      exact=True),
    C("vstack", lambda M, a, b: M.vstack([a, b]), anyf(2, 3), anyf(3), exact=True),
    C("dstack", lambda M, a, b: M.dstack([a, b]), anyf(2, 3), anyf(2, 3), exact=True),
    C("column_stack", lambda M, a, b: M.column_stack([a, b]), anyf(3), anyf(3, 2),
      exact=True),
    C("meshgrid", lambda M, a, b: _meshgrid_sum(M, a, b, "ij"), anyf(3), anyf(4)),
    C("meshgrid", lambda M, a, b: _meshgrid_sum(M, a, b, "xy"), anyf(3), anyf(4),
      id="meshgrid_xy"),
    C("atleast_1d", lambda M, a: M.atleast_1d(a) * 2, anyf(), exact=True),
    C("atleast_2d", lambda M, a: M.atleast_2d(a) * 2, anyf(3), exact=True),
    C("atleast_3d", lambda M, a, b: M.atleast_3d(a, b)[1] * 2, anyf(3), anyf(2, 3),
      exact=True),
    C("broadcast_tensors", lambda M, a, b: M.broadcast_tensors(a, b)[0] * 2, anyf(3, 1),
      anyf(4), exact=True),
    C("cartesian_prod", lambda M, a, b: M.cartesian_prod(a, b), anyf(3), anyf(2), exact=True),
    C("combinations", lambda M, a: M.combinations(a), anyf(4), exact=True),
    C("combinations", lambda M, a: M.combinations(a, 3, with_replacement=True), anyf(3),
      id="combinations_replacement", exact=True),
    C("movedim", lambda M, a: M.movedim(a, (0, 1), (2, 0)), anyf(2, 3, 4), exact=True),
    C("movedim", lambda M, a: a.moveaxis(-1, 0), anyf(2, 3), id="moveaxis", exact=True),
    # ------------------------------------------------------------ search / statistics
    C("searchsorted", lambda M, s, v: M.searchsorted(s, v), const(np.array([1.0, 2.0, 2.0, 5.0])),
      const(np.array([[0.5, 2.0, 6.0], [2.0, 1.0, 5.0]])), diff=False),
    C("searchsorted", lambda M, s, v: M.searchsorted(s, v, right=True, out_int32=True),
      const(np.array([[1, 3, 3], [0, 2, 4]])), const(np.array([[3, 0], [4, 2]])),
      id="searchsorted_nd_right", diff=False),
    C("searchsorted", lambda M, s, o: M.searchsorted(s, 3.0, sorter=o),
      const(np.array([5.0, 1.0, 3.0])), const(np.array([1, 2, 0])), id="searchsorted_sorter",
      diff=False),
    C("bucketize", lambda M, v, b: M.bucketize(v, b), const(np.array([[0.0, 1.0], [3.0, 9.0]])),
      const(np.array([1.0, 3.0, 5.0])), diff=False),
    C("bucketize", lambda M, v, b: M.bucketize(v, b, right=True), const(np.array([1, 3, 4])),
      const(np.array([1, 3, 5])), id="bucketize_right", diff=False),
    C("unique", lambda M, a: M.unique(a, return_inverse=True, return_counts=True)[1],
      const(np.array([[3, 1, 3], [2, 1, 7]])), diff=False),
    C("unique", lambda M, a: M.unique(a, return_counts=True)[1],
      const(np.array([3, 1, 3, 2])), id="unique_counts", diff=False),
    C("unique", lambda M, a: a.unique(dim=1, return_inverse=True)[1],
      const(np.array([[1, 2, 1, 0], [3, 4, 3, 0]])), id="unique_dim", diff=False),
    C("unique", lambda M, a: a.unique(dim=1).int(), const(np.array([[1, 2, 1, 0], [3, 4, 3, 0]])),
      id="unique_dim_values", diff=False),
    C("unique_consecutive", lambda M, a: M.unique_consecutive(a, return_inverse=True,
                                                              return_counts=True)[2],
      const(np.array([1, 1, 2, 2, 3, 1, 1])), diff=False),
    C("unique_consecutive", lambda M, a: a.unique_consecutive(return_inverse=True)[1],
      const(np.array([[1, 1], [2, 1]])), id="unique_consecutive_inverse", diff=False),
    C("unique_consecutive", lambda M, a: a.unique_consecutive(dim=0),
      const(np.array([[1, 2], [1, 2], [3, 4], [1, 2]])), id="unique_consecutive_dim",
      diff=False),
    C("histc", lambda M, a: M.histc(a, 4, 0.0, 2.0).long(),
      const(np.array([0.1, 0.3, 0.7, 1.2, 1.9, 2.5, -1.0, 1.4])), diff=False),
    C("histc", lambda M, a: a.histc(3).long(), const(np.array([0.1, 0.35, 0.7, 1.3, 1.1])),
      id="histc_data_range", diff=False),
    C("median", lambda M, a: M.median(a), distinct(3, 4)),
    C("median", lambda M, a: M.median(a, 1).values, distinct(3, 4), id="median_dim"),
    C("median", lambda M, a: a.median(0, keepdim=True).indices, distinct(4, 3),
      id="median_dim_index", diff=False),
    C("nanmedian", lambda M, a: M.nanmedian(a, 1).values, distinct(3, 5)),
    C("mode", lambda M, a: M.mode(a, 0).indices, const(np.array([[2, 1], [1, 1], [2, 3],
                                                                  [1, 3]])), id="mode_index",
      diff=False),
    C("quantile", lambda M, a: M.quantile(a, 0.3), anyf(3, 4)),
    C("quantile", lambda M, a, q: M.quantile(a, q, 1, keepdim=True), anyf(3, 5),
      Input(lambda r: np.array([0.1, 0.5, 0.95]), grad=False), id="quantile_tensor_q"),
    C("quantile", lambda M, a: a.quantile(0.4, 0, interpolation="midpoint"), anyf(4, 3),
      id="quantile_midpoint"),
    C("quantile", lambda M, a: a.quantile(0.4, 0, interpolation="lower"), anyf(4, 3),
      id="quantile_lower"),
    C("quantile", lambda M, a: a.quantile(0.7, -1, interpolation="nearest"), anyf(2, 3, 6),
      id="quantile_nearest"),
    C("quantile", lambda M, a: a.quantile(0.35, 1, interpolation="higher", keepdim=True),
      anyf(2, 3, 4), id="quantile_higher_keepdim"),
    C("nanquantile", lambda M, a: M.nanquantile(a, 0.25, 1), anyf(3, 4)),
    # ------------------------------------------------------------ more indexing
    C("index_add", lambda M, a, s: M.index_add(a, 1, M.tensor([3, 0, 3]), s, alpha=2.0),
      anyf(3, 4), anyf(3, 3)),
    C("index_add", lambda M, a, s: a.index_add(0, M.tensor([1]), s), anyf(3, 2), anyf(1, 2),
      id="index_add_method", exact=True),
    C("index_copy", lambda M, a, s: M.index_copy(a, 1, M.tensor([3, 0]), s), anyf(3, 4),
      anyf(3, 2), exact=True),
    C("index_fill", lambda M, a: M.index_fill(a, 1, M.tensor([3, 0]), -1.5), anyf(3, 4),
      exact=True),
    C("index_fill", lambda M, a, v: a.index_fill(0, M.tensor([1]), v.sum()), anyf(3, 4),
      anyf(2), id="index_fill_tensor"),
    C("masked_scatter", lambda M, a, m, s: M.masked_scatter(a, m, s), anyf(3, 4), mask(4),
      anyf(14), exact=True),
    C("masked_scatter", lambda M, a, m, s: a.masked_scatter(m, s), anyf(3, 1), mask(3, 4),
      anyf(3, 5), id="masked_scatter_broadcast", exact=True),
    C("take", lambda M, a: M.take(a, M.tensor([[0, -1], [5, 5]])), anyf(3, 4), exact=True),
    C("narrow_copy", lambda M, a: M.narrow_copy(a, 1, 1, 2), anyf(3, 4), exact=True),
    C("scatter_reduce", lambda M, a, s: M.scatter_reduce(a, 1, M.tensor([[0, 2, 0], [1, 1, 3],
                                                                       [3, 3, 3]]), s, "sum"),
      anyf(3, 4), anyf(3, 3), exact=True),
    C("scatter_reduce", lambda M, a, s: a.scatter_reduce(1, M.tensor([[0, 2, 0], [1, 1, 3]]), s,
                                                         "mean", include_self=False),
      anyf(2, 4), anyf(2, 3), id="scatter_reduce_mean"),
    C("scatter_reduce", lambda M, a, s: a.scatter_reduce(1, M.tensor([[0, 2, 0], [1, 1, 3]]), s,
                                                         "mean"),
      anyf(2, 4), anyf(2, 3), id="scatter_reduce_mean_self"),
    C("scatter_reduce", lambda M, a, s: a.scatter_reduce(0, M.tensor([[0, 1], [0, 0]]), s,
                                                         "amax"),
      distinct(2, 2), distinct(2, 2), id="scatter_reduce_amax"),
    C("scatter_reduce", lambda M, a, s: a.scatter_reduce(0, M.tensor([[0, 1], [0, 0]]), s,
                                                         "amin", include_self=False),
      distinct(2, 2), distinct(2, 3), id="scatter_reduce_amin_noself", parity=False),
    C("scatter_reduce", lambda M, a, s: a.scatter_reduce(1, M.tensor([[0, 2, 0], [1, 1, 3]]), s,
                                                         "prod"),
      pos(2, 4), pos(2, 3), id="scatter_reduce_prod"),
    C("scatter_reduce", lambda M, a, s: a.scatter_reduce(1, M.tensor([[0, 2, 0], [1, 1, 3]]), s,
                                                         "prod", include_self=False),
      pos(2, 4), pos(2, 3), id="scatter_reduce_prod_noself"),
    C("cdist", lambda M, a, b: M.cdist(a, b), anyf(3, 4), anyf(2, 4)),
    C("cdist", lambda M, a, b: M.cdist(a, b, p=1.0), anyf(2, 3, 2), anyf(1, 4, 2),
      id="cdist_p1_batched"),
    C("cdist", lambda M, a, b: M.cdist(a, b, p=3.0), anyf(3, 2), anyf(2, 2), id="cdist_p3"),
    # ------------------------------------------------------------ second batch
    C("floor_divide", lambda M, a, b: M.floor_divide(a * 5, b).long(), anyf(3, 4), pos(4),
      diff=False),
    C("floor_divide", lambda M, a: (a * 5) // 2, const(np.array([7, -7, 3, 0])),
      id="floordiv_int", diff=False),
    C("rfloordiv", lambda M, a: 7 // a, const(np.array([2, -3, 5])), diff=False),
    C("logaddexp", lambda M, a, b: M.logaddexp(a, b), anyf(3, 4), anyf(4)),
    C("logaddexp2", lambda M, a, b: a.logaddexp2(b), anyf(3, 4), anyf(3, 1)),
    C("nan_to_num", lambda M, a: M.nan_to_num(a), anyf(3, 4), exact=True),
    # other's gradient is zero (torch's is a ZeroTensor, which cannot be compared): it does
    # not require grad here; tests/test_ops_more.py checks the zeros.
    C("copysign", lambda M, a, b: M.copysign(a, b), anyf(3, 4),
      Input(lambda r: r.standard_normal(4), grad=False), exact=True),
    C("sinc", lambda M, a: M.sinc(a), anyf(3, 4)),
    C("deg2rad", lambda M, a: M.deg2rad(a), anyf(3, 4)),
    C("rad2deg", lambda M, a: a.rad2deg(), anyf(3, 4)),
    C("float_power", lambda M, a: M.float_power(a, 2.5), pos(3, 4)),
    C("float_power", lambda M, a, b: a.float_power(b), pos(3, 4), anyf(4),
      id="float_power_tensor"),
    C("sgn", lambda M, a: M.sgn(a) * a, anyf(3, 4), exact=True),
    # sgn's gradient is zero (a ZeroTensor in torch): multiplied by a, as the sgn case.
    C("sgn_", lambda M, a: (a * 1.0).sgn_() * a, anyf(3), exact=True),
    C("signbit", lambda M, a: M.signbit(a), anyf(3, 4), diff=False),
    C("heaviside", lambda M, a, v: M.heaviside(a, v).long(), const(np.array([-1.0, 0.0, 2.0])),
      const(np.array([0.5])), diff=False),
    C("positive", lambda M, a: M.positive(a) * 2, anyf(3), exact=True),
    C("fliplr", lambda M, a: M.fliplr(a), anyf(3, 4), exact=True),
    C("flipud", lambda M, a: a.flipud(), anyf(3, 4), exact=True),
    C("ravel", lambda M, a: M.ravel(a.T), anyf(3, 4), exact=True),
    C("tensor_split", lambda M, a: M.tensor_split(a, 3, 1)[0] * 2, anyf(3, 7), exact=True),
    C("tensor_split", lambda M, a: a.tensor_split([1, -2], dim=1)[1] * 2, anyf(3, 7),
      id="tensor_split_indices", exact=True),
    C("hsplit", lambda M, a: M.hsplit(a, 2)[1] * 2, anyf(3, 4), exact=True),
    C("vsplit", lambda M, a: a.vsplit([1])[1] * 2, anyf(3, 4), exact=True),
    C("dsplit", lambda M, a: M.dsplit(a, 2)[0] * 2, anyf(2, 3, 4), exact=True),
    C("argwhere", lambda M, a: M.argwhere(a > 0), anyf(3, 4), diff=False),
    C("bincount", lambda M, a: M.bincount(a, minlength=6), ints(5, 10), diff=False),
    C("bincount", lambda M, a, w: (M.bincount(a, w) * 2).long(), const(np.array([0, 2, 2, 1])),
      const(np.array([0.5, 1.0, 2.0, -1.0])), id="bincount_weights", diff=False),
    C("isin", lambda M, a, t: M.isin(a, t), ints(6, 3, 4), const(np.array([1, 4])),
      diff=False),
    C("aminmax", lambda M, a: M.aminmax(a, dim=1).max * M.aminmax(a, dim=1).min, distinct(3, 4)),
    C("aminmax", lambda M, a: M.aminmax(a).min, distinct(3, 4), id="aminmax_all"),
    C("trapezoid", lambda M, a: M.trapezoid(a), anyf(3, 4)),
    C("trapezoid", lambda M, a, x: M.trapezoid(a, x, dim=0), anyf(4, 3),
      Input(lambda r: np.array([0.0, 0.5, 1.5, 3.0]), grad=False), id="trapezoid_x"),
    C("trapezoid", lambda M, a: M.trapezoid(a, dx=0.5), anyf(5), id="trapezoid_dx"),
    C("cumulative_trapezoid", lambda M, a: M.cumulative_trapezoid(a, dx=2.0), anyf(3, 4)),
    C("cov", lambda M, a: M.cov(a), anyf(3, 5)),
    C("cov", lambda M, a: a.cov(correction=0), anyf(2, 4), id="cov_correction0"),
    C("corrcoef", lambda M, a: M.corrcoef(a), anyf(3, 5)),
    C("tensordot", lambda M, a, b: M.tensordot(a, b), anyf(2, 3, 4), anyf(3, 4, 2)),
    C("tensordot", lambda M, a, b: M.tensordot(a, b, ([0, 2], [2, 0])), anyf(2, 3, 4),
      anyf(4, 5, 2), id="tensordot_pairs"),
    C("inner", lambda M, a, b: M.inner(a, b), anyf(2, 3), anyf(4, 3)),
    # ------------------------------------------------------------ Tensor conveniences
    C("type", lambda M, a: a.type(M.float32).double(), anyf(3), fd=False, exact=True),
    C("new_zeros", lambda M, a: a.new_zeros((2, 3), dtype=M.int64) + a.new_ones(3, dtype=M.int32),
      anyf(3), diff=False),
]

_INPLACE_MORE = {
    "sinh_": ((anyf(3),), ()), "cosh_": ((anyf(3),), ()), "asin_": ((unit(3),), ()),
    "acos_": ((unit(3),), ()), "atan_": ((anyf(3),), ()), "asinh_": ((anyf(3),), ()),
    "acosh_": ((pos(3, lo=1.2, hi=3.0),), ()), "atanh_": ((unit(3),), ()),
    "log2_": ((pos(3),), ()), "log10_": ((pos(3),), ()), "exp2_": ((anyf(3),), ()),
    "erf_": ((anyf(3),), ()), "erfc_": ((anyf(3),), ()), "erfinv_": ((unit(3),), ()),
    "logit_": ((pos(3, lo=0.1, hi=0.9),), ()), "floor_": ((anyf(3),), ()),
    "ceil_": ((anyf(3),), ()), "round_": ((anyf(3),), ()), "trunc_": ((anyf(3),), ()),
    "fix_": ((anyf(3),), ()), "frac_": ((anyf(3),), ()),
    "arcsin_": ((unit(3),), ()), "arccos_": ((unit(3),), ()), "arctan_": ((anyf(3),), ()),
    "arcsinh_": ((anyf(3),), ()), "arccosh_": ((pos(3, lo=1.2, hi=3.0),), ()),
    "arctanh_": ((unit(3),), ()),
    "fmod_": ((anyf(3, 4), pos(4)), ()), "remainder_": ((anyf(3, 4), pos(4)), ()),
    "atan2_": ((anyf(3, 4), anyf(4)), ()), "arctan2_": ((anyf(3), anyf(3)), ()),
    "hypot_": ((anyf(3, 4), anyf(4)), ()), "xlogy_": ((anyf(3, 4), pos(4)), ()),
    "tril_": ((anyf(3, 4),), (1,)), "triu_": ((anyf(3, 4),), (-1,)),
    "addmm_": ((anyf(2, 4), anyf(2, 3), anyf(3, 4)), ()),
    "addmv_": ((anyf(2), anyf(2, 3), anyf(3)), ()),
    "baddbmm_": ((anyf(2, 2, 4), anyf(2, 2, 3), anyf(2, 3, 4)), ()),
    "addbmm_": ((anyf(2, 4), anyf(3, 2, 3), anyf(3, 3, 4)), ()),
    "cumprod_": ((anyf(3, 4),), (1,)),
}
# In-place ops whose extra arguments include tensors built from M (indices).
_INPLACE_MORE_M = {
    "index_add_": (lambda M, s: (1, M.tensor([3, 0]), s), (anyf(3, 4), anyf(3, 2))),
    "index_copy_": (lambda M, s: (1, M.tensor([3, 0]), s), (anyf(3, 4), anyf(3, 2))),
    "index_fill_": (lambda M: (1, M.tensor([2]), 0.5), (anyf(3, 4),)),
    "masked_scatter_": (lambda M, m, s: (m, s), (anyf(3, 4), mask(4), anyf(12))),
    "scatter_reduce_": (lambda M, s: (1, M.tensor([[0, 0], [1, 3], [2, 2]]), s, "sum"),
                        (anyf(3, 4), anyf(3, 2))),
    "nan_to_num_": (lambda M: (), (anyf(3),)),
    "copysign_": (lambda M, b: (b,), (anyf(3, 4), Input(lambda r: r.standard_normal(4),
                                                        grad=False))),
    "sinc_": (lambda M: (), (anyf(3),)),
    "deg2rad_": (lambda M: (), (anyf(3),)),
    "rad2deg_": (lambda M: (), (anyf(3),)),
}
# Not differentiable in torch and here (the result leaves the graph): values only.
_INPLACE_NODIFF = {"floor_divide_": (lambda M: (2.0,), (anyf(3),))}

# torch has no derivative for the in-place inverse hyperbolic functions (NotImplementedError);
# ours rewrite the history like every in-place op: gradcheck only.
_NO_TORCH_GRAD = {"asinh_", "acosh_", "atanh_", "arcsinh_", "arccosh_", "arctanh_"}

MORE_INPLACE_CASES: list[Case] = [
    C(n, (lambda M, a, *rest, n=n, extra=extra: getattr(a * 1.0, n)(*rest, *extra) * 1.0),
      *inputs, parity=n not in _NO_TORCH_GRAD)
    for n, (inputs, extra) in _INPLACE_MORE.items()
] + [
    C(n, (lambda M, a, *rest, n=n, args=args: getattr(a * 1.0, n)(*args(M, *rest)) * 1.0),
      *inputs)
    for n, (args, inputs) in _INPLACE_MORE_M.items()
] + [
    C(n, (lambda M, a, *rest, n=n, args=args: getattr((a * 1.0).detach(), n)(
        *args(M, *rest)).long()), *inputs, diff=False)
    for n, (args, inputs) in _INPLACE_NODIFF.items()
]

MORE_KINK_CASES: list[Case] = [
    C("sort", lambda M, a: M.sort(a, stable=True).values, fixed([2, _NAN, 1, 2, -_INF]),
      id="sort_nan_ties"),
    C("sort", lambda M, a: M.sort(a, descending=True, stable=True).indices,
      fixed([2, _NAN, 1, 2, 1]), id="sort_desc_stable_ties", diff=False),
    C("argsort", lambda M, a: M.argsort(a, stable=True), fixed([[1, 1, 0, 1], [3, 2, 3, 3]]),
      id="argsort_stable_ties", diff=False),
    C("cummax", lambda M, a: M.cummax(a, 0).indices, fixed([1, 3, _NAN, 2, _NAN, 5, 5]),
      id="cummax_nan_ties", diff=False),
    C("cummin", lambda M, a: M.cummin(a, 0).values, fixed([3, 1, 1, 2, 0, 0]),
      id="cummin_ties"),
    C("cummin", lambda M, a: M.cummin(a, 0).indices, fixed([3, 1, 1, 2, 0, 0]),
      id="cummin_ties_index", diff=False),
    C("cumprod", lambda M, a: M.cumprod(a, 1), fixed([[1, 0, 2, 3], [0, 2, 0, 4],
                                                      [2, 3, 4, 0]]), id="cumprod_zeros"),
    C("nansum", lambda M, a: M.nansum(a), fixed([1, _NAN, 2]), id="nansum_nan"),
    C("nanmean", lambda M, a: M.nanmean(a, 1), fixed([[1, _NAN, 2], [_NAN, _NAN, _NAN]]),
      id="nanmean_nan"),
    C("floor", lambda M, a: M.floor(a), fixed([-1.5, -0.5, 0, 0.5, 2]), id="floor_halves"),
    C("round", lambda M, a: M.round(a), fixed([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5]),
      id="round_half_even"),
    C("erfinv", lambda M, a: M.erfinv(a), fixed([-1, 1, 0, 0.999999, -0.9999999999]),
      id="erfinv_edges"),
    C("logit", lambda M, a: M.logit(a, 0.25), fixed([0.1, 0.25, 0.5, 0.75, 0.9]),
      id="logit_eps_bounds"),
    C("xlogy", lambda M, a, b: M.xlogy(a, b), fixed([0, 0, 1, 0]), fixed([0, 2, 0, _NAN]),
      id="xlogy_zeros"),
    C("fmod", lambda M, a, b: M.fmod(a, b), fixed([-3.5, 3.5, -3.5, 3.5]),
      fixed([2, 2, -2, -2]), id="fmod_signs"),
    C("remainder", lambda M, a, b: M.remainder(a, b), fixed([-3.5, 3.5, -3.5, 3.5]),
      fixed([2, 2, -2, -2]), id="remainder_signs"),
    C("logcumsumexp", lambda M, a: M.logcumsumexp(a, 0), fixed([1000, -1000, 1001, 0]),
      id="logcumsumexp_large"),
    C("median", lambda M, a: M.median(a), fixed([[1, 2, 2], [2, 5, 0]]), id="median_ties"),
    # The mode is a tie by definition (finite differences do not apply): parity only.
    C("mode", lambda M, a: M.mode(a, 1).values, fixed([[0.5, 1.5, 0.5, -2, 1.5, 0.5],
                                                       [1.5, -2, -2, 1.5, 0.5, 0.5]])),
    C("median", lambda M, a: M.median(a), fixed([1, _NAN, 2]), id="median_nan"),
    C("median", lambda M, a: M.median(a, 0).indices, fixed([3, _NAN, 1, _NAN]),
      id="median_dim_nan_index", diff=False),
    C("nanmedian", lambda M, a: M.nanmedian(a), fixed([1, _NAN, 2, 4]), id="nanmedian_nan"),
    C("nanmedian", lambda M, a: M.nanmedian(a, 1).values, fixed([[1, _NAN, 2], [_NAN] * 3]),
      id="nanmedian_all_nan_row"),
    C("quantile", lambda M, a: M.quantile(a, 0.5, 1), fixed([[1, _NAN, 2], [1, 2, 3]]),
      id="quantile_nan"),
    C("nanquantile", lambda M, a: M.nanquantile(a, 0.5, 1),
      fixed([[1, _NAN, 2], [_NAN] * 3, [1, 2, 4]]), id="nanquantile_nan"),
    C("scatter_reduce", lambda M, a, s: a.scatter_reduce(1, M.tensor([[0, 0], [1, 1]]), s,
                                                         "amax"),
      fixed([[1, 2], [5, 0]]), fixed([[1, 1], [3, 5]]), id="scatter_reduce_amax_ties"),
    C("cdist", lambda M, a, b: M.cdist(a, b), fixed([[0, 0], [1, 1]]), fixed([[0, 0]]),
      id="cdist_zero_distance"),
    C("take", lambda M, a: M.take(a, M.tensor([1, 1, 1])), fixed([1, 2, 3]),
      id="take_repeated"),
    C("nan_to_num", lambda M, a: M.nan_to_num(a, 1.5, 100.0), fixed([_NAN, _INF, -_INF, 2]),
      id="nan_to_num_values"),
    C("copysign", lambda M, a, b: M.copysign(a, b), fixed([0, -0.0, 2, -3]),
      fixed([-1, 1, -0.0, _NAN], grad=False), id="copysign_zeros"),
    C("sinc", lambda M, a: M.sinc(a), fixed([0, 1, -2, 0.5]), id="sinc_zero"),
    C("logaddexp", lambda M, a, b: M.logaddexp(a, b), fixed([1000, -1000, 0]),
      fixed([1000, 0, -_INF]), id="logaddexp_extremes"),
    C("aminmax", lambda M, a: M.aminmax(a, dim=0).min, fixed([[1, 2], [1, 0]]),
      id="aminmax_ties"),
    C("corrcoef", lambda M, a: M.corrcoef(a), fixed([[1, 2, 3], [3, 2, 1], [1, 3, 2]]),
      id="corrcoef_perfect"),
]

ALL_CASES += MORE_CASES + MORE_INPLACE_CASES
KINK_CASES += MORE_KINK_CASES
COVERED_ELSEWHERE.update({n: "tests/test_ops_more.py" for n in (
    "numel", "is_tensor", "is_floating_point", "is_nonzero", "half", "new_ones",
    "new_full", "new_empty", "new_tensor", "nelement", "element_size", "is_contiguous",
    "data_ptr", "stride", "storage_offset", "broadcast_shapes")})
COVERED_ELSEWHERE["rfloordiv"] = "number // tensor: op_db case rfloordiv"

# ------------------------------------------------------------ issue 9: ops/special_more.py
SPECIAL_MORE_CASES: list[Case] = [
    C("lgamma", lambda M, a: M.lgamma(a), pos(3, 4, lo=0.2, hi=6.0)),
    C("lgamma", lambda M, a: M.lgamma(a), fixed([-2.5, -1.3, -0.7, 0.3]), id="lgamma_negative"),
    C("digamma", lambda M, a: M.digamma(a), pos(3, 4, lo=0.2, hi=15.0)),
    C("digamma", lambda M, a: a.digamma(), fixed([-2.5, -1.3, -0.7, 30.0]),
      id="digamma_negative"),
    C("polygamma", lambda M, a: M.polygamma(1, a), pos(3, 4, lo=0.2, hi=15.0)),
    C("polygamma", lambda M, a: a.polygamma(2), pos(3, lo=0.5, hi=3.0), id="polygamma_2"),
    C("polygamma", lambda M, a: M.polygamma(3, a), fixed([-1.5, 0.4, 25.0]), id="polygamma_3"),
    C("mvlgamma", lambda M, a: M.mvlgamma(a + 1.5, 3), pos(3, 4)),
    C("i0", lambda M, a: M.i0(a), anyf(3, 4)),
    C("i0", lambda M, a: a.i0(), fixed([0.0, 20.0, -35.0]), id="i0_zero_large"),
    C("fmax", lambda M, a, b: M.fmax(a, b), anyf(3, 4), anyf(4)),
    C("fmin", lambda M, a, b: a.fmin(b), anyf(3, 4), anyf(3, 1)),
    C("isposinf", lambda M, a: M.isposinf(a), fixed([_INF, -_INF, _NAN, 1.0]), diff=False),
    C("isneginf", lambda M, a: a.isneginf(), fixed([_INF, -_INF, _NAN, 1.0]), diff=False),
    C("gcd", lambda M, a, b: M.gcd(a, b), const(np.array([12, -18, 0, 7])),
      const(np.array([8, 12, 5, 0])), diff=False),
    C("lcm", lambda M, a, b: a.lcm(b), const(np.array([4, -6, 0, 7])),
      const(np.array([6, 4, 5, 3])), diff=False),
    # torch computes the gradient as grad * 2 ** other in the integer dtype (0 for a negative
    # integer exponent); chaingrad gives the true one, so the case keeps exponents >= 0.
    C("ldexp", lambda M, a, b: M.ldexp(a, b), anyf(3, 4), const(np.array([0, 1, 2, 3]))),
    C("ldexp", lambda M, a, b: a.ldexp(b), anyf(3), anyf(3), id="ldexp_float_exponent"),
    C("frexp", lambda M, a: M.frexp(a * 3).mantissa, anyf(3, 4)),
    C("frexp", lambda M, a: a.frexp().exponent, anyf(3, 4), id="frexp_exponent", diff=False),
    C("nextafter", lambda M, a, b: M.nextafter(a, b) > a, anyf(3, 4), anyf(4), diff=False),
    C("dist", lambda M, a, b: M.dist(a, b), anyf(3, 4), anyf(4)),
    C("dist", lambda M, a, b: a.dist(b, 3), anyf(3, 4), anyf(3, 4), id="dist_p3"),
    C("dist", lambda M, a, b: M.dist(a, b, _INF_ORD), distinct(5), anyf(5), id="dist_inf"),
    C("vdot", lambda M, a, b: M.vdot(a, b), anyf(5), anyf(5)),
    C("addr", lambda M, x, a, b: M.addr(x, a, b), anyf(3, 4), anyf(3), anyf(4)),
    C("addr", lambda M, x, a, b: x.addr(a, b, beta=0.5, alpha=2.0), anyf(4), anyf(3),
      anyf(4), id="addr_broadcast_beta_alpha"),
    C("addr", lambda M, x, a, b: M.addr(x, a, b, beta=0), anyf(3, 4), anyf(3), anyf(4),
      id="addr_beta0"),
    C("diagflat", lambda M, a: M.diagflat(a), anyf(2, 3)),
    C("diagflat", lambda M, a: a.diagflat(-1), anyf(3), id="diagflat_offset"),
    C("gcd_", lambda M, a, b: (a * 1).gcd_(b), const(np.array([12, 18])),
      const(np.array([8, 12])), diff=False),
    C("lcm_", lambda M, a, b: (a * 1).lcm_(b), const(np.array([4, 6])),
      const(np.array([6, 4])), diff=False),
    C("ldexp_", lambda M, a: (a * 1.0).ldexp_(M.tensor([1, 2, 3])), anyf(3)),
    C("nextafter_", lambda M, a, b: (a * 1.0).nextafter_(b) < a, anyf(3), anyf(3),
      diff=False),
    C("addr_", lambda M, x, a, b: (x * 1.0).addr_(a, b, alpha=2), anyf(3, 4), anyf(3),
      anyf(4)),
    C("lgamma_", lambda M, a: (a * 1.0).lgamma_(), pos(3)),
    C("digamma_", lambda M, a: (a * 1.0).digamma_(), pos(3)),
    C("polygamma_", lambda M, a: (a * 1.0).polygamma_(1), pos(3)),
    C("mvlgamma_", lambda M, a: (a + 1.0).mvlgamma_(2), pos(3)),
    C("i0_", lambda M, a: (a * 1.0).i0_(), anyf(3)),
]
ALL_CASES += SPECIAL_MORE_CASES

# ------------------------------------------------------------ issue 9: ops/scatter_views.py
SCATTER_VIEW_CASES: list[Case] = [
    C("unfold", lambda M, a: a.unfold(1, 2, 1), anyf(3, 5), exact=True),
    C("unfold", lambda M, a: a.unfold(0, 3, 2) * 2, anyf(7, 2), id="unfold_step", exact=True),
    C("unfold", lambda M, a: a.unfold(-1, 1, 3), anyf(2, 7), id="unfold_size1", exact=True),
    C("sum_to_size", lambda M, a: a.sum_to_size(1, 4), anyf(3, 4)),
    C("sum_to_size", lambda M, a: a.sum_to_size((3, 1)), anyf(2, 3, 4), id="sum_to_size_lead"),
    C("split_with_sizes", lambda M, a: M.split_with_sizes(a, [1, 3], 1)[1], anyf(2, 4),
      exact=True),
    C("split_with_sizes", lambda M, a: a.split_with_sizes([2, 0, 1])[0], anyf(3, 2),
      id="split_with_sizes_method", exact=True),
    C("select_scatter", lambda M, a, s: M.select_scatter(a, s, 1, -1), anyf(3, 4), anyf(3),
      exact=True),
    C("slice_scatter", lambda M, a, s: M.slice_scatter(a, s, 1, 0, 4, 2), anyf(3, 4),
      anyf(3, 2), exact=True),
    C("slice_scatter", lambda M, a, s: a.slice_scatter(s), anyf(3, 2), anyf(3, 2),
      id="slice_scatter_all", exact=True),
    C("diagonal_scatter", lambda M, a, s: M.diagonal_scatter(a, s, 1), anyf(3, 4), anyf(3),
      exact=True),
    C("diagonal_scatter", lambda M, a, s: a.diagonal_scatter(s, 0, 1, 2), anyf(2, 3, 3),
      anyf(2, 3), id="diagonal_scatter_batched", exact=True),
    C("index_put", lambda M, a, v: M.index_put(a, (M.tensor([0, 2]), M.tensor([1, 3])), v),
      anyf(3, 4), anyf(2), exact=True),
    C("index_put", lambda M, a, v: a.index_put((M.tensor([0, 2, 0]),), v, accumulate=True),
      anyf(3, 4), anyf(4), id="index_put_accumulate"),
    C("index_put", lambda M, a, v: a.index_put((M.tensor([True, False, True]),), v),
      anyf(3, 4), anyf(2, 4), id="index_put_bool", exact=True),
    C("index_put_", lambda M, a, v: (a * 1.0).index_put_((M.tensor([1, 1]),), v, True),
      anyf(3, 2), anyf(2)),
    C("put", lambda M, a, v: M.put(a, M.tensor([0, 5, -1]), v), anyf(3, 4), anyf(3),
      exact=True),
    C("put", lambda M, a, v: a.put(M.tensor([[1, 1], [2, 0]]), v, accumulate=True),
      anyf(2, 3), anyf(2, 2), id="put_accumulate"),
    C("put_", lambda M, a, v: (a * 1.0).put_(M.tensor([1, 3]), v), anyf(2, 3), anyf(2),
      exact=True),
]
ALL_CASES += SCATTER_VIEW_CASES
