// Internal to the reduction kernels (kernels_reduction.cpp, kernels_norm.cpp): the NumPy
// callables they call through the C API, fetched once at import, and the reference kernels'
// small helpers written with those calls.
#pragma once

#include <initializer_list>
#include <vector>

#include "graph.h"
#include "npy.h"

namespace chaingrad {
namespace red {

// Owned references, kept for the life of the process (as the NumPy module itself is).
struct Fns {
  PyObject* multiply = nullptr;
  PyObject* divide = nullptr;
  PyObject* true_divide = nullptr;
  PyObject* subtract = nullptr;
  PyObject* equal = nullptr;
  PyObject* exp = nullptr;
  PyObject* where = nullptr;
  PyObject* add_reduce = nullptr;
  PyObject* intp = nullptr;
  PyObject* isnan = nullptr;
  PyObject* zeros = nullptr;
  PyObject* count_nonzero = nullptr;  // numpy._core.multiarray.count_nonzero
  PyObject* kw_dtype = nullptr;       // ("dtype",)
  PyObject* kw_axis = nullptr;        // ("axis",)
  PyObject* ascontiguousarray = nullptr;
  PyObject* f64 = nullptr;   // np.float64
  PyObject* f32 = nullptr;   // np.float32
  PyObject* s_cumsum = nullptr;
  PyObject* or_reduce = nullptr;  // np.logical_or.reduce (ndarray.any's reduction)
  PyObject* s_astype = nullptr;
  PyObject* f32_nan = nullptr;  // np.float32(np.nan)
  PyObject* f32_inf = nullptr;  // np.float32(np.inf)
  PyObject* make_extobj = nullptr;
  PyObject* extobj_var = nullptr;
  PyObject* kw_axis_keepdims = nullptr;      // ("axis", "keepdims")
  PyObject* kw_out_casting_subok = nullptr;  // ("out", "casting", "subok")
  PyObject* kw_divide_invalid = nullptr;     // ("divide", "invalid")
  PyObject* s_unsafe = nullptr;
  PyObject* s_ignore = nullptr;
  PyObject* py_zero = nullptr;  // Python int 0
  PyObject* py_two = nullptr;   // Python int 2
  PyObject* absolute = nullptr;
  PyObject* greater = nullptr;
  PyObject* less = nullptr;
  PyObject* bitwise_or = nullptr;
  PyObject* sqrt = nullptr;
  PyObject* power = nullptr;
  PyObject* s_cumprod = nullptr;
  bool ready = false;
  bool errstate = false;
};
extern Fns f;

// A new reference from the C API as an object; throws the pending Python error on null.
py::object steal(PyObject* r);

// fn(*args) through vectorcall; the last len(kwnames) arguments are keywords.
py::object call(PyObject* fn, std::initializer_list<PyObject*> args, PyObject* kwnames = nullptr);

// np.errstate(divide="ignore", invalid="ignore") for the lifetime of the object (NumPy's
// error-state context variable, set and reset; needs f.errstate).
class IgnoreDivInvalid {
 public:
  IgnoreDivInvalid();
  ~IgnoreDivInvalid();
  IgnoreDivInvalid(const IgnoreDivInvalid&) = delete;
  IgnoreDivInvalid& operator=(const IgnoreDivInvalid&) = delete;

 private:
  PyObject* token_ = nullptr;
};

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

// g.dtype.type(v): a 0-d array of g's (float32/float64) dtype.
py::object typed(PyObject* g, double v);

// False when v (finite) is beyond float32's range and g is float32: np.float32(v) would round
// it to inf, a C++ cast is undefined.
bool representable(PyObject* g, double v);

// NORM (kernels_norm.cpp): the reference kernel's gradient in `r`, or false to fall back.
bool norm_backward(const Node& node, const py::object& g, py::object& r);

}  // namespace red
}  // namespace chaingrad
