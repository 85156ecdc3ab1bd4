// Native backward kernels (the array-level VJPs of the hot ops) and the engine's array
// helpers: buffer accumulation, sum-to-shape and leaf accumulation.
//
// Same-shape, C-contiguous float32/float64 operands take raw loops, which write into the
// incoming gradient's own buffer when nothing else can see it (it is then handed on instead of
// a new array). Everything else (broadcast operands, mixed dtypes, matmul) calls NumPy's ufuncs
// through the C API, so no Python frame runs either way. Every formula matches
// _reference/kernels.py operation for operation.
#pragma once

#include <vector>

#include "graph.h"

namespace chaingrad {

void init_kernels(py::module_ numpy);

// One gradient (or null) per input of `node`, from the gradient of its output. `g` is handed
// over: when it is the only reference to its array, the kernel may overwrite it.
void native_backward(Node& node, py::object g, std::vector<py::object>& out);

// slot += g: in place in whichever of the two arrays is exclusively owned, else a new array.
void accumulate_into(py::object& slot, py::object g);

// The gradient for input `i` of `node`, summed over broadcast dimensions and cast to the
// input's dtype. Throws RuntimeError when the shapes are not broadcast-compatible.
py::object conform(const Node& node, size_t i, py::object g);

// AccumulateGrad: add `g` into the leaf's .grad (natively for same-shape float arrays; else
// through _bridge.accumulate).
void accumulate_leaf(Node& acc, py::object g, bool create_graph);

}  // namespace chaingrad
