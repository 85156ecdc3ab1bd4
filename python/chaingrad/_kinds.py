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
