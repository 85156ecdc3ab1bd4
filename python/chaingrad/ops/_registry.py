"""The op registry: every public op, its category, the Tensor methods bound to it and notes.

It is the single source of truth for the methods ``_ops_install`` attaches to ``Tensor`` and for
``docs/ops.md`` (``tools/gen_ops_doc.py``). Each entry has a ``sample`` that calls the op on
float64 inputs, so the doc states the backward the code really records (a native kind or a
``Function``) instead of what someone wrote down.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..tensor import Tensor
from . import einsum as EIN
from . import elementwise as E
from . import extra as EX
from . import extrema as X
from . import index_more as IXM
from . import indexing as IX
from . import inplace as I
from . import inplace_more as IM
from . import join as J
from . import linalg as L
from . import logical as LG
from . import matrix as MX
from . import matrix_norm as MN
from . import misc as MI
from . import padding as P
from . import rearrange as RA
from . import reduction as R
from . import search as SE
from . import select as S
from . import shape as SH
from . import sorting as SO
from . import special as SP
from . import unary as U


@dataclass(frozen=True)
class OpInfo:
    name: str
    category: str
    fn: Callable | None  # exported as chaingrad.<name>; None for method-only ops
    methods: tuple[str, ...] = ()  # Tensor methods/operators bound to ``method or fn``
    notes: str = ""
    sample: Callable[[Tensor], Any] | None = None  # float64 call for the docs (x: 3x4, > 0)
    method: Callable | None = None  # when the method's signature differs from the function's
    aliases: tuple[str, ...] = field(default=())  # more chaingrad.<alias> names for fn


def _idx(*v: Any) -> Tensor:
    return Tensor(np.asarray(v, dtype=np.int64))


def _nonleaf(x: Tensor) -> Tensor:
    return x * 1.0


def _r(fn: Callable) -> Callable:
    """The reflected operator: ``other <op> self``."""

    def reflected(self: Tensor, other: Any) -> Tensor:
        return fn(self, other)

    return reflected


def _rmatmul(self: Tensor, other: Any) -> Tensor:
    return L.matmul(other, self)


def _tensor_where(self: Tensor, condition: Any, y: Any) -> Tensor:
    return S.where(condition, self, y)


def _setitem(self: Tensor, key: Any, value: Any) -> None:
    IX.setitem(self, key, value)


def _cast(dtype: str) -> Callable[[Tensor], Tensor]:
    def cast(self: Tensor) -> Tensor:
        return SH.to(self, dtype)

    cast.__name__ = dtype
    return cast


EW, CMP, SEL, RED, SHP, JOIN, IDX, LIN, INP = (
    "elementwise", "comparison / logical", "selection", "reduction", "shape", "join / split",
    "indexing", "linear algebra", "in-place",
)

OPS: tuple[OpInfo, ...] = (
    # --------------------------------------------------------------- elementwise arithmetic
    OpInfo("add", EW, E.add, ("add", "__add__", "__radd__"), "alpha=; broadcasting",
           lambda x: E.add(x, x.T.T * 2)),
    OpInfo("sub", EW, E.sub, ("sub", "__sub__"), "alpha=; broadcasting",
           lambda x: E.sub(x, x * 2), aliases=("subtract",)),
    OpInfo("rsub", EW, E.rsub, ("__rsub__",), "other - input", lambda x: E.rsub(x, 2.0)),
    OpInfo("mul", EW, E.mul, ("mul", "__mul__", "__rmul__"), "broadcasting",
           lambda x: E.mul(x, x), aliases=("multiply",)),
    OpInfo("div", EW, E.div, ("div", "__truediv__"), "true division; ints give float32",
           lambda x: E.div(x, x + 1), aliases=("divide", "true_divide")),
    OpInfo("rdiv", EW, None, ("__rtruediv__",), "number / tensor, as reciprocal(x) * number",
           lambda x: 2.0 / x, method=E.rdiv),
    OpInfo("neg", EW, E.neg, ("neg", "__neg__"), "", lambda x: E.neg(x),
           aliases=("negative",)),
    OpInfo("pow", EW, E.pow, ("pow", "__pow__", "__rpow__"),
           "number exponent (exact for 0, ±0.5, ±1, ±2, 3 as torch), tensor exponent, or "
           "number base (`2 ** x`)", lambda x: E.pow(x, x), method=None),
    OpInfo("abs", EW, U.abs, ("abs", "__abs__"), "gradient sign(x), 0 at 0",
           lambda x: U.abs(x), aliases=("absolute",)),
    OpInfo("sign", EW, U.sign, ("sign",), "sign(NaN) = 0 as torch; zero gradient",
           lambda x: U.sign(x)),
    OpInfo("sqrt", EW, U.sqrt, ("sqrt",), "", lambda x: U.sqrt(x)),
    OpInfo("rsqrt", EW, U.rsqrt, ("rsqrt",), "1 / sqrt(x)", lambda x: U.rsqrt(x)),
    OpInfo("square", EW, U.square, ("square",), "recorded as pow(x, 2)",
           lambda x: U.square(x)),
    OpInfo("reciprocal", EW, U.reciprocal, ("reciprocal",), "", lambda x: U.reciprocal(x)),
    OpInfo("exp", EW, E.exp, ("exp",), "", lambda x: E.exp(x)),
    OpInfo("expm1", EW, U.expm1, ("expm1",), "", lambda x: U.expm1(x)),
    OpInfo("log", EW, E.log, ("log",), "", lambda x: E.log(x)),
    OpInfo("log1p", EW, U.log1p, ("log1p",), "", lambda x: U.log1p(x)),
    OpInfo("sin", EW, U.sin, ("sin",), "", lambda x: U.sin(x)),
    OpInfo("cos", EW, U.cos, ("cos",), "", lambda x: U.cos(x)),
    OpInfo("tan", EW, U.tan, ("tan",), "", lambda x: U.tan(x)),
    OpInfo("tanh", EW, E.tanh, ("tanh",), "", lambda x: E.tanh(x)),
    OpInfo("sigmoid", EW, E.sigmoid, ("sigmoid",), "overflow-free", lambda x: E.sigmoid(x)),
    OpInfo("relu", EW, E.relu, ("relu",), "gradient 0 at 0", lambda x: E.relu(x)),
    OpInfo("addcmul", EW, I.addcmul, ("addcmul",), "composed: input + value * t1 * t2",
           lambda x: I.addcmul(x, x, x, 0.5)),
    OpInfo("addcdiv", EW, I.addcdiv, ("addcdiv",), "composed: input + value * t1 / t2",
           lambda x: I.addcdiv(x, x, x + 1, 0.5)),
    OpInfo("lerp", EW, I.lerp, ("lerp",), "composed as torch's formula; number or tensor weight",
           lambda x: I.lerp(x, x * 2, 0.25)),
    # --------------------------------------------------------------- selection
    OpInfo("clamp", SEL, S.clamp, ("clamp", "clip"),
           "min/max numbers or tensors; at a bound the gradient goes to the input",
           lambda x: S.clamp(x, 0.8, 1.2), aliases=("clip",)),
    OpInfo("clamp_min", SEL, S.clamp_min, ("clamp_min",), "", lambda x: S.clamp_min(x, 1.0)),
    OpInfo("clamp_max", SEL, S.clamp_max, ("clamp_max",), "", lambda x: S.clamp_max(x, 1.0)),
    OpInfo("maximum", SEL, S.maximum, ("maximum",), "NaN propagates; ties split the gradient",
           lambda x: S.maximum(x, x.flip(0))),
    OpInfo("minimum", SEL, S.minimum, ("minimum",), "NaN propagates; ties split the gradient",
           lambda x: S.minimum(x, x.flip(0))),
    OpInfo("where", SEL, S.where, ("where",),
           "where(cond, x, y) with numbers or tensors; where(cond) gives indices",
           lambda x: S.where(x > 1, x, 0.0), method=_tensor_where),
    # --------------------------------------------------------------- comparison / logical
    *(OpInfo(n, CMP, getattr(LG, n), (n, op), "bool result; not differentiable",
             lambda x, n=n: getattr(LG, n)(x, 1.0))
      for n, op in (("eq", "__eq__"), ("ne", "__ne__"), ("lt", "__lt__"), ("le", "__le__"),
                    ("gt", "__gt__"), ("ge", "__ge__"))),
    *(OpInfo(n, CMP, getattr(LG, n), (n,), "bool result; not differentiable",
             lambda x, n=n: getattr(LG, n)(x > 1, x < 1.2))
      for n in ("logical_and", "logical_or", "logical_xor")),
    OpInfo("logical_not", CMP, LG.logical_not, ("logical_not",), "",
           lambda x: LG.logical_not(x > 1)),
    *(OpInfo(n, CMP, getattr(LG, n), (n, op), "integer and bool tensors",
             lambda x, n=n: getattr(LG, n)(x > 1, x < 1.2))
      for n, op in (("bitwise_and", "__and__"), ("bitwise_or", "__or__"),
                    ("bitwise_xor", "__xor__"))),
    OpInfo("bitwise_not", CMP, LG.bitwise_not, ("bitwise_not", "__invert__"), "",
           lambda x: LG.bitwise_not(x > 1)),
    OpInfo("isnan", CMP, LG.isnan, ("isnan",), "", lambda x: LG.isnan(x)),
    OpInfo("isinf", CMP, LG.isinf, ("isinf",), "", lambda x: LG.isinf(x)),
    OpInfo("isfinite", CMP, LG.isfinite, ("isfinite",), "", lambda x: LG.isfinite(x)),
    OpInfo("isclose", CMP, LG.isclose, ("isclose",), "", lambda x: LG.isclose(x, x)),
    OpInfo("allclose", CMP, LG.allclose, ("allclose",), "returns a Python bool", None),
    OpInfo("equal", CMP, LG.equal, ("equal",), "same shape and elements; a Python bool", None),
    OpInfo("all", CMP, LG.all, ("all",), "dim=, keepdim=", lambda x: LG.all(x > 0, 1)),
    OpInfo("any", CMP, LG.any, ("any",), "dim=, keepdim=", lambda x: LG.any(x > 1, 1)),
    OpInfo("nonzero", CMP, LG.nonzero, ("nonzero",), "as_tuple=",
           lambda x: LG.nonzero(x > 1)),
    # --------------------------------------------------------------- reductions
    OpInfo("sum", RED, R.sum, ("sum",), "dim (int or tuple), keepdim, dtype",
           lambda x: R.sum(x, (0, 1))),
    OpInfo("mean", RED, R.mean, ("mean",), "dim, keepdim, dtype", lambda x: R.mean(x, 1)),
    OpInfo("prod", RED, R.prod, ("prod",),
           "all elements or one dim; exact gradient with zeros (O(n) exclusive products)",
           lambda x: R.prod(x, 1)),
    OpInfo("max", RED, X.max, ("max",),
           "max(x): 0-d, ties share the gradient; max(x, dim): (values, indices), gradient "
           "to the returned index; max(x, other): maximum", lambda x: X.max(x)),
    OpInfo("min", RED, X.min, ("min",), "as max", lambda x: X.min(x, 1).values),
    OpInfo("amax", RED, X.amax, ("amax",), "ties share the gradient evenly",
           lambda x: X.amax(x, 1)),
    OpInfo("amin", RED, X.amin, ("amin",), "ties share the gradient evenly",
           lambda x: X.amin(x, 1)),
    OpInfo("argmax", RED, X.argmax, ("argmax",), "int64; not differentiable",
           lambda x: X.argmax(x, 1)),
    OpInfo("argmin", RED, X.argmin, ("argmin",), "int64; not differentiable",
           lambda x: X.argmin(x, 1)),
    OpInfo("var", RED, R.var, ("var",), "dim, unbiased or correction=, keepdim",
           lambda x: R.var(x, 1)),
    OpInfo("std", RED, R.std, ("std",), "dim, unbiased or correction=, keepdim",
           lambda x: R.std(x, 1)),
    OpInfo("logsumexp", RED, R.logsumexp, ("logsumexp",), "stable (shifted by the max)",
           lambda x: R.logsumexp(x, 1)),
    OpInfo("norm", RED, R.norm, ("norm",),
           "vector norms: p = 'fro'/2 (default), 1, inf, -inf, 0 or any number; dim, keepdim; "
           "p='nuc': nuclear norm over two dims (a 2-D input when dim is None)",
           lambda x: R.norm(x, dim=1)),
    OpInfo("cumsum", RED, R.cumsum, ("cumsum",), "", lambda x: R.cumsum(x, 1)),
    # --------------------------------------------------------------- shape
    OpInfo("reshape", SHP, SH.reshape, ("reshape",), "a view when possible, else a copy",
           lambda x: SH.reshape(x, 4, 3)),
    OpInfo("view", SHP, None, ("view",),
           "always a view (raises if a copy is needed); view(dtype) reinterprets the bits "
           "(torch's rules; not differentiable, shares the version counter)",
           lambda x: x.view(12), method=SH.view),
    OpInfo("view_as", SHP, None, ("view_as",), "", lambda x: x.view_as(x), method=SH.view_as),
    OpInfo("reshape_as", SHP, None, ("reshape_as",), "", lambda x: x.reshape_as(x),
           method=SH.reshape_as),
    OpInfo("flatten", SHP, SH.flatten, ("flatten",), "start_dim, end_dim",
           lambda x: SH.flatten(x)),
    OpInfo("unflatten", SHP, SH.unflatten, ("unflatten",), "",
           lambda x: SH.unflatten(x, 1, (2, 2))),
    OpInfo("squeeze", SHP, SH.squeeze, ("squeeze",), "dim: int, tuple or None",
           lambda x: SH.squeeze(x[None])),
    OpInfo("unsqueeze", SHP, SH.unsqueeze, ("unsqueeze",), "", lambda x: SH.unsqueeze(x, 0)),
    OpInfo("permute", SHP, SH.permute, ("permute",), "a view", lambda x: SH.permute(x, 1, 0)),
    OpInfo("transpose", SHP, SH.transpose, ("transpose", "swapaxes", "swapdims"), "a view",
           lambda x: SH.transpose(x, 0, 1), aliases=("swapaxes", "swapdims")),
    OpInfo("t", SHP, SH.t, ("t",), "matrices (≤ 2-D)", lambda x: SH.t(x)),
    OpInfo("T", SHP, None, (), "property; reverses all dims (Tensor.T, Tensor.mT)",
           lambda x: x.T),
    OpInfo("expand", SHP, None, ("expand",), "a read-only broadcast view; -1 keeps a size",
           lambda x: x[None].expand(2, 3, 4), method=SH.expand),
    OpInfo("expand_as", SHP, None, ("expand_as",), "", lambda x: x[:1].expand_as(x),
           method=SH.expand_as),
    OpInfo("broadcast_to", SHP, SH.broadcast_to, ("broadcast_to",), "",
           lambda x: SH.broadcast_to(x, (2, 3, 4))),
    OpInfo("narrow", SHP, SH.narrow, ("narrow",), "a view", lambda x: SH.narrow(x, 1, 1, 2)),
    OpInfo("select", SHP, SH.select, ("select",), "a view", lambda x: SH.select(x, 1, 2)),
    OpInfo("flip", SHP, RA.flip, ("flip",), "a copy, as torch", lambda x: RA.flip(x, 0, 1)),
    OpInfo("roll", SHP, RA.roll, ("roll",), "", lambda x: RA.roll(x, 1, 1)),
    OpInfo("repeat", SHP, None, ("repeat",), "Tensor.repeat (tiling)",
           lambda x: x.repeat(2, 1, 2), method=RA.repeat),
    OpInfo("tile", SHP, RA.tile, ("tile",), "", lambda x: RA.tile(x, (2,))),
    OpInfo("pad", SHP, P.pad, (),
           "also chaingrad.ops.pad / nn.functional.pad; modes constant (negative = crop), "
           "reflect, replicate, circular", lambda x: P.pad(x, (1, 2), value=0.5)),
    OpInfo("to", SHP, None, ("to",), "dtype casts (float32/float64 differentiable); CPU only",
           lambda x: x.to(np.float32), method=SH.to),
    OpInfo("float", SHP, None, ("float",), "", lambda x: x.float(), method=_cast("float32")),
    OpInfo("double", SHP, None, ("double",), "", lambda x: x.double().float(),
           method=_cast("float64")),
    OpInfo("long", SHP, None, ("long",), "ends the graph", None, method=_cast("int64")),
    OpInfo("int", SHP, None, ("int",), "ends the graph", None, method=_cast("int32")),
    OpInfo("bool", SHP, None, ("bool",), "ends the graph", None, method=_cast("bool")),
    OpInfo("clone", SHP, SH.clone, ("clone",), "", lambda x: SH.clone(x)),
    OpInfo("contiguous", SHP, None, ("contiguous",), "copies only non-contiguous tensors",
           lambda x: x.T.contiguous(), method=SH.contiguous),
    # --------------------------------------------------------------- join / split
    OpInfo("cat", JOIN, J.cat, (), "dtype promotion; skips legacy empty 1-d tensors",
           lambda x: J.cat([x, x * 2], 1), aliases=("concat", "concatenate")),
    OpInfo("stack", JOIN, J.stack, (), "", lambda x: J.stack([x, x * 2], 1)),
    OpInfo("split", JOIN, J.split, ("split",), "size or list of sizes; views",
           lambda x: J.split(x, 2, 1)[0]),
    OpInfo("chunk", JOIN, J.chunk, ("chunk",), "views", lambda x: J.chunk(x, 2, 1)[1]),
    OpInfo("unbind", JOIN, J.unbind, ("unbind",), "views", lambda x: J.unbind(x, 1)[0]),
    # --------------------------------------------------------------- indexing
    OpInfo("getitem", IDX, None, ("__getitem__",),
           "x[key]: ints, slices with steps, negative, Ellipsis, None, bool masks, integer "
           "arrays (repeated indices accumulate in the gradient); basic indexing gives views",
           lambda x: x[_idx(0, 0, 2), 1:], method=IX.getitem),
    OpInfo("setitem", IDX, None, ("__setitem__",),
           "x[key] = v; under autograd rewrites x's history (v gets its gradient): a basic key "
           "copies into the view x[key] (CopySlices), an advanced one is IndexPutBackward0",
           None, method=_setitem),
    OpInfo("gather", IDX, IX.gather, ("gather",), "", lambda x: IX.gather(
        x, 1, Tensor(np.array([[0, 0], [1, 3], [2, 2]])))),
    OpInfo("scatter", IDX, IX.scatter, ("scatter",), "src tensor or value=",
           lambda x: IX.scatter(x, 1, Tensor(np.array([[0], [1], [2]])), x[:, 1:2])),
    OpInfo("scatter_add", IDX, IX.scatter_add, ("scatter_add",), "repeated indices add",
           lambda x: IX.scatter_add(x, 1, Tensor(np.array([[0, 0], [1, 3], [2, 2]])),
                                    x[:, :2])),
    OpInfo("index_select", IDX, IX.index_select, ("index_select",), "",
           lambda x: IX.index_select(x, 1, _idx(3, 0, 3))),
    OpInfo("masked_fill", IDX, IX.masked_fill, ("masked_fill",),
           "number or 0-d tensor value (differentiable); recorded as where",
           lambda x: IX.masked_fill(x, x > 1, 0.0)),
    OpInfo("masked_select", IDX, IX.masked_select, ("masked_select",), "1-d result",
           lambda x: IX.masked_select(x, x > 1)),
    # --------------------------------------------------------------- linear algebra
    OpInfo("matmul", LIN, L.matmul, ("matmul", "__matmul__"),
           "1-d/2-d/batched with broadcasting", lambda x: L.matmul(x, x.T)),
    OpInfo("rmatmul", LIN, None, ("__rmatmul__",), "array @ tensor", None, method=_rmatmul),
    OpInfo("mm", LIN, L.mm, ("mm",), "2-d only", lambda x: L.mm(x, x.T)),
    OpInfo("mv", LIN, L.mv, ("mv",), "", lambda x: L.mv(x, x[0])),
    OpInfo("bmm", LIN, L.bmm, ("bmm",), "3-d only", lambda x: L.bmm(x[None], x.T[None])),
    OpInfo("dot", LIN, L.dot, ("dot",), "1-d only", lambda x: L.dot(x[0], x[1])),
    OpInfo("outer", LIN, L.outer, ("outer",), "composed as torch: x[:, None] * y",
           lambda x: L.outer(x[0], x[1]), aliases=("ger",)),
    OpInfo("einsum", LIN, EIN.einsum, (),
           "any NumPy equation: implicit output, diagonals, '...', broadcasting, any number "
           "of operands; sublist format (a, [0, 1], b, [1, 2], [0, 2]); the backward is an "
           "einsum", lambda x: EIN.einsum("ij,kj->ik", x, x)),
    OpInfo("linalg.vector_norm", LIN, MN.vector_norm, (),
           "torch.linalg.vector_norm: ord any number, inf, -inf, 0; dim, keepdim, dtype=",
           lambda x: MN.vector_norm(x, 3, 1)),
    OpInfo("linalg.matrix_norm", LIN, MN.matrix_norm, (),
           "ord 'fro', 'nuc', ±1, ±2, ±inf over dim=(-2, -1) (any two dims, batched); "
           "composed of vector norms, amax/amin and svdvals as torch", lambda x: MN.matrix_norm(
               x, "nuc")),
    OpInfo("linalg.norm", LIN, MN.linalg_norm, (),
           "vector norm for one dim or a 1-D input, matrix norm for two dims or a 2-D input "
           "with ord; else the 2-norm of all elements", lambda x: MN.linalg_norm(x, 2)),
    OpInfo("linalg.svdvals", LIN, MN.svdvals, (),
           "singular values (descending), batched; gradient U diag(g) Vh; torch's svd backward "
           "for higher orders", lambda x: MN.svdvals(x)),
    # --------------------------------------------------------------- in-place
    *(OpInfo(n, INP, None, (n,), note, lambda x, n=n, a=a: getattr(_nonleaf(x), n)(*a),
             method=getattr(I, n))
      for n, a, note in (
          ("add_", (1.0,), "alpha="), ("sub_", (1.0,), "alpha="), ("mul_", (2.0,), ""),
          ("div_", (2.0,), ""), ("pow_", (2.0,), ""), ("neg_", (), ""), ("exp_", (), ""),
          ("log_", (), ""), ("tanh_", (), ""), ("sigmoid_", (), ""), ("relu_", (), ""),
          ("abs_", (), ""), ("sqrt_", (), ""), ("sign_", (), ""), ("reciprocal_", (), ""),
          ("clamp_", (0.9, 1.1), ""), ("clamp_min_", (1.0,), ""), ("clamp_max_", (1.0,), ""),
          ("fill_", (0.5,), "number or 0-d tensor"), ("zero_", (), ""),
          ("copy_", (np.ones(4),), "broadcasts src; casts"),
          ("masked_fill_", (np.eye(3, 4, dtype=bool), 0.0), ""),
          ("addcmul_", (np.ones(4), np.ones(4)), "value="),
          ("addcdiv_", (np.ones(4), np.full(4, 2.0)), "value="),
          ("lerp_", (np.ones(4), 0.5), ""),
          ("scatter_", (1, np.zeros((3, 1), dtype=np.int64), 0.0), ""),
          ("scatter_add_", (1, np.zeros((3, 1), dtype=np.int64), np.ones((3, 1))), ""),
      )),
    OpInfo("iadd", INP, None, ("__iadd__",), "x += y; x -= y; x *= y; x /= y", None,
           method=I.add_),
    OpInfo("isub", INP, None, ("__isub__",), "", None, method=I.sub_),
    OpInfo("imul", INP, None, ("__imul__",), "", None, method=I.mul_),
    OpInfo("idiv", INP, None, ("__itruediv__",), "", None, method=I.div_),
)


# ------------------------------------------------------------------- issue 9: more torch ops
MEW, SORT, MAT, MRED, GRID, IDX2, CONV = (
    "more elementwise", "sorting / order", "matrix", "more reductions", "stacking / grids",
    "more indexing", "Tensor conveniences",
)


def _rremainder(self: Tensor, other: Any) -> Tensor:
    return SP.remainder(other, self)


def _eye_like(x: Tensor) -> Tensor:
    return x[:, :3] * 1.0


OPS = OPS + (
    # --------------------------------------------------------------- more elementwise
    OpInfo("softmax", MEW, MI.softmax, ("softmax",), "dim required; dtype=; nn.functional's",
           lambda x: MI.softmax(x, 1)),
    OpInfo("log_softmax", MEW, MI.log_softmax, ("log_softmax",), "dim required; dtype=",
           lambda x: MI.log_softmax(x, 1)),
    *(OpInfo(n, MEW, getattr(SP, n), (n, *al), note, lambda x, n=n: getattr(SP, n)(x * 0.5),
             aliases=al)
      for n, note, al in (
          ("sinh", "", ()), ("cosh", "", ()), ("asin", "", ("arcsin",)),
          ("acos", "", ("arccos",)), ("atan", "", ("arctan",)), ("asinh", "", ("arcsinh",)),
          ("atanh", "", ("arctanh",)), ("log2", "", ()), ("log10", "", ()), ("exp2", "", ()),
          ("erf", "math.erf's values, vectorized in C++ (no SciPy)", ()),
          ("erfc", "math.erfc's values, vectorized", ()),
          ("erfinv", "Newton-refined on erf/erfc; ±inf at ±1", ()),
          ("logit", "eps= clamps; zero gradient outside [eps, 1 - eps]", ()),
      )),
    OpInfo("acosh", MEW, SP.acosh, ("acosh", "arccosh"), "", lambda x: SP.acosh(x + 1),
           aliases=("arccosh",)),
    *(OpInfo(n, MEW, getattr(SP, n), (n, *al), note, lambda x, n=n: getattr(SP, n)(x * 3),
             aliases=al)
      for n, note, al in (
          ("floor", "zero gradient; integers copied", ()),
          ("ceil", "zero gradient; integers copied", ()),
          ("trunc", "zero gradient; integers copied", ("fix",)),
          ("round", "half to even; decimals= (torch's scaling); zero gradient", ()),
          ("frac", "x - trunc(x); gradient one", ()),
      )),
    OpInfo("fmod", MEW, SP.fmod, ("fmod",), "dividend's sign; d/dother = -trunc(x/y)",
           lambda x: SP.fmod(x * 3, x)),
    OpInfo("remainder", MEW, SP.remainder, ("remainder", "__mod__"),
           "divisor's sign (Python's %); d/dother = -floor(x/y)",
           lambda x: SP.remainder(x * 3, x)),
    OpInfo("rremainder", MEW, None, ("__rmod__",), "number % tensor",
           lambda x: 2.5 % x, method=_rremainder),
    OpInfo("atan2", MEW, SP.atan2, ("atan2", "arctan2"), "",
           lambda x: SP.atan2(x, x.flip(0)), aliases=("arctan2",)),
    OpInfo("hypot", MEW, SP.hypot, ("hypot",), "", lambda x: SP.hypot(x, x.flip(0))),
    OpInfo("xlogy", MEW, SP.xlogy, ("xlogy",), "0 where input == 0",
           lambda x: SP.xlogy(x, x.flip(0))),
    # --------------------------------------------------------------- sorting / order
    OpInfo("sort", SORT, SO.sort, ("sort",),
           "(values, indices); stable (NaN largest); gradient through gather",
           lambda x: SO.sort(x, 1)),
    OpInfo("argsort", SORT, SO.argsort, ("argsort",), "stable; int64", lambda x: SO.argsort(x)),
    OpInfo("msort", SORT, SO.msort, ("msort",), "sort along dim 0", lambda x: SO.msort(x)),
    OpInfo("topk", SORT, SO.topk, ("topk",),
           "(values, indices), always sorted; ties: lower index first (torch's may differ)",
           lambda x: SO.topk(x, 2)),
    OpInfo("kthvalue", SORT, SO.kthvalue, ("kthvalue",), "k-th smallest (1-based); keepdim=",
           lambda x: SO.kthvalue(x, 2, 1)),
    OpInfo("cummax", SORT, SO.cummax, ("cummax",), "ties: the later index; NaN propagates",
           lambda x: SO.cummax(x, 1)),
    OpInfo("cummin", SORT, SO.cummin, ("cummin",), "as cummax", lambda x: SO.cummin(x, 1)),
    # --------------------------------------------------------------- matrix
    OpInfo("tril", MAT, MX.tril, ("tril",), "diagonal=; batched",
           lambda x: MX.tril(x, 1)),
    OpInfo("triu", MAT, MX.triu, ("triu",), "diagonal=; batched",
           lambda x: MX.triu(x, -1)),
    OpInfo("tril_indices", MAT, MX.tril_indices, (), "2 x N int64", None),
    OpInfo("triu_indices", MAT, MX.triu_indices, (), "2 x N int64", None),
    OpInfo("diagonal", MAT, MX.diagonal, ("diagonal",),
           "offset, dim1, dim2; a view (in-place writes reach the input)",
           lambda x: MX.diagonal(x, 1)),
    OpInfo("diag_embed", MAT, MX.diag_embed, ("diag_embed",), "offset, dim1, dim2",
           lambda x: MX.diag_embed(x, 1)),
    OpInfo("diag", MAT, MX.diag, ("diag",), "1-D: a matrix; 2-D: a copy of a diagonal",
           lambda x: MX.diag(x[0])),
    OpInfo("trace", MAT, MX.trace, ("trace",), "2-D; sum of the diagonal",
           lambda x: MX.trace(x)),
    OpInfo("addmm", MAT, MX.addmm, ("addmm",),
           "beta= alpha=; beta=0 ignores input (NaN too)",
           lambda x: MX.addmm(x[:, :3], x, x[:3].T)),
    OpInfo("addmv", MAT, MX.addmv, ("addmv",), "beta= alpha=",
           lambda x: MX.addmv(x[:, 0], x, x[0])),
    OpInfo("baddbmm", MAT, MX.baddbmm, ("baddbmm",), "beta= alpha=",
           lambda x: MX.baddbmm(_eye_like(x)[None], x[None], x[:3].T[None])),
    OpInfo("addbmm", MAT, MX.addbmm, ("addbmm",), "beta= alpha=; sums the batch",
           lambda x: MX.addbmm(_eye_like(x), x[None], x[:3].T[None])),
    OpInfo("kron", MAT, MX.kron, ("kron",), "composed: interleaved broadcast product",
           lambda x: MX.kron(x, x[:2, :2])),
    OpInfo("cross", MAT, MX.cross, ("cross",), "dim=None: first dim of size 3",
           lambda x: MX.cross(x[:, :3], x[:, 1:])),
    OpInfo("block_diag", MAT, MX.block_diag, (), "0-d, 1-d, 2-d blocks; dtype promotion",
           lambda x: MX.block_diag(x, x[0])),
    OpInfo("rot90", MAT, MX.rot90, ("rot90",), "k=, dims=; flips and a transpose",
           lambda x: MX.rot90(x)),
    # --------------------------------------------------------------- more reductions
    OpInfo("cumprod", MRED, MI.cumprod, ("cumprod",),
           "dtype=; gradient torch's reverse_cumsum(g * out) / x; with zeros an O(n^2) "
           "composition over prod", lambda x: MI.cumprod(x, 1)),
    OpInfo("logcumsumexp", MRED, MI.logcumsumexp, ("logcumsumexp",),
           "logaddexp accumulated; torch's log-space backward", lambda x: MI.logcumsumexp(x, 1)),
    OpInfo("count_nonzero", MRED, MI.count_nonzero, ("count_nonzero",), "int64; dim=",
           lambda x: MI.count_nonzero(x > 1, 1)),
    OpInfo("nansum", MRED, MI.nansum, ("nansum",), "zero gradient at NaN",
           lambda x: MI.nansum(x, 1)),
    OpInfo("nanmean", MRED, MI.nanmean, ("nanmean",), "", lambda x: MI.nanmean(x, 1)),
    OpInfo("std_mean", MRED, MI.std_mean, (), "a plain (std, mean) tuple",
           lambda x: MI.std_mean(x, 1)),
    OpInfo("var_mean", MRED, MI.var_mean, (), "a plain (var, mean) tuple",
           lambda x: MI.var_mean(x, 1)),
    OpInfo("diff", MRED, MI.diff, ("diff",), "n=, dim=, prepend=, append=",
           lambda x: MI.diff(x, 2)),
    # --------------------------------------------------------------- stacking / grids
    OpInfo("repeat_interleave", GRID, MI.repeat_interleave, ("repeat_interleave",),
           "int or per-element counts; dim=None flattens; via index_select",
           lambda x: MI.repeat_interleave(x, 2, 0)),
    OpInfo("take_along_dim", GRID, MI.take_along_dim, ("take_along_dim",),
           "broadcasts input and indices; dim=None flattens",
           lambda x: MI.take_along_dim(x, _idx([0], [2], [1]), 1)),
    OpInfo("hstack", GRID, MI.hstack, (), "", lambda x: MI.hstack([x, x])),
    OpInfo("vstack", GRID, MI.vstack, (), "", lambda x: MI.vstack([x, x[0]]),
           aliases=("row_stack",)),
    OpInfo("dstack", GRID, MI.dstack, (), "", lambda x: MI.dstack([x, x])),
    OpInfo("column_stack", GRID, MI.column_stack, (), "",
           lambda x: MI.column_stack([x, x[:, 0]])),
    OpInfo("meshgrid", GRID, MI.meshgrid, (), "indexing='ij' (default, warns) or 'xy'; views",
           lambda x: MI.meshgrid(x[0], x[1], indexing="ij")),
    OpInfo("atleast_1d", GRID, MI.atleast_1d, (), "", lambda x: MI.atleast_1d(x[0, 0])),
    OpInfo("atleast_2d", GRID, MI.atleast_2d, (), "", lambda x: MI.atleast_2d(x[0])),
    OpInfo("atleast_3d", GRID, MI.atleast_3d, (), "", lambda x: MI.atleast_3d(x)),
    OpInfo("broadcast_tensors", GRID, MI.broadcast_tensors, (), "expanded views",
           lambda x: MI.broadcast_tensors(x, x[0])),
    OpInfo("broadcast_shapes", GRID, MI.broadcast_shapes, (), "returns a Size", None),
    OpInfo("cartesian_prod", GRID, MI.cartesian_prod, (), "",
           lambda x: MI.cartesian_prod(x[0], x[1])),
    OpInfo("combinations", GRID, MI.combinations, (), "r=, with_replacement=",
           lambda x: MI.combinations(x[0])),
    OpInfo("movedim", GRID, MI.movedim, ("movedim", "moveaxis"), "a permuted view",
           lambda x: MI.movedim(x[None], 0, -1), aliases=("moveaxis",)),
    # --------------------------------------------------------------- search / statistics
    OpInfo("searchsorted", SORT, SE.searchsorted, (),
           "1-D or matching leading dims; right=/side=/sorter=/out_int32=", None),
    OpInfo("bucketize", SORT, SE.bucketize, (), "right=, out_int32=", None),
    OpInfo("unique", SORT, SE.unique, ("unique",),
           "sorted (also for sorted=False); return_inverse, return_counts, dim=; not "
           "differentiable", None),
    OpInfo("unique_consecutive", SORT, SE.unique_consecutive, ("unique_consecutive",),
           "return_inverse, return_counts, dim=", None),
    OpInfo("histc", SORT, SE.histc, ("histc",), "bins, min, max; not differentiable", None),
    OpInfo("median", SORT, SE.median, ("median",),
           "median(x): lower median, gradient spread over equal elements; median(x, dim): "
           "(values, indices)", lambda x: SE.median(x, 1).values),
    OpInfo("nanmedian", SORT, SE.nanmedian, ("nanmedian",), "ignores NaN",
           lambda x: SE.nanmedian(x)),
    OpInfo("mode", SORT, SE.mode, ("mode",),
           "(values, indices): most frequent, ties the smallest value, its last index",
           lambda x: SE.mode(x).values),
    OpInfo("quantile", SORT, SE.quantile, ("quantile",),
           "q number or 1-D tensor; dim, keepdim, interpolation=; sort + gather + lerp",
           lambda x: SE.quantile(x, 0.3, 1)),
    OpInfo("nanquantile", SORT, SE.nanquantile, ("nanquantile",), "ignores NaN",
           lambda x: SE.nanquantile(x, 0.3, 1)),
    # --------------------------------------------------------------- more indexing
    OpInfo("index_add", IDX2, IXM.index_add, ("index_add",), "alpha=; via scatter_add",
           lambda x: IXM.index_add(x, 1, _idx(0, 0), x[:, :2])),
    OpInfo("index_copy", IDX2, IXM.index_copy, ("index_copy",), "via scatter",
           lambda x: IXM.index_copy(x, 1, _idx(3, 0), x[:, :2])),
    OpInfo("index_fill", IDX2, IXM.index_fill, ("index_fill",),
           "number or 0-d tensor value; via masked_fill",
           lambda x: IXM.index_fill(x, 1, _idx(3, 0), 0.5)),
    OpInfo("masked_scatter", IDX2, IXM.masked_scatter, ("masked_scatter",),
           "mask broadcasts; source's leading elements in row-major order",
           lambda x: IXM.masked_scatter(x, x > 1, x * 2)),
    OpInfo("take", IDX2, IXM.take, ("take",), "flattened; negative indices wrap",
           lambda x: IXM.take(x, _idx(0, -1))),
    OpInfo("narrow_copy", IDX2, IXM.narrow_copy, ("narrow_copy",), "narrow + clone",
           lambda x: IXM.narrow_copy(x, 1, 1, 2)),
    OpInfo("scatter_reduce", IDX2, IXM.scatter_reduce, ("scatter_reduce",),
           "sum, mean (composed); amax/amin (ties share), prod (no zeros); include_self=",
           lambda x: IXM.scatter_reduce(x, 1, _idx([0, 0], [1, 1], [2, 2]), x[:, :2], "amax")),
    OpInfo("cdist", MAT, MX.cdist, (), "norm of broadcast differences; batched",
           lambda x: MX.cdist(x, x[:2])),
    # --------------------------------------------------------------- second batch
    OpInfo("floor_divide", MEW, EX.floor_divide, ("floor_divide", "__floordiv__"),
           "Python's //; not differentiable (torch has no derivative)",
           lambda x: EX.floor_divide(x, 0.3)),
    OpInfo("rfloordiv", MEW, None, ("__rfloordiv__",), "number // tensor", None,
           method=EX._rfloordiv),
    OpInfo("logaddexp", MEW, EX.logaddexp, ("logaddexp",), "",
           lambda x: EX.logaddexp(x, x.flip(0))),
    OpInfo("logaddexp2", MEW, EX.logaddexp2, ("logaddexp2",), "",
           lambda x: EX.logaddexp2(x, x.flip(0))),
    OpInfo("nan_to_num", MEW, EX.nan_to_num, ("nan_to_num",),
           "nan=, posinf=, neginf=; zero gradient where replaced", lambda x: EX.nan_to_num(x)),
    OpInfo("copysign", MEW, EX.copysign, ("copysign",), "float result",
           lambda x: EX.copysign(x, -x.flip(0))),
    OpInfo("sinc", MEW, EX.sinc, ("sinc",), "1 at 0", lambda x: EX.sinc(x)),
    OpInfo("deg2rad", MEW, EX.deg2rad, ("deg2rad",), "", lambda x: EX.deg2rad(x)),
    OpInfo("rad2deg", MEW, EX.rad2deg, ("rad2deg",), "", lambda x: EX.rad2deg(x)),
    OpInfo("float_power", MEW, EX.float_power, ("float_power",), "in float64",
           lambda x: EX.float_power(x, 2.5)),
    OpInfo("sgn", MEW, EX.sgn, ("sgn",), "sign (real tensors)", lambda x: EX.sgn(x)),
    OpInfo("signbit", MEW, EX.signbit, ("signbit",), "bool", None),
    OpInfo("heaviside", MEW, EX.heaviside, ("heaviside",), "not differentiable", None),
    OpInfo("positive", MEW, EX.positive, ("positive",), "the input itself",
           lambda x: EX.positive(x)),
    OpInfo("fliplr", GRID, EX.fliplr, ("fliplr",), "", lambda x: EX.fliplr(x)),
    OpInfo("flipud", GRID, EX.flipud, ("flipud",), "", lambda x: EX.flipud(x)),
    OpInfo("ravel", GRID, EX.ravel, ("ravel",), "", lambda x: EX.ravel(x)),
    OpInfo("tensor_split", GRID, EX.tensor_split, ("tensor_split",),
           "sections or indices; views", lambda x: EX.tensor_split(x, 3, 1)[0]),
    OpInfo("hsplit", GRID, EX.hsplit, ("hsplit",), "", lambda x: EX.hsplit(x, 2)[1]),
    OpInfo("vsplit", GRID, EX.vsplit, ("vsplit",), "", lambda x: EX.vsplit(x, [1])[1]),
    OpInfo("dsplit", GRID, EX.dsplit, ("dsplit",), "", lambda x: EX.dsplit(x[None], 2)[0]),
    OpInfo("argwhere", SORT, EX.argwhere, ("argwhere",), "(N, ndim) int64", None),
    OpInfo("bincount", SORT, EX.bincount, ("bincount",), "weights=, minlength=", None),
    OpInfo("isin", SORT, EX.isin, (), "bool; invert=", None),
    OpInfo("aminmax", MRED, EX.aminmax, ("aminmax",), "(min, max); dim=, keepdim=",
           lambda x: EX.aminmax(x, dim=1).max),
    OpInfo("trapezoid", MRED, EX.trapezoid, (), "dx= or sample points x; dim=",
           lambda x: EX.trapezoid(x)),
    OpInfo("cumulative_trapezoid", MRED, EX.cumulative_trapezoid, (), "",
           lambda x: EX.cumulative_trapezoid(x)),
    OpInfo("cov", MRED, EX.cov, ("cov",), "rows are variables; correction=",
           lambda x: EX.cov(x)),
    OpInfo("corrcoef", MRED, EX.corrcoef, ("corrcoef",), "", lambda x: EX.corrcoef(x)),
    OpInfo("tensordot", MAT, EX.tensordot, (), "dims int or pairs; permute + matmul",
           lambda x: EX.tensordot(x, x, ([1], [1]))),
    OpInfo("inner", MAT, EX.inner, ("inner",), "", lambda x: EX.inner(x, x)),
    # --------------------------------------------------------------- Tensor conveniences
    OpInfo("numel", CONV, MI.numel, (), "a Python int (also Tensor.numel)", None),
    OpInfo("is_tensor", CONV, MI.is_tensor, (), "", None),
    OpInfo("is_floating_point", CONV, MI.is_floating_point, ("is_floating_point",), "", None),
    OpInfo("is_nonzero", CONV, MI.is_nonzero, ("is_nonzero",), "one element only", None),
    OpInfo("type", CONV, None, ("type",),
           "no argument: 'torch.FloatTensor'-style name; a dtype or such name: the cast",
           lambda x: x.type(np.float32), method=MI.type_),
    OpInfo("half", CONV, None, ("half",), "float16", None, method=_cast("float16")),
    *(OpInfo(n, CONV, None, (n,), note, None, method=getattr(MI, n))
      for n, note in (
          ("new_zeros", "this dtype unless dtype=; a leaf"), ("new_ones", ""),
          ("new_full", ""), ("new_empty", "zeros"), ("new_tensor", "a copy, detached"),
          ("nelement", ""), ("element_size", "bytes"), ("is_contiguous", "C order"),
          ("data_ptr", "address of the first element"), ("stride", "in elements"),
          ("storage_offset", "in elements"),
      )),
    # --------------------------------------------------------------- in-place variants
    *(OpInfo(n, "more in-place", None, (n,), "", None, method=f)
      for n, f in IM.INPLACE.items()),
)


# ------------------------------------------------------------------- issue 9: special_more
from . import special_more as SM  # noqa: E402

OPS = OPS + (
    OpInfo("lgamma", MEW, SM.lgamma, ("lgamma",), "math.lgamma per element; inf at poles",
           lambda x: SM.lgamma(x)),
    OpInfo("digamma", MEW, SM.digamma, ("digamma",),
           "recurrence + asymptotic series; gradient polygamma(1, x)", lambda x: SM.digamma(x)),
    OpInfo("polygamma", MEW, SM.polygamma, ("polygamma",),
           "n >= 0; Hurwitz zeta by Euler-Maclaurin", lambda x: SM.polygamma(2, x),
           method=SM._polygamma_method),
    OpInfo("mvlgamma", MEW, SM.mvlgamma, ("mvlgamma",), "p=; elements > (p-1)/2",
           lambda x: SM.mvlgamma(x + 2, 3)),
    OpInfo("i0", MEW, SM.i0, ("i0",), "gradient i1 (power series)", lambda x: SM.i0(x)),
    OpInfo("fmax", MEW, SM.fmax, ("fmax",), "NaN ignored; ties: gradient to input",
           lambda x: SM.fmax(x, x.flip(0))),
    OpInfo("fmin", MEW, SM.fmin, ("fmin",), "NaN ignored; ties: gradient to input",
           lambda x: SM.fmin(x, x.flip(0))),
    OpInfo("isposinf", CMP, SM.isposinf, ("isposinf",), "", lambda x: SM.isposinf(x)),
    OpInfo("isneginf", CMP, SM.isneginf, ("isneginf",), "", lambda x: SM.isneginf(x)),
    OpInfo("gcd", MEW, SM.gcd, ("gcd",), "integers", None),
    OpInfo("lcm", MEW, SM.lcm, ("lcm",), "integers", None),
    OpInfo("ldexp", MEW, SM.ldexp, ("ldexp",), "input * 2 ** other",
           lambda x: SM.ldexp(x, _idx(1, 2, 3, 4))),
    OpInfo("frexp", MEW, SM.frexp, ("frexp",), "(mantissa, exponent int32)",
           lambda x: SM.frexp(x * 3).mantissa),
    OpInfo("nextafter", MEW, SM.nextafter, ("nextafter",), "not differentiable", None),
    OpInfo("dist", MAT, SM.dist, ("dist",), "p-norm of the difference",
           lambda x: SM.dist(x, x * 2, 3)),
    OpInfo("vdot", MAT, SM.vdot, ("vdot",), "1-D", lambda x: SM.vdot(x[0], x[1])),
    OpInfo("addr", MAT, SM.addr, ("addr",), "beta=, alpha=",
           lambda x: SM.addr(x, x[:, 0], x[0], beta=0.5)),
    OpInfo("diagflat", MAT, SM.diagflat, ("diagflat",), "offset=", lambda x: SM.diagflat(x[0])),
    *(OpInfo(n, "more in-place", None, (n,), "", None, method=f)
      for n, f in (("gcd_", SM._gcd_), ("lcm_", SM._lcm_), ("ldexp_", SM._ldexp_),
                   ("nextafter_", SM._nextafter_), ("addr_", SM._addr_),
                   ("lgamma_", SM._inplace(SM.lgamma)), ("digamma_", SM._inplace(SM.digamma)),
                   ("i0_", SM._inplace(SM.i0)), ("polygamma_", SM._polygamma_),
                   ("mvlgamma_", SM._mvlgamma_))),
)


# ------------------------------------------------------------------- issue 9: scatter_views
from . import scatter_views as SV  # noqa: E402

OPS = OPS + (
    OpInfo("unfold", SHP, None, ("unfold",), "(dimension, size, step): windows as a last dim; "
           "a strided view; overlapping windows' gradients add up",
           lambda x: x.unfold(1, 2, 1), method=SV.unfold),
    OpInfo("sum_to_size", RED, None, ("sum_to_size",), "sums the broadcast dims",
           lambda x: x.sum_to_size(1, 4), method=SV.sum_to_size),
    OpInfo("split_with_sizes", JOIN, SV.split_with_sizes, ("split_with_sizes",),
           "sizes must add up", lambda x: SV.split_with_sizes(x, [1, 2])[1]),
    OpInfo("select_scatter", IDX2, SV.select_scatter, ("select_scatter",), "via index_copy",
           lambda x: SV.select_scatter(x, x[0] * 2, 0, 1)),
    OpInfo("slice_scatter", IDX2, SV.slice_scatter, ("slice_scatter",),
           "start/end/step along dim; via index_copy",
           lambda x: SV.slice_scatter(x, x[:, :2] * 2, 1, 1, 4, 2)),
    OpInfo("diagonal_scatter", IDX2, SV.diagonal_scatter, ("diagonal_scatter",),
           "offset, dim1, dim2", lambda x: SV.diagonal_scatter(x, x.diagonal() * 0, 0)),
    OpInfo("index_put", IDX2, SV.index_put, ("index_put",),
           "indices a tuple of long/bool tensors; accumulate=True adds repeats",
           lambda x: SV.index_put(x, (_idx(0, 2, 0),), x[0], True)),
    OpInfo("index_put_", INP, SV.index_put_, ("index_put_",), "", None, method=SV.index_put_),
    OpInfo("put", IDX2, SV.put, ("put",), "flat indices; accumulate=",
           lambda x: SV.put(x, _idx(0, 5), x[0, :2] * 3)),
    OpInfo("put_", INP, None, ("put_",), "", None, method=SV.put_),
)


# Reflected operators receive (self, other) for ``other <op> self``.
_REFLECTED: dict[str, Callable] = {"__radd__": _r(E.add), "__rmul__": _r(E.mul),
                                   "__rsub__": E.rsub, "__rtruediv__": E.rdiv,
                                   "__rpow__": E.rpow}


def methods() -> dict[str, Callable]:
    """Tensor attribute name -> implementation, for ``_ops_install``."""
    out: dict[str, Callable] = {}
    special = _REFLECTED
    for op in OPS:
        impl = op.method or op.fn
        for m in op.methods:
            out[m] = special.get(m, impl)
    return out


def functions() -> dict[str, Callable]:
    """Public function name -> implementation (``chaingrad.<name>``), aliases included."""
    out: dict[str, Callable] = {}
    for op in OPS:
        if op.fn is not None:
            out[op.name] = op.fn
            for a in op.aliases:
                out[a] = op.fn
    return out
