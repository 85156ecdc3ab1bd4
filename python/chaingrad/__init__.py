"""chaingrad: a small PyTorch-style autograd library for NumPy arrays, with a C++ graph engine.

``import chaingrad as torch`` runs torch code written for the subset covered here.
"""

from __future__ import annotations

from . import engine
from .dtypes import (
    bool,  # noqa: A004
    double,
    float,  # noqa: A004
    float16,
    float32,
    float64,
    half,
    int,  # noqa: A004
    int8,
    int16,
    int32,
    int64,
    long,
    short,
    uint8,
)
from .dtypes import get_default_dtype, set_default_dtype
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .tensor import Size, Tensor
from .creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from . import random, _random_ops  # noqa: F401 - torch.random; installs Tensor.random_ ...
from ._generator import Generator, default_generator
from .creation import bernoulli, multinomial, normal
from .random import get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .ops.elementwise import add, div, exp, log, mul, neg, pow, relu, rsub, sigmoid, sub, tanh  # noqa: A004
from .ops.elementwise import div as divide, div as true_divide, mul as multiply  # noqa: E501
from .ops.elementwise import neg as negative, sub as subtract
from .ops.unary import abs, cos, expm1, log1p, reciprocal, rsqrt, sign, sin, sqrt, square, tan  # noqa: A004
from .ops.unary import abs as absolute
from .ops.select import clamp, clamp_max, clamp_min, clip, maximum, minimum, where
from .ops.logical import (  # noqa: A004
    all, allclose, any, bitwise_and, bitwise_not, bitwise_or, bitwise_xor, eq, equal, ge, gt,
    isclose, isfinite, isinf, isnan, le, logical_and, logical_not, logical_or, logical_xor, lt,
    ne, nonzero,
)
from .ops.reduction import cumsum, logsumexp, mean, norm, prod, std, sum, var  # noqa: A004
from .ops.extrema import amax, amin, argmax, argmin, max, min  # noqa: A004
from .ops.shape import (
    broadcast_to, clone, flatten, narrow, permute, reshape, select, squeeze, swapaxes, swapdims,
    t, transpose, unflatten, unsqueeze,
)
from .ops.rearrange import flip, roll, tile
from .ops.padding import pad
from .ops.join import cat, chunk, concat, concatenate, split, stack, unbind
from .ops.indexing import (
    gather, index_select, masked_fill, masked_select, scatter, scatter_add,
)
from .ops.linalg import bmm, dot, matmul, mm, mv, outer
from .ops.linalg import outer as ger
from .ops.einsum import einsum
from .ops.inplace import addcdiv, addcmul, lerp
# issue 9: more of torch's top-level ops (ops/sorting, special, matrix, misc)
from .ops.matrix import (
    addbmm, addmm, addmv, baddbmm, block_diag, cross, diag, diag_embed, diagonal, kron, rot90,
    trace, tril, tril_indices, triu, triu_indices,
)
from .ops.misc import (
    atleast_1d, atleast_2d, atleast_3d, broadcast_shapes, broadcast_tensors, cartesian_prod,
    column_stack, combinations, count_nonzero, cumprod, diff, dstack, hstack, is_floating_point,
    is_nonzero, is_tensor, log_softmax, logcumsumexp, meshgrid, nanmean, nansum, numel,
    repeat_interleave, row_stack, softmax, std_mean, take_along_dim, var_mean, vstack,
)
from .ops.sorting import argsort, cummax, cummin, kthvalue, msort, sort, topk
from .ops.search import (
    bucketize, histc, median, mode, nanmedian, nanquantile, quantile, searchsorted, unique,
    unique_consecutive,
)
from .ops.index_more import (
    index_add, index_copy, index_fill, masked_scatter, narrow_copy, scatter_reduce, take,
)
from .ops.matrix import cdist
from .ops.misc import moveaxis, movedim
from .ops.extra import (
    aminmax, argwhere, bincount, copysign, corrcoef, cov, cumulative_trapezoid, deg2rad, dsplit,
    fliplr, flipud, float_power, floor_divide, heaviside, hsplit, inner, isin, logaddexp,
    logaddexp2, nan_to_num, positive, rad2deg, ravel, sgn, signbit, sinc, tensor_split,
    tensordot, trapezoid, vsplit,
)
from .ops.special import (  # noqa: A004
    acos, acosh, arccos, arccosh, arcsin, arcsinh, arctan, arctan2, arctanh, asin, asinh, atan,
    atan2, atanh, ceil, cosh, erf, erfc, erfinv, exp2, fix, floor, fmod, frac, hypot, log2,
    log10, logit, remainder, round, sinh, trunc, xlogy,
)
from . import return_types
from . import autograd  # noqa: E402
from .autograd.inference import inference_mode, is_inference_mode_enabled  # noqa: E402
from . import linalg  # noqa: E402
from .ops.linalg_more import (  # noqa: E402
    det, inverse, logdet, matrix_exp, matrix_power, pinverse, slogdet,
)
from .ops.linalg_more import torch_cholesky as cholesky  # noqa: E402
from .ops.linalg_more import torch_vander as vander  # noqa: E402

__version__ = "0.1.0"
from . import nn, optim  # noqa: E402
from . import utils  # noqa: E402
from .serialization import load, save  # noqa: E402

# Load the selected engine now that everything it needs is imported: a missing or broken C++
# build is reported at `import chaingrad`, not at the first op.
engine._load_default()

# Module-level functions (torch.tanh(x), F.relu(x), torch.tensor(0.5, dtype=...), ...) get the
# same C++ fast paths as the methods; the Python functions stay the fallback (ops/_fast.py).
from .ops import _fast as _fast_ops  # noqa: E402

_fast_ops.install_functions()

# torch names chaingrad lacks raise a NotImplementedError saying what to use instead (an
# AttributeError too, so hasattr() probes are False); docs/coverage.md lists them all.
from math import e, inf, nan, pi  # noqa: E402
from ._device import device  # noqa: E402
from . import cuda  # noqa: E402
from . import _missing  # noqa: E402

newaxis = None
_missing.install_tensor_placeholders(Tensor)
__getattr__ = _missing.module_getattr("torch", __name__)

# Every public name, for `from chaingrad import *` and for type checkers (mypy --strict treats a
# name imported here as private unless listed). tests/test_typing.py fails when a name is missing.
__all__ = [
    "abs", "absolute", "acos", "acosh", "add", "addbmm", "addcdiv", "addcmul", "addmm", "addmv",
    "all", "allclose", "amax", "amin", "aminmax", "any", "arange", "arccos", "arccosh",
    "arcsin", "arcsinh", "arctan", "arctan2", "arctanh", "argmax", "argmin", "argsort",
    "argwhere", "as_tensor", "asin", "asinh", "atan", "atan2", "atanh", "atleast_1d",
    "atleast_2d", "atleast_3d", "autograd", "baddbmm", "bernoulli", "bincount", "bitwise_and",
    "bitwise_not", "bitwise_or", "bitwise_xor", "block_diag", "bmm", "bool", "broadcast_shapes",
    "broadcast_tensors", "broadcast_to", "bucketize", "cartesian_prod", "cat", "cdist", "ceil",
    "cholesky", "chunk", "clamp", "clamp_max", "clamp_min", "clip", "clone", "column_stack",
    "combinations", "concat", "concatenate", "copysign", "corrcoef", "cos", "cosh",
    "count_nonzero", "cov", "creation", "cross", "cuda", "cummax", "cummin", "cumprod",
    "cumsum", "cumulative_trapezoid", "default_generator", "deg2rad", "det", "device", "diag",
    "diag_embed", "diagonal", "diff", "div", "divide", "dot", "double", "dsplit", "dstack",
    "dtypes", "e", "einsum", "empty", "empty_like", "enable_grad", "engine", "eq", "equal",
    "erf", "erfc", "erfinv", "exp", "exp2", "expm1", "eye", "fix", "flatten", "flip", "fliplr",
    "flipud", "float", "float16", "float32", "float64", "float_power", "floor", "floor_divide",
    "fmod", "frac", "from_numpy", "full", "full_like", "gather", "ge", "Generator", "ger",
    "get_default_dtype", "get_rng_state", "grad_mode", "gt", "half", "heaviside", "histc",
    "hsplit", "hstack", "hypot", "index_add", "index_copy", "index_fill", "index_select", "inf",
    "inference_mode", "initial_seed", "inner", "int", "int16", "int32", "int64", "int8",
    "inverse", "is_floating_point", "is_grad_enabled", "is_inference_mode_enabled",
    "is_nonzero", "is_tensor", "isclose", "isfinite", "isin", "isinf", "isnan", "kron",
    "kthvalue", "le", "lerp", "linalg", "linspace", "load", "log", "log10", "log1p", "log2",
    "log_softmax", "logaddexp", "logaddexp2", "logcumsumexp", "logdet", "logical_and",
    "logical_not", "logical_or", "logical_xor", "logit", "logsumexp", "long", "lt",
    "manual_seed", "masked_fill", "masked_scatter", "masked_select", "matmul", "matrix_exp",
    "matrix_power", "max", "maximum", "mean", "median", "meshgrid", "min", "minimum", "mm",
    "mode", "moveaxis", "movedim", "msort", "mul", "multinomial", "multiply", "mv", "nan",
    "nan_to_num", "nanmean", "nanmedian", "nanquantile", "nansum", "narrow", "narrow_copy",
    "ne", "neg", "negative", "newaxis", "nn", "no_grad", "nonzero", "norm", "normal", "numel",
    "ones", "ones_like", "ops", "optim", "outer", "pad", "permute", "pi", "pinverse",
    "positive", "pow", "prod", "quantile", "rad2deg", "rand", "rand_like", "randint",
    "randint_like", "randn", "randn_like", "random", "randperm", "ravel", "reciprocal", "relu",
    "remainder", "repeat_interleave", "reshape", "return_types", "roll", "rot90", "round",
    "row_stack", "rsqrt", "rsub", "save", "scatter", "scatter_add", "scatter_reduce",
    "searchsorted", "seed", "select", "serialization", "set_default_dtype", "set_grad_enabled",
    "set_rng_state", "sgn", "short", "sigmoid", "sign", "signbit", "sin", "sinc", "sinh",
    "Size", "slogdet", "softmax", "sort", "split", "sqrt", "square", "squeeze", "stack", "std",
    "std_mean", "sub", "subtract", "sum", "swapaxes", "swapdims", "t", "take", "take_along_dim",
    "tan", "tanh", "Tensor", "tensor", "tensor_split", "tensordot", "tile", "topk", "trace",
    "transpose", "trapezoid", "tril", "tril_indices", "triu", "triu_indices", "true_divide",
    "trunc", "uint8", "unbind", "unflatten", "unique", "unique_consecutive", "unsqueeze",
    "utils", "vander", "var", "var_mean", "vsplit", "vstack", "where", "xlogy", "zeros",
    "zeros_like"
]
