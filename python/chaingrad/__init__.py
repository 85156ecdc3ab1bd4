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
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    tensor,
    zeros,
    zeros_like,
)
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
from . import return_types
from . import autograd  # noqa: E402
from . import linalg  # noqa: E402

__version__ = "0.1.0"
from . import nn, optim  # noqa: E402
from .serialization import load, save  # noqa: E402

# Load the selected engine now that everything it needs is imported: a missing or broken C++
# build is reported at `import chaingrad`, not at the first op.
engine._load_default()

# Module-level functions (torch.tanh(x), F.relu(x), torch.tensor(0.5, dtype=...), ...) get the
# same C++ fast paths as the methods; the Python functions stay the fallback (ops/_fast.py).
from .ops import _fast as _fast_ops  # noqa: E402

_fast_ops.install_functions()
