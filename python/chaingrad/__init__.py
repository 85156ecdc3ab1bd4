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
from ._format import set_printoptions  # noqa: E402 - issue 9: torch's printer
# issue 9: small torch names (dtype queries, switches, factories, Tensor conveniences)
from ._dtype_info import (  # noqa: E402
    are_deterministic_algorithms_enabled, can_cast, finfo, get_deterministic_debug_mode, iinfo,
    is_deterministic_algorithms_warn_only_enabled, is_signed, is_warn_always_enabled,
    promote_types, result_type, set_deterministic_debug_mode, set_warn_always, typename,
    use_deterministic_algorithms,
)
from .creation_more import (  # noqa: E402
    asarray, bartlett_window, blackman_window, hamming_window, hann_window, kaiser_window,
    logspace, range, scalar_tensor,
)
from .ops import tensor_misc as _tensor_misc  # noqa: E402
from .ops.tensor_misc import detach, fill, is_same_size  # noqa: E402
from .ops.logical import ge as greater_equal, gt as greater, le as less_equal  # noqa: E402
from .ops.logical import lt as less, ne as not_equal  # noqa: E402

_tensor_misc.install()
from .ops.special_more import (  # noqa: E402
    addr, diagflat, digamma, dist, fmax, fmin, frexp, gcd, i0, isneginf, isposinf, lcm, ldexp,
    lgamma, mvlgamma, nextafter, polygamma, vdot,
)
from .ops.scatter_views import (  # noqa: E402
    diagonal_scatter, index_put, index_put_, put, select_scatter, slice_scatter,
    split_with_sizes,
)
globals().update(_tensor_misc.top_level_functions())

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
    "abs", "abs_", "absolute", "acos", "acos_", "acosh", "acosh_", "add", "addbmm", "addcdiv",
    "addcmul", "addmm", "addmv", "addr", "all", "allclose", "amax", "amin", "aminmax", "any",
    "arange", "arccos", "arccos_", "arccosh", "arccosh_", "arcsin", "arcsin_", "arcsinh",
    "arcsinh_", "arctan", "arctan2", "arctan_", "arctanh", "arctanh_",
    "are_deterministic_algorithms_enabled", "argmax", "argmin", "argsort", "argwhere",
    "as_tensor", "asarray", "asin", "asin_", "asinh", "asinh_", "atan", "atan2", "atan_",
    "atanh", "atanh_", "atleast_1d", "atleast_2d", "atleast_3d", "autograd", "baddbmm",
    "bartlett_window", "bernoulli", "bincount", "bitwise_and", "bitwise_not", "bitwise_or",
    "bitwise_xor", "blackman_window", "block_diag", "bmm", "bool", "broadcast_shapes",
    "broadcast_tensors", "broadcast_to", "bucketize", "can_cast", "cartesian_prod", "cat",
    "cdist", "ceil", "ceil_", "cholesky", "chunk", "clamp", "clamp_", "clamp_max", "clamp_max_",
    "clamp_min", "clamp_min_", "clip", "clone", "column_stack", "combinations", "concat",
    "concatenate", "copysign", "corrcoef", "cos", "cosh", "cosh_", "count_nonzero", "cov",
    "creation", "cross", "cuda", "cummax", "cummin", "cumprod", "cumsum",
    "cumulative_trapezoid", "default_generator", "deg2rad", "deg2rad_", "det", "detach",
    "detach_", "device", "diag", "diag_embed", "diagflat", "diagonal", "diagonal_scatter",
    "diff", "digamma", "dist", "div", "divide", "dot", "double", "dsplit", "dstack", "dtypes",
    "e", "einsum", "empty", "empty_like", "enable_grad", "engine", "eq", "equal", "erf", "erf_",
    "erfc", "erfc_", "erfinv", "exp", "exp2", "exp2_", "exp_", "expm1", "eye", "fill", "fill_",
    "finfo", "fix", "fix_", "flatten", "flip", "fliplr", "flipud", "float", "float16",
    "float32", "float64", "float_power", "floor", "floor_", "floor_divide", "fmax", "fmin",
    "fmod", "frac", "frac_", "frexp", "from_numpy", "full", "full_like", "gather", "gcd",
    "gcd_", "ge", "Generator", "ger", "get_default_dtype", "get_deterministic_debug_mode",
    "get_rng_state", "grad_mode", "greater", "greater_equal", "gt", "half", "hamming_window",
    "hann_window", "heaviside", "histc", "hsplit", "hstack", "hypot", "i0", "i0_", "iinfo",
    "index_add", "index_copy", "index_fill", "index_put", "index_put_", "index_select", "inf",
    "inference_mode", "initial_seed", "inner", "int", "int16", "int32", "int64", "int8",
    "inverse", "is_deterministic_algorithms_warn_only_enabled", "is_floating_point",
    "is_grad_enabled", "is_inference_mode_enabled", "is_nonzero", "is_same_size", "is_signed",
    "is_tensor", "is_warn_always_enabled", "isclose", "isfinite", "isin", "isinf", "isnan",
    "isneginf", "isposinf", "kaiser_window", "kron", "kthvalue", "lcm", "lcm_", "ldexp",
    "ldexp_", "le", "lerp", "less", "less_equal", "lgamma", "linalg", "linspace", "load", "log",
    "log10", "log10_", "log1p", "log2", "log2_", "log_", "log_softmax", "logaddexp",
    "logaddexp2", "logcumsumexp", "logdet", "logical_and", "logical_not", "logical_or",
    "logical_xor", "logit", "logit_", "logspace", "logsumexp", "long", "lt", "manual_seed",
    "masked_fill", "masked_scatter", "masked_select", "matmul", "matrix_exp", "matrix_power",
    "max", "maximum", "mean", "median", "meshgrid", "min", "minimum", "mm", "mode", "moveaxis",
    "movedim", "msort", "mul", "multinomial", "multiply", "mv", "mvlgamma", "nan", "nan_to_num",
    "nan_to_num_", "nanmean", "nanmedian", "nanquantile", "nansum", "narrow", "narrow_copy",
    "ne", "neg", "neg_", "negative", "negative_", "newaxis", "nextafter", "nn", "no_grad",
    "nonzero", "norm", "normal", "not_equal", "numel", "ones", "ones_like", "ops", "optim",
    "outer", "pad", "permute", "pi", "pinverse", "polygamma", "positive", "pow", "prod",
    "promote_types", "put", "quantile", "rad2deg", "rad2deg_", "rand", "rand_like", "randint",
    "randint_like", "randn", "randn_like", "random", "randperm", "range", "ravel", "reciprocal",
    "reciprocal_", "relu", "relu_", "remainder", "repeat_interleave", "reshape", "result_type",
    "return_types", "roll", "rot90", "round", "round_", "row_stack", "rsqrt", "rsub", "save",
    "scalar_tensor", "scatter", "scatter_add", "scatter_reduce", "searchsorted", "seed",
    "select", "select_scatter", "serialization", "set_default_dtype",
    "set_deterministic_debug_mode", "set_grad_enabled", "set_printoptions", "set_rng_state",
    "set_warn_always", "sgn", "short", "sigmoid", "sigmoid_", "sign", "signbit", "sin", "sinc",
    "sinc_", "sinh", "sinh_", "Size", "slice_scatter", "slogdet", "softmax", "sort", "split",
    "split_with_sizes", "sqrt", "sqrt_", "square", "squeeze", "stack", "std", "std_mean", "sub",
    "subtract", "sum", "swapaxes", "swapdims", "t", "take", "take_along_dim", "tan", "tanh",
    "tanh_", "Tensor", "tensor", "tensor_split", "tensordot", "tile", "topk", "trace",
    "transpose", "trapezoid", "tril", "tril_indices", "triu", "triu_indices", "true_divide",
    "trunc", "trunc_", "typename", "uint8", "unbind", "unflatten", "unique",
    "unique_consecutive", "unsqueeze", "use_deterministic_algorithms", "utils", "vander", "var",
    "var_mean", "vdot", "vsplit", "vstack", "where", "xlogy", "xlogy_", "zero_", "zeros",
    "zeros_like"
]
