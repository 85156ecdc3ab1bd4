// Native forward of the nn layer kinds' common cases (python/chaingrad/nn/functional).
#pragma once

#include <pybind11/pybind11.h>

#include <cstdint>

namespace py = pybind11;

namespace chaingrad {

// F.cross_entropy for (N, C) float32/float64 logits (exact, aligned, C-contiguous) and int64
// class indices: (loss, logp) as nn/functional/loss.py's _cross_entropy_native computes them,
// bit for bit (NumPy's own exp, log and add loops, its pairwise row sums). `reduction`: 0
// none, 1 sum, 2 mean. None when the case is not this one, a target is out of range or equal
// to `ignore_index`, or a floating-point flag needs NumPy's handling (npy::fpflags::need_numpy:
// an exp underflow of confident logits does not, under NumPy's default errstate): the Python
// code then decides, and warns or raises as NumPy would.
py::object cross_entropy_forward(py::handle input, py::handle target, int64_t ignore_index,
                                 int reduction);

// F.max_pool2d's forward on (N, C, H, W) float32/float64 input (exact, aligned, C-contiguous):
// (values, flat H*W indices) as nn/functional/pooling.py's _MaxPool computes them, by torch's
// rule: each window's cells inside the input are scanned row-major from -inf at the first of
// them, and a larger value or any NaN takes over. None for any other input.
py::object max_pool2d_forward(py::handle input, py::tuple kernel, py::tuple stride,
                              py::tuple padding, py::tuple dilation, py::tuple out_hw);

// Max pooling's backward scatter: out[n, c, idx[n, c, i, j]] += g[n, c, i, j] on an (N, C, H, W)
// plane, summed in float64 in g's element order and rounded once to g's dtype, as
// np.bincount(..., weights=g) then astype does. None (the NumPy code decides, and raises for
// a bad index) when an index is outside the plane or the layout is not the fast one.
py::object max_pool2d_scatter(py::handle grad, py::handle index, py::tuple in_shape);

}  // namespace chaingrad
