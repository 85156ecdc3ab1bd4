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
from .ops.elementwise import add, div, exp, log, mul, neg, pow, relu, sigmoid, sub, tanh  # noqa: A004
from .ops.linalg import matmul
from .ops.reduction import mean, sum  # noqa: A004
from .ops.shape import clone, permute, reshape, squeeze, transpose, unsqueeze
from . import autograd  # noqa: E402

__version__ = "0.1.0"
