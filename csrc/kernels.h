// Native backward kernels (the array-level VJPs of the hot ops) and the engine's array
// helpers: buffer accumulation and sum-to-shape.
//
// Same-shape, C-contiguous float32/float64 operands take raw loops; everything else (broadcast
// operands, mixed dtypes, matmul) calls NumPy's ufuncs through the C API, so no Python frame
// runs either way. Every formula matches _reference/kernels.py operation for operation.
#pragma once

#include "graph.h"

namespace chaingrad {

void init_kernels(py::module_ numpy);

// One gradient (or None) per input of `node`, from the gradient of its output.
std::vector<py::object> native_backward(Node& node, const py::object& grad);

// slot += g, in place when the slot's array is exclusively owned, else a new array.
void accumulate_into(py::object& slot, py::object g);

// The gradient for input `i` of `node`, summed over broadcast dimensions and cast to the
// input's dtype. Throws RuntimeError when the shapes are not broadcast-compatible.
py::object conform(const Node& node, size_t i, py::object g);

// True when nothing else can see `a`'s memory: our reference is the only one and it owns
// its data (a view's base may be shared).
bool exclusively_owned(const py::object& a);

InputMeta meta_of(const py::object& array);

}  // namespace chaingrad
