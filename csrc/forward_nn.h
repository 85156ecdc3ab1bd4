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

}  // namespace chaingrad
