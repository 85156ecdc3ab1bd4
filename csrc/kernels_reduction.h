// Internal to the reduction kernels (kernels_reduction.cpp, kernels_norm.cpp): the reference
// kernels' small helpers, written with the NumPy calls of npcall.h.
#pragma once

#include <vector>

#include "graph.h"
#include "npcall.h"
#include "npy.h"

namespace chaingrad {
namespace red {

using npc::call;
using npc::f;
using npc::steal;
using npc::typed;

// float32/float64 only (npc::float_array also admits float16 and long double).
inline bool float_array(PyObject* a) {
  return a && npy::is_array(a) && npy::float_type(a) != 0;
}

// The node's dims (scalars[first..]) as ints in [0, ndim); false when corrupt.
bool read_dims(const Node& node, size_t first, int ndim, std::vector<long>& dims);

py::object dims_tuple(const std::vector<long>& dims);

// restore_dims(a, dims, keepdim, ndim) with `x` the reduced input.
py::object restore_dims(const py::object& a, const std::vector<long>& dims, bool keepdim,
                        PyObject* x);

// np.add.reduce(a, axis=axis, keepdims=keepdims); axis None for all.
py::object add_reduce(PyObject* a, PyObject* axis, bool keepdims);

// NORM (kernels_norm.cpp): the reference kernel's gradient in `r`, or false to fall back.
bool norm_backward(const Node& node, const py::object& g, py::object& r);

}  // namespace red
}  // namespace chaingrad
