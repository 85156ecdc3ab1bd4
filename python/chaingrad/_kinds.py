"""Node kinds: which backward a node runs. Kept in step with ``csrc/kernels.h``.

A *native* kind has an array-level backward in both engines (C++ kernels in ``_core``, NumPy
in ``_reference/kernels.py``) and a differentiable Tensor-level formula in
``ops/derivatives.py`` that runs when ``create_graph=True``. ``PY`` nodes run a Python
``Function``'s ``backward``.
"""

PY = 0
ACCUMULATE = 1
ADD = 2
SUB = 3
MUL = 4
DIV = 5
NEG = 6
POW_SCALAR = 7  # x ** s
EXP = 8
LOG = 9
TANH = 10
SIGMOID = 11
RELU = 12
SUM = 13  # scalars: (keepdim, *dims); no dims = all
MEAN = 14  # scalars: (keepdim, *dims)
MATMUL = 15
ADD_SCALAR = 16  # x + s, x - s
MUL_SCALAR = 17  # x * s; also s - x style negations use NEG
DIV_SCALAR = 18  # x / s
RDIV_SCALAR = 19  # s / x
RSUB_SCALAR = 20  # s - x

NUM_KINDS = 21  # kinds below this have C++ kernels; higher kinds (up to 255) may exist

# Kinds >= 21 are added by later ops. A kind without a C++ kernel still works on the C++
# engine: the core calls the reference NumPy kernel for it (_bridge.array_backward).

# ---------------------------------------------------------------------------------------------
# Kinds 21..99: the elementwise ops, reductions and shape ops of the full op set (issue #3).
# Every one has a C++ kernel, so a backward over built-in ops makes no Python call per node:
# - elementwise 21..37 (POW included) in ``csrc/kernels_pointwise.cpp``, on every layout: raw
#   loops for same-shape C-contiguous float32/float64 operands (not POW), the reference
#   kernel's NumPy calls made through the C API otherwise (broadcast, strided, 0-d, mixed);
# - reductions 38..46 in ``csrc/kernels_reduction.cpp`` and ``csrc/kernels_norm.cpp`` (NORM),
#   for float32/float64 gradients and inputs (the reference kernel's NumPy calls);
# - shape kinds 47..51 in ``csrc/kernels_shape.cpp``, for every layout and dtype.
# Anything they do not cover (another dtype, a corrupt node) runs the NumPy kernels of
# ``_reference/kernels_*.py``. The comment on each kind gives the node layout a C++ kernel
# must follow:
#   inputs (edges, in order) | save (saved values, in order) | scalars
# "x" is the op's input tensor, "y" its output. Dims in scalars are non-negative ints stored as
# floats; "keepdim" is 0.0 or 1.0.

# Unary elementwise: input x | save as listed | no scalars.
ABS = 21  # save (x,)
SIGN = 22  # save () ; the gradient is zero
SQRT = 23  # save (y,)
RSQRT = 24  # save (y,)
LOG1P = 25  # save (x,)
EXPM1 = 26  # save (y,)
SIN = 27  # save (x,)
COS = 28  # save (x,)
TAN = 29  # save (y,)
RECIPROCAL = 30  # save (y,)
CLAMP = 31  # input x | save (x,) | scalars (min, max), -inf/+inf for a missing bound
CLAMP_TENSOR = 32  # inputs (x, min|None, max|None) | save (x, min|None, max|None) | scalars
#                    (has_min, has_max)
MAXIMUM = 33  # inputs (a, b) | save (a, b)
MINIMUM = 34  # inputs (a, b) | save (a, b)
WHERE = 35  # inputs (a, b) | save (cond as a raw bool array,)
POW = 36  # inputs (a, b) | save (a, b, y)  (tensor ** tensor)
RPOW_SCALAR = 37  # input x | save (x, y) | scalars (base,)  (base ** x)

# Reductions: input x.
PROD = 38  # save (x, y) | scalars () for all elements, or (keepdim, dim)
MAXMIN_ALL = 39  # max()/min() without dim: save (x, y); ties share the gradient evenly
MAXMIN_DIM = 40  # max/min with dim: save (indices as a raw int64 array,) | (keepdim, dim)
AMAXMIN = 41  # amax/amin: save (x, y) | scalars (keepdim, *dims)
VAR = 42  # save (x,) | scalars (correction, keepdim, *dims); no dims = all elements
STD = 43  # save (x, y) | scalars (correction, keepdim, *dims); no dims = all elements
LOGSUMEXP = 44  # save (x, y) | scalars (keepdim, *dims)
NORM = 45  # vector p-norm: save (x, y) | scalars (p, keepdim, *dims); no dims = all elements
CUMSUM = 46  # save () | scalars (dim,)

# Shape ops: input x | save () | scalars as listed. Their backward does no arithmetic (it moves,
# reshapes or scatters g), so the C++ kernels in ``csrc/kernels_shape.cpp`` make the same NumPy
# calls as the reference (reshape, transpose, zeros + assignment) and agree bit for bit.
RESHAPE = 47  # reshape/view/flatten/unflatten/squeeze/unsqueeze: scalars (); g.reshape(x.shape)
PERMUTE = 48  # permute/transpose/.T: scalars (*dims), the forward permutation;
#               np.transpose(g, argsort(dims))
EXPAND = 49  # expand/expand_as/broadcast_to: scalars (); g as is (the engine sums it to x's shape)
TO_COPY = 50  # dtype casts, clone, contiguous: scalars (); g as is (the engine casts it to
#               x's dtype)
SLICE = 51  # basic indexing by ints and slices: scalars (start, stop, step) for every dim of x,
#             normalised (0 <= start < n unless the slice is empty, which is (0, 0, 1)); step 0
#             selects index `start` (the dim is dropped); stop -1 (negative step) runs through
#             index 0. Backward: zeros of x's shape with g assigned at the key.
# In-place ops on views (ops/copy_slices.py): data movement by a flat index, torch's names.
# "index" is a raw int64 array of the view's shape: for each element of the view, the flat
# C-order position of the base element sharing its memory (``ops/_views.placement``).
AS_STRIDED = 52  # AsStridedBackward0: input base | save (index,) | scalars (overlap,); backward:
#                  zeros(base.size) with g assigned at index (np.add.at when overlap is 1.0:
#                  an expanded view's elements share positions), reshaped to base's shape
COPY_SLICES = 53  # CopySlices: inputs (base, src) | save (index,) | no scalars; backward: base
#                   gets a C-order copy of g with zeros at index, src gets g.flat[index]

# nn layers as single nodes (issue 9), NumPy kernels in ``_reference/kernels_nn.py``, C++ in
# ``csrc/kernels_nn.cpp``, formulas in ``ops/derivatives_nn.py``.
LINEAR = 60  # F.linear, 2-D weight: inputs (x, w, b|None) | save (x, w) | no scalars;
#              y = x @ w.T (+ b). Backward: g @ w, g2.T @ x2 (g, x as 2-D), g (summed to b)
CROSS_ENTROPY = 61  # F.cross_entropy, (N, C) logits and int class targets, no weight, no
#                     ignored target, no label smoothing: input x | save (x, logp, target as
#                     raw int64 (N,)) | scalars (reduction: 0 none, 1 sum, 2 mean; N).
#                     Backward: p = exp(logp); p[n, t[n]] -= 1; p *= g[:, None] | g | g / N
