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
#include "npy.h"

namespace chaingrad {

void init_kernels(py::module_ numpy);

// One gradient (or null) per input of `node`, from the gradient of its output. `g` is handed
// over: when it is the only reference to its array, the kernel may overwrite it.
// `dest[i]`, when given, is the buffer input i's gradient will be added to: a kernel may add
// into it directly (dest = dest + grad, the same two roundings) and leave out[i] null.
void native_backward(Node& node, py::object g, std::vector<py::object>& out,
                     py::object* const* dest = nullptr);

// The elementwise kinds 21..37 (kernels_pointwise.cpp), on every layout. Returns false,
// leaving `g` and `out` untouched, for other kinds, a non-float gradient or a corrupt node
// (the caller then falls back).
bool pointwise_backward(Node& node, py::object& g, std::vector<py::object>& out);

// The reduction kinds 38..46 (kernels_reduction.cpp, kernels_norm.cpp): the reference
// kernel's own NumPy calls, made through the C API. Returns false, leaving `g` and `out`
// untouched, for layouts and dtypes it does not cover (the caller then falls back).
bool reduction_backward(Node& node, py::object& g, std::vector<py::object>& out);

// The shape kinds 47..51 (kernels_shape.cpp): reshape/transpose of g, g itself (EXPAND and
// TO_COPY: conform() sums and casts it), or g assigned into zeros (SLICE); the reference
// kernel's NumPy calls. Also AS_STRIDED and COPY_SLICES (52, 53): scatter/gather by a saved
// flat index, for float32/float64. May return views of g. Returns false, leaving `g` and `out` untouched,
// for other kinds and corrupt node layouts (the caller then falls back).
void init_shape_kernels(py::module_ numpy);
bool shape_backward(Node& node, py::object& g, std::vector<py::object>& out);

// The nn layer kinds (kernels_nn.cpp): LINEAR. Returns false, leaving `g` and `out`
// untouched, for other kinds and layouts it does not cover (the caller then falls back).
bool nn_backward(Node& node, py::object& g, std::vector<py::object>& out);

// slot += g: in place in whichever of the two arrays is exclusively owned, else a new array.
void accumulate_into(py::object& slot, py::object g);

// The gradient for input `i` of `node`, summed over broadcast dimensions and cast to the
// input's dtype. Throws RuntimeError when the shapes are not broadcast-compatible.
py::object conform(const Node& node, size_t i, py::object g);

// True when `g` already is an array of input i's shape and (builtin) dtype: conform() would
// return it unchanged.
inline bool conforms(const Node& node, size_t i, PyObject* g) {
  const Edge& e = node.next()[i];
  if (!npy::is_exact(g) || e.custom_dtype || npy::descr(g) != npy::builtin_descr(e.type_num) ||
      npy::ndim(g) != e.ndim)
    return false;
  if (e.ndim == 0) return true;
  const Py_ssize_t* shape = node.in_dims(i);
  const Py_ssize_t* d = npy::dims(g);
  for (size_t k = 0; k < e.ndim; ++k)
    if (d[k] != shape[k]) return false;
  return true;
}

// AccumulateGrad: add `g` into the leaf's .grad (natively for same-shape float arrays; else
// through _bridge.accumulate).
void accumulate_leaf(Node& acc, py::object g, bool create_graph);

}  // namespace chaingrad
